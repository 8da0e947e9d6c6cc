"""linalg_basics.statistics against `statistics`, NumPy, exact Fractions and the lecture.

Ints and Fractions are compared exactly (CPython's statistics module is exact for them too).
Floats are compared with tolerances derived from the algorithms, with u = 2**-53:

Float data are first scaled by a power of two to max |x| ~ 1 (exact; every statistic
scales by the matching power exactly, which is tested), so no square of a deviation
underflows in the references.

* mean: correctly rounded (the sum is exact), so equal to CPython's ``statistics.mean``.
* variance (two passes, corrected): let M = max |x|, the computed mean is off by at most
  ``delta = 2uM``, ``ss`` is the exact sum of squared deviations and ``T = ss + n delta**2``.
  Each squared deviation carries about 3 roundings and fsum one more, and the correction term
  is off by ``2 u delta sqrt(n T)`` at most, so ``|ss' - ss| <= 6uT + 2u delta sqrt(nT) +
  4u n delta**2``; dividing by ``n - ddof`` adds ``u`` relative.
* covariance and correlation: the same bound for the cross sum, with ``sqrt(T_x T_y)`` in
  place of T (Cauchy-Schwarz); r moves by at most the relative errors of its three sums.
* NumPy (pairwise sums, no correction): its mean is off by ``delta_np = (log2 n + 2) u
  sum|x| / n``; the bias ``n delta_np**2`` and ``n u`` relative rounding are added to ours.
  For its covariance the bias is ``n delta_x delta_y`` and the rounding ``(n + 2) u
  sqrt(T_x T_y)``.
* std_dev: a bound ``d`` on the gap of two variances bounds the gap of their roots by
  ``min(sqrt(d), d / (sqrt(a) + sqrt(b)))``, plus one rounding of each root.

Floats are drawn in [-1e6, 1e6] and near 1e8 (where cancellation bites), finite and not
subnormal.
"""

import math
import statistics as cpython
from collections import Counter
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from linalg_basics import (
    ShapeError,
    StatisticsError,
    correlation,
    covariance,
    data_range,
    mean,
    median,
    mode,
    multimode,
    std_dev,
    variance,
)
from linalg_basics.testing import datasets, numbers

U = 2.0**-53
PROPERTY = settings(deadline=None, max_examples=60)

INTS = datasets(int, -(10**6), 10**6)
# Beyond 2**53, where a float cannot hold every int: converting to float would show.
BIG_INTS = datasets(int, 10**17, 10**17 + 10**6)
DECIMALS = datasets(Decimal, -1000, 1000)
FRACTIONS = datasets(Fraction, -100, 100)
EXACT = datasets((int, Fraction), -1000, 1000)
FLOATS = st.one_of(datasets(float, -1e6, 1e6), datasets(float, 1e8, 1e8 + 1000))


@st.composite
def paired(draw, types=(int,), lo=-1000, hi=1000, min_size=2):
    x = draw(datasets(types, lo, hi, min_size=min_size))
    y = draw(datasets(types, lo, hi, min_size=len(x), max_size=len(x)))
    return x, y


def normalised(v):
    """v scaled by a power of two so that its largest magnitude is between 1/2 and 1."""
    e = math.frexp(max(abs(a) for a in v))[1]
    return [math.ldexp(a, -e) for a in v]


def as_result(q, data):
    """The exact value ``q`` in the type the rules give: ints whole or nearest float."""
    if all(type(v) is int for v in data):
        return int(q) if q.denominator == 1 else float(q)
    return q


def varies(v):
    return len(set(v)) > 1


FLOAT_PAIRS = st.one_of(paired(float, -1e6, 1e6), paired(float, 1e8, 1e8 + 1000))

# ---------------------------------------------------------------------------
# Exact references and derived float tolerances
# ---------------------------------------------------------------------------


def exact_ss(x, y):
    fx, fy = [Fraction(a) for a in x], [Fraction(b) for b in y]
    mx, my = sum(fx) / len(fx), sum(fy) / len(fy)
    return sum((a - mx) * (b - my) for a, b in zip(fx, fy, strict=True))


def spread_bound(x, ss):
    """(T, delta): the perturbed sum of squares and the error of the computed mean."""
    delta = 2 * U * max(abs(a) for a in x)
    return float(ss) + len(x) * delta**2, delta


