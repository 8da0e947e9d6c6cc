"""Shared checks for the linalg_basics tests.

The reference for "exact" results is :class:`fractions.Fraction` arithmetic. A float result
of a square root (lengths, cosines, standard deviations, correlations) is checked to be the
correctly rounded value of the exact root, without computing the root: a float ``r`` is the
correctly rounded ``sqrt(q)`` exactly when ``q`` lies between the squares of the midpoints
from ``r`` to its two float neighbours. The same holds for Decimal roots, with the
neighbours in the current decimal context.
"""

import math
from fractions import Fraction

import pytest


def is_correctly_rounded_sqrt(r, q):
    """True if the float ``r >= 0`` is ``sqrt(q)`` rounded to nearest, for exact ``q >= 0``."""
    q = Fraction(q)
    if r == 0:
        return q < Fraction(math.ulp(0.0)) ** 2 / 4 or q == 0
    below = (Fraction(r) + Fraction(math.nextafter(r, 0.0))) / 2
    above = (Fraction(r) + Fraction(math.nextafter(r, math.inf))) / 2
    return below**2 <= q <= above**2


def is_correctly_rounded_decimal_sqrt(r, q):
    """True if the Decimal ``r`` is ``sqrt(q)`` rounded to the current decimal context."""
    q = Fraction(q)
    if r == 0:
        return q == 0
    below = (Fraction(r) + Fraction(r.next_minus())) / 2
    above = (Fraction(r) + Fraction(r.next_plus())) / 2
    return below**2 <= q <= above**2


@pytest.fixture(scope="session")
def correctly_rounded_sqrt():
    return is_correctly_rounded_sqrt


@pytest.fixture(scope="session")
def correctly_rounded_decimal_sqrt():
    return is_correctly_rounded_decimal_sqrt
