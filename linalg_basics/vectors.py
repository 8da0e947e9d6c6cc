"""The lecture's vector operations on plain Python lists.

=====================  ==============================================
Function               Computes
=====================  ==============================================
``add_vectors``        u + v, entry by entry
``subtract_vectors``   u - v, entry by entry
``scale_vector``       alpha * v
``vector_length``      the Euclidean length ||v||
``dot_product``        u . v = sum of u_i * v_i
``hadamard_product``   u * v, entry by entry
``cosine_similarity``  u . v / (||u|| ||v||)
``l1_distance``        sum of |u_i - v_i|, the L1 (Manhattan) distance
=====================  ==============================================

A vector is any iterable of real numbers: ``int``, ``float``, ``fractions.Fraction`` or
``decimal.Decimal`` (NumPy scalars are turned into the matching Python number). Results are
plain lists and numbers.

How the numbers are combined:

* ints and Fractions are exact: sums and products never round.
* floats are summed with :func:`math.fsum`, which rounds only once, at the end.
* Decimals follow the current :mod:`decimal` context. Decimal cannot be mixed with float or
  Fraction (a ``TypeError`` says so), as in the standard library.
* infinities and NaN in float input follow IEEE arithmetic, as in NumPy: a NaN gives a NaN,
  ``dot_product([inf, -inf], [1, 1])`` is ``nan`` and a sum beyond the float range is
  ``inf``. ``cosine_similarity`` is the exception: the angle is undefined, so it raises.

Lengths and cosines of int and Fraction vectors are the correctly rounded float of the exact
value, so ``cosine_similarity([4, 2, 1, 2], [1, 2, 2, 0])`` is exactly ``2/3`` rounded once.

>>> add_vectors([1, 2, 3], [4, 5, 6])
[5, 7, 9]
>>> dot_product([1, 2, 3], [2, 3, 4])
20
"""

from __future__ import annotations

import math
from fractions import Fraction

from ._exact import (
    DECIMAL,
    FLOAT,
    _as_number,
    _as_numbers,
    _decimal_sqrt,
    _finite,
    _kind,
    _same_length,
    _scaled_down,
    _signed_sqrt_ratio,
    _sqrt_exact,
    _total,
)

__all__ = [
    "add_vectors",
    "subtract_vectors",
    "scale_vector",
    "vector_length",
    "dot_product",
    "hadamard_product",
    "cosine_similarity",
    "l1_distance",
]

# ---------------------------------------------------------------------------
# Entry-by-entry operations
# ---------------------------------------------------------------------------


def _pair(u, v, func):
    u = _as_numbers(u, func, "u")
    v = _as_numbers(v, func, "v")
    _same_length(u, v, func)
    _kind(u + v, func)
    return u, v


def add_vectors(u, v):
    """Add two vectors entry by entry.

    ``w_i = u_i + v_i``

    Parameters
    ----------
    u, v : iterable of real numbers
        Vectors of the same length.

    Returns
    -------
    list
        The sum ``u + v``.

    Raises
    ------
    ShapeError
        If the lengths differ.
    TypeError
        If an entry is not a real number.

    Examples
    --------
    >>> add_vectors([1, 2, 3], [4, 5, 6])
    [5, 7, 9]
    >>> add_vectors([1, 2], [1, 2, 3])
    Traceback (most recent call last):
    ...
    linalg_basics.errors.ShapeError: add_vectors needs vectors of the same length, got u of length 2 and v of length 3
    """  # noqa: E501
    u, v = _pair(u, v, "add_vectors")
    return [a + b for a, b in zip(u, v, strict=True)]


def subtract_vectors(u, v):
    """Subtract two vectors entry by entry.

    ``w_i = u_i - v_i``

    Parameters
    ----------
    u, v : iterable of real numbers
        Vectors of the same length.

    Returns
    -------
    list
        The difference ``u - v``.

    Raises
    ------
    ShapeError
        If the lengths differ.

    Examples
    --------
    >>> subtract_vectors([1, 2, 3], [4, 5, 6])
    [-3, -3, -3]
    """
    u, v = _pair(u, v, "subtract_vectors")
    return [a - b for a, b in zip(u, v, strict=True)]


