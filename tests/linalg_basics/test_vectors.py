"""linalg_basics.vectors against NumPy, exact Fraction arithmetic and the lecture.

Tolerances for floats, with u = 2**-53 (unit roundoff) and n the length:

* add, subtract, scale, Hadamard: one IEEE operation per entry, exactly as NumPy does it,
  so the results are compared for equality.
* dot: ours sums the rounded products with fsum, so ``|ours - exact| <= u |exact| +
  u S`` with ``S = sum |u_i v_i|``, plus ``2**-1074`` per product that underflows. NumPy's
  dot may add in any order: error at most ``n u S`` (plus O(u^2)). Against NumPy we allow
  ``(n + 2) u S``.
* length: ``math.hypot`` is within 1 ulp; ``numpy.linalg.norm`` within about ``(n + 1) u``
  relative (a sum of positive squares, then a root). We allow ``(n + 3) u`` relative.
* cosine: by Cauchy-Schwarz ``S <= ||u|| ||v||``, so the error of the dot product is at most
  ``2 u`` in cosine units, plus a few roundings for the norms and divisions. NumPy's is at most
  ``(n + 3) u``. We allow ``(n + 8) u`` absolute.

Floats are drawn in [-1e6, 1e6] (finite, not subnormal). NumPy squares and multiplies
without scaling, so products below about 1e-308 underflow there (ours do not); for NumPy
comparisons entries are 0 or at least 1e-100 in magnitude, and the tiny range is tested
against exact arithmetic instead.
"""

import inspect
import math
import subprocess
import sys
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linalg_basics
from linalg_basics import (
    ShapeError,
    add_vectors,
    cosine_similarity,
    dot_product,
    hadamard_product,
    l1_distance,
    scale_vector,
    subtract_vectors,
    vector_length,
)
from linalg_basics.testing import numbers, vector_pairs, vectors

U = 2.0**-53
PROPERTY = settings(deadline=None, max_examples=60)

INT_PAIRS = vector_pairs(int, -(10**6), 10**6)
FRACTION_PAIRS = vector_pairs(Fraction, -100, 100)
FLOAT_PAIRS = vector_pairs(float, -1e6, 1e6)
MODERATE_FLOAT = numbers(float, -1e6, 1e6).map(lambda x: x if abs(x) >= 1e-100 else 0.0)
MODERATE_PAIRS = st.integers(1, 10).flatmap(
    lambda n: st.tuples(*[st.lists(MODERATE_FLOAT, min_size=n, max_size=n)] * 2)
)
NONZERO = st.lists(numbers(int, -50, 50), min_size=1, max_size=8).filter(any)


def nonzero(pairs):
    return pairs.filter(lambda uv: any(uv[0]) and any(uv[1]))


# ---------------------------------------------------------------------------
# The lecture's examples
# ---------------------------------------------------------------------------


def test_lecture_examples():
    assert add_vectors([1, 2, 3], [4, 5, 6]) == [5, 7, 9]
    assert dot_product([1, 2, 3], [2, 3, 4]) == 20
    assert hadamard_product([1, 2], [3, 4]) == [3, 8]
    assert cosine_similarity([5, 3, 2, 7], [2, 9, 4, 1]) == pytest.approx(0.552005787925351)
    assert cosine_similarity([4, 2, 1, 2], [1, 2, 2, 0]) == 2 / 3


def test_cosine_scaling_keeps_shifting_changes():
    x, y = [4, 2, 1, 2], [1, 2, 2, 0]
    assert cosine_similarity([2 * a for a in x], [3 * b for b in y]) == 2 / 3
    shifted = cosine_similarity([a + 50 for a in x], y)
    assert abs(shifted - 2 / 3) > 0.01


# ---------------------------------------------------------------------------
# Entry-by-entry operations: exact for ints, identical to NumPy for floats
# ---------------------------------------------------------------------------

ENTRYWISE = [
    (add_vectors, np.add),
    (subtract_vectors, np.subtract),
    (hadamard_product, np.multiply),
]


