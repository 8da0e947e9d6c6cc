"""Tools for lab assignments checked with pytest and Hypothesis.

An instructor writes one line per exercise; a student who gets it wrong sees the smallest
input that shows the mistake, the expected answer and theirs::

    from linalg_basics import median
    from linalg_basics.testing import check_against_reference, datasets

    from student_lab import my_median

    def test_median():
        check_against_reference(my_median, median, datasets())

===========================  =======================================================
Name                         Draws / does
===========================  =======================================================
``numbers``                  single numbers of chosen types within bounds
``vectors``                  lists of numbers
``vector_pairs``             two vectors of the same length, as a tuple
``matrices``                 rectangular lists of rows
``conforming_matrices``      ``(A, B)`` with columns of A == rows of B
``datasets``                 non-empty lists of numbers for statistics
``check_against_reference``  compare a candidate function with a reference
``CounterexampleFound``      the AssertionError it raises, with the details
===========================  =======================================================

This module needs Hypothesis (``pip install hypothesis``, part of ``retrieval-lab[test]``);
the rest of :mod:`linalg_basics` does not.
"""

from __future__ import annotations

import copy
import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, Verbosity, given, settings
from hypothesis import strategies as st

__all__ = [
    "numbers",
    "vectors",
    "vector_pairs",
    "matrices",
    "conforming_matrices",
    "datasets",
    "check_against_reference",
    "CounterexampleFound",
]

_TYPES = (int, float, Fraction, Decimal)

# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------


def numbers(types=(int,), min_value=-100, max_value=100):
    """A strategy for real numbers of the given types between two bounds.

    Parameters
    ----------
    types : type or tuple of types, default ``(int,)``
        Any of ``int``, ``float``, ``Fraction``, ``Decimal``; several types draw from each.
        Floats are finite and not subnormal; Fractions have denominators up to 100;
        Decimals have at most 3 decimal places.
    min_value, max_value : real number
        Inclusive bounds (ints are drawn between the rounded-inward bounds).

    Returns
    -------
    hypothesis.strategies.SearchStrategy

    Examples
    --------
    Hypothesis's ``find`` shows the simplest value a strategy draws that meets a condition:

    >>> from fractions import Fraction
    >>> from hypothesis import find
    >>> find(numbers(Fraction, 0, 1), lambda x: x.denominator > 2)
    Fraction(1, 3)
    """
    types = types if isinstance(types, tuple) else (types,)
    if not types or any(t not in _TYPES for t in types):
        raise ValueError(f"numbers needs types among int, float, Fraction, Decimal, got {types}")
    if not min_value <= max_value:
        raise ValueError(f"numbers needs min_value <= max_value, got {min_value} > {max_value}")
    choices = []
    for t in types:
        if t is int:
            choices.append(st.integers(math.ceil(min_value), math.floor(max_value)))
        elif t is float:
            choices.append(st.floats(float(min_value), float(max_value), allow_subnormal=False))
        elif t is Fraction:
            choices.append(
                st.fractions(Fraction(min_value), Fraction(max_value), max_denominator=100)
            )
        else:
            choices.append(
                st.decimals(Decimal(min_value), Decimal(max_value), places=3, allow_nan=False)
            )
    return st.one_of(choices)


def vectors(types=(int,), min_value=-100, max_value=100, min_size=1, max_size=10, size=None):
    """A strategy for vectors: lists of numbers.

    Parameters
    ----------
    types, min_value, max_value
        As for :func:`numbers`.
    min_size, max_size : int
        Bounds of the length, used when ``size`` is None.
    size : int, optional
        An exact length.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of list

    Examples
    --------
    >>> from hypothesis import find
    >>> find(vectors(size=3), lambda v: sum(v) > 10)
    [0, 0, 11]
    """
    if size is not None:
        min_size = max_size = size
    return st.lists(numbers(types, min_value, max_value), min_size=min_size, max_size=max_size)