def scale_vector(alpha, v):
    """Multiply every entry of a vector by the number ``alpha``.

    ``w_i = alpha * v_i``

    Parameters
    ----------
    alpha : real number
        The scale factor.
    v : iterable of real numbers
        The vector.

    Returns
    -------
    list
        The vector ``alpha * v``.

    Raises
    ------
    TypeError
        If ``alpha`` or an entry of ``v`` is not a real number.

    Examples
    --------
    >>> scale_vector(2, [1, 2, 3])
    [2, 4, 6]
    >>> from fractions import Fraction
    >>> scale_vector(Fraction(1, 3), [3, 1])
    [Fraction(1, 1), Fraction(1, 3)]
    """
    alpha = _as_number(alpha, "scale_vector", "alpha")
    v = _as_numbers(v, "scale_vector", "v")
    _kind([alpha, *v], "scale_vector")
    return [alpha * x for x in v]


def hadamard_product(u, v):
    """Multiply two vectors entry by entry (the Hadamard product).

    ``w_i = u_i * v_i``

    Parameters
    ----------
    u, v : iterable of real numbers
        Vectors of the same length.

    Returns
    -------
    list
        The entry-by-entry product.

    Raises
    ------
    ShapeError
        If the lengths differ.

    Examples
    --------
    >>> hadamard_product([1, 2], [3, 4])
    [3, 8]
    """
    u, v = _pair(u, v, "hadamard_product")
    return [a * b for a, b in zip(u, v, strict=True)]


# ---------------------------------------------------------------------------
# Products that sum: dot product, length, cosine similarity
# ---------------------------------------------------------------------------


def dot_product(u, v):
    """The dot product of two vectors.

    ``u . v = u_1 v_1 + u_2 v_2 + ... + u_n v_n``

    Exact for ints and Fractions; for floats the products are summed with
    :func:`math.fsum` (one rounding for the whole sum). The dot product of two empty vectors
    is 0.

    Parameters
    ----------
    u, v : iterable of real numbers
        Vectors of the same length.

    Returns
    -------
    number
        An int for ints, a Fraction if a Fraction is present, a float if a float is present,
        a Decimal for Decimals.

    Raises
    ------
    ShapeError
        If the lengths differ.

    Examples
    --------
    >>> dot_product([1, 2, 3], [2, 3, 4])
    20
    >>> dot_product([0.1, 0.2], [1, 1])
    0.30000000000000004
    """
    u, v = _pair(u, v, "dot_product")
    return _total([a * b for a, b in zip(u, v, strict=True)], _kind(u + v, "dot_product"))


def vector_length(v):
    """The Euclidean length (norm) of a vector.

    ``||v|| = sqrt(v_1**2 + v_2**2 + ... + v_n**2)``

    For ints, Fractions and Decimals the sum of squares is exact and the result is its
    correctly rounded square root (a Decimal in the current context for Decimals); floats
    use :func:`math.hypot` (no overflow for large entries).

    Parameters
    ----------
    v : iterable of real numbers
        The vector (an empty vector has length 0).

    Returns
    -------
    float or Decimal
        A Decimal for Decimal entries, otherwise a float.

    Raises
    ------
    TypeError
        If an entry is not a real number.

    Examples
    --------
    >>> vector_length([3, 4])
    5.0
    >>> vector_length([1, 1])
    1.4142135623730951
    >>> vector_length([3e200, 4e200]) / 1e200  # although (3e200)**2 overflows
    5.0
    """
    v = _as_numbers(v, "vector_length", "v")
    kind = _kind(v, "vector_length")
    if kind == FLOAT:
        return math.hypot(*v)
    squares = sum(Fraction(x) ** 2 for x in v)
    return _decimal_sqrt(squares) if kind == DECIMAL else _sqrt_exact(squares)


