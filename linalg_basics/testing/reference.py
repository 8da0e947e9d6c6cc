"""Compare a student's function with a reference and report the smallest disagreeing input.

A failure says which call, what was expected and what came (:class:`CounterexampleFound`).
"""

from __future__ import annotations

import copy
import math

from hypothesis import HealthCheck, Verbosity, given, settings

__all__ = ["check_against_reference", "assert_same_answer", "CounterexampleFound"]


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


CounterexampleFound.__module__ = "linalg_basics.testing"  # its public home, as tracebacks show


def _describe(value):
    if isinstance(value, BaseException):
        return f"an error: {type(value).__name__}: {value}"
    return repr(value)


def _close(received, expected, rel_tol, abs_tol):
    """True if the answers agree: numbers within the tolerances, lists entry by entry.

    Arrays (anything with ``tolist``, such as NumPy arrays and scalars) are compared as the
    nested lists they turn into, so their shapes must agree too.
    """
    received, expected = _plain(received), _plain(expected)
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


def _plain(value):
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and not isinstance(value, (list, tuple, str)):
        try:
            return tolist()
        except TypeError:
            return value
    return value


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
    >>> from linalg_basics.testing import datasets
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
        assert_same_answer(candidate, reference, *arguments, compare=compare,
                           rel_tol=rel_tol, abs_tol=abs_tol, name=name)

    try:
        run()
    except CounterexampleFound as found:  # raise it again without Hypothesis's notes
        raise CounterexampleFound(
            found.function_name, found.arguments, found.expected, found.received
        ) from None


def assert_same_answer(candidate, reference, *arguments, compare=None, rel_tol=1e-9,
                       abs_tol=1e-12, name=None):
    """Check that ``candidate(*arguments)`` gives the answer of ``reference(*arguments)``.

    The one-input step of :func:`check_against_reference`, for a test written with
    Hypothesis's ``@given``: when it fails, Hypothesis shrinks the input and pytest shows
    its "Falsifying example" above the message of :class:`CounterexampleFound`. The rules
    are the same: each function gets its own copy of the arguments, numbers are compared
    with the tolerances (arrays and lists entry by entry), and if the reference raises, the
    candidate must raise an exception of the same class or of one of its bases. A
    ``NotImplementedError`` from the candidate (an exercise not done yet) is raised as is.

    Parameters
    ----------
    candidate, reference : callable
    *arguments
        The input, passed to both.
    compare : callable, optional
        ``compare(received, expected) -> bool`` instead of the default comparison.
    rel_tol, abs_tol : float
        Tolerances of the default comparison (:func:`math.isclose`).
    name : str, optional
        The name shown in the message (the candidate's ``__name__`` by default).

    Raises
    ------
    CounterexampleFound
        If the answers disagree.

    Examples
    --------
    >>> from linalg_basics import vector_length
    >>> def length_without_root(v):
    ...     return sum(x * x for x in v)
    >>> assert_same_answer(length_without_root, vector_length, [1, 0])
    >>> assert_same_answer(length_without_root, vector_length, [3, 4])
    Traceback (most recent call last):
    ...
    linalg_basics.testing.CounterexampleFound: length_without_root gives a wrong answer.
      smallest failing call: length_without_root([3, 4])
      expected: 5.0
      received: 25
    """
    name = name or getattr(candidate, "__name__", "candidate")
    expected = _call(reference, arguments)
    received = _call(candidate, arguments)
    if isinstance(received, NotImplementedError):
        raise received  # an unfinished exercise: say so, not "wrong answer"
    if isinstance(expected, Exception):
        ok = _same_failure(received, expected)
    elif isinstance(received, Exception):
        ok = False
    elif compare is not None:
        ok = bool(compare(received, expected))
    else:
        ok = _close(received, expected, rel_tol, abs_tol)
    if not ok:
        raise CounterexampleFound(name, arguments, expected, received)

