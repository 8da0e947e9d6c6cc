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

Each takes ``teaching=True`` to compute the same numbers one pair at a time through the
list-based functions of :mod:`linalg_basics` (``cosine_similarity``, ``correlation``, and
the L1 distance from ``subtract_vectors``): slow and readable; the tests check both agree.
:func:`top_k` ranks a whole database by any of the four and keeps the ``k`` best rows.

Numerics
--------
Inputs of any real dtype are converted to float64 a block of rows at a time, and every sum is
accumulated in float64, so the results agree with the list-based twins and with SciPy to about
1e-12. Only a bounded block is converted at once: at most :data:`CHUNK_BYTES` bytes of float64
database rows (32 MiB; 3,276 rows of 1,280 features), so a float32 database of any size is
never copied whole. The score of a pair does not depend on the other rows: the same query and
row give the same bits whether the row is searched alone, in any block or in the whole
database, so exact ties stay exact and rankings do not change with the block size
(:func:`top_k` has a float32 fast path for cosine over a float32 database; see there).

Undefined cases get defined values instead of NaN:

* cosine similarity with a zero vector (query or row) is ``0.0``;
* correlation with a constant vector (zero variance) is ``0.0``;
* cosine and correlation are clipped to ``[-1, 1]`` against rounding.

NaN or infinite input raises ``ValueError`` (a NaN score would silently sort anywhere).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from imageops._inputs import check_positive_int

from ._pairwise import pairwise_scores
from ._top_k import block_top_k, cosine_float32_scorer, merge_top_k

__all__ = ["cosine_similarities", "correlations", "l1_distances", "l2_distances", "top_k",
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
#: Bound on the (rows, queries) block of scores :func:`top_k` holds at once (bytes).
SCORE_BYTES = 64 * 2**20
#: Most database rows :func:`top_k` scores at a time.
SEARCH_ROWS = 262144


# ---------------------------------------------------------------- checking the input


def _as_matrix(values, name: str, caller: str, check_finite: bool = True) -> np.ndarray:
    """A real, finite array; NaN/inf and non-numbers raise ValueError/TypeError."""
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == bool):
        raise TypeError(f"{caller} needs a numeric {name}; got an array of dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{caller} needs a real {name}; got complex values")
    if check_finite and array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{caller}: {name} contains NaN or infinity")
    return array


def _prepare(query, database, caller: str,
             min_length: int = 1) -> tuple[np.ndarray, np.ndarray, bool]:
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
        raise ValueError(f"{caller} needs vectors of the same length: query has "
                         f"{q.shape[1]} values, database rows have {x.shape[1]}")
    if x.shape[1] < min_length:
        raise ValueError(f"{caller} needs vectors of at least {min_length} value(s); got "
                         f"length {x.shape[1]}")
    return q.astype(np.float64), x, single


def _row_blocks(database: np.ndarray, rows: int, dtype=np.float64
                ) -> Iterator[tuple[slice, np.ndarray]]:
    """Consecutive blocks of ``rows`` database rows (the last may be shorter) as ``dtype``."""
    n = database.shape[0]
    for start in range(0, n, rows):
        span = slice(start, min(start + rows, n))
        yield span, np.asarray(database[span], dtype=dtype)


