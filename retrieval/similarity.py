"""Similarity and distance between a query vector and every row of a database.

The lecture ranks a database of images against a query in four ways; each function here
computes one of them for one query ``(D,)`` or many queries ``(Q, D)`` against a database
``(N, D)`` and returns ``(N,)`` or ``(Q, N)`` scores.

========================  =======================================  ==============
function                  formula (per database row ``x``)         better is
========================  =======================================  ==============
``cosine_similarities``   ``q·x / (‖q‖ ‖x‖)``                      higher
``correlations``          Pearson ``r``: cosine of the centred       higher
                          vectors ``q − mean(q)`` and ``x − mean(x)``
``l1_distances``          ``Σ |q_i − x_i|`` (absolute difference)   lower
``l2_distances``          ``√Σ (q_i − x_i)²`` (Euclidean)            lower
========================  =======================================  ==============

Each has a list-based twin in :mod:`linalg_basics` (``cosine_similarity``, ``correlation``)
that computes the same number one pair at a time; the tests check that they agree.

Numerics
--------
Inputs of any real dtype are converted to float64 a block of rows at a time, and every sum is
accumulated in float64, so the results agree with the list-based twins and with SciPy to about
1e-12. Only a bounded block is converted at once: at most :data:`CHUNK_BYTES` bytes of float64
database rows (32 MiB; 3,276 rows of 1,280 features), so a float32 database of any size is
never copied whole. The score of a pair does not depend on the other rows: the same query and
row give the same bits whether the row is searched alone, in any block or in the whole
database, so exact ties stay exact and rankings do not change with the block size.
(:class:`retrieval.ImageIndex` has its own float32 fast path for cosine search; see its
documentation.)

Undefined cases get defined values instead of NaN:

* cosine similarity with a zero vector (query or row) is ``0.0``;
* correlation with a constant vector (zero variance) is ``0.0``;
* cosine and correlation are clipped to ``[-1, 1]`` against rounding.

NaN or infinite input raises ``ValueError`` (a NaN score would silently sort anywhere).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

__all__ = ["cosine_similarities", "correlations", "l1_distances", "l2_distances",
           "HIGHER_IS_BETTER", "higher_is_better"]

#: Which way is better, for every way the library scores a match: the search metrics and the
#: template-matching methods. The one table that rankings, plots and the command line read.
HIGHER_IS_BETTER = {
    "cosine": True,        # cosine similarity of feature vectors
    "correlation": True,   # Pearson r
    "l1": False,           # sum of absolute differences of vectors
    "l2": False,           # Euclidean distance
    "zncc": True,          # template matching: zero-mean normalised cross-correlation
    "ncc": True,           # normalised cross-correlation
    "ssd": False,          # sum of squared differences
    "sad": False,          # sum of absolute differences
    "features": True,      # cosine similarity of CNN feature maps
}


def higher_is_better(method: str) -> bool:
    """True when a higher score is a better match for ``method`` (a metric or a matching method).

    >>> higher_is_better("cosine"), higher_is_better("ssd")
    (True, False)
    """
    try:
        return HIGHER_IS_BETTER[method]
    except (KeyError, TypeError):
        raise ValueError(f"unknown metric or method {method!r}; expected one of "
                         f"{', '.join(HIGHER_IS_BETTER)}") from None

#: Upper bound on the float64 working copy of database rows converted at once (bytes).
CHUNK_BYTES = 32 * 2**20


# ---------------------------------------------------------------- checking the input


def _as_matrix(values, name: str, caller: str) -> np.ndarray:
    """A real, finite array; NaN/inf and non-numbers raise ValueError/TypeError."""
    array = np.asarray(values)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise TypeError(f"{caller} needs a numeric {name}; got an array of dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{caller} needs a real {name}; got complex values")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{caller}: {name} contains NaN or infinity")
    return array


def _prepare(
    query, database, caller: str, min_length: int = 1
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate shapes; return (queries as (Q, D), database (N, D), whether query was 1-D)."""
    q = _as_matrix(query, "query", caller)
    x = _as_matrix(database, "database", caller)
    if q.ndim not in (1, 2):
        raise ValueError(f"{caller} needs a query of shape (D,) or (Q, D); got shape {q.shape}")
    if x.ndim != 2:
        raise ValueError(f"{caller} needs a database of shape (N, D); got shape {x.shape}")
    single = q.ndim == 1
    q = q[np.newaxis, :] if single else q
    if q.shape[1] != x.shape[1]:
        raise ValueError(
            f"{caller} needs vectors of the same length: query has {q.shape[1]} values, "
            f"database rows have {x.shape[1]}"
        )
    if x.shape[1] < min_length:
        raise ValueError(
            f"{caller} needs vectors of at least {min_length} value(s); got length {x.shape[1]}"
        )
    return q.astype(np.float64), x, single


