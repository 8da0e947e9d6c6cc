"""Instructor tests for lab 1: vectors, matrices and cosine similarity.

Every test compares the submission with the reference functions of ``linalg_basics`` on
inputs drawn by Hypothesis. When an answer is wrong, Hypothesis shrinks the input to the
smallest it can find and pytest shows it ("Falsifying example" or "Failing test case"), with
the expected and the received answer.

The submission is the file named by the environment variable ``LAB_SUBMISSION`` (default:
``lab1.py`` next to this file)::

    LAB_SUBMISSION=path/to/alice_lab1.py python -m pytest -p no:cacheprovider test_lab1.py
"""

import math
import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

import linalg_basics as ref
from linalg_basics.testing import (
    assert_imports_only,
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


@lab_settings()
@given(vector_pairs(MIXED))
def test_add_vectors(uv):
    assert_same_answer(lab.add_vectors, ref.add_vectors, *uv)


@lab_settings()
@given(numbers(MIXED, -10, 10), vectors(MIXED))
def test_scale_vector(alpha, v):
    assert_same_answer(lab.scale_vector, ref.scale_vector, alpha, v)


@lab_settings()
@given(vector_pairs(MIXED, -100, 100))
def test_dot_product(uv):
    # a plain left-to-right float sum of at most 10 products of size <= 1e4 is within 1e-9
    assert_same_answer(lab.dot_product, ref.dot_product, *uv, abs_tol=1e-9)


@lab_settings()
@given(vectors(MIXED))
def test_vector_length(v):
    assert_same_answer(lab.vector_length, ref.vector_length, v)


@lab_settings(max_examples=100)
@given(vector_pairs(EXACT, -9, 9, max_size=5))
def test_cosine_similarity(uv):
    # small ints: zero vectors come up, and the submission must raise ValueError for them
    assert_same_answer(lab.cosine_similarity, ref.cosine_similarity, *uv)


@lab_settings()
@given(vector_pairs(EXACT, 1, 9, max_size=5), st.integers(1, 5), st.integers(1, 5))
def test_cosine_ignores_positive_scaling(uv, a, b):
    """cs(a u, b v) == cs(u, v) for a, b > 0: a query twice as bright finds the same images."""
    u, v = uv
    plain = lab.cosine_similarity(u, v)
    scaled = lab.cosine_similarity([a * x for x in u], [b * y for y in v])
    assert math.isclose(scaled, plain, rel_tol=1e-9), (
        f"cosine_similarity(u, v) is {plain!r} but cosine_similarity({a} * u, {b} * v) is "
        f"{scaled!r}; scaling by a positive number must not change it"
    )


@lab_settings()
@given(matrices(MIXED))
def test_transpose(a):
    assert_same_answer(lab.transpose, ref.transpose, a)


@lab_settings()
@given(conforming_matrices(EXACT, -9, 9))
def test_matrix_multiplication(ab):
    assert_same_answer(lab.matrix_multiplication, ref.matrix_multiplication, *ab)


@lab_settings()
@given(conforming_matrices(EXACT, -9, 9))
def test_matrix_vector_product(ab):
    a, b = ab
    v = [row[0] for row in b]  # a vector as long as a row of A
    assert_same_answer(lab.matrix_vector_product, ref.matrix_vector_product, a, v)


@pytest.mark.parametrize(
    ("function", "arguments"),
    [
        ("add_vectors", ([1, 2], [1, 2, 3])),
        ("dot_product", ([1, 2, 3], [1, 2])),
        ("cosine_similarity", ([1, 2], [1])),
        ("cosine_similarity", ([0, 0], [1, 2])),
        ("matrix_multiplication", ([[1, 2]], [[1, 2]])),
        ("matrix_vector_product", ([[1, 2], [3, 4]], [1, 2, 3])),
    ],
)
def test_bad_input_raises_value_error(function, arguments):
    with pytest.raises(ValueError):
        getattr(lab, function)(*arguments)


def test_plain_python_only():
    """The lab is about writing these by hand: no NumPy, no linalg_basics."""
    assert_imports_only(lab, {"math", "fractions", "__future__"})
