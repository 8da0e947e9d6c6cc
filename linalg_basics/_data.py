"""Private data checks for the statistics modules: valid data, ddof, and the result's type.

Shared by :mod:`linalg_basics.statistics` (measures of centre) and
:mod:`linalg_basics.spread` (measures of spread and relationship). Nothing here is public.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from fractions import Fraction

from ._exact import DECIMAL, FLOAT, _as_numbers, _finite, _kind, _same_length
from .errors import StatisticsError

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
