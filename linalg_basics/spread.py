"""Measures of spread and relationship on plain Python lists: range, variance, r.

===============  =========================================================
Function         Computes
===============  =========================================================
``data_range``   max(x) - min(x)
``variance``     sum((x - mean)**2) / (n - ddof)
``std_dev``      sqrt(variance)
``covariance``   sum((x - mean x) * (y - mean y)) / (n - ddof)
``correlation``  Pearson's r = cov(x, y) / (std(x) std(y))
===============  =========================================================

The second half of :mod:`linalg_basics.statistics`, which re-exports every function here
and describes the rules they share (exact sums, result types, errors). The one rule this
half adds: **centred, never one-pass.** Spread is computed from deviations from the mean
(two passes), never with the "computational formula" ``sum(x**2) - sum(x)**2 / n``, which
loses every digit when the data sit far from zero: for ``[4, 7, 13, 16]`` shifted by ``1e9``
it gives garbage while the true population variance is 22.5.

>>> variance([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16])
22.5
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from ._data import _check_ddof, _convert, _data, _exact, _pair, _result_type
from ._exact import _decimal_sqrt, _scaled_down, _signed_sqrt_ratio, _sqrt_exact
from .errors import StatisticsError

__all__ = ["data_range", "variance", "std_dev", "covariance", "correlation"]

# ---------------------------------------------------------------------------
# Centred sums: exact for exact types, two-pass with fsum for floats
# ---------------------------------------------------------------------------


def _exact_centred_sum(x, y):
    """sum((x_i - mean x) * (y_i - mean y)), exactly, for exact values."""
    mx = Fraction(sum(x), len(x))
    my = Fraction(sum(y), len(y))
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))


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
