"""The lecture's matrix operations on matrices stored as lists of rows.

=========================  ==============================================
Function                   Computes
=========================  ==============================================
``add_matrices``           A + B, entry by entry
``subtract_matrices``      A - B, entry by entry
``matrix_multiplication``  the product AB
``matrix_vector_product``  the product Av
``transpose``              the transpose A^T
=========================  ==============================================

A matrix is a non-empty list of rows, each a non-empty iterable of real numbers, all rows of
the same length: ``[[1, 2, 3], [4, 5, 6]]`` is 2x3 (2 rows, 3 columns). Numbers follow the
rules of :mod:`linalg_basics.vectors`: ints and Fractions exact, float sums with
:func:`math.fsum`, Decimals in the current decimal context.

>>> matrix_vector_product([[1, 0], [0, -1]], [3, 2])  # reflect (3, 2) across the x1 axis
[3, -2]
"""

from __future__ import annotations

from ._exact import _as_numbers, _kind, _total
from .errors import ShapeError

__all__ = [
    "add_matrices",
    "subtract_matrices",
    "matrix_multiplication",
    "matrix_vector_product",
    "transpose",
]


def _as_matrix(a, func, name):
    """Return ``a`` as a list of lists of plain numbers, checking that it is rectangular."""
    if isinstance(a, (str, bytes)) or not hasattr(a, "__iter__"):
        raise TypeError(
            f"{func} expects a matrix (a list of rows) for {name}, got {type(a).__name__}"
        )
    rows = []
    for i, row in enumerate(a):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
            raise TypeError(
                f"{func} expects a matrix (a list of rows) for {name}, "
                f"but {name}[{i}] is {row!r} ({type(row).__name__}), not a row"
            )
        rows.append(_as_numbers(row, func, f"{name}[{i}]"))
    if not rows or not rows[0]:
        raise ShapeError(
            f"{func} needs a matrix with at least one row and one column for {name}, got {rows}"
        )
    for i, row in enumerate(rows):
        if len(row) != len(rows[0]):
            raise ShapeError(
                f"{func} needs rows of equal length, but {name} is ragged: "
                f"row 0 has {len(rows[0])} entries and row {i} has {len(row)}"
            )
    return rows


def _shape(a):
    return f"{len(a)}x{len(a[0])}"


def _entrywise(a, b, func, op):
    a = _as_matrix(a, func, "A")
    b = _as_matrix(b, func, "B")
    if (len(a), len(a[0])) != (len(b), len(b[0])):
        raise ShapeError(
            f"{func} needs matrices of the same shape, got A {_shape(a)} and B {_shape(b)}"
        )
    _kind([x for row in a + b for x in row], func)
    return [[op(x, y) for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(a, b, strict=True)]


def add_matrices(a, b):
    """Add two matrices entry by entry.

    ``C[i][j] = A[i][j] + B[i][j]``

    Parameters
    ----------
    a, b : list of rows
        Matrices of the same shape.

    Returns
    -------
    list of lists
        The sum ``A + B``.

    Raises
    ------
    ShapeError
        If a matrix is ragged or empty, or the shapes differ.

    Examples
    --------
    >>> add_matrices([[1, 2], [3, 4]], [[10, 20], [30, 40]])
    [[11, 22], [33, 44]]
    """
    return _entrywise(a, b, "add_matrices", lambda x, y: x + y)


def subtract_matrices(a, b):
    """Subtract two matrices entry by entry.

    ``C[i][j] = A[i][j] - B[i][j]``

    Parameters
    ----------
    a, b : list of rows
        Matrices of the same shape.

    Returns
    -------
    list of lists
        The difference ``A - B``.

    Raises
    ------
    ShapeError
        If a matrix is ragged or empty, or the shapes differ.

    Examples
    --------
    >>> subtract_matrices([[1, 2], [3, 4]], [[1, 1], [1, 1]])
    [[0, 1], [2, 3]]
    """
    return _entrywise(a, b, "subtract_matrices", lambda x, y: x - y)


def transpose(a):
    """Swap rows and columns.

    ``A^T[j][i] = A[i][j]``: an m x n matrix becomes n x m.

    Parameters
    ----------
    a : list of rows
        A rectangular matrix.

    Returns
    -------
    list of lists
        The transpose.

    Raises
    ------
    ShapeError
        If the matrix is ragged or empty.
    TypeError
        If a row is not a list of real numbers.

    Examples
    --------
    >>> transpose([[1, 2, 3], [4, 5, 6]])
    [[1, 4], [2, 5], [3, 6]]
    """
    a = _as_matrix(a, "transpose", "A")
    return [list(column) for column in zip(*a, strict=True)]


def matrix_multiplication(a, b):
    """The matrix product AB.

    ``C[i][j] = sum over k of A[i][k] * B[k][j]``: row i of A dotted with column j of B.
    An m x n matrix times an n x p matrix gives an m x p matrix.

    Each entry is a dot product, so it is exact for ints and Fractions and summed with
    :func:`math.fsum` for floats.

    Parameters
    ----------
    a : list of rows
        An m x n matrix.
    b : list of rows
        An n x p matrix.

    Returns
    -------
    list of lists
        The m x p product.

    Raises
    ------
    ShapeError
        If the number of columns of A differs from the number of rows of B.

    Examples
    --------
    >>> A = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    >>> B = [[1, 1, 1, 1], [1, 2, 3, 1], [1, 1, 0, 2]]
    >>> matrix_multiplication(A, B)
    [[6, 8, 7, 9], [15, 20, 19, 21], [24, 32, 31, 33]]
    >>> matrix_multiplication(A, [[1, 2], [3, 4]])
    Traceback (most recent call last):
    ...
    linalg_basics.errors.ShapeError: matrix_multiplication needs columns of A (3) == rows of B (2)
    """
    func = "matrix_multiplication"
    a = _as_matrix(a, func, "A")
    b = _as_matrix(b, func, "B")
    if len(a[0]) != len(b):
        raise ShapeError(f"{func} needs columns of A ({len(a[0])}) == rows of B ({len(b)})")
    kind = _kind([x for row in a + b for x in row], func)
    columns = list(zip(*b, strict=True))
    return [
        [_total([x * y for x, y in zip(row, col, strict=True)], kind) for col in columns]
        for row in a
    ]


def matrix_vector_product(a, v):
    """The product Av of a matrix and a vector.

    ``w[i] = sum over k of A[i][k] * v[k]``: each row of A dotted with v.

    Parameters
    ----------
    a : list of rows
        An m x n matrix.
    v : iterable of real numbers
        A vector of length n.

    Returns
    -------
    list
        The vector Av of length m.

    Raises
    ------
    ShapeError
        If the number of columns of A differs from the length of v.

    Examples
    --------
    Reflections of the point (x1, x2) = (3, 2): across the x1 axis (an image turned upside
    down) and across the x2 axis (a left-right mirror).

    >>> matrix_vector_product([[1, 0], [0, -1]], [3, 2])
    [3, -2]
    >>> matrix_vector_product([[-1, 0], [0, 1]], [3, 2])
    [-3, 2]
    """
    func = "matrix_vector_product"
    a = _as_matrix(a, func, "A")
    v = _as_numbers(v, func, "v")
    if len(a[0]) != len(v):
        raise ShapeError(f"{func} needs columns of A ({len(a[0])}) == length of v ({len(v)})")
    kind = _kind([x for row in a for x in row] + v, func)
    return [_total([x * y for x, y in zip(row, v, strict=True)], kind) for row in a]
