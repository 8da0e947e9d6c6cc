"""Lab 1, reference solution: what a complete ``lab1.py`` looks like.

For the instructor: run the lab's tests against it (see README.md) to see them pass.
"""

import math


def _same_length(u, v, what):
    if len(u) != len(v):
        raise ValueError(f"{what} needs vectors of the same length, got {len(u)} and {len(v)}")


def add_vectors(u, v):
    """Entry-by-entry sum ``u + v``."""
    _same_length(u, v, "add_vectors")
    return [a + b for a, b in zip(u, v, strict=True)]


def scale_vector(alpha, v):
    """``alpha * v``, entry by entry."""
    return [alpha * a for a in v]


def dot_product(u, v):
    """``u1 v1 + ... + un vn``."""
    _same_length(u, v, "dot_product")
    return sum(a * b for a, b in zip(u, v, strict=True))


def vector_length(v):
    """``sqrt(v . v)``."""
    return math.sqrt(dot_product(v, v))


def cosine_similarity(u, v):
    """``u . v / (||u|| ||v||)``; ValueError for a zero vector."""
    _same_length(u, v, "cosine_similarity")
    if not any(u) or not any(v):
        raise ValueError("cosine_similarity is undefined for a zero vector")
    # Dividing by each length separately keeps large entries from overflowing.
    return dot_product(u, v) / vector_length(u) / vector_length(v)


def transpose(a):
    """Rows become columns."""
    return [[row[j] for row in a] for j in range(len(a[0]))]


def matrix_multiplication(a, b):
    """``C[i][j] = sum_k A[i][k] B[k][j]``."""
    if len(a[0]) != len(b):
        raise ValueError(
            f"matrix_multiplication needs columns of A ({len(a[0])}) == rows of B ({len(b)})"
        )
    columns = transpose(b)
    return [[dot_product(row, column) for column in columns] for row in a]


def matrix_vector_product(a, v):
    """Entry ``i`` is row ``i`` of ``A`` dotted with ``v``."""
    if len(a[0]) != len(v):
        raise ValueError(
            f"matrix_vector_product needs len(v) ({len(v)}) == columns of A ({len(a[0])})"
        )
    return [dot_product(row, v) for row in a]
