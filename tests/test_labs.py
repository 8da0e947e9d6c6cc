"""The lab assignments in docs/labs: their tests pass on the reference solutions, catch the
planted mistakes with a shrunk counterexample, and say what to do next.

Each lab's instructor test file is run as an instructor runs it, in its own ``python -m pytest``
(no project configuration, no cache), once with ``LAB_SUBMISSION`` naming the reference
solution and once naming the planted wrong solution, through the grader's
``run_checks``. Lab 1 is run by the grader's command line instead, over a folder holding both
solutions and a file with a syntax error, so the grader's table, its CSV and the reports it
keeps are checked with the same runs. The runs start together on two workers when the first
test needs one, so the whole module takes the time of the slowest (the CNN labs), not the sum.
"""

import ast
import csv
import doctest
import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from linalg_basics.testing.grade import Checks, run_checks

ROOT = pathlib.Path(__file__).resolve().parents[1]
LABS = ROOT / "docs" / "labs"


class Lab:
    def __init__(self, folder, module, planted, other_failures=()):
        self.folder = LABS / folder
        self.module = module  # the student skeleton's name, e.g. "lab1"
        # tests that fail on the planted solution with a Hypothesis counterexample
        self.planted = set(planted)
        # tests that fail on it otherwise (checks on fixed data)
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
        other_failures={"test_pixel_features"}),
    Lab("lab4_template_matching", "lab4",
        planted={"test_correlation_map", "test_find_template"}),
]
SUBMISSIONS = ("solution.py", "wrong_solution.py")
SYNTAX_ERROR_LINE = 9  # the line of lab 1's solution broken for the grader's run


