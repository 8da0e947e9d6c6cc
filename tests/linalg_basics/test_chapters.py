"""Chapters 1 and 2 run when pasted into a plain Python prompt, block after block.

pytest's doctest run injects ``np`` and normalises numbers and whitespace; a student's prompt
does neither. So each chapter is run here as ``python -m doctest`` runs it: one namespace
for the whole page, starting empty, no option flags.
"""

import doctest
import pathlib

import pytest

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("chapter", ["01-vectors-and-matrices.md", "02-statistics.md"])
def test_chapter_runs_in_a_plain_prompt(chapter):
    text = (DOCS / chapter).read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, chapter, chapter, 0)
    failures = []
    runner = doctest.DocTestRunner(optionflags=0)
    runner.run(test, out=failures.append)
    assert len(test.examples) > 20
    assert runner.failures == 0, "".join(failures)