def ss_tolerance(x, y):
    n = len(x)
    tx, dx = spread_bound(x, exact_ss(x, x))
    ty, dy = spread_bound(y, exact_ss(y, y))
    return (
        6 * U * math.sqrt(tx) * math.sqrt(ty)
        + U * (dx * math.sqrt(n * ty) + dy * math.sqrt(n * tx))
        + 4 * U * n * dx * dy
    )


def numpy_mean_error(x):
    n = len(x)
    return (math.log2(n) + 2) * U * math.fsum(abs(a) for a in x) / n


def numpy_ss_tolerance(x):
    n = len(x)
    delta = numpy_mean_error(x)
    return n * delta**2 + n * U * (float(exact_ss(x, x)) + n * delta**2)


def numpy_cross_tolerance(x, y):
    """NumPy's error for sum(dx * dy): the bias of both means, and n + 2 roundings."""
    n = len(x)
    dx, dy = numpy_mean_error(x), numpy_mean_error(y)
    tx, ty = float(exact_ss(x, x)) + n * dx**2, float(exact_ss(y, y)) + n * dy**2
    return n * dx * dy + (n + 2) * U * math.sqrt(tx * ty)


def sqrt_gap(d, a, b):
    """A bound on |sqrt(a) - sqrt(b)| when |a - b| <= d, for a, b >= 0."""
    return min(math.sqrt(d), d / (math.sqrt(a) + math.sqrt(b))) if a + b > 0 else 0.0


# ---------------------------------------------------------------------------
# The lecture's examples and the slide's mistake
# ---------------------------------------------------------------------------


def test_lecture_examples():
    assert median([2, 8, 5, 4, 1]) == 4
    assert median([2, 8, 5, 4, 1, 8]) == 4.5
    assert variance([5, 3, 6, 7, 4]) == 2
    x, y = [7, 18, 29, 2, 10, 9, 9], [1, 6, 12, 8, 6, 21, 10]
    r = correlation(x, y)
    assert r == pytest.approx(0.1495, abs=5e-5)
    assert r == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-15)
    assert correlation([2 * a - 14 for a in x], [b + 2 for b in y]) == r


def test_slide_mean_is_fourteen_thirds_not_three():
    data = [2, 8, 5, 4, 1, 8]
    assert mean(data) == 14 / 3 != 3
    assert mean([Fraction(a) for a in data]) == Fraction(14, 3)


# ---------------------------------------------------------------------------
# Pitfall: the one-pass "computational formula"
# ---------------------------------------------------------------------------


def one_pass_correlation(x, y):
    n = len(x)
    sx, sy = sum(x), sum(y)
    sxy = sum(a * b for a, b in zip(x, y, strict=True))
    sxx, syy = sum(a * a for a in x), sum(b * b for b in y)
    return (n * sxy - sx * sy) / math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy))


def one_pass_variance(x):
    n = len(x)
    return (sum(a * a for a in x) - sum(x) ** 2 / n) / n


def test_correlation_far_from_zero():
    x, y = [1, 2, 3, 4, 5], [2, 4, 5, 4, 5]
    shifted = [a + 1e8 for a in x], [b + 1e8 for b in y]
    assert one_pass_correlation(*shifted) == 0.5  # the pitfall is real
    assert correlation(*shifted) == correlation(x, y) == 0.7745966692414834
    far = [a + 1e9 for a in x], [b + 1e9 for b in y]
    with pytest.raises(ZeroDivisionError):
        one_pass_correlation(*far)
    assert correlation(*far) == 0.7745966692414834
    assert correlation([a + 10**9 for a in x], [b + 10**9 for b in y]) == 0.7745966692414834


@settings(deadline=None, max_examples=40)
@given(
    xy=st.integers(2, 8).flatmap(
        lambda n: st.tuples(*[st.lists(st.integers(-50, 50), min_size=n, max_size=n)] * 2)
    ).filter(lambda xy: len(set(xy[0])) > 1 and len(set(xy[1])) > 1),
    shift=st.integers(300, 420),
)
def test_correlation_of_huge_ints_is_the_exact_value_rounded(xy, shift):
    # r is unchanged by x -> a x + b (a > 0) in exact arithmetic, so the correctly rounded
    # result is the same float; at 10**400 it raised OverflowError.
    x, y = xy
    big = 10**shift
    huge_x = [a * big + 7 * big for a in x]
    assert correlation(huge_x, [b * big for b in y]) == correlation(x, y)
    assert correlation(huge_x, [-b * big for b in y]) == -correlation(x, y)


