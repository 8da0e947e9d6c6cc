"""Descriptive statistics on plain Python lists.

===============  =========================================================
Function         Computes
===============  =========================================================
``mean``         the average, sum(x) / n
``median``       the middle value of the sorted data
``mode``         the most common value (the first seen among ties)
``multimode``    every most common value, in the order first seen
``data_range``   max(x) - min(x)
``variance``     sum((x - mean)**2) / (n - ddof)
``std_dev``      sqrt(variance)
``covariance``   sum((x - mean x) * (y - mean y)) / (n - ddof)
``correlation``  Pearson's r = cov(x, y) / (std(x) std(y))
===============  =========================================================

Data is any iterable of real numbers (int, float, Fraction, Decimal). Where this module
says nothing else it behaves like CPython's :mod:`statistics` module.

**Exact where the maths allows.** Sums of ints, Fractions and Decimals are exact (they are
done with :class:`fractions.Fraction`), and the result is rounded once at the end:

* int data gives an int when the exact result is a whole number, otherwise the correctly
  rounded float: ``mean([1, 3])`` is ``2``, ``mean([1, 2])`` is ``1.5``;
* Fraction data gives a Fraction: ``mean([Fraction(1), Fraction(2)])`` is ``Fraction(3, 2)``;
* Decimal data gives a Decimal, rounded to the current decimal context;
* float data (or any mix containing a float) gives a float: the mean is the correctly
  rounded exact mean, and the sums of the spread measures use :func:`math.fsum`.

``std_dev`` and ``correlation`` take a square root, so they return floats (``std_dev`` of
Decimals returns a Decimal).

**Centred, never one-pass.** Spread is computed from deviations from the mean (two passes),
never with the "computational formula" ``sum(x**2) - sum(x)**2 / n``, which loses every digit
when the data sit far from zero: for ``[4, 7, 13, 16]`` shifted by ``1e9`` it gives garbage
while the true population variance is 22.5.

**Differences from CPython's statistics module.** ``variance``/``std_dev``/``covariance``
take ``ddof`` (0, the population value, by default; ``ddof=1`` is the sample value, CPython's
``variance``/``stdev``/``covariance``). ``median`` of an even number of ints returns an int
when the midpoint is whole. ``multimode`` of empty data raises. Values must be numbers
(``TypeError`` otherwise); NaN raises :class:`StatisticsError`, and so do infinities, except
in ``mode`` and ``multimode``. A float result beyond the float range, such as the variance
of ``[1e308, -1e308]``, is ``inf`` as in IEEE arithmetic (CPython raises ``OverflowError``).

>>> mean([2, 8, 5, 4, 1, 8])
4.666666666666667
>>> correlation([7, 18, 29, 2, 10, 9, 9], [1, 6, 12, 8, 6, 21, 10])
0.1495...
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from fractions import Fraction

from .errors import StatisticsError
from .vectors import (
    DECIMAL,
    FLOAT,
    _as_numbers,
    _decimal_sqrt,
    _finite,
    _kind,
    _same_length,
    _scaled_down,
    _signed_sqrt_ratio,
    _sqrt_exact,
)

__all__ = [
    "mean",
    "median",
    "mode",
    "multimode",
    "data_range",
    "variance",
    "std_dev",
    "covariance",
    "correlation",
]

# ---------------------------------------------------------------------------
# Checking data and choosing the result type
# ---------------------------------------------------------------------------


def _data(data, func, name="data", allow_inf=False):
    """Return ``data`` as a non-empty list of plain numbers without NaN (nor inf)."""
    values = _as_numbers(data, func, name)
    if not values:
        raise StatisticsError(f"{func} needs at least one data point, got empty {name}")
    for i, x in enumerate(values):
        if not _finite(x):
            if math.isnan(x) if type(x) is float else x.is_nan():
                raise StatisticsError(f"{func} needs numbers, but {name}[{i}] is NaN")
            if not allow_inf:
                raise StatisticsError(f"{func} needs finite numbers, but {name}[{i}] is {x}")
    return values


def _pair(x, y, func):
    x = _data(x, func, "x")
    y = _data(y, func, "y")
    _same_length(x, y, func, ("x", "y"), "x and y")
    return x, y


def _check_ddof(n, ddof, func):
    if isinstance(ddof, bool) or not isinstance(ddof, numbers.Integral):
        raise TypeError(f"{func} expects an integer ddof, got {ddof!r}")
    if ddof < 0:
        raise ValueError(f"{func} needs ddof >= 0, got ddof={ddof}")
    if n <= ddof:
        raise StatisticsError(
            f"{func} with ddof={ddof} needs more than {ddof} data point"
            f"{'s' if ddof != 1 else ''}, got {n}"
        )
    return n - ddof


def _result_type(values, func):
    """int, Fraction, float or Decimal: the type the result is given in."""
    kind = _kind(values, func)
    if kind == FLOAT:
        return float
    if kind == DECIMAL:
        return Decimal
    return Fraction if any(type(x) is Fraction for x in values) else int


def _convert(q, to):
    """Round the exact Fraction ``q`` once, to the result type ``to``."""
    if to is int:
        return q.numerator if q.denominator == 1 else q.numerator / q.denominator
    if to is Fraction:
        return q
    if to is Decimal:
        return Decimal(q.numerator) / Decimal(q.denominator)
    return float(q)


def _exact(values):
    return [x if type(x) is int else Fraction(x) for x in values]


# ---------------------------------------------------------------------------
# Centred sums: exact for exact types, two-pass with fsum for floats
# ---------------------------------------------------------------------------


def _exact_centred_sum(x, y):
    """sum((x_i - mean x) * (y_i - mean y)), exactly, for exact values."""
    mx = Fraction(sum(x), len(x))
    my = Fraction(sum(y), len(y))
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))


def _float_mean(values):
    """The mean of data holding floats, correctly rounded (so between min and max).

    ``fsum(data) / n`` rounds twice and can even leave [min, max]: the mean of three copies
    of 100000000.65935472 would come out one ulp too large. Instead the sum is exact: a
    float is an integer over a power of two, so the values are put over the largest of
    those powers and added as integers, and Python rounds the one division int / int
    correctly.
    """
    if any(type(x) is Fraction for x in values):
        return float(sum(Fraction(x) for x in values) / len(values))
    ratios = [x.as_integer_ratio() for x in values]
    shift = max(d.bit_length() for _, d in ratios) - 1
    total = sum(p << (shift - d.bit_length() + 1) for p, d in ratios)
    return total / (len(values) << shift)


def _unscale(x, e):
    """``x * 2**e``: exact, or ``inf`` with the sign of ``x`` beyond the float range."""
    try:
        return math.ldexp(x, e)
    except OverflowError:
        return math.copysign(math.inf, x)


def _float_deviations(values):
    """Deviations from the mean of float data scaled by 2**-e; returns ``(d, e)``.

    The power-of-two scaling is exact; it keeps squares of deviations from overflowing or
    underflowing. Each statistic multiplies the power back in at the end.
    """
    v, e = _scaled_down([float(x) for x in values])
    m = math.fsum(v) / len(v)
    return [a - m for a in v], e


def _float_centred_sum(dx, dy):
    """sum(dx_i * dy_i) minus the correction for the rounding of the two means."""
    return math.fsum(a * b for a, b in zip(dx, dy, strict=True)) - math.fsum(dx) * math.fsum(
        dy
    ) / len(dx)


# ---------------------------------------------------------------------------
# Measures of centre
# ---------------------------------------------------------------------------


def mean(data):
    """The arithmetic mean (average).

    ``mean = (x_1 + x_2 + ... + x_n) / n``

    Parameters
    ----------
    data : iterable of real numbers
        At least one finite value.

    Returns
    -------
    number
        Exact for Fractions; for ints an int if the mean is whole, else the correctly
        rounded float; for floats the correctly rounded float of the exact mean (as
        CPython's ``statistics.mean``; ``fsum(data) / n`` rounds twice).

    Raises
    ------
    StatisticsError
        If ``data`` is empty or holds NaN or an infinity.

    Examples
    --------
    >>> mean([1, 2, 3, 4])
    2.5
    >>> mean([1, 3])
    2
    >>> from fractions import Fraction
    >>> mean([Fraction(1, 2), Fraction(1, 3)])
    Fraction(5, 12)

    A lecture slide works out the mean of ``[2, 8, 5, 4, 1, 8]`` as 3; it is 28/6 = 14/3:

    >>> mean([2, 8, 5, 4, 1, 8])
    4.666666666666667
    """
    values = _data(data, "mean")
    to = _result_type(values, "mean")
    if to is float:
        return _float_mean(values)
    return _convert(Fraction(sum(_exact(values)), len(values)), to)


def median(data):
    """The middle value of the sorted data.

    For an odd number of values it is the middle one; for an even number, the mean of the
    two middle ones. The data are sorted first (a copy; ``data`` is not changed).

    Parameters
    ----------
    data : iterable of real numbers
        At least one finite value.

    Returns
    -------
    number
        A data value, or the midpoint of two (an int if whole, else a float, for ints).

    Raises
    ------
    StatisticsError
        If ``data`` is empty or holds NaN or an infinity.

    Examples
    --------
    >>> median([2, 8, 5, 4, 1])
    4
    >>> median([2, 8, 5, 4, 1, 8])
    4.5
    """
    values = sorted(_data(data, "median"))
    to = _result_type(values, "median")
    n = len(values)
    middle = values[n // 2]
    if n % 2 == 1:
        return to(middle)  # the data value itself, as the type the rules give
    below = values[n // 2 - 1]
    if to is float:
        midpoint = (float(below) + float(middle)) / 2
        return midpoint if math.isfinite(midpoint) else float(below) / 2 + float(middle) / 2
    return _convert((Fraction(below) + Fraction(middle)) / 2, to)


def _counts(data, func):
    counts = {}
    for x in _data(data, func, allow_inf=True):
        counts[x] = counts.get(x, 0) + 1
    return counts


def mode(data):
    """The most common value; among ties, the one seen first.

    This is what ``collections.Counter(data).most_common(1)`` gives. Equal numbers of
    different types count together (``1 == 1.0``); the first one seen is returned.

    Parameters
    ----------
    data : iterable of real numbers
        At least one value (infinities allowed, NaN not).

    Returns
    -------
    number
        A value from ``data``.

    Raises
    ------
    StatisticsError
        If ``data`` is empty or holds NaN.

    Examples
    --------
    >>> mode([2, 8, 5, 4, 1, 8])
    8
    >>> mode([3, 1, 1, 3])
    3
    """
    counts = _counts(data, "mode")
    return max(counts, key=counts.__getitem__)  # max keeps the first of equal keys


def multimode(data):
    """Every most common value, in the order first seen.

    Parameters
    ----------
    data : iterable of real numbers
        At least one value (infinities allowed, NaN not).

    Returns
    -------
    list
        The values that occur most often.

    Raises
    ------
    StatisticsError
        If ``data`` is empty (CPython returns ``[]``) or holds NaN.

    Examples
    --------
    >>> multimode([3, 1, 1, 3, 2])
    [3, 1]
    >>> multimode([1, 2, 3])
    [1, 2, 3]
    """
    counts = _counts(data, "multimode")
    top = max(counts.values())
    return [x for x, count in counts.items() if count == top]


# ---------------------------------------------------------------------------
# Measures of spread
# ---------------------------------------------------------------------------


def data_range(data):
    """The range: the largest value minus the smallest.

    ``range = max(x) - min(x)``

    Parameters
    ----------
    data : iterable of real numbers
        At least one finite value.

    Returns
    -------
    number
        ``max - min`` (0 for a single value).

    Raises
    ------
    StatisticsError
        If ``data`` is empty or holds NaN or an infinity.

    Examples
    --------
    >>> data_range([2, 8, 5, 4, 1, 8])
    7
    """
    values = _data(data, "data_range")
    to = _result_type(values, "data_range")
    high, low = max(values), min(values)
    if to is float:
        return float(high) - float(low)
    return _convert(Fraction(high) - Fraction(low), to)


def variance(data, ddof=0):
    """The variance: the mean squared deviation from the mean.

    ``variance = sum((x_i - mean)**2) / (n - ddof)``

    ``ddof=0`` gives the population variance, ``ddof=1`` the sample variance. The data are
    centred first (exact sums for ints, Fractions and Decimals; two passes with
    :func:`math.fsum` for floats), never with the one-pass ``sum(x**2) - sum(x)**2 / n``.

    Parameters
    ----------
    data : iterable of real numbers
        More than ``ddof`` finite values.
    ddof : int, default 0
        "Delta degrees of freedom": the divisor is ``n - ddof``.

    Returns
    -------
    number
        Same type rules as :func:`mean`.

    Raises
    ------
    StatisticsError
        If there are ``ddof`` values or fewer, or NaN or an infinity.

    Examples
    --------
    >>> variance([5, 3, 6, 7, 4])
    2
    >>> variance([5, 3, 6, 7, 4], ddof=1)
    2.5

    Data far from zero keep every digit:

    >>> variance([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16])
    22.5
    >>> variance([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16], ddof=1)
    30.0
    """
    values = _data(data, "variance")
    divisor = _check_ddof(len(values), ddof, "variance")
    to = _result_type(values, "variance")
    if to is float:
        d, e = _float_deviations(values)
        return _unscale(max(0.0, _float_centred_sum(d, d)) / divisor, 2 * e)
    exact = _exact(values)
    return _convert(_exact_centred_sum(exact, exact) / divisor, to)


def std_dev(data, ddof=0):
    """The standard deviation: the square root of the variance.

    ``std_dev = sqrt(sum((x_i - mean)**2) / (n - ddof))``

    Parameters
    ----------
    data : iterable of real numbers
        More than ``ddof`` finite values.
    ddof : int, default 0
        The divisor is ``n - ddof`` (0: population, 1: sample).

    Returns
    -------
    float or Decimal
        The correctly rounded root of the exact variance: a float for ints and Fractions,
        a Decimal in the current decimal context for Decimals.

    Raises
    ------
    StatisticsError
        If there are ``ddof`` values or fewer, or NaN or an infinity.

    Examples
    --------
    >>> std_dev([2, 4, 4, 4, 5, 5, 7, 9])
    2.0
    >>> std_dev([5, 3, 6, 7, 4])
    1.4142135623730951
    """
    values = _data(data, "std_dev")
    divisor = _check_ddof(len(values), ddof, "std_dev")
    to = _result_type(values, "std_dev")
    if to is float:
        d, e = _float_deviations(values)
        return _unscale(math.sqrt(max(0.0, _float_centred_sum(d, d)) / divisor), e)
    exact = _exact(values)
    var = _exact_centred_sum(exact, exact) / divisor
    return _decimal_sqrt(var) if to is Decimal else _sqrt_exact(var)


def covariance(x, y, ddof=0):
    """The covariance of two equally long data sets.

    ``cov(x, y) = sum((x_i - mean x) * (y_i - mean y)) / (n - ddof)``

    ``ddof=0`` (the default) is the population covariance; ``ddof=1`` the sample covariance
    that CPython's ``statistics.covariance`` returns.

    Parameters
    ----------
    x, y : iterable of real numbers
        Finite values, as many in ``x`` as in ``y``, more than ``ddof``.
    ddof : int, default 0
        The divisor is ``n - ddof``.

    Returns
    -------
    number
        Same type rules as :func:`mean`.

    Raises
    ------
    ShapeError
        If ``x`` and ``y`` differ in length.
    StatisticsError
        If there are ``ddof`` values or fewer, or NaN or an infinity.

    Examples
    --------
    >>> covariance([1, 2, 3, 4], [1, 3, 2, 4])
    1
    >>> covariance([1, 2, 3, 4], [1, 3, 2, 4], ddof=1)
    1.3333333333333333
    """
    x, y = _pair(x, y, "covariance")
    divisor = _check_ddof(len(x), ddof, "covariance")
    to = _result_type(x + y, "covariance")
    if to is float:
        (dx, ex), (dy, ey) = _float_deviations(x), _float_deviations(y)
        return _unscale(_float_centred_sum(dx, dy) / divisor, ex + ey)
    return _convert(_exact_centred_sum(_exact(x), _exact(y)) / divisor, to)


def correlation(x, y):
    """Pearson's correlation coefficient r of two equally long data sets.

    ``r = sum(dx_i dy_i) / sqrt(sum(dx_i**2) * sum(dy_i**2))`` with ``dx = x - mean x`` and
    ``dy = y - mean y``. It lies in [-1, 1]; r is unchanged when x becomes ``a x + b`` with
    ``a > 0`` (brightness and contrast changes of an image patch), and changes sign for
    ``a < 0``.

    The data are centred first. The lecture's one-pass formula
    ``(n sum(xy) - sum(x) sum(y)) / sqrt(...)`` gives 0.5 instead of 0.7746 for the data
    below shifted by 1e8, and divides by zero when shifted by 1e9.

    Parameters
    ----------
    x, y : iterable of real numbers
        Finite values, as many in ``x`` as in ``y``, neither constant.

    Returns
    -------
    float
        Correctly rounded for ints, Fractions and Decimals; floats are clipped to [-1, 1].

    Raises
    ------
    ShapeError
        If ``x`` and ``y`` differ in length.
    StatisticsError
        If ``x`` or ``y`` is constant (r is 0/0) or holds NaN or an infinity.

    Examples
    --------
    >>> x = [7, 18, 29, 2, 10, 9, 9]
    >>> y = [1, 6, 12, 8, 6, 21, 10]
    >>> correlation(x, y)
    0.1495...
    >>> correlation([2 * a - 14 for a in x], [b + 2 for b in y])
    0.1495...
    >>> correlation([1e8 + a for a in [1, 2, 3, 4, 5]], [1e8 + b for b in [2, 4, 5, 4, 5]])
    0.7745966692414834
    """
    x, y = _pair(x, y, "correlation")
    for name, v in (("x", x), ("y", y)):
        if all(a == v[0] for a in v):
            raise StatisticsError(
                f"correlation needs {name} that varies, but every value of {name} is {v[0]!r} "
                "(r would be 0/0)"
            )
    if _result_type(x + y, "correlation") is float:
        dx, dy = _float_deviations(x)[0], _float_deviations(y)[0]
        sxx, syy = _float_centred_sum(dx, dx), _float_centred_sum(dy, dy)
        if sxx > 0 and syy > 0:
            r = _float_centred_sum(dx, dy) / math.sqrt(sxx * syy)
            return min(1.0, max(-1.0, r))
        # rounding hid the spread of nearly constant data: fall back to exact sums
    x, y = _exact(x), _exact(y)
    sxx, syy = _exact_centred_sum(x, x), _exact_centred_sum(y, y)
    return _signed_sqrt_ratio(_exact_centred_sum(x, y), sxx * syy)