def vector_pairs(types=(int,), min_value=-100, max_value=100, min_size=1, max_size=10):
    """A strategy for two vectors of the same length, drawn as a tuple ``(u, v)``.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(vector_pairs(), lambda uv: len(uv[0]) == 2)
    ([0, 0], [0, 0])
    """
    return _vector_pairs(numbers(types, min_value, max_value), min_size, max_size)


# Sizes are drawn first, then lists of exactly that size: Hypothesis shrinks such
# "composite" strategies much faster than chained ``flatmap`` ones.


@st.composite
def _vector_pairs(draw, entries, min_size, max_size):
    n = draw(st.integers(min_size, max_size))
    return tuple(draw(st.lists(entries, min_size=n, max_size=n)) for _ in range(2))


def _matrix(draw, entries, rows, cols):
    row = st.lists(entries, min_size=cols, max_size=cols)
    return draw(st.lists(row, min_size=rows, max_size=rows))


@st.composite
def _matrices(draw, entries, rows, cols, max_side):
    rows = draw(st.integers(1, max_side)) if rows is None else rows
    cols = draw(st.integers(1, max_side)) if cols is None else cols
    return _matrix(draw, entries, rows, cols)


@st.composite
def _conforming_matrices(draw, entries, max_side):
    m, n, p = (draw(st.integers(1, max_side)) for _ in range(3))
    return _matrix(draw, entries, m, n), _matrix(draw, entries, n, p)


def matrices(types=(int,), min_value=-100, max_value=100, rows=None, cols=None, max_side=4):
    """A strategy for matrices: rectangular lists of rows.

    Parameters
    ----------
    types, min_value, max_value
        As for :func:`numbers`.
    rows, cols : int, optional
        Exact shape; each side not given is drawn between 1 and ``max_side``.
    max_side : int, default 4

    Returns
    -------
    hypothesis.strategies.SearchStrategy of list of lists

    Examples
    --------
    >>> from hypothesis import find
    >>> find(matrices(rows=2, cols=3), lambda m: True)
    [[0, 0, 0], [0, 0, 0]]
    """
    return _matrices(numbers(types, min_value, max_value), rows, cols, max_side)


def conforming_matrices(types=(int,), min_value=-100, max_value=100, max_side=4):
    """A strategy for ``(A, B)`` that can be multiplied: A is m x n, B is n x p.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(conforming_matrices(), lambda ab: len(ab[0]) == 2)
    ([[0], [0]], [[0]])
    """
    return _conforming_matrices(numbers(types, min_value, max_value), max_side)


def datasets(types=(int,), min_value=-1000, max_value=1000, min_size=1, max_size=20):
    """A strategy for data sets: non-empty lists of numbers for statistics functions.

    Parameters
    ----------
    types, min_value, max_value
        As for :func:`numbers`. Narrow bounds far from zero, such as
        ``min_value=1e9, max_value=1e9 + 100`` with floats, expose the one-pass variance
        formula.
    min_size, max_size : int
        Bounds of the number of values.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of list

    Examples
    --------
    >>> from hypothesis import find
    >>> find(datasets(float, 0, 1, min_size=2), lambda data: max(data) > 0.5)
    [0.0, 1.0]
    """
    return vectors(types, min_value, max_value, min_size=min_size, max_size=max_size)


# ---------------------------------------------------------------------------
# Comparing a candidate with a reference
# ---------------------------------------------------------------------------


class CounterexampleFound(AssertionError):
    """A candidate disagreed with the reference.

    Attributes
    ----------
    function_name : str
    arguments : tuple
        The (smallest found) arguments.
    expected, received : object
        The reference's and the candidate's answers (an exception if one was raised).
    """

    def __init__(self, function_name, arguments, expected, received):
        self.function_name = function_name
        self.arguments = arguments
        self.expected = expected
        self.received = received
        call = f"{function_name}({', '.join(repr(a) for a in arguments)})"
        super().__init__(
            f"{function_name} gives a wrong answer.\n"
            f"  smallest failing call: {call}\n"
            f"  expected: {_describe(expected)}\n"
            f"  received: {_describe(received)}"
        )