def test_variance_far_from_zero():
    data = [4 + 1e9, 7 + 1e9, 13 + 1e9, 16 + 1e9]
    assert one_pass_variance(data) != 22.5  # the pitfall is real
    assert variance(data) == 22.5
    assert variance(data, ddof=1) == 30
    assert std_dev(data) == math.sqrt(22.5)
    assert variance([4 + 10**9, 7 + 10**9, 13 + 10**9, 16 + 10**9]) == 22.5
    assert variance([Decimal(1e9) + d for d in (4, 7, 13, 16)]) == Decimal("22.5")


def test_float_mean_is_correctly_rounded():
    # fsum(data) / n rounds twice: for three copies of this value it gives one ulp more,
    # outside [min, max].
    data = [100000000.65935472] * 3
    assert math.fsum(data) / 3 != data[0]  # the pitfall is real
    assert mean(data) == data[0]
    assert mean([0.1, 0.2, 0.3]) == cpython.mean([0.1, 0.2, 0.3]) == 0.2


def test_extreme_magnitudes():
    assert mean([1e308, 1e308]) == 1e308
    assert median([1e308, 1.7e308]) == 1.35e308
    assert std_dev([0.0, 1e-200]) == 5e-201  # the squares underflow without scaling
    assert std_dev([-1e300, 1e300]) == 1e300  # and overflow
    assert correlation([0.0, 1e-200, 3e-200], [1.0, 2.0, 4.0]) == pytest.approx(1, abs=2 * U)


# ---------------------------------------------------------------------------
# Exact types against CPython's statistics (exact there too)
# ---------------------------------------------------------------------------


