"""Private arithmetic kernels: number checks, exact sums and correctly rounded roots.

Shared by :mod:`linalg_basics.vectors`, :mod:`~linalg_basics.matrices` and the statistics
modules, so that each of those reads as its chapter of the lecture. Nothing here is public.

The rules they implement: ints and Fractions are exact (sums and products never round);
floats are summed with :func:`math.fsum` (one rounding at the end); Decimals follow the
current :mod:`decimal` context; square roots of exact values are correctly rounded.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from fractions import Fraction

from .errors import ShapeError

# ---------------------------------------------------------------------------
# Checking numbers
# ---------------------------------------------------------------------------

EXACT, FLOAT, DECIMAL = "exact", "float", "decimal"


def _as_number(x, func, where):
    """Return ``x`` as a plain int, float, Fraction or Decimal, or raise TypeError."""
    if type(x) in (int, float, Fraction, Decimal):
        return x
    if isinstance(x, numbers.Integral):  # bool, numpy integers
        return int(x)
    if isinstance(x, numbers.Rational):
        return Fraction(x)
    if isinstance(x, numbers.Real):  # numpy floats and other real types
        return float(x)
    if isinstance(x, Decimal):
        return x
    raise TypeError(f"{func} expects real numbers, but {where} is {x!r} ({type(x).__name__})")


def _as_numbers(values, func, name):
    """Return ``values`` as a list of plain numbers; ``name`` says which argument it is."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(
            f"{func} expects an iterable of real numbers for {name}, got {type(values).__name__}"
        )
    return [_as_number(x, func, f"{name}[{i}]") for i, x in enumerate(values)]


def _kind(values, func):
    """Return how ``values`` are combined: EXACT (int/Fraction), FLOAT or DECIMAL."""
    types = {type(x) for x in values}
    if Decimal in types:
        if float in types or Fraction in types:
            mixed = sorted(t.__name__ for t in types - {int, Decimal})
            raise TypeError(
                f"{func} cannot mix Decimal with {' or '.join(mixed)}; "
                "convert the values to one type first"
            )
        return DECIMAL
    return FLOAT if float in types else EXACT


def _finite(x):
    """False for float or Decimal infinities and NaN; True for every other number."""
    if type(x) is float:
        return math.isfinite(x)
    return x.is_finite() if type(x) is Decimal else True


def _same_length(u, v, func, names=("u", "v"), what="vectors"):
    if len(u) != len(v):
        raise ShapeError(
            f"{func} needs {what} of the same length, "
            f"got {names[0]} of length {len(u)} and {names[1]} of length {len(v)}"
        )


def _fsum(terms):
    """:func:`math.fsum` of the list ``terms``, with IEEE results where fsum raises.

    fsum refuses ``inf + -inf`` (IEEE: NaN) and partial sums beyond the float range (the
    total may still fit, e.g. ``1e308 + 1e308 - 1e308``). The second case is summed again at
    a scale of ``2**-64`` (exact for all but subnormal terms) and scaled back, which overflows
    to ``inf`` only if the total does.
    """
    try:
        return math.fsum(terms)
    except OverflowError:
        try:
            return math.fsum(math.ldexp(t, -64) for t in terms) * 2.0**64
        except ValueError:
            return math.nan
    except ValueError:
        return math.nan


def _total(terms, kind):
    """Sum ``terms``: exactly for EXACT, one rounding for FLOAT, decimal context for DECIMAL."""
    if kind == FLOAT:
        return _fsum(terms)
    return sum(terms, Decimal(0) if kind == DECIMAL else 0)


def _sqrt_exact(q):
    """The correctly rounded float square root of a non-negative Fraction or int.

    The root is taken with integers (:func:`math.isqrt`) on about 60 bits, and the last bit
    is set when the root is inexact ("round to odd"), so the final conversion to a 53-bit
    float rounds exactly as the true root would.
    """
    q = Fraction(q)
    p, r = q.numerator, q.denominator
    if p == 0:
        return 0.0
    k = (120 - p.bit_length() + r.bit_length()) // 2  # scale by 4**k: about 120 bits
    num, den = (p << 2 * k, r) if k >= 0 else (p, r << -2 * k)
    n, rest = divmod(num, den)
    s = math.isqrt(n)
    if rest or s * s != n:
        s |= 1
    return s / (1 << k) if k >= 0 else float(s << -k)


def _decimal_sqrt(q):
    """The square root of a non-negative Fraction or int, correctly rounded to a Decimal.

    Dividing and then taking the root in the decimal context rounds twice, which can miss
    the last digit; the neighbours of that first guess are checked against the exact value.
    """
    q = Fraction(q)
    if q == 0:
        return Decimal(0)
    root = (Decimal(q.numerator) / Decimal(q.denominator)).sqrt()
    up, down = root.next_plus(), root.next_minus()
    if q > ((Fraction(root) + Fraction(up)) / 2) ** 2:
        return up
    if q < ((Fraction(root) + Fraction(down)) / 2) ** 2:
        return down
    return root


def _signed_sqrt_ratio(top, bottom):
    """Correctly rounded float of ``top / sqrt(bottom)`` for exact ``top`` and ``bottom > 0``."""
    root = _sqrt_exact(Fraction(top) ** 2 / bottom)  # |top| / sqrt(bottom)
    return root if top >= 0 else -root  # not copysign: it would turn top into a float


def _scaled_down(v):
    """Return ``v`` divided by a power of two so its largest entry is near 1, and the power.

    Dividing a float by a power of two is exact, so nothing is lost, while products of the
    scaled entries can neither overflow nor underflow.
    """
    largest = max((abs(x) for x in v), default=0.0)
    if largest == 0 or not math.isfinite(largest):
        return list(v), 0
    e = math.frexp(largest)[1]
    return [math.ldexp(x, -e) for x in v], e