@pytest.mark.parametrize(("ours", "numpy_op"), ENTRYWISE)
@PROPERTY
@given(uv=INT_PAIRS)
def test_entrywise_ints_match_numpy_exactly(ours, numpy_op, uv):
    u, v = uv
    result = ours(u, v)
    assert all(type(x) is int for x in result)
    assert result == numpy_op(np.array(u, dtype=np.int64), np.array(v, dtype=np.int64)).tolist()


@pytest.mark.parametrize(("ours", "numpy_op"), ENTRYWISE)
@PROPERTY
@given(uv=FLOAT_PAIRS)
def test_entrywise_floats_match_numpy_bit_for_bit(ours, numpy_op, uv):
    u, v = uv
    assert ours(u, v) == numpy_op(np.array(u), np.array(v)).tolist()


@PROPERTY
@given(alpha=numbers(float, -1e3, 1e3), v=vectors(float, -1e6, 1e6))
def test_scale_vector_matches_numpy(alpha, v):
    assert scale_vector(alpha, v) == (alpha * np.array(v)).tolist()


@PROPERTY
@given(alpha=numbers(int, -1000, 1000), v=vectors(int, -(10**6), 10**6))
def test_scale_vector_ints_match_numpy(alpha, v):
    result = scale_vector(alpha, v)
    assert all(type(x) is int for x in result)
    assert result == (alpha * np.array(v, dtype=np.int64)).tolist()


@PROPERTY
@given(alpha=numbers(Fraction), v=vectors(Fraction))
def test_scale_vector_fractions_exact(alpha, v):
    assert scale_vector(alpha, v) == [alpha * x for x in v]


@PROPERTY
@given(uv=vector_pairs((int, Fraction)))
def test_add_and_hadamard_commute_subtract_anticommutes(uv):
    u, v = uv
    assert add_vectors(u, v) == add_vectors(v, u)
    assert hadamard_product(u, v) == hadamard_product(v, u)
    assert subtract_vectors(u, v) == scale_vector(-1, subtract_vectors(v, u))
    assert subtract_vectors(add_vectors(u, v), v) == u


# ---------------------------------------------------------------------------
# Dot product
# ---------------------------------------------------------------------------


@PROPERTY
@given(uv=INT_PAIRS)
def test_dot_ints_exact_like_numpy(uv):
    u, v = uv
    result = dot_product(u, v)
    assert type(result) is int
    assert result == int(np.dot(np.array(u, dtype=np.int64), np.array(v, dtype=np.int64)))


@PROPERTY
@given(uv=FRACTION_PAIRS)
def test_dot_fractions_exact(uv):
    u, v = uv
    assert dot_product(u, v) == sum((a * b for a, b in zip(u, v, strict=True)), Fraction(0))


@PROPERTY
@given(uv=FLOAT_PAIRS)
def test_dot_floats_within_derived_bounds(uv):
    u, v = uv
    exact = sum(Fraction(a) * Fraction(b) for a, b in zip(u, v, strict=True))
    s = math.fsum(abs(a * b) for a, b in zip(u, v, strict=True))
    ours = dot_product(u, v)
    underflow = len(u) * Fraction(2.0**-1074)  # a product below 1e-308 loses absolute bits
    assert (
        abs(Fraction(ours) - exact) <= Fraction(U) * (abs(exact) + Fraction(s)) * 1.001 + underflow
    )


@PROPERTY
@given(uv=MODERATE_PAIRS)
def test_dot_floats_match_numpy(uv):
    u, v = uv
    s = math.fsum(abs(a * b) for a, b in zip(u, v, strict=True))
    assert abs(dot_product(u, v) - float(np.dot(u, v))) <= (len(u) + 2) * U * s


@PROPERTY
@given(uv=vector_pairs(int, 10**17, 10**30))
def test_big_ints_stay_exact(uv):
    # Beyond 2**53 a float cannot hold these ints; NumPy's object arrays use Python ints.
    u, v = uv
    nu, nv = np.array(u, dtype=object), np.array(v, dtype=object)
    assert dot_product(u, v) == np.dot(nu, nv)
    assert add_vectors(u, v) == (nu + nv).tolist()
    assert hadamard_product(u, v) == (nu * nv).tolist()