@PROPERTY
@given(data=st.one_of(INTS, FRACTIONS, BIG_INTS))
def test_centre_matches_cpython_exactly(data):
    assert mean(data) == cpython.mean(data)
    assert type(mean(data)) is type(cpython.mean(data))
    ordered = sorted(Fraction(x) for x in data)
    middle = (ordered[(len(data) - 1) // 2] + ordered[len(data) // 2]) / 2
    assert median(data) == as_result(middle, data)
    if max(map(abs, data)) <= 2**53:
        # CPython gives a float for the midpoint of two ints, ours an int when it is whole
        assert median(data) == cpython.median(data)
    exact_mean = sum(Fraction(x) for x in data) / len(data)
    if all(type(x) is int for x in data):
        # ints: a whole mean is an int, otherwise the float nearest to the exact mean
        whole = exact_mean.denominator == 1
        assert mean(data) == (exact_mean if whole else float(exact_mean))
        assert type(mean(data)) is (int if whole else float)
    else:
        assert mean(data) == exact_mean and type(mean(data)) is Fraction


@PROPERTY
@given(data=INTS)
def test_ints_against_numpy(data):
    assert median(data) == np.median(data)
    assert data_range(data) == np.ptp(np.array(data, dtype=np.int64))
    assert mean(data) == pytest.approx(np.mean(data), rel=4 * U, abs=0)


@PROPERTY
@given(data=st.one_of(INTS, FRACTIONS, BIG_INTS))
def test_spread_matches_cpython_exactly(data, correctly_rounded_sqrt):
    assert variance(data) == cpython.pvariance(data)
    ss = exact_ss(data, data)
    assert correctly_rounded_sqrt(std_dev(data), ss / len(data))
    if len(data) > 1:
        assert variance(data, ddof=1) == cpython.variance(data)
        assert correctly_rounded_sqrt(std_dev(data, ddof=1), ss / (len(data) - 1))


@PROPERTY
@given(data=DECIMALS)
def test_decimals_match_cpython_exactly(data):
    # CPython's statistics also sums Decimals exactly and rounds once to the context.
    assert mean(data) == cpython.mean(data) and type(mean(data)) is Decimal
    assert median(data) == cpython.median(data)
    assert variance(data) == cpython.pvariance(data)
    assert data_range(data) == max(data) - min(data)
    assert mode(data) == cpython.mode(data)
    if len(data) > 1:
        assert variance(data, ddof=1) == cpython.variance(data)
        assert std_dev(data, ddof=1) == cpython.stdev(data)


@PROPERTY
@given(data=DECIMALS, ddof=st.sampled_from([0, 1]), prec=st.integers(2, 40))
def test_decimal_std_dev_correctly_rounded(data, ddof, prec, correctly_rounded_decimal_sqrt):
    assume(len(data) > ddof)
    with localcontext() as context:
        context.prec = prec
        result = std_dev(data, ddof=ddof)
        assert type(result) is Decimal
        assert correctly_rounded_decimal_sqrt(result, exact_ss(data, data) / (len(data) - ddof))


@PROPERTY
@given(xy=st.one_of(paired((int, Fraction)), paired(int, 10**17, 10**17 + 10**6)))
def test_covariance_and_correlation_exact(xy, correctly_rounded_sqrt):
    x, y = xy
    n, sxy = len(x), exact_ss(x, y)
    assert covariance(x, y) == as_result(sxy / n, x + y)
    assert covariance(x, y, ddof=1) == as_result(sxy / (n - 1), x + y)
    sxx, syy = exact_ss(x, x), exact_ss(y, y)
    if max(map(abs, x + y)) <= 2**53:
        # CPython computes these in floats: close, not exact. Each value and mean is rounded
        # (each deviation off by 2u max|x|), each product and the sum round once more.
        mx, my = max(map(abs, x)), max(map(abs, y))
        spread = my * math.sqrt(n * sxx) + mx * math.sqrt(n * syy)
        tol = (4 * U * math.sqrt(sxx * syy) + 2 * U * spread + 4 * n * U**2 * mx * my) / (n - 1)
        assert abs(covariance(x, y, ddof=1) - cpython.covariance(x, y)) <= tol
    assume(varies(x) and varies(y))
    r = correlation(x, y)
    assert correctly_rounded_sqrt(abs(r), sxy**2 / (sxx * syy))
    assert r == 0 or (r > 0) == (sxy > 0)
    if max(map(abs, x + y)) <= 2**53:
        assert r == pytest.approx(cpython.correlation(x, y), abs=1e-12)


@PROPERTY
@given(data=INTS)
def test_int_results_are_int_when_whole(data):
    for result in (mean(data), median(data), variance(data), data_range(data)):
        assert type(result) is int or (type(result) is float and not result.is_integer())


def test_result_types():
    assert mean([1, 2]) == 1.5 and type(mean([1, 3])) is int
    assert mean([Fraction(1), Fraction(2)]) == Fraction(3, 2)
    assert mean([Decimal("0.1"), Decimal("0.2")]) == Decimal("0.15")
    assert type(mean([1, 2.0])) is float
    assert median([1, 3]) == 2 and type(median([1, 3])) is int
    assert type(median([1, 2, 3.0])) is float
    assert type(std_dev([1, 2])) is float and type(std_dev([Decimal(1), Decimal(2)])) is Decimal
    assert type(correlation([Fraction(1), 2], [1, 3])) is float
    assert data_range([Fraction(1, 2), 2]) == Fraction(3, 2)


# ---------------------------------------------------------------------------
# Floats: exact references, CPython and NumPy within derived tolerances
# ---------------------------------------------------------------------------


@PROPERTY
@given(data=FLOATS)
def test_float_mean(data):
    exact = sum(Fraction(a) for a in data) / len(data)
    ours = mean(data)
    assert ours == float(exact) == cpython.mean(data)  # correctly rounded
    assert min(data) <= ours <= max(data)
    tol = (math.log2(len(data)) + 3) * U * math.fsum(abs(a) for a in data) / len(data)
    assert abs(ours - np.mean(data)) <= tol


@PROPERTY
@given(data=FLOATS)
def test_float_median_and_range(data):
    assert median(data) == cpython.median(data)
    assert median(data) == pytest.approx(np.median(data), rel=2 * U, abs=0)
    assert data_range(data) == np.ptp(data)  # one rounding, in both


@PROPERTY
@given(data=FLOATS, ddof=st.sampled_from([0, 1]))
def test_float_std_dev_scales_exactly(data, ddof):
    assume(len(data) > ddof)
    e = math.frexp(max(abs(a) for a in data))[1]
    assert std_dev(data, ddof=ddof) == math.ldexp(std_dev(normalised(data), ddof=ddof), e)


@PROPERTY
@given(data=FLOATS, ddof=st.sampled_from([0, 1]))
def test_float_variance(data, ddof):
    n = len(data)
    assume(n > ddof)
    # Scaling data by 2**-e scales the variance by exactly 4**-e; the tolerances below are
    # checked on data scaled to max |x| ~ 1, where no square underflows.
    e = math.frexp(max(abs(a) for a in data))[1]
    assert variance(data, ddof=ddof) == math.ldexp(variance(normalised(data), ddof=ddof), 2 * e)
    data = normalised(data)
    exact = exact_ss(data, data) / (n - ddof)
    ours = variance(data, ddof=ddof)
    tol = ss_tolerance(data, data) / (n - ddof) + U * float(exact)
    assert ours >= 0
    assert abs(ours - float(exact)) <= tol
    cp = cpython.pvariance(data) if ddof == 0 else cpython.variance(data)
    assert abs(ours - cp) <= tol + U * float(exact)
    np_var = np.var(data, ddof=ddof)
    np_tol = tol + numpy_ss_tolerance(data) / (n - ddof)
    assert abs(ours - np_var) <= np_tol
    # std_dev: the root of our variance, rounded once more; against the references through
    # |sqrt(a) - sqrt(b)| <= sqrt_gap(|a - b|, a, b), plus one rounding of each root.
    std = std_dev(data, ddof=ddof)
    assert std == pytest.approx(math.sqrt(ours), rel=2 * U)
    cp_std = cpython.pstdev(data) if ddof == 0 else cpython.stdev(data)
    assert abs(std - cp_std) <= sqrt_gap(tol + U * float(exact), ours, cp**2) + 2 * U * std
    np_std = np.std(data, ddof=ddof)
    assert abs(std - np_std) <= sqrt_gap(np_tol, ours, np_var) + 2 * U * (std + np_std)


@PROPERTY
@given(xy=FLOAT_PAIRS)
def test_float_covariance(xy):
    x, y = xy
    ex, ey = (math.frexp(max(abs(a) for a in v))[1] for v in xy)
    assert covariance(x, y) == math.ldexp(covariance(normalised(x), normalised(y)), ex + ey)
    x, y = normalised(x), normalised(y)
    exact = exact_ss(x, y) / len(x)
    ours = covariance(x, y)
    tol = ss_tolerance(x, y) / len(x) + U * abs(float(exact))
    assert abs(ours - float(exact)) <= tol
    np_tol = tol + numpy_cross_tolerance(x, y) / len(x) + U * abs(float(exact))
    assert abs(ours - np.cov(x, y, ddof=0)[0, 1]) <= np_tol
    if len(x) > 1:
        n = len(x)
        np_sample = np.cov(x, y, ddof=1)[0, 1]
        assert abs(covariance(x, y, ddof=1) - np_sample) <= np_tol * n / (n - 1)


@PROPERTY
@given(xy=FLOAT_PAIRS)
def test_float_correlation(xy):
    x, y = xy
    assume(varies(x) and varies(y))
    ours = correlation(x, y)
    # r does not change under scaling, so the references work on data scaled to max |v| ~ 1,
    # where no sum of squares underflows.
    x, y = normalised(x), normalised(y)
    sxx, syy, sxy = exact_ss(x, x), exact_ss(y, y), exact_ss(x, y)
    exact = float(sxy) / math.sqrt(float(sxx) * float(syy))
    relative = ss_tolerance(x, x) / float(sxx) + ss_tolerance(y, y) / float(syy)
    tol = ss_tolerance(x, y) / math.sqrt(float(sxx * syy)) + relative + 6 * U
    assert -1 <= ours <= 1
    assert abs(ours - exact) <= tol
    np_tol = tol + 2 * (
        numpy_ss_tolerance(x) / float(sxx) + numpy_ss_tolerance(y) / float(syy) + len(x) * U
    )
    assert abs(ours - np.corrcoef(x, y)[0, 1]) <= np_tol


# ---------------------------------------------------------------------------
# Algebraic properties
# ---------------------------------------------------------------------------


@PROPERTY
@given(
    xy=paired((int, Fraction)),
    a=numbers(Fraction, -100, 100).filter(bool),
    b=numbers(Fraction, -100, 100),
)
def test_correlation_invariant_under_linear_maps(xy, a, b):
    x, y = xy
    assume(varies(x) and varies(y))
    r = correlation(x, y)
    u = [a * v + b for v in x]
    assert correlation(u, y) == (r if a > 0 else -r)
    assert correlation(y, x) == r
    assert covariance(x, x) == variance(x)


@PROPERTY
@given(xy=FLOAT_PAIRS, a=numbers(float, 0.01, 100), b=numbers(float, -100, 100))
def test_float_correlation_invariance_within_rounding(xy, a, b):
    x, y = normalised(xy[0]), xy[1]
    u = [a * v + b for v in x]
    assume(varies(x) and varies(y) and varies(u))
    # Each a*v + b rounds: a relative change of 2u per value, amplified by the spread.
    spread = max(abs(v) for v in u) / math.sqrt(float(exact_ss(u, u)) / len(u))
    tol = 20 * len(x) * U * (1 + spread)
    assert correlation(u, y) == pytest.approx(correlation(x, y), abs=tol)
    assert correlation([-v for v in x], y) == -correlation(x, y)


@PROPERTY
@given(data=EXACT, shift=numbers(Fraction), scale=numbers(Fraction))
def test_shift_and_scale_rules(data, shift, scale):
    data = [Fraction(v) for v in data]
    moved = [scale * v + shift for v in data]
    assert mean(moved) == scale * mean(data) + shift
    assert variance(moved) == scale**2 * variance(data)
    assert data_range(moved) == abs(scale) * data_range(data)


@PROPERTY
@given(data=st.one_of(EXACT, FLOATS))
def test_range_and_order(data):
    assert data_range(data) == max(data) - min(data)
    assert min(data) <= median(data) <= max(data)
    assert min(data) <= mean(data) <= max(data)
    assert variance(data) >= 0


# ---------------------------------------------------------------------------
# Mode and multimode
# ---------------------------------------------------------------------------


@PROPERTY
@given(data=datasets(int, -3, 3))
def test_mode_is_first_seen_most_common(data):
    assert mode(data) == Counter(data).most_common(1)[0][0] == cpython.mode(data)
    assert multimode(data) == cpython.multimode(data)
    assert mode(data) == multimode(data)[0]


def test_mode_ties_and_types():
    assert mode([3, 1, 1, 3]) == 3
    assert mode([2, 8, 5, 4, 1, 8]) == 8
    assert mode(["b", "a"][i] == "a" and 1 or 2 for i in (0, 1, 1, 0, 0)) == 2
    assert multimode([3, 1, 1, 3, 2]) == [3, 1]
    assert mode([1, 1.0, 2]) == 1 and type(mode([1, 1.0, 2])) is int
    assert mode([math.inf, 1, math.inf]) == math.inf


# ---------------------------------------------------------------------------
# Errors say what was expected and what came
# ---------------------------------------------------------------------------

ONE_SET = [mean, median, mode, multimode, data_range, variance, std_dev]


@pytest.mark.parametrize("function", ONE_SET)
def test_empty_data(function):
    with pytest.raises(StatisticsError, match=r"needs at least one data point, got empty data"):
        function([])


@pytest.mark.parametrize("function", ONE_SET)
@pytest.mark.parametrize("nan", [math.nan, Decimal("NaN")])
def test_nan(function, nan):
    data = [1, nan] if isinstance(nan, float) else [Decimal(1), nan]
    with pytest.raises(StatisticsError, match=r"data\[1\] is NaN"):
        function(data)


@pytest.mark.parametrize("function", [mean, median, data_range, variance, std_dev])
def test_infinity(function):
    with pytest.raises(StatisticsError, match=r"finite numbers, but data\[0\] is -inf"):
        function([-math.inf, 1.0])


@pytest.mark.parametrize("function", [variance, std_dev])
def test_too_few_for_ddof(function):
    with pytest.raises(StatisticsError, match=r"ddof=1 needs more than 1 data point, got 1"):
        function([5], ddof=1)
    with pytest.raises(StatisticsError, match=r"ddof=3 needs more than 3 data points, got 2"):
        function([5, 6], ddof=3)
    with pytest.raises(ValueError, match=r"ddof >= 0, got ddof=-1"):
        function([5, 6], ddof=-1)
    with pytest.raises(TypeError, match=r"integer ddof, got 0.5"):
        function([5, 6], ddof=0.5)


@pytest.mark.parametrize("function", [covariance, correlation])
def test_pair_errors(function):
    with pytest.raises(ShapeError, match=r"got x of length 3 and y of length 2"):
        function([1, 2, 3], [1, 2])
    with pytest.raises(StatisticsError, match=r"got empty y"):
        function([1], [])
    with pytest.raises(StatisticsError, match=r"got empty x"):
        function([], [1])
    with pytest.raises(StatisticsError, match=r"needs numbers, but y\[2\] is NaN"):
        function([1, 2, 3], [1.0, 2.0, math.nan])
    with pytest.raises(StatisticsError, match=r"finite numbers, but x\[0\] is inf"):
        function([math.inf, 2, 3], [1, 2, 3])
    with pytest.raises(TypeError, match=r"real numbers, but x\[1\] is 'a' \(str\)"):
        function([1, "a"], [1, 2])
    assert issubclass(ShapeError, ValueError) and issubclass(StatisticsError, ValueError)


def test_covariance_too_few_for_ddof():
    with pytest.raises(StatisticsError, match=r"covariance with ddof=1 needs more than 1 data"):
        covariance([1], [2], ddof=1)
    with pytest.raises(StatisticsError, match=r"ddof=2 needs more than 2 data points, got 2"):
        covariance([1, 2], [2, 1], ddof=2)


def test_constant_input_in_correlation():
    with pytest.raises(StatisticsError, match=r"every value of x is 2"):
        correlation([2, 2, 2], [1, 2, 3])
    with pytest.raises(StatisticsError, match=r"every value of y is 0.5"):
        correlation([1, 2], [0.5, 0.5])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["1", "2"], r"real numbers, but data\[0\] is '1' \(str\)"),
        ([1, None], r"data\[1\] is None \(NoneType\)"),
        (3, r"iterable of real numbers for data, got int"),
        ([Decimal(1), Fraction(1, 2)], r"cannot mix Decimal with Fraction"),
    ],
)
def test_non_numbers(data, message):
    with pytest.raises(TypeError, match=message):
        mean(data)