def _grade_lab1(folder):
    """The grader's command line over lab 1's two solutions and one that does not import."""
    lab = LAB_LIST[0]
    submissions = folder / "submissions"
    submissions.mkdir()
    for name in SUBMISSIONS:
        shutil.copy(lab.folder / name, submissions / name)
    lines = (lab.folder / "solution.py").read_text(encoding="utf-8").splitlines()
    lines[SYNTAX_ERROR_LINE - 1] = "def _same_length(u, v, what)"  # the colon forgotten
    (submissions / "syntax_error.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "linalg_basics.testing.grade", str(lab.folder),
               str(submissions), "--csv", str(folder / "grades.csv"), "--reports",
               str(folder / "reports"), "--jobs", "2"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    return done, folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every (lab, submission) run, started at once on two workers; a future each.

    Lab 1's come from the grader's run (its future, and the reports it wrote)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        # the CNN labs first: they take longest
        order = sorted(LAB_LIST[1:], key=lambda lab: lab.module not in ("lab3", "lab4"))
        futures = {(lab.module, submission): pool.submit(run_checks, lab.tests,
                                                         lab.folder / submission)
                   for lab in order for submission in SUBMISSIONS}
        futures["grader"] = pool.submit(_grade_lab1, tmp_path_factory.mktemp("grade"))
        yield futures


def _output(runs, lab, submission):
    """The pytest report of one run."""
    if lab.module != "lab1":
        return runs[lab.module, submission].result().report
    _, folder = runs["grader"].result()
    return (folder / "reports" / submission.replace(".py", ".txt")).read_text(encoding="utf-8")


def _failed(output):
    return set(re.findall(r"^FAILED \S+::(\w+)", output, flags=re.MULTILINE))


def _sections(output):
    """``{test name: its failure report}`` from pytest's FAILURES section."""
    parts = re.split(r"^_{3,} (\w+)(?:\[.*?\])? _{3,}$", output, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("lab", LAB_LIST, ids=repr)
def test_reference_solution_passes(lab, runs):
    output = _output(runs, lab, "solution.py")
    assert not _failed(output), output
    assert re.search(r"^\d+ passed in ", output, flags=re.MULTILINE), output


@pytest.mark.parametrize("lab", LAB_LIST, ids=repr)
def test_planted_mistakes_fail_with_a_shrunk_counterexample(lab, runs):
    output = _output(runs, lab, "wrong_solution.py")
    assert _failed(output) == lab.planted | lab.other_failures, output
    for test in lab.planted:
        # Hypothesis's report of the shrunk input; older versions call it "Falsifying example"
        shown = rf"(Falsifying example|Failing test case): {test}\("
        assert re.search(shown, output), f"no counterexample shown for {test}:\n{output}"


@pytest.mark.parametrize("lab", LAB_LIST, ids=repr)
def test_every_failure_says_call_expected_received_not_a_raw_assert(lab, runs):
    sections = _sections(_output(runs, lab, "wrong_solution.py"))
    assert set(sections) == lab.planted | lab.other_failures
    for test, report in sections.items():
        said = [line for line in report.splitlines() if line.startswith("E ")]
        text = "\n".join(said)
        assert "CounterexampleFound: " in text, f"{test}:\n{report}"
        for part in ("smallest failing call: ", "expected: ", "received: "):
            assert part in text, f"{test} does not say {part!r}:\n{report}"
        # no pytest assertion rewriting ("assert x == y", "where x = ..."), no array dumps
        assert not re.search(r"^E\s+(assert |where |\+|-)", report, flags=re.MULTILINE), report
        assert not re.search(r"(?<!np\.)array\(\[", text), report


def test_pixel_features_says_which_type_came(runs):
    report = _sections(_output(runs, LAB_LIST[2], "wrong_solution.py"))["test_pixel_features"]
    assert "dtype=np.float32)\n" in report.split("expected: ")[1].split("received: ")[0]
    assert "dtype=np.uint8)" in report.split("received: ")[1]


@pytest.mark.parametrize(("lab", "test", "helper"), [
    (LAB_LIST[2], "test_mean_average_precision", "average_precision"),
    (LAB_LIST[1], "test_std_dev", "variance"),
], ids=["lab3-map", "lab2-std_dev"])
def test_a_function_failing_only_through_its_helper_names_the_helper(lab, test, helper, runs):
    report = _sections(_output(runs, lab, "wrong_solution.py"))[test]
    function = test.removeprefix("test_")
    assert (f"{function} gives a wrong answer only through {helper}, which it calls: "
            f"fix {helper} first.") in report, report
    # and the helper's own test fails as a mistake of its own
    own = _sections(_output(runs, lab, "wrong_solution.py"))[f"test_{helper}"]
    assert f"{helper} gives a wrong answer.\n" in own, own


def test_a_syntax_error_says_does_not_import_at_every_check(runs):
    output = _output(runs, LAB_LIST[0], "syntax_error.py")
    failed = re.findall(r"^FAILED (\S+?(?:\[.*\])?) - (.*)$", output, flags=re.MULTILINE)
    passed = re.search(r"(\d+) failed", output)
    assert failed and passed and len(failed) == int(passed.group(1)), output
    reason = (f"syntax_error.py does not import: SyntaxError line {SYNTAX_ERROR_LINE}: "
              "expected ':'")
    for test, line in failed:
        assert reason in line or line.endswith("..."), (test, line)
    assert reason in output


def test_grader_prints_a_table_and_writes_it_as_csv(runs):
    done, folder = runs["grader"].result()
    assert done.returncode == 0, done.stderr
    table = done.stdout.splitlines()
    assert re.match(r"student +passed +first failure$", table[0]), done.stdout
    rows = {line.split()[0]: line for line in table[2:5]}
    assert list(rows) == ["solution", "syntax_error", "wrong_solution"], done.stdout
    assert re.search(r"^solution +(\d+)/\1 +-$", rows["solution"]), rows["solution"]
    assert re.search(r" 0/\d+ +test_add_vectors: syntax_error.py does not import: SyntaxError "
                     rf"line {SYNTAX_ERROR_LINE}: expected ':'$", rows["syntax_error"]), table
    # the first failure in file order, as call: expected, received
    wrong = re.search(r" (\d+)/(\d+) +(test_\w+): (.*)$", rows["wrong_solution"])
    assert wrong and int(wrong.group(1)) == int(wrong.group(2)) - 3, rows["wrong_solution"]
    assert wrong.group(3) == "test_cosine_similarity", rows["wrong_solution"]
    assert re.match(r"cosine_similarity\(\[.*\]\): expected .+, received .+", wrong.group(4))
    with open(folder / "grades.csv", newline="", encoding="utf-8") as file:
        graded = {row["student"]: row for row in csv.DictReader(file)}
    assert set(graded) == {"solution", "syntax_error", "wrong_solution"}
    assert graded["solution"]["passed"] == graded["solution"]["checks"] != "0"
    assert graded["syntax_error"]["passed"] == "0"
    assert graded["wrong_solution"]["test_matrix_multiplication"] == "0"
    assert graded["wrong_solution"]["test_add_vectors"] == "1"
    assert graded["wrong_solution"]["first_failure"] in rows["wrong_solution"]


def test_experiment_says_the_numbers_cannot_be_trusted_while_a_check_fails(runs):
    right = runs["lab3", "solution.py"].result()
    wrong = runs["lab3", "wrong_solution.py"].result()
    assert right.verdict() == f"All {len(right.checks)} checks pass."
    said = wrong.verdict().splitlines()
    assert said[0] == (f"4 of {len(wrong.checks)} checks FAIL: the numbers below cannot be "
                       "trusted until they pass.")
    assert [line.split(":")[0].strip() for line in said[1:]] == [
        "test_pixel_features", "test_cosine_ranking", "test_average_precision",
        "test_mean_average_precision"]
    broken = Checks("x", problem="stopped after 600 s (an endless loop?)")
    assert "cannot be trusted" in broken.verdict()
    # each experiment runs the lab's checks (without its slow test) before its numbers
    for lab, slow in ((LAB_LIST[2], "test_experiment_on_photos"),
                      (LAB_LIST[3], "test_locate_with_features")):
        source = (lab.folder / "experiment.py").read_text(encoding="utf-8")
        main = source[source.index("def main("):]
        assert main.index("checks.verdict(") < main.index("lab.", main.index("verdict")), lab
        assert f'deselect=["{slow}"]' in source


def test_one_line_keeps_what_a_grader_needs():
    from linalg_basics.testing.grade import one_line

    message = ("linalg_basics.testing.CounterexampleFound: f gives a wrong answer only "
               "through g, which it calls: fix g first.\n  (with the reference g, f gives "
               "the expected answer)\n  smallest failing call: f(np.array([[1, 2, 3, 4, 5, "
               "6, 7, 8, 9]], dtype=np.uint8))\n  expected: 1.5\n  received: 0.0")
    assert one_line(message) == ("fix g first: f(np.array([...], dtype=np.uint8)): expected "
                                 "1.5, received 0.0")
    assert one_line("NotImplementedError: median\nmore") == "NotImplementedError: median"


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