@PROPERTY
@given(uv=vector_pairs((int, Fraction, float)))
def test_dot_commutes(uv):
    u, v = uv
    assert dot_product(u, v) == dot_product(v, u)


def test_dot_float_cancellation():
    # Naive left-to-right summation returns 0.0 here; the exact answer is 1.
    assert dot_product([1e16, 1.0, -1e16], [1, 1, 1]) == 1.0


def test_float_sums_follow_ieee_at_the_edges():
    # A partial sum beyond the float range does not stop a total that fits ...
    assert dot_product([1e308, 1e308, -1e308], [1, 1, 1]) == 1e308
    # ... a total beyond it is inf, and inf - inf is nan, as in NumPy.
    with np.errstate(over="ignore"):
        assert dot_product([1e308, 1e308], [1, 1]) == np.dot([1e308, 1e308], [1, 1]) == math.inf
    assert dot_product([-1e308, -1e308], [1, 1]) == -math.inf
    assert dot_product([math.inf, 1e308, 1e308], [1, 1, 1]) == math.inf
    assert math.isnan(dot_product([math.inf, -math.inf], [1, 1]))
    assert math.isnan(dot_product([math.nan, 1.0], [1, 1]))
    assert add_vectors([math.inf], [1]) == [math.inf]


# ---------------------------------------------------------------------------
# Length and cosine similarity
# ---------------------------------------------------------------------------


@PROPERTY
@given(v=vectors((int, Fraction), -1000, 1000))
def test_length_exact_types_correctly_rounded(v, correctly_rounded_sqrt):
    result = vector_length(v)
    assert type(result) is float
    assert correctly_rounded_sqrt(result, sum(Fraction(x) ** 2 for x in v))


@PROPERTY
@given(v=vectors(Decimal, -1000, 1000), prec=st.integers(2, 40))
def test_length_decimals_correctly_rounded(v, prec, correctly_rounded_decimal_sqrt):
    with localcontext() as context:
        context.prec = prec
        result = vector_length(v)
        assert type(result) is Decimal
        assert correctly_rounded_decimal_sqrt(result, sum(Fraction(x) ** 2 for x in v))


@PROPERTY
@given(v=vectors(float, -1e6, 1e6))
def test_length_floats_within_one_ulp(v):
    # math.hypot is not always correctly rounded, but is within 1 ulp of the exact root.
    r = vector_length(v)
    q = sum(Fraction(x) ** 2 for x in v)
    ulp = Fraction(math.ulp(r))
    assert max(Fraction(r) - ulp, 0) ** 2 <= q <= (Fraction(r) + ulp) ** 2


@PROPERTY
@given(v=st.lists(MODERATE_FLOAT, min_size=1, max_size=10))
def test_length_floats_match_numpy(v):
    assert vector_length(v) == pytest.approx(np.linalg.norm(v), rel=(len(v) + 3) * U, abs=1e-300)


@PROPERTY
@given(uv=nonzero(vector_pairs((int, Fraction), -100, 100)))
def test_cosine_exact_types_correctly_rounded(uv, correctly_rounded_sqrt):
    u, v = uv
    dot = sum(Fraction(a) * Fraction(b) for a, b in zip(u, v, strict=True))
    norms = sum(Fraction(a) ** 2 for a in u) * sum(Fraction(b) ** 2 for b in v)
    result = cosine_similarity(u, v)
    assert math.copysign(1, result) == math.copysign(1, dot) or dot == 0
    assert correctly_rounded_sqrt(abs(result), dot**2 / norms)


@PROPERTY
@given(uv=nonzero(MODERATE_PAIRS))
def test_cosine_floats_match_numpy(uv):
    u, v = uv
    expected = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    result = cosine_similarity(u, v)
    assert -1 <= result <= 1
    assert abs(result - expected) <= (len(u) + 8) * U