def _describe(value):
    if isinstance(value, BaseException):
        return f"an error: {type(value).__name__}: {value}"
    return repr(value)


def _close(received, expected, rel_tol, abs_tol):
    """True if the answers agree: numbers within the tolerances, lists entry by entry."""
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(received, (list, tuple))
            and len(received) == len(expected)
            and all(_close(r, e, rel_tol, abs_tol) for r, e in zip(received, expected, strict=True))
        )
    if isinstance(received, bool) or isinstance(expected, bool):
        return received == expected
    try:
        if received == expected:
            return True
        return math.isclose(float(received), float(expected), rel_tol=rel_tol, abs_tol=abs_tol)
    except (TypeError, ValueError, OverflowError):
        return False


def _same_failure(received, expected):
    """The candidate raised too, an exception of the reference's class or one of its bases."""
    if not isinstance(received, Exception):
        return False
    accepted = [c for c in type(expected).__mro__ if c not in (Exception, BaseException, object)]
    return isinstance(received, tuple(accepted))


def _call(function, arguments):
    try:
        return function(*copy.deepcopy(arguments))
    except Exception as error:  # the error is the answer to compare
        return error


def check_against_reference(
    candidate,
    reference,
    strategy,
    *,
    compare=None,
    rel_tol=1e-9,
    abs_tol=1e-12,
    max_examples=200,
    name=None,
):
    """Check that ``candidate`` gives the same answers as ``reference`` on drawn inputs.

    Hypothesis draws inputs from ``strategy``; when the two functions disagree it shrinks
    the input to the smallest it can find and this function raises
    :class:`CounterexampleFound` (an AssertionError) naming that input, the expected answer
    and the received one.

    A drawn tuple is unpacked into the arguments (``vector_pairs()`` gives ``f(u, v)``);
    anything else is the only argument. Each function gets its own copy of the input, so a
    candidate that sorts its input in place cannot affect the reference. If the reference
    raises, the candidate must raise an exception of the same class or of one of its bases
    (for example ``ValueError`` for :class:`~linalg_basics.StatisticsError`).

    Parameters
    ----------
    candidate, reference : callable
        The function under test and the trusted one.
    strategy : hypothesis.strategies.SearchStrategy
        Inputs, e.g. :func:`datasets`, :func:`vector_pairs`, :func:`conforming_matrices`.
    compare : callable, optional
        ``compare(received, expected) -> bool``. By default numbers must be equal or within
        ``rel_tol``/``abs_tol`` (:func:`math.isclose`), lists entry by entry.
    rel_tol, abs_tol : float
        Tolerances of the default comparison.
    max_examples : int, default 200
        How many inputs to try.
    name : str, optional
        The name shown in the message (the candidate's ``__name__`` by default).

    Raises
    ------
    CounterexampleFound
        If an input makes the two functions disagree.

    Examples
    --------
    >>> from linalg_basics import median
    >>> def middle_without_sorting(data):
    ...     return data[len(data) // 2]
    >>> check_against_reference(middle_without_sorting, median, datasets(max_size=5))
    Traceback (most recent call last):
    ...
    linalg_basics.testing.CounterexampleFound: middle_without_sorting gives a wrong answer.
      smallest failing call: middle_without_sorting([...])
      expected: ...
      received: ...
    """
    name = name or getattr(candidate, "__name__", "candidate")
    agree = compare or (lambda r, e: _close(r, e, rel_tol, abs_tol))

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(drawn):
        arguments = drawn if isinstance(drawn, tuple) else (drawn,)
        expected = _call(reference, arguments)
        received = _call(candidate, arguments)
        if isinstance(expected, Exception):
            ok = _same_failure(received, expected)
        else:
            ok = not isinstance(received, Exception) and agree(received, expected)
        if not ok:
            raise CounterexampleFound(name, arguments, expected, received)

    try:
        run()
    except CounterexampleFound as found:  # raise it again without Hypothesis's notes
        raise CounterexampleFound(
            found.function_name, found.arguments, found.expected, found.received
        ) from None