def _row_blocks(database: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
    """Consecutive float64 blocks of database rows, each at most CHUNK_BYTES."""
    n, d = database.shape
    rows = max(1, CHUNK_BYTES // (8 * d))
    for start in range(0, n, rows):
        span = slice(start, min(start + rows, n))
        yield span, np.asarray(database[span], dtype=np.float64)


def _apply(
    query, database, caller: str, block_scores: Callable, min_length: int = 1
) -> np.ndarray:
    """Run ``block_scores(queries, rows) -> (Q, rows)`` over row blocks; shape the result."""
    q, x, single = _prepare(query, database, caller, min_length)
    out = np.empty((q.shape[0], x.shape[0]), dtype=np.float64)
    for span, rows in _row_blocks(x):
        out[:, span] = block_scores(q, rows)
    return out[0] if single else out


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows divided by their length; zero rows stay zero (so their cosine is 0.0)."""
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
    safe = np.where(norms > 0, norms, 1.0)
    return matrix / safe[:, np.newaxis]


def _dots(queries: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """All dot products ``(Q, D) x (N, D) -> (Q, N)``, each summed the same way wherever it is.

    ``np.einsum`` adds the ``D`` products of one pair in an order that depends only on ``D``,
    so a score does not change with the block a row falls in or the other rows beside it
    (a BLAS matrix product picks its kernel, and its rounding, by the shapes: a true tie
    such as two correlations of exactly 0 could come out as ``±2e-17`` and rank either way).
    """
    return np.einsum("qd,nd->qn", queries, rows)


def _centred(matrix: np.ndarray) -> np.ndarray:
    """Rows minus their mean; exactly constant rows become exactly zero.

    (``[0.1, 0.1, 0.1] - mean`` is not exactly zero in floating point: left alone, the
    rounding residue would be normalised into a meaningless unit vector.)
    """
    centred = matrix - matrix.mean(axis=1, keepdims=True)
    centred[np.ptp(matrix, axis=1) == 0] = 0.0
    return centred


# ---------------------------------------------------------------- similarities (higher is better)


def cosine_similarities(query, database) -> np.ndarray:
    """Cosine similarity of a query with every database row: ``q·x / (‖q‖ ‖x‖)``.

    Parameters
    ----------
    query : array_like, shape (D,) or (Q, D)
        One query vector or one per row.
    database : array_like, shape (N, D)
        One vector per row (for example one image's features per row).

    Returns
    -------
    numpy.ndarray of float64, shape (N,) or (Q, N)
        Values in ``[-1, 1]``; higher means more similar. A zero vector has similarity
        ``0.0`` with everything (the formula would divide by zero).

    Raises
    ------
    ValueError
        On mismatched lengths, wrong dimensions, or NaN/infinite values.

    Notes
    -----
    Scaling either vector by a positive number does not change the value, so a query twice
    as bright finds the same images; adding a constant (``+50`` brightness) does change it.

    Examples
    --------
    >>> database = [[1, 0], [0, 2], [3, 3], [0, 0]]
    >>> cosine_similarities([2, 0], database).round(4)
    array([1.    , 0.    , 0.7071, 0.    ])
    >>> cosine_similarities([[1, 1], [0, 5]], database).round(4)
    array([[0.7071, 0.7071, 1.    , 0.    ],
           [0.    , 1.    , 0.7071, 0.    ]])
    """

    def block(q, rows):
        return np.clip(_dots(_unit_rows(q), _unit_rows(rows)), -1.0, 1.0)

    return _apply(query, database, "cosine_similarities", block)


def correlations(query, database) -> np.ndarray:
    """Pearson correlation of a query with every database row.

    ``r = Σ (q_i − q̄)(x_i − x̄) / √(Σ (q_i − q̄)² · Σ (x_i − x̄)²)``, computed as the cosine
    similarity of the two centred vectors (the numerically stable two-pass form, never the
    one-pass ``nΣqx − ΣqΣx`` formula, which cancels badly for large values).

    Parameters
    ----------
    query : array_like, shape (D,) or (Q, D)
    database : array_like, shape (N, D)
        Vectors of at least two values.

    Returns
    -------
    numpy.ndarray of float64, shape (N,) or (Q, N)
        Values in ``[-1, 1]``; higher is better. A constant vector (zero variance) has
        correlation ``0.0`` with everything.

    Notes
    -----
    ``r`` does not change when a vector is replaced by ``a·x + b`` with ``a > 0``: brightness
    (``+b``) and contrast (``×a``) changes of an image leave it unchanged.

    Examples
    --------
    >>> database = [[1, 2, 3], [3, 2, 1], [10, 20, 30], [5, 5, 5]]
    >>> correlations([2, 4, 6], database)
    array([ 1., -1.,  1.,  0.])
    """

    def block(q, rows):
        return np.clip(_dots(_unit_rows(_centred(q)), _unit_rows(_centred(rows))), -1.0, 1.0)

    return _apply(query, database, "correlations", block, min_length=2)


# ---------------------------------------------------------------- distances (lower is better)


def l1_distances(query, database) -> np.ndarray:
    """Sum of absolute differences (L1, "city block") between a query and every row.

    Parameters
    ----------
    query : array_like, shape (D,) or (Q, D)
    database : array_like, shape (N, D)

    Returns
    -------
    numpy.ndarray of float64, shape (N,) or (Q, N)
        ``Σ_i |q_i − x_i|``, zero for identical vectors; lower is better.

    Examples
    --------
    >>> l1_distances([0, 0], [[1, 2], [-3, 0], [0, 0]])
    array([3., 3., 0.])
    >>> import numpy as np
    >>> pixels = np.array([[10, 200]], dtype=np.uint8)  # no uint8 wrap-around
    >>> l1_distances(np.array([200, 10], dtype=np.uint8), pixels)
    array([380.])
    """

    def block(q, rows):
        return np.stack([np.abs(rows - one).sum(axis=1) for one in q])

    return _apply(query, database, "l1_distances", block)


def l2_distances(query, database) -> np.ndarray:
    """Euclidean (L2) distance between a query and every database row.

    Computed from the differences themselves (``√Σ (q_i − x_i)²``), not from the expansion
    ``‖q‖² + ‖x‖² − 2 q·x``, which loses all precision for near-duplicates.

    Parameters
    ----------
    query : array_like, shape (D,) or (Q, D)
    database : array_like, shape (N, D)

    Returns
    -------
    numpy.ndarray of float64, shape (N,) or (Q, N)
        Lower is better; zero for identical vectors.

    Examples
    --------
    >>> l2_distances([0, 0], [[3, 4], [1, 0], [0, 0]])
    array([5., 1., 0.])
    """

    def block(q, rows):
        out = np.empty((q.shape[0], rows.shape[0]))
        for i, one in enumerate(q):
            diff = rows - one
            out[i] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        return out

    return _apply(query, database, "l2_distances", block)
