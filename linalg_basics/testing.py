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
``gray_images``              small gray images as lists of rows of ints 0..255
``images_with_windows``      an image and a window ``(row, col, height, width)`` in it
``queries_and_databases``    a query vector and a database of vectors of its length
``rankings``                 a ranking of ids and a set of relevant ids
``check_against_reference``  compare a candidate function with a reference
``assert_same_answer``       compare them on one input (inside a ``@given`` test)
``CounterexampleFound``      the AssertionError both raise, with the details
``lab_settings``             Hypothesis settings for graded tests: repeatable, no deadline
``load_submission``          import a student's module from a path named at run time
``assert_imports_only``      check a student's module imports only allowed modules
===========================  =======================================================

An instructor's test file names the module under test at run time, so one file checks any
student's work, the reference solution or a deliberately wrong one::

    import pathlib

    from hypothesis import given
    from linalg_basics import cosine_similarity
    from linalg_basics.testing import assert_same_answer, lab_settings, load_submission
    from linalg_basics.testing import vector_pairs

    # the file named by $LAB_SUBMISSION, else the skeleton next to this test file
    lab = load_submission(pathlib.Path(__file__).with_name("lab1.py"))

    @lab_settings()
    @given(vector_pairs(int, 1, 9))
    def test_cosine_similarity(uv):
        assert_same_answer(lab.cosine_similarity, cosine_similarity, *uv)

Run as ``LAB_SUBMISSION=alice.py pytest test_lab1.py``; a failure shows Hypothesis's
"Falsifying example" (the smallest input it found) and the expected and received answers.
The four labs in the project's ``docs/labs/`` are complete examples.

