"""The lab assignments in docs/labs: their tests pass on the reference solutions and catch the
planted mistakes with a shrunk counterexample.

Each lab's instructor test file is run as an instructor runs it, in its own ``python -m pytest``
(no project configuration, no conftest, no cache), once with ``LAB_SUBMISSION`` naming the
reference solution and once naming the planted wrong solution. The eight runs start together
on two workers when the first test needs one, so the whole module takes the time of the
slowest pairs (the CNN labs), not the sum.
"""

import ast
import doctest
import importlib.util
import os
import pathlib
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LABS = ROOT / "docs" / "labs"


class Lab:
    def __init__(self, folder, module, planted, other_failures=()):
        self.folder = LABS / folder
        self.module = module  # the student skeleton's name, e.g. "lab1"
        # tests that fail on the planted solution with a Hypothesis counterexample
        self.planted = set(planted)
        # tests that fail on it otherwise (plain assertions on fixed data)
        self.other_failures = set(other_failures)

    @property
    def tests(self):
        return self.folder / f"test_{self.module}.py"

    def __repr__(self):
        return self.folder.name


LAB_LIST = [
    Lab("lab1_vectors", "lab1",
        planted={"test_cosine_similarity", "test_cosine_ignores_positive_scaling",
                 "test_matrix_multiplication"}),
    Lab("lab2_statistics_filters", "lab2",
        planted={"test_median", "test_variance", "test_std_dev", "test_mean_filter"}),
    Lab("lab3_retrieval", "lab3",
        planted={"test_cosine_ranking", "test_average_precision",
                 "test_mean_average_precision"},
        other_failures={"test_experiment_on_photos"}),
    Lab("lab4_template_matching", "lab4",
        planted={"test_correlation_map", "test_find_template"}),
]
SUBMISSIONS = ("solution.py", "wrong_solution.py")


def _run(lab, submission, workdir):
    """Run a lab's tests on a submission, from a scratch folder so that nothing is written
    into docs/labs (no bytecode, no Hypothesis cache)."""
    env = dict(os.environ, LAB_SUBMISSION=str(lab.folder / submission),
               PYTHONDONTWRITEBYTECODE="1", HYPOTHESIS_STORAGE_DIRECTORY=str(workdir))
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", os.devnull,
               "--rootdir", str(lab.folder), "--noconftest", "-q", "-rf", "--color=no",
               str(lab.tests)]
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=600)
    return done.returncode, done.stdout + done.stderr


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every (lab, submission) run, started at once on two workers; a future each."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        # the CNN labs first: they take longest
        order = sorted(LAB_LIST, key=lambda lab: lab.module not in ("lab3", "lab4"))
        yield {
            (lab.module, submission): pool.submit(
                _run, lab, submission, tmp_path_factory.mktemp(f"{lab.module}-run")
            )
            for lab in order
            for submission in SUBMISSIONS
        }


def _failed(output):
    return set(re.findall(r"^FAILED \S+::(\w+)", output, flags=re.MULTILINE))


@pytest.mark.parametrize("lab", LAB_LIST, ids=repr)
def test_reference_solution_passes(lab, runs):
    code, output = runs[lab.module, "solution.py"].result()
    assert code == 0, output
    assert re.search(r"^\d+ passed in ", output, flags=re.MULTILINE), output


@pytest.mark.parametrize("lab", LAB_LIST, ids=repr)
def test_planted_mistakes_fail_with_a_shrunk_counterexample(lab, runs):
    code, output = runs[lab.module, "wrong_solution.py"].result()
    assert code == 1, output
    assert _failed(output) == lab.planted | lab.other_failures, output
    for test in lab.planted:
        # Hypothesis's report of the shrunk input; older versions call it "Falsifying example"
        shown = rf"(Falsifying example|Failing test case): {test}\("
        assert re.search(shown, output), f"no counterexample shown for {test}:\n{output}"
    assert "expected:" in output and "received:" in output, output


# ---------------------------------------------------------------- the files handed out


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _public_functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")}


@pytest.mark.parametrize("lab", LAB_LIST, ids=repr)
def test_skeleton_has_a_documented_stub_for_every_solution_function(lab):
    skeleton = _public_functions(lab.folder / f"{lab.module}.py")
    assert skeleton
    for name, node in skeleton.items():
        docstring = ast.get_docstring(node)
        assert docstring, f"{name} has no docstring"
        body = node.body[1:]  # after the docstring
        assert len(body) == 1 and isinstance(body[0], ast.Raise), f"{name} is not a stub"
        assert "NotImplementedError" in ast.unparse(body[0]), name
    for other in SUBMISSIONS:
        assert set(_public_functions(lab.folder / other)) == set(skeleton), other


@pytest.mark.parametrize("lab", LAB_LIST, ids=repr)
def test_skeleton_examples_hold_for_the_reference_solution(lab, monkeypatch):
    monkeypatch.syspath_prepend(str(lab.folder))
    skeleton = _load(lab.folder / f"{lab.module}.py", f"_skeleton_{lab.module}")
    solution = _load(lab.folder / "solution.py", f"_solution_{lab.module}")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    examples = 0
    for test in doctest.DocTestFinder().find(skeleton):
        test.globs = dict(vars(solution))
        runner.run(test, out=lambda text: None)
        examples += len(test.examples)
    results = runner.summarize(verbose=False)
    assert examples > 0 and results.failed == 0, results


def test_default_run_does_not_collect_the_lab_files():
    """The project's own ``pytest`` (testpaths include docs) skips every lab .py file."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "docs/labs"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    listed = done.stdout + done.stderr
    assert ".py" not in listed.replace("conftest.py", ""), listed
    assert "no tests collected" in listed or done.returncode == 5, listed
