"""Instructor tests for lab 1: vectors, matrices and cosine similarity.

Every test compares the submission with the reference functions of ``linalg_basics`` on
inputs drawn by Hypothesis. When an answer is wrong, Hypothesis shrinks the input to the
smallest it can find and pytest shows it ("Falsifying example" or "Failing test case"), with
the expected and the received answer. A function that is wrong only because another function
of the submission that it calls is wrong (``cosine_similarity`` through ``dot_product``) says
which one to fix first: it is tried again with the reference versions in ``REFERENCE``.

The submission is the file named by the environment variable ``LAB_SUBMISSION`` (default:
``lab1.py`` next to this file)::

    LAB_SUBMISSION=path/to/alice_lab1.py python -m pytest -p no:cacheprovider test_lab1.py
"""

import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

import linalg_basics as ref
from linalg_basics.testing import (
    assert_imports_only,
    assert_raises,
    assert_same_answer,
    conforming_matrices,
    lab_settings,
    load_submission,
    matrices,
    numbers,
    vector_pairs,
    vectors,
)

lab = load_submission(pathlib.Path(__file__).with_name("lab1.py"))

EXACT = (int,)
MIXED = (int, float)
# the reference for each function the student writes, by name
REFERENCE = {name: getattr(ref, name) for name in (
    "add_vectors", "scale_vector", "dot_product", "vector_length", "cosine_similarity",
    "transpose", "matrix_multiplication", "matrix_vector_product")}


def same_answer(name, *arguments, **options):
    """The student's function ``name`` answers as the reference does on ``arguments``."""
    __tracebackhide__ = True  # pytest shows the test's line and the message, not this helper
    assert_same_answer(getattr(lab, name), REFERENCE[name], *arguments, helpers=REFERENCE,
                       **options)


@lab_settings()
@given(vector_pairs(MIXED))
def test_add_vectors(uv):
    same_answer("add_vectors", *uv)


@lab_settings()
@given(numbers(MIXED, -10, 10), vectors(MIXED))
def test_scale_vector(alpha, v):
    same_answer("scale_vector", alpha, v)


@lab_settings()
@given(vector_pairs(MIXED, -100, 100))
def test_dot_product(uv):
    # a plain left-to-right float sum of at most 10 products of size <= 1e4 is within 1e-9
    same_answer("dot_product", *uv, abs_tol=1e-9)


@lab_settings()
@given(vectors(MIXED))
def test_vector_length(v):
    same_answer("vector_length", v)


@lab_settings(max_examples=100)
@given(vector_pairs(EXACT, -9, 9, max_size=5))
def test_cosine_similarity(uv):
    # small ints: zero vectors come up, and the submission must raise ValueError for them
    same_answer("cosine_similarity", *uv)


@lab_settings()
@given(vector_pairs(EXACT, 1, 9, max_size=5), st.integers(1, 5), st.integers(1, 5))
def test_cosine_ignores_positive_scaling(uv, a, b):
    """cs(a u, b v) == cs(u, v) for a, b > 0: a query twice as bright finds the same images."""
    u, v = uv
    plain = lab.cosine_similarity(u, v)
    assert_same_answer(lab.cosine_similarity, lambda *scaled: plain,
                       [a * x for x in u], [b * y for y in v], name="cosine_similarity",
                       note=f"the same as cosine_similarity({u!r}, {v!r}): scaling by a "
                            "positive number must not change it")


@lab_settings()
@given(matrices(MIXED))
def test_transpose(a):
    same_answer("transpose", a)


@lab_settings()
@given(conforming_matrices(EXACT, -9, 9))
def test_matrix_multiplication(ab):
    same_answer("matrix_multiplication", *ab)


@lab_settings()
@given(conforming_matrices(EXACT, -9, 9))
def test_matrix_vector_product(ab):
    a, b = ab
    v = [row[0] for row in b]  # a vector as long as a row of A
    same_answer("matrix_vector_product", a, v)


@pytest.mark.parametrize(
    ("function", "arguments", "reason"),
    [
        ("add_vectors", ([1, 2], [1, 2, 3]), "the lengths differ"),
        ("dot_product", ([1, 2, 3], [1, 2]), "the lengths differ"),
        ("cosine_similarity", ([1, 2], [1]), "the lengths differ"),
        ("cosine_similarity", ([0, 0], [1, 2]), "the angle to a zero vector is undefined"),
        ("matrix_multiplication", ([[1, 2]], [[1, 2]]), "A has 2 columns, B has 1 row"),
        ("matrix_vector_product", ([[1, 2], [3, 4]], [1, 2, 3]), "A has 2 columns, v 3 entries"),
    ],
)
def test_bad_input_raises_value_error(function, arguments, reason):
    assert_raises(getattr(lab, function), ValueError, *arguments, reason=reason)


def test_plain_python_only():
    """The lab is about writing these by hand: no NumPy, no linalg_basics."""
    assert_imports_only(lab, {"math", "fractions", "__future__"})
