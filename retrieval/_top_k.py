"""The machinery of ``similarity.top_k``: float32 cosine blocks and the k best of each block."""

from __future__ import annotations

import numpy as np

GROUP = 128  # rows per group in the pre-selection


def block_top_k(block: np.ndarray, k: int, higher: bool) -> tuple[np.ndarray, np.ndarray]:
    """The k best rows for each column of a ``(rows, queries)`` score block.

    Returns ``(rows, scores)``, each ``(queries, k)``, best first, ties to the lower row.
    Sorting or partitioning every column costs far more than the search's matrix product,
    so the k best are found in cheap passes: cut the rows into groups of ``GROUP`` and take
    each group's best; the k-th best of those group bests, ``t``, is a score that at least
    k entries reach, so every one of the k best entries (and every entry tied with the
    k-th) is ``>= t``, and only the few candidates from groups reaching ``t`` are sorted.

    >>> import numpy as np
    >>> block_top_k(np.array([[0.5], [0.9], [0.5]]), 2, higher=True)
    (array([[1, 0]]), array([[0.9, 0.5]]))
    """
    n, n_queries = block.shape
    k = min(k, n)
    key = block if higher else -block           # larger key = better
    groups = n // GROUP
    if groups < k:                              # small block: sort it whole
        order = np.argsort(-key.T, axis=1, kind="stable")[:, :k]
        return order, np.take_along_axis(block.T, order, 1)
    group_best = key[:groups * GROUP].reshape(groups, GROUP, n_queries).max(axis=1).T
    threshold = np.partition(group_best, groups - k, axis=1)[:, groups - k]
    # candidates: every row of a group whose best reaches t, and the few tail rows
    query, group = np.nonzero(group_best >= threshold[:, None])
    row = (group[:, None] * GROUP + np.arange(GROUP)).ravel()
    query = np.repeat(query, GROUP)
    tail = np.arange(groups * GROUP, n)
    if tail.size:
        row = np.concatenate([row, np.tile(tail, n_queries)])
        query = np.concatenate([query, np.repeat(np.arange(n_queries), tail.size)])
    value = key[row, query]
    keep = value >= threshold[query]
    query, row, value = query[keep], row[keep], value[keep]
    order = np.lexsort((row, -value, query))    # by query, then best key, then row
    query, row = query[order], row[order]
    first = np.searchsorted(query, np.arange(n_queries))  # each query's first candidate
    rows = row[first[:, None] + np.arange(k)]             # each query has >= k candidates
    return rows, block[rows, np.arange(n_queries)[:, None]]


def merge_top_k(rows: list[np.ndarray], scores: list[np.ndarray], k: int,
                higher: bool) -> tuple[np.ndarray, np.ndarray]:
    """The k best of the per-block winners ``(Q, k_block)``: best first, ties to the lower row.

    >>> import numpy as np
    >>> merge_top_k([np.array([[0, 1]]), np.array([[5]])],
    ...             [np.array([[0.9, 0.2]]), np.array([[0.9]])], 2, higher=True)
    (array([[0, 5]]), array([[0.9, 0.9]]))
    """
    rows = np.concatenate(rows, axis=1)
    scores = np.concatenate(scores, axis=1)
    order = np.lexsort((rows, -scores if higher else scores), axis=1)[:, :k]
    return np.take_along_axis(rows, order, 1), np.take_along_axis(scores, order, 1)


def cosine_float32_scorer(q: np.ndarray, database: np.ndarray, inverse_norms=None):
    """``score(start, stop)``: float32 cosines ``(stop - start, Q)`` of those rows.

    One float32 matrix product per block (rows down, queries across: the faster orientation
    for BLAS) scaled by the cached inverse row norms; the queries are normalised in float64.
    """
    inverse = inverse_row_norms(database) if inverse_norms is None else inverse_norms
    lengths = np.sqrt(np.einsum("ij,ij->i", q, q))[:, None]
    unit_t = np.ascontiguousarray((q / np.where(lengths > 0, lengths, 1.0)).T, dtype=np.float32)

    def cosine(start: int, stop: int) -> np.ndarray:
        block = database[start:stop] @ unit_t
        block *= inverse[start:stop, None]
        return block  # clipped to [-1, 1] once the k best are known

    return cosine


NORM_ROWS = 8192  # rows converted to float64 at a time for the norms


def inverse_row_norms(database: np.ndarray) -> np.ndarray:
    """``1 / ‖row‖`` of every row as float32 (0 for zero rows), summed in float64.

    >>> import numpy as np
    >>> inverse_row_norms(np.array([[3, 4], [0, 0]], dtype=np.float32))
    array([0.2, 0. ], dtype=float32)
    """
    inverse = np.empty(len(database), dtype=np.float32)
    for start in range(0, len(database), NORM_ROWS):
        rows = np.asarray(database[start:start + NORM_ROWS], dtype=np.float64)
        norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))
        inverse[start:start + len(rows)] = np.divide(1.0, norms, out=np.zeros_like(norms),
                                                     where=norms > 0)
    return inverse
