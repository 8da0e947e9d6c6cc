"""The docs run as a reader pastes them: each chapter in a plain Python prompt, nothing injected.

pytest's own doctest run of the Markdown files injects ``np`` and relaxes the comparison
(``NUMBER``, ``NORMALIZE_WHITESPACE``), so a chapter can pass there and still fail for a reader:
``NameError: name 'np' is not defined``, or ``0.9...`` shown where the prompt prints 0.8329.
Here every ```` ```python ```` block of README.md, docs/index.md and docs/0*.md runs in order,
each file in fresh globals, in a subprocess that imports nothing for it. The only option is
``ELLIPSIS``: a reader takes ``...`` as "and more", so ``.../chelsea.jpg`` and a traceback's
``...`` are fine, but a printed number must be the number the prompt prints.

The chapters that load a CNN share one subprocess (the model is loaded once per process); the
others share a second one; the two run side by side.

Run it by hand as ``python tests/test_docs_plain.py docs/04-filters.md`` for doctest's report.
"""

from __future__ import annotations

import doctest
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = ["README.md", "docs/index.md",
            *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("0*.md"))]
CNN_CHAPTERS = {"docs/05-pretrained-models.md", "docs/06-retrieval.md",
                "docs/07-template-matching.md"}
PENDING: dict[str, str] = {}   # chapter -> why it cannot pass yet (xfail, not strict)

_BLOCK = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)
_PROMPT = re.compile(r"^\s*>>>", re.M)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """``(line number, code)`` of every ```` ```python ```` block, in order."""
    return [(text.count("\n", 0, match.start(2)), match.group(2))
            for match in _BLOCK.finditer(text) if match.group(1) == "python"]


def prompts_outside_python_blocks(text: str) -> list[int]:
    """Line numbers of ``>>>`` lines that no ```` ```python ```` block holds."""
    inside = _BLOCK.sub(lambda m: "\n" * m.group(0).count("\n") if m.group(1) == "python"
                        else m.group(0), text)
    return [inside.count("\n", 0, m.start()) + 1 for m in _PROMPT.finditer(inside)]


def run_chapter(path: pathlib.Path) -> dict:
    """Run the python blocks of one file in fresh globals; doctest's counts and report."""
    text = path.read_text(encoding="utf-8")
    globs: dict = {"__name__": "__main__"}
    parser = doctest.DocTestParser()
    failed = attempted = 0
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for lineno, code in python_blocks(text):
        if not _PROMPT.search(code):       # a plain script block: run it as pasted
            attempted += 1
            try:
                exec(compile(code, f"{path.name}:{lineno + 1}", "exec"), globs)
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                failed += 1
                report.append(f"{path.name}, line {lineno + 1}: {error!r}")
            continue
        test = parser.get_doctest(code, globs, path.name, str(path), lineno)
        result = runner.run(test, out=report.append, clear_globs=False)
        globs = test.globs                 # get_doctest copies: carry on with what ran
        failed, attempted = failed + result.failed, attempted + result.attempted
    return {"failed": failed, "attempted": attempted, "report": "".join(report)}


def _run_group(chapters: list[str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    return subprocess.Popen([sys.executable, __file__, "--json", *chapters], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


_RESULTS: dict[str, dict] = {}


def _results(chapter: str) -> dict:
    """Results of every chapter, computed once: two subprocesses, CNN chapters in one."""
    if not _RESULTS:
        groups = [[c for c in CHAPTERS if c in CNN_CHAPTERS],
                  [c for c in CHAPTERS if c not in CNN_CHAPTERS]]
        processes = [_run_group(group) for group in groups if group]
        for process in processes:
            out, err = process.communicate(timeout=600)
            if process.returncode:
                raise RuntimeError(f"the docs runner crashed:\n{err[-3000:]}")
            _RESULTS.update(json.loads(out.splitlines()[-1]))
    return _RESULTS[chapter]


def test_every_chapter_is_found():
    assert {"README.md", "docs/index.md", "docs/01-vectors-and-matrices.md",
            "docs/07-template-matching.md"} <= set(CHAPTERS)
    assert CNN_CHAPTERS <= set(CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_example_outside_a_python_block(chapter):
    """A ``>>>`` outside a python block would be run by pytest but missed by a reader here."""
    text = (ROOT / chapter).read_text(encoding="utf-8")
    assert prompts_outside_python_blocks(text) == []


@pytest.mark.parametrize("chapter", [
    pytest.param(c, marks=pytest.mark.xfail(reason=PENDING[c], strict=False)) if c in PENDING
    else c for c in CHAPTERS])
def test_chapter_runs_in_a_plain_prompt(chapter):
    result = _results(chapter)
    assert result["attempted"] > 0, f"{chapter}: no examples found"
    assert result["failed"] == 0, (
        f"{chapter}: {result['failed']} of {result['attempted']} examples fail in a plain "
        f"prompt:\n{result['report']}")


def test_the_runner_catches_what_pytest_would_hide(tmp_path):
    """A missing import, a rounded number, other whitespace: each is a failure here."""
    chapter = tmp_path / "chapter.md"
    chapter.write_text(
        "```python\n>>> np.zeros(1).tolist()\n[0.0]\n\n```\n\n"      # NameError: np
        "```python\n>>> import math\n>>> round(math.pi, 4)\n3.1416\n"
        ">>> round(math.pi, 4)\n3.14...\n"                                 # ELLIPSIS: passes
        ">>> round(math.pi, 4)\n3.142\n"                                   # NUMBER would pass
        ">>> [1, 2]\n[1,  2]\n\n```\n"                                   # NORMALIZE_WHITESPACE
        "```text\n>>> 1\n```\n", encoding="utf-8")
    result = run_chapter(chapter)
    assert (result["failed"], result["attempted"]) == (3, 6)
    assert "NameError: name 'np' is not defined" in result["report"]
    assert "Expected:\n    3.142\nGot:\n    3.1416" in result["report"]
    assert "Expected:\n    [1,  2]\nGot:\n    [1, 2]" in result["report"]
    assert prompts_outside_python_blocks(chapter.read_text()) == [20]


def main(arguments: list[str]) -> int:
    as_json = arguments[:1] == ["--json"]
    chapters = arguments[1:] if as_json else arguments
    results = {chapter: run_chapter(ROOT / chapter) for chapter in chapters}
    if as_json:
        print(json.dumps(results))
    else:
        for chapter, result in results.items():
            print(result["report"], end="")
            print(f"{chapter}: {result['failed']} failed of {result['attempted']}")
    return 0


if __name__ == "__main__":
    sys.path[0] = str(ROOT)     # this tree's packages, not the folders of tests/ beside us
    sys.exit(main(sys.argv[1:]))
