"""Compare a student's function with a reference and report the smallest disagreeing input.

A failure says which call, what was expected and what came (:class:`CounterexampleFound`),
and, when the function is wrong only because another function of the submission that it
calls is wrong, which one to fix first.
"""

from __future__ import annotations

import copy
import math

from hypothesis import HealthCheck, Verbosity, given, settings

from ._helpers import culprits
from .failures import CounterexampleFound

__all__ = ["check_against_reference", "assert_same_answer", "assert_raises"]


# ---------------------------------------------------------------------------
# Comparing a candidate with a reference
# ---------------------------------------------------------------------------


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
    helpers=None,
    note=None,
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
    helpers : dict of str to callable, optional
        Reference versions of the submission's other functions, by name; see
        :func:`assert_same_answer`.
    note : str, optional
        A last line for the failure message (what else is accepted, why it matters).

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
    __tracebackhide__ = True  # pytest shows the caller's line, not these internals
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
                           rel_tol=rel_tol, abs_tol=abs_tol, name=name, helpers=helpers,
                           note=note)

    try:
        run()
    except CounterexampleFound as found:  # raise it again without Hypothesis's notes
        raise CounterexampleFound(
            found.function_name, found.arguments, found.expected, found.received,
            note=found.note, culprits=found.culprits,
        ) from None


def assert_same_answer(candidate, reference, *arguments, compare=None, rel_tol=1e-9,
                       abs_tol=1e-12, name=None, helpers=None, note=None):
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
    helpers : dict of str to callable, optional
        Reference versions of the submission's functions, by name. When the candidate is
        wrong, it is called again with the functions of its module that it calls (directly
        or not) replaced by these; if it is then right, the message names the functions it
        fails through, to be fixed first (:attr:`CounterexampleFound.culprits`).
    note : str, optional
        A last line for the failure message (what else is accepted, why it matters).

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
    __tracebackhide__ = True  # pytest shows the caller's line, not these internals
    own_name = getattr(candidate, "__name__", "candidate")
    name = name or own_name
    expected = _call(reference, arguments)
    received = _call(candidate, arguments)
    if isinstance(received, NotImplementedError):
        raise received  # an unfinished exercise: say so, not "wrong answer"

    def agrees(answer):
        if isinstance(expected, Exception):
            return _same_failure(answer, expected)
        if isinstance(answer, Exception):
            return False
        if compare is not None:
            return bool(compare(answer, expected))
        return _close(answer, expected, rel_tol, abs_tol)

    if agrees(received):
        return
    blamed = ()
    if helpers:
        blamed = culprits(candidate, helpers, own_name,
                          lambda: agrees(_call(candidate, arguments)))
    raise CounterexampleFound(name, arguments, expected, received, culprits=blamed, note=note)


def assert_raises(candidate, error, *arguments, reason=None, name=None):
    """Check that ``candidate(*arguments)`` raises ``error`` (or a subclass of it).

    For the inputs a function must refuse, such as vectors of different lengths; the
    failure reads like every other check: the call, the expected error and what came.

    Parameters
    ----------
    candidate : callable
    error : type of Exception
        The exception class expected (``ValueError`` accepts its subclasses).
    *arguments
        The input.
    reason : str, optional
        Why it must raise, shown with the expected error.
    name : str, optional
        The name shown in the message (the candidate's ``__name__`` by default).

    Raises
    ------
    CounterexampleFound
        If the candidate returns, or raises another kind of exception.

    Examples
    --------
    >>> def add(u, v):
    ...     return [a + b for a, b in zip(u, v)]
    >>> assert_raises(add, ValueError, [1, 2], [1, 2, 3], reason="the lengths differ")
    Traceback (most recent call last):
    ...
    linalg_basics.testing.CounterexampleFound: add gives a wrong answer.
      smallest failing call: add([1, 2], [1, 2, 3])
      expected: an error: ValueError: the lengths differ
      received: [2, 4]
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not these internals
    name = name or getattr(candidate, "__name__", "candidate")
    received = _call(candidate, arguments)
    if isinstance(received, NotImplementedError) and not issubclass(NotImplementedError, error):
        raise received
    if not isinstance(received, error):
        expected = error(reason) if reason else error()
        raise CounterexampleFound(name, arguments, expected, received)