This module needs Hypothesis (``pip install hypothesis``, part of ``retrieval-lab[test]``);
the rest of :mod:`linalg_basics` does not.
"""

from __future__ import annotations

import ast
import copy
import importlib
import importlib.util
import math
import os
import pathlib
import sys
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st

__all__ = [
    "numbers",
    "vectors",
    "vector_pairs",
    "matrices",
    "conforming_matrices",
    "datasets",
    "gray_images",
    "images_with_windows",
    "queries_and_databases",
    "rankings",
    "check_against_reference",
    "assert_same_answer",
    "CounterexampleFound",
    "lab_settings",
    "load_submission",
    "assert_imports_only",
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


def gray_images(min_side=1, max_side=6, min_value=0, max_value=255, rows=None, cols=None):
    """A strategy for small gray images: lists of rows of ints, ready for ``numpy.array``.

    Parameters
    ----------
    min_side, max_side : int
        Bounds of the height and width, used when ``rows``/``cols`` are not given.
    min_value, max_value : int
        Bounds of the pixel values (0..255 as in a uint8 image by default).
    rows, cols : int, optional
        An exact height or width.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of list of lists of int

    Examples
    --------
    >>> from hypothesis import find
    >>> find(gray_images(min_side=2), lambda image: image[1][1] > 0)
    [[0, 0], [0, 1]]
    """
    if not 1 <= min_side <= max_side:
        raise ValueError(
            f"gray_images needs 1 <= min_side <= max_side, got {min_side} and {max_side}"
        )
    entries = numbers(int, min_value, max_value)
    return _sized_matrices(entries, rows, cols, min_side, max_side)


@st.composite
def _sized_matrices(draw, entries, rows, cols, min_side, max_side):
    rows = draw(st.integers(min_side, max_side)) if rows is None else rows
    cols = draw(st.integers(min_side, max_side)) if cols is None else cols
    return _matrix(draw, entries, rows, cols)


@st.composite
def _images_with_windows(draw, images, min_window, max_window):
    image = draw(images)
    height, width = len(image), len(image[0])
    if min(height, width) < min_window:
        raise ValueError(
            f"images_with_windows needs images of at least {min_window} pixels a side"
        )
    h = draw(st.integers(min_window, min(height, max_window or height)))
    w = draw(st.integers(min_window, min(width, max_window or width)))
    row = draw(st.integers(0, height - h))
    col = draw(st.integers(0, width - w))
    return image, (row, col, h, w)


def images_with_windows(min_side=1, max_side=6, min_window=1, max_window=None,
                        min_value=0, max_value=255):
    """A strategy for ``(image, (row, col, height, width))``: a gray image and a window in it.

    The window lies inside the image: ``image[row:row + height, col:col + width]`` (as
    NumPy slices) is a ``height x width`` template cut out of it.

    Parameters
    ----------
    min_side, max_side, min_value, max_value
        As for :func:`gray_images` (``min_side`` is raised to ``min_window``).
    min_window, max_window : int
        Bounds of the window's height and width (``max_window`` None: up to the image's).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple

    Examples
    --------
    >>> from hypothesis import find
    >>> find(images_with_windows(min_window=2), lambda drawn: drawn[1][1] > 0)
    ([[0, 0, 0], [0, 0, 0]], (0, 1, 2, 2))
    """
    images = gray_images(max(min_side, min_window), max(max_side, min_window),
                         min_value, max_value)
    return _images_with_windows(images, min_window, max_window)


@st.composite
def _queries_and_databases(draw, entries, min_rows, max_rows, max_dim):
    n = draw(st.integers(min_rows, max_rows))
    d = draw(st.integers(1, max_dim))
    query = draw(st.lists(entries, min_size=d, max_size=d))
    return query, _matrix(draw, entries, n, d)


def queries_and_databases(types=(int,), min_value=0, max_value=255, min_rows=1, max_rows=6,
                          max_dim=4):
    """A strategy for ``(query, database)``: a vector and a list of rows of the same length.

    The shape of a retrieval problem: ``database[i]`` is the feature vector of image ``i``
    and the query is compared with every row.

    Parameters
    ----------
    types, min_value, max_value
        As for :func:`numbers` (pixel values 0..255 by default).
    min_rows, max_rows : int
        Bounds of the number of database rows.
    max_dim : int
        Largest vector length (at least 1).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple

    Examples
    --------
    >>> from hypothesis import find
    >>> query, database = find(queries_and_databases(min_rows=2),
    ...                        lambda qd: qd[1][1][0] > qd[0][0])
    >>> len(database) >= 2 and all(len(row) == len(query) for row in database)
    True
    >>> database[1][0] > query[0]
    True
    """
    entries = numbers(types, min_value, max_value)
    return _queries_and_databases(entries, min_rows, max_rows, max_dim)


@st.composite
def _rankings(draw, max_size, min_relevant):
    n = draw(st.integers(1, max_size))
    ranking = draw(st.permutations(range(n)))
    cut = draw(st.integers(1, n))
    pool = list(range(n + 2))  # two ids that the ranking never lists
    relevant = draw(st.sets(st.sampled_from(pool), min_size=min_relevant))
    return list(ranking[:cut]), relevant


def rankings(max_size=8, min_relevant=1):
    """A strategy for ``(ranking, relevant)``: ids best first, and the set of relevant ids.

    The ranking lists distinct ints; it may stop before every id is listed, and the relevant
    set may hold ids the ranking never reaches (a search that misses them).

    Parameters
    ----------
    max_size : int
        The most ids in the ranking.
    min_relevant : int
        The fewest relevant ids (1: average precision is undefined without any).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple

    Examples
    --------
    >>> from hypothesis import find
    >>> find(rankings(), lambda rr: len(rr[0]) > 1)
    ([0, 1], {0})
    """
    return _rankings(max_size, min_relevant)


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


# ---------------------------------------------------------------------------
# Running a lab's tests
# ---------------------------------------------------------------------------


def lab_settings(max_examples=50, **changes):
    """Hypothesis settings for graded tests: the same inputs on every run, no files written.

    Every submission is tried on the same inputs (``derandomize=True``), no failing examples
    are kept between runs (``database=None``), slow student code is not failed for
    its speed (``deadline=None``, no health checks), one failure is reported per test (the
    simplest, not every distinct one Hypothesis meets), and it is still shrunk to the
    smallest input and shown as a "Falsifying example" (newer Hypothesis versions say
    "Failing test case"), without Hypothesis's slower "explain" phase.

    Parameters
    ----------
    max_examples : int, default 50
        Inputs tried per test; keep it small where one call is slow.
    **changes
        Any other :class:`hypothesis.settings` argument.

    Returns
    -------
    hypothesis.settings
        Usable as a decorator above ``@given``.

    Examples
    --------
    >>> lab_settings(max_examples=20).max_examples
    20
    >>> lab_settings().derandomize, lab_settings().database
    (True, None)
    """
    options = {
        "max_examples": max_examples,
        "deadline": None,
        "database": None,
        "derandomize": True,
        "print_blob": False,
        "report_multiple_bugs": False,
        "suppress_health_check": list(HealthCheck),
        "phases": [phase for phase in Phase if phase.name != "explain"],
    }
    options.update(changes)
    return settings(**options)


def load_submission(default, variable="LAB_SUBMISSION"):
    """Import the module a lab's tests check, chosen when the tests run.

    The environment variable ``variable`` (``LAB_SUBMISSION`` by default) names the
    submission; without it, ``default`` does. A name ending in ``.py`` or holding a path
    separator is a file (a relative path is taken from the current directory); anything else
    is a module name for :func:`importlib.import_module`. A file is imported under the name
    ``lab_submission_<file name>``, so it never shadows a module of the same name.

    Parameters
    ----------
    default : str or os.PathLike
        The file or module checked when the variable is not set (in a lab's test file: the
        student skeleton next to it, ``pathlib.Path(__file__).with_name("lab1.py")``).
    variable : str
        The environment variable to read.

    Returns
    -------
    module

    Raises
    ------
    FileNotFoundError
        If a file is named that does not exist.

    Examples
    --------
    >>> load_submission("statistics").median([3, 1, 2])
    2
    >>> load_submission("no_such_lab.py")
    Traceback (most recent call last):
    ...
    FileNotFoundError: load_submission: the submission 'no_such_lab.py' (from the default) ...
    """
    chosen = os.environ.get(variable) or os.fspath(default)
    if not (chosen.endswith(".py") or os.sep in chosen or "/" in chosen):
        return importlib.import_module(chosen)
    path = pathlib.Path(chosen).expanduser()
    if not path.is_file():
        source = f"${variable}" if os.environ.get(variable) else "the default"
        raise FileNotFoundError(
            f"load_submission: the submission {chosen!r} (from {source}) is not a file; "
            f"expected the path of a .py file, or a module name, in {variable}"
        )
    module_name = f"lab_submission_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def _imported_top_levels(source):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            yield "__import__"


def assert_imports_only(module, allowed):
    """Check that a submission imports nothing beyond the allowed top-level modules.

    A lab that asks for a median written by hand can forbid ``statistics`` and the
    library's own ``linalg_basics``. The check reads the module's source (``import x``,
    ``from x import y`` and calls of ``__import__`` anywhere in it); it cannot see code that
    imports in stranger ways, so it keeps honest students honest, no more.

    Parameters
    ----------
    module : module or str or os.PathLike
        The submission, or the path of its source file.
    allowed : iterable of str
        Top-level module names it may import (``"math"``, ``"numpy"``, ...).

    Raises
    ------
    AssertionError
        Naming every module imported that is not allowed.

    Examples
    --------
    >>> import linalg_basics.vectors as vectors
    >>> assert_imports_only(vectors, ["__future__", "math", "decimal", "fractions", "numbers"])
    >>> assert_imports_only(vectors, ["math"])
    Traceback (most recent call last):
    ...
    AssertionError: .../vectors.py imports __future__, decimal, fractions, numbers; allowed: math
    """
    path = pathlib.Path(getattr(module, "__file__", None) or module)
    used = set(_imported_top_levels(path.read_text(encoding="utf-8")))
    allowed = set(allowed)
    extra = sorted(used - allowed)
    if extra:
        raise AssertionError(
            f"{path} imports {', '.join(extra)}; allowed: "
            f"{', '.join(sorted(allowed)) or 'nothing'}"
        )