@PROPERTY
@given(
    uv=nonzero(vector_pairs(int, -100, 100)),
    a=numbers(Fraction, Fraction(1, 100), 100),
    b=numbers(int, 1, 1000),
)
def test_cosine_positive_scaling_invariance(uv, a, b):
    u, v = uv
    assert cosine_similarity(scale_vector(a, u), scale_vector(b, v)) == cosine_similarity(u, v)
    assert cosine_similarity(scale_vector(-a, u), v) == -cosine_similarity(u, v)


@PROPERTY
@given(uv=nonzero(FLOAT_PAIRS))
def test_cosine_symmetric_and_bounded(uv):
    u, v = uv
    assert cosine_similarity(u, v) == cosine_similarity(v, u)
    assert cosine_similarity(u, u) == pytest.approx(1.0, abs=4 * U)


def test_cosine_no_overflow_or_underflow():
    assert cosine_similarity([1e200, 1e200], [3e200, 3e200]) == 1.0
    assert cosine_similarity([1e-200, 0.0], [0.0, 1e-200]) == 0.0
    assert cosine_similarity([3e-200, 4e-200], [4.0, 3.0]) == pytest.approx(0.96, abs=2 * U)


@PROPERTY
@given(uv=nonzero(vector_pairs(int, -100, 100)), shift=st.integers(300, 420))
def test_cosine_of_huge_ints_is_the_exact_value_rounded(uv, shift):
    # Scaling both vectors by 10**shift changes nothing in exact arithmetic, so the correctly
    # rounded result is the same float (it raised OverflowError beyond the float range).
    u, v = uv
    big = 10**shift
    assert cosine_similarity([a * big for a in u], [b * big for b in v]) == cosine_similarity(u, v)
    assert cosine_similarity([-3 * big, 4 * big], [4 * big, -3 * big]) == -0.96


def test_length_no_overflow():
    assert vector_length([3e200, 4e200]) == pytest.approx(5e200, rel=2 * U)
    assert vector_length([3.0 * 2**600, 4.0 * 2**600]) == 5.0 * 2**600
    assert vector_length([]) == 0.0


# ---------------------------------------------------------------------------
# L1 distance: the list twin of retrieval.similarity.l1_distances
# ---------------------------------------------------------------------------


@PROPERTY
@given(uv=INT_PAIRS)
def test_l1_ints_exact_like_numpy(uv):
    u, v = uv
    result = l1_distance(u, v)
    assert type(result) is int
    assert result == int(np.abs(np.array(u, dtype=np.int64) - np.array(v, dtype=np.int64)).sum())


@PROPERTY
@given(uv=FLOAT_PAIRS)
def test_l1_floats_match_numpy_within_the_derived_bound(uv):
    # Each |u_i - v_i| is one IEEE operation in both (the same float); ours sums with fsum
    # (one rounding), NumPy's pairwise sum errs by at most (n - 1) u times the total.
    u, v = uv
    expected = float(np.abs(np.array(u) - np.array(v)).sum())
    exact = sum(Fraction(abs(a - b)) for a, b in zip(u, v, strict=True))
    result = l1_distance(u, v)
    assert result == float(exact)
    assert abs(result - expected) <= len(u) * U * expected


@PROPERTY
@given(uv=vector_pairs((int, Fraction), -100, 100))
def test_l1_is_a_metric(uv):
    u, v = uv
    d = l1_distance(u, v)
    assert d == l1_distance(v, u) >= 0
    assert (d == 0) == (u == v)
    assert d <= l1_distance(u, [0] * len(u)) + l1_distance([0] * len(v), v)  # triangle
    assert type(d) is (Fraction if any(type(x) is Fraction for x in u + v) else int)


def test_l1_types_and_ieee_edges():
    assert l1_distance([Decimal("0.1")], [Decimal("0.3")]) == Decimal("0.2")
    assert l1_distance([], []) == 0
    assert l1_distance([1e308, -1e308], [-1e308, 1e308]) == math.inf
    assert math.isnan(l1_distance([math.inf], [math.inf]))
    assert l1_distance([10**400], [-(10**400)]) == 2 * 10**400


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------