@pytest.mark.parametrize("function", ONE_SET)
@pytest.mark.parametrize(
    ("bad", "shown"), [(1j, r"1j \(complex\)"), ("3", r"'3' \(str\)"), ([1], r"\[1\] \(list\)")]
)
def test_every_function_refuses_non_numbers(function, bad, shown):
    with pytest.raises(TypeError, match=r"expects real numbers, but data\[1\] is " + shown):
        function([1, bad, 3])


# ---------------------------------------------------------------------------
# Any iterable in, plain numbers out; edges of the float range
# ---------------------------------------------------------------------------


def test_any_iterable_of_numbers():
    assert mean(range(1, 5)) == 2.5
    assert median(x for x in (3, 1, 2)) == 2
    assert variance((5, 3, 6, 7, 4)) == 2
    assert data_range({1: "a", 7: "b"}) == 6
    assert multimode(iter([2, 1, 1, 2, 3])) == [2, 1]
    x, y = [7, 18, 29, 2, 10, 9, 9], [1, 6, 12, 8, 6, 21, 10]
    assert correlation(iter(x), tuple(y)) == correlation(x, y)
    assert covariance((a for a in x), y) == covariance(x, y)
    # NumPy numbers become plain Python numbers
    result = mean(np.array([1, 3]))
    assert result == 2 and type(result) is int
    assert type(variance(np.array([1.5, 2.5]))) is float


def test_median_returns_the_data_value():
    # No rounding to the decimal context: the middle value comes back as it was.
    long = Decimal("1.2345678901234567890123456789012345")
    assert median([long, Decimal(0), Decimal(2)]) == long
    assert median([Fraction(1, 3), 1, 5]) == Fraction(1)


def test_results_beyond_the_float_range_are_infinite():
    assert variance([1e308, -1e308]) == math.inf
    assert covariance([1e308, -1e308], [-1e308, 1e308]) == -math.inf
    assert std_dev([1e308, -1e308]) == 1e308
    assert mean([1e308, 1e308, 1e308]) == 1e308
