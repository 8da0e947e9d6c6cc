"""Splitting a matrix: Q = UΣ (unit columns and their lengths) and the randomized SVD.

=================================================  ===========================================
``split_columns(Q)``                               ``Q = U @ diag(sigma)``, unit columns in U
``randomized_svd(A, rank)``                        the ``rank`` largest singular triplets, fast
=================================================  ===========================================

The lecture splits a matrix into a matrix of directions and a diagonal matrix of lengths:
each column ``q_j`` of ``Q`` becomes ``sigma_j * u_j`` with ``sigma_j = ‖q_j‖`` (the
``vector_length`` of layer 1) and ``u_j = q_j / sigma_j`` of length 1. The singular value
decomposition goes one step further: ``A = U Σ Vᵀ`` with orthonormal columns in both ``U``
and ``V`` and the singular values in ``Σ``, largest first. Its use on a video, the background
of a still camera, is in :mod:`imageops.background`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg

from linalg_basics import vector_length

from ._inputs import check_positive_int, progress_bar

__all__ = ["randomized_svd", "split_columns"]


def split_columns(Q: Any, teaching: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Split ``Q`` into unit columns and their lengths: ``Q = U @ diag(sigma)``.

    Parameters
    ----------
    Q : array_like, shape (m, n)
        A matrix (nested lists or an array) with no zero column.
    teaching : bool, default False
        Compute column by column in plain lists with ``linalg_basics.vector_length`` (the
        lecture's way) instead of NumPy; the results agree.

    Returns
    -------
    U : numpy.ndarray, shape (m, n)
        ``U[:, j] = Q[:, j] / sigma[j]``: every column has length 1.
    sigma : numpy.ndarray, shape (n,)
        The length of each column of ``Q``, ``sigma[j] = sqrt(sum_i Q[i, j]**2)``; it is the
        ``linalg_basics.vector_length`` of that column.

    Raises
    ------
    ValueError
        If ``Q`` is not a 2-D matrix of finite numbers or has a zero column (its direction
        is undefined).

    Notes
    -----
    Unlike the SVD, the columns of ``U`` are not orthogonal in general: this split only
    normalises each column on its own.

    Examples
    --------
    The lecture's example:

    >>> import numpy as np
    >>> from imageops import split_columns
    >>> U, sigma = split_columns([[3, 2], [4, 0]])
    >>> U.tolist(), sigma.tolist()
    ([[0.6, 1.0], [0.8, 0.0]], [5.0, 2.0])
    >>> bool(np.allclose(U @ np.diag(sigma), [[3, 2], [4, 0]]))
    True

    Each ``sigma[j]`` is the length of column ``j``:

    >>> from linalg_basics import vector_length
    >>> vector_length([3, 4]), vector_length([2, 0])
    (5.0, 2.0)
    >>> split_columns([[3, 2], [4, 0]], teaching=True)[1].tolist()
    [5.0, 2.0]
    """
    Q = np.asarray(Q, dtype=np.float64)
    if Q.ndim != 2 or 0 in Q.shape:
        raise ValueError(f"split_columns needs a non-empty 2-D matrix, got shape {Q.shape}")
    if not np.isfinite(Q).all():
        raise ValueError("split_columns needs finite numbers, got NaN or infinity")
    if teaching:
        sigma = np.array([vector_length(column) for column in Q.T.tolist()])
    else:
        sigma = np.sqrt((Q * Q).sum(axis=0))
    zero = np.flatnonzero(sigma == 0)
    if zero.size:
        raise ValueError(f"split_columns needs non-zero columns: column {int(zero[0])} "
                         "has length 0, so it has no direction")
    return Q / sigma, sigma


# --------------------------------------------------------------------------- randomized SVD