def test_result_types():
    assert dot_product([Fraction(1, 2)], [Fraction(1, 3)]) == Fraction(1, 6)
    assert type(dot_product([1, 2], [0.5, 1])) is float
    assert dot_product([Decimal("0.1"), Decimal("0.2")], [1, 1]) == Decimal("0.3")
    assert vector_length([Decimal(3), Decimal(4)]) == Decimal(5)
    assert cosine_similarity([Decimal(1), Decimal(0)], [Decimal(1), Decimal(1)]) == pytest.approx(
        math.sqrt(0.5), abs=U
    )


def test_numpy_inputs_become_plain_numbers():
    result = add_vectors(np.array([1, 2]), np.array([3, 4]))
    assert result == [4, 6] and all(type(x) is int for x in result)
    assert type(dot_product(np.array([1.5]), [2])) is float
    assert add_vectors((x for x in [1, 2]), range(2)) == [1, 3]


# ---------------------------------------------------------------------------
# Errors name what was expected and what came
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "function",
    [add_vectors, subtract_vectors, hadamard_product, dot_product, cosine_similarity, l1_distance],
)
def test_length_mismatch(function):
    with pytest.raises(ShapeError, match=r"same length, got u of length 3 and v of length 2"):
        function([1, 2, 3], [1, 2])


def test_zero_vector_in_cosine():
    with pytest.raises(ValueError, match=r"non-zero vectors.*v is all zeros: \[0, 0.0\]"):
        cosine_similarity([1, 2], [0, 0.0])
    with pytest.raises(ValueError, match=r"non-zero vectors.*u is all zeros"):
        cosine_similarity([Fraction(0)], [1])
    with pytest.raises(ValueError, match=r"non-empty vectors, but u is empty"):
        cosine_similarity([], [])


@pytest.mark.parametrize(
    ("u", "where"),
    [
        ([math.inf, 1.0], r"u\[0\] is inf"),
        ([1.0, math.nan], r"u\[1\] is nan"),
        ([Decimal(1), Decimal("-Infinity")], r"u\[1\] is -Infinity"),
    ],
)
def test_non_finite_in_cosine(u, where):
    # The angle is undefined: no silent nan, and no clipped nan turning into -1.
    with pytest.raises(ValueError, match=r"cosine_similarity needs finite numbers, but " + where):
        cosine_similarity(u, [1, 1])


@pytest.mark.parametrize("name", linalg_basics.__all__)
def test_public_names_have_numpydoc_docstrings_with_examples(name):
    obj = getattr(linalg_basics, name)
    doc = inspect.getdoc(obj)
    assert doc and ">>>" in doc, f"{name} needs a docstring with doctest examples"
    if inspect.isfunction(obj):
        for section in ("Parameters", "Returns", "Raises", "Examples"):
            assert f"\n{section}\n{'-' * len(section)}\n" in doc, f"{name} lacks {section}"


def test_package_imports_no_numpy():
    # The layer is plain Python: importing it must not load NumPy (test_layout.py checks
    # the import statements; this checks what actually gets loaded).
    code = "import sys, linalg_basics; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: add_vectors([1, "2"], [1, 2]), r"real numbers, but u\[1\] is '2' \(str\)"),
        (lambda: dot_product([1, 2], [1, 1j]), r"v\[1\] is 1j \(complex\)"),
        (lambda: vector_length(5), r"iterable of real numbers for v, got int"),
        (lambda: vector_length("12"), r"iterable of real numbers for v, got str"),
        (lambda: scale_vector("2", [1]), r"alpha is '2' \(str\)"),
        (lambda: add_vectors([Decimal(1)], [1.0]), r"cannot mix Decimal with float"),
    ],
)
def test_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()


@pytest.mark.parametrize(
    "function",
    [
        add_vectors,
        subtract_vectors,
        hadamard_product,
        dot_product,
        cosine_similarity,
        l1_distance,
        lambda u, v: vector_length(v),
        lambda u, v: scale_vector(2, v),
    ],
)
def test_every_function_refuses_non_numbers(function):
    with pytest.raises(TypeError, match=r"real numbers, but v\[1\] is None \(NoneType\)"):
        function([1, 2], [1, None])
