"""Lab 1, a planted wrong solution: two classic mistakes, for checking the tests.

The lab's tests must fail on it, each with a small counterexample:

* cosine_similarity divides by the length of u only (v is never normalised);
* matrix_multiplication builds its result with ``[[0] * p] * m``, so every row is the same
  list and all rows end up equal to the last one.
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
    return dot_product(u, v) / vector_length(u)


def transpose(a):
    """Rows become columns."""
    return [[row[j] for row in a] for j in range(len(a[0]))]


def matrix_multiplication(a, b):
    """``C[i][j] = sum_k A[i][k] B[k][j]``."""
    if len(a[0]) != len(b):
        raise ValueError(
            f"matrix_multiplication needs columns of A ({len(a[0])}) == rows of B ({len(b)})"
        )
    m, n, p = len(a), len(b), len(b[0])
    c = [[0] * p] * m
    for i in range(m):
        for j in range(p):
            c[i][j] = sum(a[i][k] * b[k][j] for k in range(n))
    return c


def matrix_vector_product(a, v):
    """Entry ``i`` is row ``i`` of ``A`` dotted with ``v``."""
    if len(a[0]) != len(v):
        raise ValueError(
            f"matrix_vector_product needs len(v) ({len(v)}) == columns of A ({len(a[0])})"
        )
    return [dot_product(row, v) for row in a]
