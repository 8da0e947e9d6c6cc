"""linalg_basics.matrices against NumPy, exact Fraction arithmetic and the lecture.

Ints are compared with NumPy int64 exactly (entries are bounded so nothing overflows).
Float tolerances, with u = 2**-53: entrywise addition and subtraction are single IEEE
operations, identical to NumPy. Each entry of a product is a dot product of length n; ours
is within ``u |exact| + u S`` (S = sum of |a_ik b_kj|, see test_vectors.py), NumPy's
(BLAS, any summation order) within ``n u S``, so we allow ``(n + 2) u S`` entry by entry.
Floats are 0 or between 1e-100 and 1e6 in magnitude, so no product underflows in NumPy.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linalg_basics import (
    ShapeError,
    add_matrices,
    matrix_multiplication,
    matrix_vector_product,
    subtract_matrices,
    transpose,
)
from linalg_basics.testing import conforming_matrices, matrices, numbers, vectors

U = 2.0**-53
PROPERTY = settings(deadline=None, max_examples=60)

INT_PAIRS = conforming_matrices(int, -1000, 1000)
EXACT_PAIRS = conforming_matrices((int, Fraction), -50, 50)
MODERATE_FLOAT = numbers(float, -1e6, 1e6).map(lambda x: x if abs(x) >= 1e-100 else 0.0)


@st.composite
def float_products(draw, max_side=4):
    m, n, p = (draw(st.integers(1, max_side)) for _ in range(3))

    def matrix(rows, cols):
        row = st.lists(MODERATE_FLOAT, min_size=cols, max_size=cols)
        return draw(st.lists(row, min_size=rows, max_size=rows))

    return matrix(m, n), matrix(n, p)


@st.composite
def same_shape(draw, types=(int,), lo=-1000, hi=1000):
    a = draw(matrices(types, lo, hi))
    b = draw(matrices(types, lo, hi, rows=len(a), cols=len(a[0])))
    return a, b


def test_lecture_product():
    a = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    b = [[1, 1, 1, 1], [1, 2, 3, 1], [1, 1, 0, 2]]
    assert matrix_multiplication(a, b) == [[6, 8, 7, 9], [15, 20, 19, 21], [24, 32, 31, 33]]


def test_reflections_of_pixel_coordinates():
    upside_down, mirror = [[1, 0], [0, -1]], [[-1, 0], [0, 1]]
    assert matrix_vector_product(upside_down, [3, 2]) == [3, -2]
    assert matrix_vector_product(mirror, [3, 2]) == [-3, 2]
    assert matrix_multiplication(upside_down, upside_down) == [[1, 0], [0, 1]]


# ---------------------------------------------------------------------------
# Against NumPy
# ---------------------------------------------------------------------------


@PROPERTY
@given(ab=same_shape())
def test_add_subtract_ints_match_numpy(ab):
    a, b = ab
    na, nb = np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)
    assert add_matrices(a, b) == (na + nb).tolist()
    assert subtract_matrices(a, b) == (na - nb).tolist()


@PROPERTY
@given(ab=same_shape(float, -1e6, 1e6))
def test_add_subtract_floats_match_numpy_bit_for_bit(ab):
    a, b = ab
    assert add_matrices(a, b) == (np.array(a) + np.array(b)).tolist()
    assert subtract_matrices(a, b) == (np.array(a) - np.array(b)).tolist()


@PROPERTY
@given(a=matrices((int, float, Fraction)))
def test_transpose_matches_numpy(a):
    assert transpose(a) == np.array(a, dtype=object).T.tolist()
    assert transpose(transpose(a)) == a


@PROPERTY
@given(ab=INT_PAIRS)
def test_product_ints_exact_like_numpy(ab):
    a, b = ab
    result = matrix_multiplication(a, b)
    assert result == (np.array(a, dtype=np.int64) @ np.array(b, dtype=np.int64)).tolist()
    assert all(type(x) is int for row in result for x in row)


@PROPERTY
@given(ab=float_products())
def test_product_floats_within_derived_bound(ab):
    a, b = ab
    n = len(b)
    result = np.array(matrix_multiplication(a, b))
    bound = (n + 2) * U * (np.abs(a) @ np.abs(b)) * (1 + 2 * n * U)
    assert np.all(np.abs(result - np.array(a) @ np.array(b)) <= bound)


@PROPERTY
@given(ab=float_products())
def test_product_floats_exact_within_one_rounding_per_entry(ab):
    a, b = ab
    result = matrix_multiplication(a, b)
    for i, row in enumerate(a):
        for j, col in enumerate(zip(*b, strict=True)):
            exact = sum(Fraction(x) * Fraction(y) for x, y in zip(row, col, strict=True))
            s = math.fsum(abs(x * y) for x, y in zip(row, col, strict=True))
            error = abs(Fraction(result[i][j]) - exact)
            assert error <= Fraction(U) * (abs(exact) + Fraction(s)) * Fraction(1001, 1000)


@PROPERTY
@given(a=matrices(int, -1000, 1000), data=st.data())
def test_matrix_vector_ints_match_numpy(a, data):
    v = data.draw(vectors(int, -1000, 1000, size=len(a[0])))
    assert matrix_vector_product(a, v) == (np.array(a) @ np.array(v)).tolist()


@PROPERTY
@given(ab=float_products())
def test_matrix_vector_floats_within_derived_bound(ab):
    a, b = ab
    v = [row[0] for row in b]  # the first column of B: a vector of the right length
    n = len(v)
    result = np.array(matrix_vector_product(a, v))
    bound = (n + 2) * U * (np.abs(a) @ np.abs(v)) * (1 + 2 * n * U)
    assert np.all(np.abs(result - np.array(a) @ np.array(v)) <= bound)
    assert matrix_vector_product(a, v) == [row[0] for row in matrix_multiplication(a, b)]


@PROPERTY
@given(ab=conforming_matrices((int, Fraction), -(10**30), 10**30))
def test_big_ints_and_fractions_exact_like_numpy_objects(ab):
    # NumPy's object arrays compute with Python ints and Fractions: exact, any size.
    a, b = ab
    na, nb = np.array(a, dtype=object), np.array(b, dtype=object)
    assert matrix_multiplication(a, b) == (na @ nb).tolist()
    v = [row[0] for row in b]
    assert matrix_vector_product(a, v) == (na @ np.array(v, dtype=object)).tolist()


# ---------------------------------------------------------------------------
# Algebra, exactly (ints and Fractions)
# ---------------------------------------------------------------------------


@PROPERTY
@given(ab=EXACT_PAIRS)
def test_transpose_of_product(ab):
    a, b = ab
    assert transpose(matrix_multiplication(a, b)) == matrix_multiplication(
        transpose(b), transpose(a)
    )


@PROPERTY
@given(ab=EXACT_PAIRS, data=st.data())
def test_product_is_associative_with_vectors(ab, data):
    a, b = ab
    x = data.draw(vectors((int, Fraction), -50, 50, size=len(b[0])))
    assert matrix_vector_product(a, matrix_vector_product(b, x)) == matrix_vector_product(
        matrix_multiplication(a, b), x
    )


@PROPERTY
@given(ab=same_shape((int, Fraction)))
def test_add_commutes_and_subtract_undoes_it(ab):
    a, b = ab
    assert add_matrices(a, b) == add_matrices(b, a)
    assert subtract_matrices(add_matrices(a, b), b) == a


def test_any_iterables_in_plain_lists_out():
    result = add_matrices(np.array([[1, 2], [3, 4]]), ((10, 20), (30, 40)))
    assert result == [[11, 22], [33, 44]]
    assert type(result) is list and all(type(x) is int for row in result for x in row)
    assert transpose(iter([range(3), (x for x in (3, 4, 5))])) == [[0, 3], [1, 4], [2, 5]]
    product = matrix_multiplication(np.eye(2), [[1, 2], [3, 4]])
    assert product == [[1.0, 2.0], [3.0, 4.0]] and type(product[0][0]) is float
    assert matrix_vector_product([(1, 2)], np.array([3, 4])) == [11]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


def test_product_shape_mismatch_names_both_sizes():
    with pytest.raises(ShapeError, match=r"columns of A \(3\) == rows of B \(2\)"):
        matrix_multiplication([[1, 2, 3]], [[1], [2]])
    with pytest.raises(ShapeError, match=r"columns of A \(2\) == length of v \(3\)"):
        matrix_vector_product([[1, 2]], [1, 2, 3])


@pytest.mark.parametrize("function", [add_matrices, subtract_matrices])
def test_entrywise_shape_mismatch(function):
    with pytest.raises(ShapeError, match=r"same shape, got A 2x2 and B 2x3"):
        function([[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize(
    "function",
    [
        transpose,
        lambda a: add_matrices(a, a),
        lambda a: matrix_multiplication(a, [[1]]),
        lambda a: matrix_vector_product(a, [1]),
    ],
)
def test_ragged_matrix(function):
    with pytest.raises(ShapeError, match=r"ragged: row 0 has 2 entries and row 1 has 1"):
        function([[1, 2], [3]])


@pytest.mark.parametrize("empty", [[], [[]], [[], []]])
@pytest.mark.parametrize(
    "function",
    [
        transpose,
        lambda a: add_matrices(a, [[1]]),
        lambda a: subtract_matrices([[1]], a),
        lambda a: matrix_multiplication([[1]], a),
        lambda a: matrix_vector_product(a, []),
    ],
)
def test_empty_matrix(function, empty):
    with pytest.raises(ShapeError, match=r"at least one row and one column for [AB], got \["):
        function(empty)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([1, 2], r"A\[0\] is 1 \(int\), not a row"),
        (["ab"], r"A\[0\] is 'ab' \(str\), not a row"),
        ([[1, None]], r"A\[0\]\[1\] is None \(NoneType\)"),
        (7, r"a matrix \(a list of rows\) for A, got int"),
    ],
)
def test_non_matrices(bad, message):
    with pytest.raises(TypeError, match=message):
        transpose(bad)
