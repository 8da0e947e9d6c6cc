"""Descriptive statistics on plain Python lists: measures of centre, spread re-exported.

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
from fractions import Fraction

from ._data import _convert, _data, _exact, _result_type
from .spread import correlation, covariance, data_range, std_dev, variance

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
# Measures of centre
# ---------------------------------------------------------------------------


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
