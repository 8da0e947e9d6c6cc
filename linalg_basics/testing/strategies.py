"""Hypothesis strategies for lab tests: numbers, vectors, matrices, data, images, rankings.

Each strategy draws small inputs of the shapes the lecture works with, as plain Python
lists, and shrinks a failing input to the simplest one Hypothesis can find.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

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