def cosine_similarity(u, v):
    """The cosine of the angle between two vectors.

    ``cs(u, v) = u . v / (||u|| ||v||)``, a number between -1 and 1.

    Scaling a vector by a positive number does not change it:
    ``cs(a u, b v) = cs(u, v)`` for ``a, b > 0``. Shifting does:
    ``cs(u + c, v + d) != cs(u, v)`` in general.

    For ints and Fractions the result is the correctly rounded exact value. Floats are first
    scaled by a power of two (exact, and harmless because of the scale invariance) so the
    products neither overflow nor underflow; the result is clipped to [-1, 1].

    Parameters
    ----------
    u, v : iterable of real numbers
        Non-zero vectors of the same length.

    Returns
    -------
    float

    Raises
    ------
    ShapeError
        If the lengths differ.
    ValueError
        If either vector is zero or empty, or holds an infinity or NaN: the angle is
        undefined.

    Examples
    --------
    >>> cosine_similarity([5, 3, 2, 7], [2, 9, 4, 1])
    0.552005787925351
    >>> cosine_similarity([4, 2, 1, 2], [1, 2, 2, 0])
    0.6666666666666666
    >>> cosine_similarity([8, 4, 2, 4], [3, 6, 6, 0])
    0.6666666666666666
    >>> cosine_similarity([54, 52, 51, 52], [51, 52, 52, 50])  # the same vectors + 50
    0.99...
    """
    func = "cosine_similarity"
    u, v = _pair(u, v, func)
    kind = _kind(u + v, func)
    for name, w in (("u", u), ("v", v)):
        for i, x in enumerate(w):
            if not _finite(x):
                raise ValueError(f"{func} needs finite numbers, but {name}[{i}] is {x}")
        if not w:
            raise ValueError(f"{func} needs non-empty vectors, but {name} is empty")
        if all(x == 0 for x in w):
            raise ValueError(
                f"{func} needs non-zero vectors (the angle to a zero vector is undefined), "
                f"but {name} is all zeros: {w}"
            )
    if kind == FLOAT:
        u, _ = _scaled_down([float(x) for x in u])
        v, _ = _scaled_down([float(x) for x in v])
        dot = math.fsum(a * b for a, b in zip(u, v, strict=True))
        cs = dot / (math.hypot(*u) * math.hypot(*v))
        return min(1.0, max(-1.0, cs))
    if kind == DECIMAL:
        u, v = [Fraction(x) for x in u], [Fraction(x) for x in v]
    dot = sum(a * b for a, b in zip(u, v, strict=True))
    return _signed_sqrt_ratio(dot, sum(a * a for a in u) * sum(b * b for b in v))


# ---------------------------------------------------------------------------
# Distances
# ---------------------------------------------------------------------------


def l1_distance(u, v):
    """The L1 (Manhattan) distance: the sum of the absolute differences.

    ``d1(u, v) = |u_1 - v_1| + |u_2 - v_2| + ... + |u_n - v_n|``

    The lecture's first way to compare two images pixel by pixel: 0 for equal vectors,
    larger the more they differ. Exact for ints and Fractions; for floats the differences
    are summed with :func:`math.fsum` (one rounding for the whole sum); infinities and NaN
    follow IEEE arithmetic (``l1_distance([inf], [inf])`` is ``nan``). The distance of two
    empty vectors is 0.

    Parameters
    ----------
    u, v : iterable of real numbers
        Vectors of equal length.

    Returns
    -------
    number
        Of the type :func:`dot_product` gives for the same vectors (an int for ints).

    Raises
    ------
    ShapeError
        If ``u`` and ``v`` differ in length.
    TypeError
        If an entry is not a real number.

    Examples
    --------
    >>> l1_distance([1, 2, 3], [4, 0, 3])
    5
    >>> l1_distance([0.1, 0.2], [0.0, 0.0])
    0.30000000000000004
    >>> l1_distance([1, 2], [1, 2, 3])
    Traceback (most recent call last):
    ...
    linalg_basics.errors.ShapeError: l1_distance needs vectors of the same length, got u of length 2 and v of length 3
    """  # noqa: E501
    u, v = _pair(u, v, "l1_distance")
    differences = [abs(a - b) for a, b in zip(u, v, strict=True)]
    return _total(differences, _kind(u + v, "l1_distance"))
