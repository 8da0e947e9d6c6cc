"""Lab 1: vectors, matrices and cosine similarity in plain Python lists.

Fill in every function below, replacing ``raise NotImplementedError``. Use plain Python:
lists, loops, ``sum``, ``zip`` and the ``math`` module (no NumPy, no other library). Each
docstring says what the function computes and what it must do with bad input.

A vector is a list of numbers: ``[1, 2, 3]``. A matrix is a list of rows, all of the same
length: ``[[1, 2, 3], [4, 5, 6]]`` has 2 rows and 3 columns.

Check your work with ``python -m doctest lab1.py -v`` (the examples below) and with the
instructor's tests (see README.md).
"""

import math  # noqa: F401  (you will need math.sqrt)

# ---------------------------------------------------------------------------
# Vectors
# ---------------------------------------------------------------------------


def add_vectors(u, v):
    """Add two vectors entry by entry: ``[u1 + v1, u2 + v2, ...]``.

    Raise ``ValueError`` if the vectors have different lengths.

    >>> add_vectors([1, 2, 3], [4, 5, 6])
    [5, 7, 9]
    """
    raise NotImplementedError("add_vectors")


def scale_vector(alpha, v):
    """Multiply every entry of ``v`` by the number ``alpha``: ``[alpha * v1, alpha * v2, ...]``.

    >>> scale_vector(2, [1, 2, 3])
    [2, 4, 6]
    """
    raise NotImplementedError("scale_vector")


def dot_product(u, v):
    """The dot product ``u . v = u1 v1 + u2 v2 + ... + un vn``.

    Raise ``ValueError`` if the vectors have different lengths.

    >>> dot_product([1, 2, 3], [2, 3, 4])
    20
    """
    raise NotImplementedError("dot_product")


def vector_length(v):
    """The length (Euclidean norm) ``||v|| = sqrt(v . v)``, as a float.

    >>> vector_length([3, 4])
    5.0
    """
    raise NotImplementedError("vector_length")


def cosine_similarity(u, v):
    """The cosine of the angle between ``u`` and ``v``: ``u . v / (||u|| ||v||)``.

    The result lies between -1 and 1. Multiplying a vector by a positive number does not
    change it: ``cosine_similarity([2, 4], [3, 1]) == cosine_similarity([1, 2], [3, 1])``.

    Raise ``ValueError`` if the lengths differ, or if ``u`` or ``v`` is all zeros (the angle
    to a zero vector is undefined).

    >>> cosine_similarity([4, 2, 1, 2], [1, 2, 2, 0])
    0.6666666666666666
    >>> cosine_similarity([1, 0], [0, 5])
    0.0
    """
    raise NotImplementedError("cosine_similarity")


# ---------------------------------------------------------------------------
# Matrices
# ---------------------------------------------------------------------------


def transpose(a):
    """The transpose: rows become columns, ``result[j][i] == a[i][j]``.

    >>> transpose([[1, 2, 3], [4, 5, 6]])
    [[1, 4], [2, 5], [3, 6]]
    """
    raise NotImplementedError("transpose")


def matrix_multiplication(a, b):
    """The matrix product ``C = A B``: ``C[i][j] = sum over k of A[i][k] * B[k][j]``.

    ``A`` is m x n and ``B`` is n x p; the result is m x p. Raise ``ValueError`` if the number
    of columns of ``A`` differs from the number of rows of ``B``.

    Careful: ``[[0] * p] * m`` is m times *the same* row. Build each row anew.

    >>> matrix_multiplication([[1, 2], [3, 4]], [[5, 6], [7, 8]])
    [[19, 22], [43, 50]]
    >>> matrix_multiplication([[1, 2, 3]], [[1], [0], [2]])
    [[7]]
    """
    raise NotImplementedError("matrix_multiplication")


def matrix_vector_product(a, v):
    """The product ``A v`` of an m x n matrix and a vector of length n: a vector of length m.

    Entry ``i`` is the dot product of row ``i`` of ``A`` with ``v``. Raise ``ValueError`` if
    the length of ``v`` differs from the number of columns of ``A``.

    The reflection across the horizontal axis moves the point (x1, x2) = (3, 5) to (3, -5):

    >>> matrix_vector_product([[1, 0], [0, -1]], [3, 5])
    [3, -5]
    """
    raise NotImplementedError("matrix_vector_product")
