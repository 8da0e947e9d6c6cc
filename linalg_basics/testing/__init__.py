"""Tools for lab assignments checked with pytest and Hypothesis.

An instructor writes one line per exercise; a student who gets it wrong sees the smallest
input that shows the mistake, the expected answer and theirs::

    from linalg_basics import median
    from linalg_basics.testing import check_against_reference, datasets

    from student_lab import my_median

    def test_median():
        check_against_reference(my_median, median, datasets())

===========================  =======================================================
Name                         Draws / does
===========================  =======================================================
``numbers``                  single numbers of chosen types within bounds
``vectors``                  lists of numbers
``vector_pairs``             two vectors of the same length, as a tuple
``matrices``                 rectangular lists of rows
``conforming_matrices``      ``(A, B)`` with columns of A == rows of B
``datasets``                 non-empty lists of numbers for statistics
``gray_images``              small gray images as lists of rows of ints 0..255
``images_with_windows``      an image and a window ``(row, col, height, width)`` in it
``queries_and_databases``    a query vector and a database of vectors of its length
``rankings``                 a ranking of ids and a set of relevant ids
``check_against_reference``  compare a candidate function with a reference
``assert_same_answer``       compare them on one input (inside a ``@given`` test)
``assert_raises``            check that a candidate refuses an input with an error
``CounterexampleFound``      the AssertionError they raise: call, expected, received
``SubmissionError``          what every use of a submission that does not import raises
``lab_settings``             Hypothesis settings for graded tests: repeatable, no deadline
``load_submission``          import a student's module from a path named at run time
``assert_imports_only``      check a student's module imports only allowed modules
===========================  =======================================================

Given ``helpers={name: reference}``, the comparisons also say when a function is wrong only
through another function of the submission that it calls ("mean_average_precision gives a
wrong answer only through average_precision, which it calls: fix average_precision first").

An instructor's test file names the module under test at run time, so one file checks any
student's work, the reference solution or a deliberately wrong one::

    import pathlib

    from hypothesis import given
    from linalg_basics import cosine_similarity
    from linalg_basics.testing import assert_same_answer, lab_settings, load_submission
    from linalg_basics.testing import vector_pairs

    # the file named by $LAB_SUBMISSION, else the skeleton next to this test file
    lab = load_submission(pathlib.Path(__file__).with_name("lab1.py"))

    @lab_settings()
    @given(vector_pairs(int, 1, 9))
    def test_cosine_similarity(uv):
        assert_same_answer(lab.cosine_similarity, cosine_similarity, *uv)

Run as ``LAB_SUBMISSION=alice.py pytest test_lab1.py``; a failure shows Hypothesis's
"Falsifying example" (the smallest input it found) and the expected and received answers.
The four labs in the project's ``docs/labs/`` are complete examples.

The package's modules: ``strategies`` (what Hypothesis draws), ``reference`` (comparing with
a reference), ``failures`` (how a failed check speaks) and ``labs`` (running a lab's tests);
every name above is importable from ``linalg_basics.testing`` itself. The grader,
``python -m linalg_basics.testing.grade LAB_DIR SUBMISSIONS_DIR``, runs a lab's tests on a
folder of submissions and prints one line per student (:mod:`linalg_basics.testing.grade`).

This package needs Hypothesis (``pip install hypothesis``, part of ``retrieval-lab[test]``);
the rest of :mod:`linalg_basics` does not.
"""

from . import failures, labs, reference, strategies
from .failures import *  # noqa: F401,F403
from .labs import *  # noqa: F401,F403
from .reference import *  # noqa: F401,F403
from .strategies import *  # noqa: F401,F403

__all__ = [*strategies.__all__, *reference.__all__, *failures.__all__, *labs.__all__]