def _chunk_rows(dimension: int) -> int:
    """Rows of a float64 block within CHUNK_BYTES."""
    return max(1, CHUNK_BYTES // (8 * max(dimension, 1)))


def _apply(query, database, metric: str, teaching: bool = False) -> np.ndarray:
    """Score every query against every row block by block; shape the result."""
    caller = _FUNCTIONS[metric]
    q, x, single = _prepare(query, database, caller, 2 if metric == "correlation" else 1)
    if teaching:
        out = pairwise_scores(q, x, metric)
    else:
        out = np.empty((q.shape[0], x.shape[0]), dtype=np.float64)
        for span, rows in _row_blocks(x, _chunk_rows(x.shape[1])):
            out[:, span] = _BLOCKS[metric](q, rows)
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


def cosine_similarities(query, database, teaching: bool = False) -> np.ndarray:
    """Cosine similarity of a query with every database row: ``q·x / (‖q‖ ‖x‖)``.

    Parameters
    ----------
    query : array_like, shape (D,) or (Q, D)
        One query vector or one per row.
    database : array_like, shape (N, D)
        One vector per row (for example one image's features per row).
    teaching : bool
        Compute pair by pair with :func:`linalg_basics.cosine_similarity` (slow, readable).

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
    return _apply(query, database, "cosine", teaching)


def correlations(query, database, teaching: bool = False) -> np.ndarray:
    """Pearson correlation of a query with every database row.

    ``r = Σ (q_i − q̄)(x_i − x̄) / √(Σ (q_i − q̄)² · Σ (x_i − x̄)²)``, computed as the cosine
    similarity of the two centred vectors (the numerically stable two-pass form, never the
    one-pass ``nΣqx − ΣqΣx`` formula, which cancels badly for large values).

    Parameters
    ----------
    query : array_like, shape (D,) or (Q, D)
    database : array_like, shape (N, D)
        Vectors of at least two values.
    teaching : bool
        Compute pair by pair with :func:`linalg_basics.correlation` (slow, readable).

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
    return _apply(query, database, "correlation", teaching)


# ---------------------------------------------------------------- distances (lower is better)


def l1_distances(query, database, teaching: bool = False) -> np.ndarray:
    """Sum of absolute differences (L1, "city block") between a query and every row.

    Parameters
    ----------
    query : array_like, shape (D,) or (Q, D)
    database : array_like, shape (N, D)
    teaching : bool
        Compute pair by pair from :func:`linalg_basics.subtract_vectors` (slow, readable).

    Returns
    -------
    numpy.ndarray of float64, shape (N,) or (Q, N)
        ``Σ_i |q_i − x_i|``, zero for identical vectors; lower is better.

    Examples
    --------
    >>> l1_distances([0, 0], [[1, 2], [-3, 0], [0, 0]])
    array([3., 3., 0.])
    >>> l1_distances([0, 0], [[1, 2], [-3, 0], [0, 0]], teaching=True)  # through linalg_basics
    array([3., 3., 0.])
    >>> import numpy as np
    >>> pixels = np.array([[10, 200]], dtype=np.uint8)  # no uint8 wrap-around
    >>> l1_distances(np.array([200, 10], dtype=np.uint8), pixels)
    array([380.])
    """
    return _apply(query, database, "l1", teaching)


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
    return _apply(query, database, "l2")



# ---------------------------------------------------------------- one block of scores per metric


def _cosine_block(q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return np.clip(_dots(_unit_rows(q), _unit_rows(rows)), -1.0, 1.0)


def _correlation_block(q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return np.clip(_dots(_unit_rows(_centred(q)), _unit_rows(_centred(rows))), -1.0, 1.0)


def _l1_block(q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return np.stack([np.abs(rows - one).sum(axis=1) for one in q])


def _l2_block(q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    out = np.empty((q.shape[0], rows.shape[0]))
    for i, one in enumerate(q):
        diff = rows - one
        out[i] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    return out


_BLOCKS: dict[str, Callable] = {"cosine": _cosine_block, "correlation": _correlation_block,
                                "l1": _l1_block, "l2": _l2_block}
_FUNCTIONS = {"cosine": "cosine_similarities", "correlation": "correlations",
              "l1": "l1_distances", "l2": "l2_distances"}


# ---------------------------------------------------------------- ranking: the k best rows


def top_k(queries, database, k: int, metric: str = "cosine",
          inverse_norms: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best database rows for every query, best first: ``(rows, scores)``.

    The database is scored a block of rows at a time (at most :data:`SEARCH_ROWS` rows and
    :data:`SCORE_BYTES` of scores; float64 copies within :data:`CHUNK_BYTES`) and only the
    k best of each block are kept, so memory stays bounded (a memory map is paged in block
    by block). Cosine over a **float32** database takes a fast path: one float32 matrix
    product per block, scaled by inverse row norms computed once; its scores differ from
    :func:`cosine_similarities` by a few 1e-7 (at most ``D * 2**-24``), which reorders only
    scores equal to that precision. Every other case uses the float64 functions above.

    Parameters
    ----------
    queries : array_like, shape (D,) or (Q, D)
    database : array_like, shape (N, D)
    k : int
        How many rows (fewer when the database has fewer than ``k``).
    metric : {"cosine", "correlation", "l1", "l2"}
        The direction follows :func:`higher_is_better`.
    inverse_norms : numpy.ndarray, optional
        The fast path's float32 ``1 / ‖row‖`` (0 for zero rows), cached by a caller that
        searches one database often (``retrieval._top_k.inverse_row_norms``).

    Returns
    -------
    rows : numpy.ndarray of int, shape (k,) or (Q, k)
    scores : numpy.ndarray of float64, shape (k,) or (Q, k)
        Equal scores are ranked by row (the lower row first).

    Examples
    --------
    >>> rows, scores = top_k([0, 0], [[3, 4], [1, 0], [0, 1], [0, 0]], k=3, metric="l2")
    >>> rows, scores
    (array([3, 1, 2]), array([0., 1., 1.]))
    """
    k = check_positive_int(k, "k", "top_k")
    higher = higher_is_better(metric)
    if metric not in _BLOCKS:
        raise ValueError(f"top_k: metric must be one of {tuple(_BLOCKS)}; got {metric!r}")
    x = _as_matrix(database, "database", "top_k", check_finite=False)
    q, _, single = _prepare(queries, x[:0], "top_k", 2 if metric == "correlation" else 1)
    k = min(k, x.shape[0])
    if k == 0:
        raise ValueError("top_k: the database is empty")
    scorer, step = _scorer(q, x, metric, inverse_norms)
    found_rows, found_scores = [], []
    for start in range(0, x.shape[0], step):
        block = scorer(start, min(start + step, x.shape[0]))  # (rows, queries)
        if not np.isfinite(block).all():
            raise ValueError("top_k: the database contains NaN or infinity (or overflows)")
        rows, scores = block_top_k(block, k, higher)
        found_rows.append(rows + start)
        found_scores.append(scores)
    rows, scores = merge_top_k(found_rows, found_scores, k, higher)
    scores = scores.astype(np.float64)
    if metric == "cosine":  # float32 rounding can step just outside [-1, 1]
        scores = np.clip(scores, -1.0, 1.0)
    return (rows[0], scores[0]) if single else (rows, scores)


def _scorer(q: np.ndarray, x: np.ndarray, metric: str, inverse_norms: np.ndarray | None):
    """``(score(start, stop) -> (rows, Q) block, rows per block)`` for :func:`top_k`.

    Rows of the database run down the block and queries across: ``rows @ queries.T`` is the
    faster orientation of the matrix product for BLAS.
    """
    by_bytes = max(1, SCORE_BYTES // (8 * len(q)))
    if metric == "cosine" and x.dtype == np.float32:
        return cosine_float32_scorer(q, x, inverse_norms), min(SEARCH_ROWS, 2 * by_bytes)
    score = _BLOCKS[metric]
    return (lambda start, stop: score(q, np.asarray(x[start:stop], np.float64)).T,
            min(SEARCH_ROWS, by_bytes, _chunk_rows(x.shape[1])))