def _orthonormal(Y: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the columns of ``Y`` (economic QR; SciPy's is the fast one)."""
    return scipy.linalg.qr(Y, mode="economic", check_finite=False)[0]


def randomized_svd(A: Any, rank: int, n_oversamples: int = 10, n_iter: int | str = "auto",
                   seed: int | None = None, progress: bool | None = False,
                   start: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``rank`` largest singular values and vectors of ``A``, by random projection.

    The range finder of Halko, Martinsson and Tropp: multiply ``A`` by a random Gaussian
    matrix ``Ω`` with ``rank + n_oversamples`` columns, sharpen the result with power
    iterations ``Y ← A Aᵀ Y`` (re-orthonormalised by QR after every product, so that the
    small singular directions are not lost in rounding), take an orthonormal basis ``Q`` of
    ``Y``, and compute the exact SVD of the small matrix ``B = Qᵀ A``.

    Parameters
    ----------
    A : array_like, shape (m, n)
        The matrix. float32 input is computed in float32, anything else in float64.
    rank : int
        How many singular triplets to return, ``1 <= rank <= min(m, n)``.
    n_oversamples : int, default 10
        Extra random directions; they make the leading ``rank`` directions accurate.
    n_iter : int or "auto", default "auto"
        Power iterations. ``"auto"``: 7 when ``rank < 0.1 * min(m, n)``, else 4 (each
        iteration raises the singular values to a higher power, so a slowly decaying
        spectrum needs more).
    seed : int or None
        Seed of the random matrix; the same seed gives the same result.
    progress : bool or None, default False
        A tqdm bar over the passes through ``A``; ``None`` shows it when there are at least
        50 passes.
    start : array_like, shape (n, w), optional
        Start from ``A @ start`` instead of a random sketch: a previous estimate of the right
        singular vectors (``Vt.T``, with ``w >= rank``) makes a few more products enough to
        refine it (a warm start). ``n_oversamples`` and ``seed`` are then not used.

    Returns
    -------
    U : numpy.ndarray, shape (m, rank)
    s : numpy.ndarray, shape (rank,), decreasing
    Vt : numpy.ndarray, shape (rank, n)
        ``U @ np.diag(s) @ Vt`` is close to the best rank-``rank`` approximation of ``A``.

    Notes
    -----
    Each pass reads ``A`` once, and there are ``2 * n_iter + 2`` passes: for a tall or wide
    matrix and a small rank this costs far less than the full SVD. The error is random but
    small: with ``p = n_oversamples`` and ``q = n_iter`` power iterations, the expected
    spectral error ``‖A - U S Vt‖`` is at most about
    ``(1 + sqrt(k/(p-1)) + e sqrt(k+p) sqrt(min(m,n)-k) / p)^(1/(2q+1)) * s[k]``,
    where ``s[k]`` is the first singular value left out.

    References
    ----------
    N. Halko, P. G. Martinsson, J. A. Tropp, "Finding structure with randomness:
    probabilistic algorithms for constructing approximate matrix decompositions",
    SIAM Review 53 (2011), algorithms 4.4 and 5.1.

    Examples
    --------
    >>> import numpy as np
    >>> from imageops import randomized_svd
    >>> rng = np.random.default_rng(0)
    >>> A = rng.standard_normal((60, 5)) @ rng.standard_normal((5, 40))   # rank 5
    >>> U, s, Vt = randomized_svd(A, rank=5, seed=0)
    >>> U.shape, s.shape, Vt.shape
    ((60, 5), (5,), (5, 40))
    >>> bool(np.allclose(s, np.linalg.svd(A, compute_uv=False)[:5]))
    True
    >>> bool(np.allclose(U * s @ Vt, A))
    True
    """
    A = np.asarray(A)
    if A.ndim != 2 or 0 in A.shape:
        raise ValueError(f"randomized_svd needs a non-empty 2-D matrix, got shape {A.shape}")
    dtype = np.float32 if A.dtype == np.float32 else np.float64
    A = A.astype(dtype, copy=False)
    m, n = A.shape
    rank = check_positive_int(rank, "rank", "randomized_svd")
    if rank > min(m, n):
        raise ValueError(f"randomized_svd: rank must be between 1 and min(m, n) = "
                         f"{min(m, n)}, got {rank!r}")
    n_oversamples = check_positive_int(n_oversamples, "n_oversamples", "randomized_svd",
                                       minimum=0)
    if isinstance(n_iter, str) and n_iter == "auto":
        n_iter = 7 if rank < 0.1 * min(m, n) else 4
    else:
        n_iter = check_positive_int(n_iter, "n_iter", "randomized_svd", minimum=0)
    if not np.isfinite(A).all():
        raise ValueError("randomized_svd needs finite numbers, got NaN or infinity")

    if start is None:
        width = min(rank + n_oversamples, min(m, n))
        omega = np.random.default_rng(seed).standard_normal((n, width)).astype(dtype)
    else:
        omega = np.asarray(start, dtype=dtype)
        if omega.ndim != 2 or omega.shape[0] != n or not rank <= omega.shape[1] <= min(m, n):
            raise ValueError(f"randomized_svd: start must have shape ({n}, w) with {rank} <= "
                             f"w <= {min(m, n)}, got {omega.shape}")
    with progress_bar(2 * n_iter + 2, progress, "randomized SVD", unit="pass") as bar:
        return _sketch_svd(A, omega, rank, n_iter, bar)


def _sketch_svd(A: np.ndarray, omega: np.ndarray, rank: int, n_iter: int,
                bar: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The work of :func:`randomized_svd` on checked input: range of ``A @ omega``, then SVD."""
    tick = bar.update if bar is not None else (lambda: None)
    Q = _orthonormal(A @ omega)                             # m x width, range of A
    tick()
    for _ in range(n_iter):                                 # power iterations, kept stable
        Z = _orthonormal(A.T @ Q)
        tick()
        Q = _orthonormal(A @ Z)
        tick()
    U, s, Vt = _svd_in_range(A, Q, rank)
    tick()
    return U, s, Vt


def _svd_in_range(A: np.ndarray, Q: np.ndarray, rank: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The SVD of ``A`` restricted to the orthonormal columns ``Q``: of ``B = Qᵀ A``, small."""
    B = Q.T @ A                                             # width x n, small
    # When B is wide, first B.T = Q2 R (fast), then the SVD of the small R.T.
    if B.shape[1] > B.shape[0]:
        Q2, R = scipy.linalg.qr(B.T, mode="economic", check_finite=False)
        Ub, s, Vr = np.linalg.svd(R.T)
        Vt = (Q2 @ Vr.T).T
    else:
        Ub, s, Vt = np.linalg.svd(B, full_matrices=False)
    return Q @ Ub[:, :rank], s[:rank], Vt[:rank]
