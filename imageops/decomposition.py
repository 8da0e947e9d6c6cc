"""Splitting a matrix: Q = UΣ, the SVD A = UΣVᵀ, and SVD background removal in a video.

=================================================  ===========================================
``split_columns(Q)``                               ``Q = U @ diag(sigma)``, unit columns in U
``randomized_svd(A, rank)``                        the ``rank`` largest singular triplets, fast
``svd_background(frames, rank=1)``                 static background and moving foreground
``foreground_mask(foreground)``                    where the foreground is, as booleans
=================================================  ===========================================

The lecture splits a matrix into a matrix of directions and a diagonal matrix of lengths:
each column ``q_j`` of ``Q`` becomes ``sigma_j * u_j`` with ``sigma_j = ‖q_j‖`` (the
``vector_length`` of layer 1) and ``u_j = q_j / sigma_j`` of length 1. The singular value
decomposition goes one step further: ``A = U Σ Vᵀ`` with orthonormal columns in both ``U``
and ``V`` and the singular values in ``Σ``, largest first.

In a video from a still camera every frame is one long vector of pixels. The background is
the same in every frame, so the frames are nearly multiples of one vector: keeping the
``rank`` largest singular values rebuilds the background, and what is left over is what
moves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg
from tqdm import tqdm

from linalg_basics import vector_length

__all__ = ["foreground_mask", "randomized_svd", "split_columns", "svd_background",
           "synthetic_video"]


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

def _bar(total: int, progress: bool | None, description: str, auto: bool) -> tqdm:
    show = auto if progress is None else bool(progress)
    return tqdm(total=total, desc=description, unit="step", disable=not show)


def _orthonormal(Y: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the columns of ``Y`` (economic QR; SciPy's is the fast one)."""
    return scipy.linalg.qr(Y, mode="economic", check_finite=False)[0]


def randomized_svd(A: Any, rank: int, n_oversamples: int = 10, n_iter: int | str = "auto",
                   seed: int | None = None, progress: bool | None = False
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
        A tqdm bar over the passes through ``A``; ``None`` shows it for large matrices.

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
    if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) \
            or not 1 <= rank <= min(m, n):
        raise ValueError(f"randomized_svd needs an integer rank between 1 and min(m, n) = "
                         f"{min(m, n)}, got {rank!r}")
    if isinstance(n_oversamples, bool) or not isinstance(n_oversamples, (int, np.integer)) \
            or n_oversamples < 0:
        raise ValueError(f"randomized_svd needs n_oversamples >= 0, got {n_oversamples!r}")
    if isinstance(n_iter, str) and n_iter == "auto":
        n_iter = 7 if rank < 0.1 * min(m, n) else 4
    elif isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)) or n_iter < 0:
        raise ValueError(f"randomized_svd needs n_iter >= 0 or 'auto', got {n_iter!r}")
    if not np.isfinite(A).all():
        raise ValueError("randomized_svd needs finite numbers, got NaN or infinity")

    width = min(rank + n_oversamples, min(m, n))
    rng = np.random.default_rng(seed)
    omega = rng.standard_normal((n, width)).astype(dtype)
    with _bar(2 * n_iter + 2, progress, "randomized SVD", auto=A.size > 10**7) as bar:
        Q = _orthonormal(A @ omega)                         # m x width, range of A
        bar.update()
        for _ in range(n_iter):                             # power iterations, kept stable
            Z = _orthonormal(A.T @ Q)
            bar.update()
            Q = _orthonormal(A @ Z)
            bar.update()
        B = Q.T @ A                                          # width x n, small
        bar.update()
    # SVD of the small matrix B. When B is wide, first B.T = Q2 R (fast), then SVD of R.T.
    if B.shape[1] > B.shape[0]:
        Q2, R = scipy.linalg.qr(B.T, mode="economic", check_finite=False)
        Ub, s, Vr = np.linalg.svd(R.T)
        Vt = (Q2 @ Vr.T).T
    else:
        Ub, s, Vt = np.linalg.svd(B, full_matrices=False)
    return Q @ Ub[:, :rank], s[:rank], Vt[:rank]


# --------------------------------------------------------------------------- video background

def _as_frames(frames: Any, caller: str) -> np.ndarray:
    frames = np.asarray(frames)
    colour = frames.ndim == 4 and frames.shape[-1] == 3
    if not (frames.ndim == 3 or colour) or 0 in frames.shape:
        raise ValueError(f"{caller} needs frames of shape (T, H, W) or (T, H, W, 3), "
                         f"got shape {frames.shape}")
    if not (np.issubdtype(frames.dtype, np.number) or frames.dtype == bool):
        raise ValueError(f"{caller} needs numeric frames, got dtype {frames.dtype}")
    return frames


def svd_background(frames: Any, rank: int = 1, method: str = "randomized",
                   progress: bool | None = None, seed: int | None = 0
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Split a still-camera video into its background and its moving foreground.

    Every frame becomes one row of a matrix ``M`` of shape (T, pixels) (the lecture puts
    the frames in columns: that is ``Mᵀ``, with the same singular values). The background
    is the best rank-``rank`` approximation ``U_r Σ_r V_rᵀ`` of ``M`` (the ``rank`` largest
    singular values kept); the foreground is what is left, ``frames - background``.

    Parameters
    ----------
    frames : array_like, shape (T, H, W) or (T, H, W, 3)
        Gray or colour frames, any numeric dtype (uint8 from ``load_frames``).
    rank : int, default 1
        Singular values kept for the background. 1 suits a still scene; a slowly changing
        light may need 2 or 3.
    method : {"randomized", "full"}
        ``"randomized"``: :func:`randomized_svd`, fast; ``"full"``: ``numpy.linalg.svd``.
    progress : bool or None
        A tqdm bar; ``None`` shows it for 100 frames or more, ``False`` hides it.
    seed : int or None, default 0
        Seed of the randomized method (so that two runs give the same background).

    Returns
    -------
    background, foreground : numpy.ndarray, float32, the shape of ``frames``
        ``background + foreground`` equals the frames (up to float32 rounding).
        ``foreground`` is signed: darker or lighter than the background.

    Notes
    -----
    The work is done in float32: the frames take 4 bytes per value in memory, three times
    over (the frames, the background, the foreground). Something that stays still for
    a large part of the video becomes background; something that moves leaves a faint
    "ghost" in the background of the pixels it crossed, about its contrast times the
    fraction of the frames it covered them.

    Examples
    --------
    Three frames of a flat gray scene and a bright dot that moves:

    >>> frames = np.full((3, 4, 4), 100, dtype=np.uint8)
    >>> for t in range(3):
    ...     frames[t, 1, t] = 250
    >>> background, foreground = svd_background(frames, rank=1, progress=False)
    >>> background.shape, background.dtype
    ((3, 4, 4), dtype('float32'))
    >>> bool(np.abs(background[:, 3, 3] - 100).max() < 2)
    True
    >>> np.argwhere(foreground > 50).tolist()
    [[0, 1, 0], [1, 1, 1], [2, 1, 2]]
    """
    frames = _as_frames(frames, "svd_background")
    if method not in ("randomized", "full"):
        raise ValueError(f"svd_background: method must be 'randomized' or 'full', "
                         f"got {method!r}")
    M = frames.reshape(frames.shape[0], -1).astype(np.float32)
    if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) \
            or not 1 <= rank <= min(M.shape):
        raise ValueError(f"svd_background needs an integer rank between 1 and "
                         f"min(frames, pixels) = {min(M.shape)}, got {rank!r}")
    show = frames.shape[0] >= 100 if progress is None else bool(progress)
    if method == "randomized":
        U, s, Vt = randomized_svd(M, rank, seed=seed, progress=show)
    else:
        with _bar(1, show, "full SVD", auto=False) as bar:
            U, s, Vt = np.linalg.svd(M, full_matrices=False)
            bar.update()
        U, s, Vt = U[:, :rank], s[:rank], Vt[:rank]
    background = (U * s) @ Vt
    foreground = np.subtract(M, background, out=M)
    return background.reshape(frames.shape), foreground.reshape(frames.shape)


def _otsu(values: np.ndarray, bins: int = 256) -> float:
    """Otsu's threshold: the cut of a histogram that maximises the between-class variance."""
    counts, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    weights = np.cumsum(counts).astype(np.float64)
    sums = np.cumsum(counts * centres)
    low_weight, low_sum = weights[:-1], sums[:-1]          # bins 0..i below the cut
    with np.errstate(divide="ignore", invalid="ignore"):
        low_mean = low_sum / low_weight
        high_mean = (sums[-1] - low_sum) / (weights[-1] - low_weight)
        between = low_weight * (weights[-1] - low_weight) * (low_mean - high_mean) ** 2
    between = np.nan_to_num(between, nan=-1.0)
    return float(edges[1 + np.argmax(between)])


def foreground_mask(foreground: Any, threshold: float | str | None = None) -> np.ndarray:
    """Mark the pixels where the foreground is strong: ``magnitude > threshold``.

    Parameters
    ----------
    foreground : array_like, shape (T, H, W), (H, W), (T, H, W, 3)
        The foreground from :func:`svd_background` (signed). A 4-D array is colour: the
        magnitude of a pixel is the length of its colour difference,
        ``sqrt(r² + g² + b²)``; otherwise it is the absolute value.
    threshold : float, "otsu", "mad" or None
        A number: the magnitude above which a pixel is foreground (same scale as the
        frames). ``None`` (the default) or ``"mad"``: a robust noise rule,
        ``median + 5 * 1.4826 * MAD`` of the magnitudes, about 5 standard deviations of the
        noise above its middle (most pixels are background, so their spread measures the
        noise). ``"otsu"``: Otsu's threshold on the magnitudes (the cut of their 256-bin
        histogram that best separates two classes).

    Returns
    -------
    numpy.ndarray of bool
        The shape of ``foreground`` without the colour axis.

    Notes
    -----
    The MAD rule only needs the still pixels to be more than half of all pixels; it keeps
    weak foreground, and also the strongest ghosts that moving objects leave in the
    background (see :func:`svd_background`). Otsu's rule needs two populations, still and
    moving pixels, and cuts between them: it keeps only strong foreground (few false alarms,
    more misses), and with no foreground at all it still splits the noise in two. Frames
    without noise (synthetic ones) leave nothing for the MAD to measure: give a number.

    Examples
    --------
    >>> fg = np.array([[0.5, -1.0, 80.0], [1.0, -90.0, 0.0]])
    >>> foreground_mask(fg).astype(int).tolist()
    [[0, 0, 1], [0, 1, 0]]
    >>> foreground_mask(fg, threshold=0.75).astype(int).tolist()
    [[0, 1, 1], [1, 1, 0]]
    """
    foreground = np.asarray(foreground)
    if foreground.ndim not in (2, 3, 4) or 0 in foreground.shape or \
            (foreground.ndim == 4 and foreground.shape[-1] != 3):
        raise ValueError("foreground_mask needs a foreground of shape (H, W), (T, H, W) or "
                         f"(T, H, W, 3), got shape {foreground.shape}")
    if not np.issubdtype(foreground.dtype, np.number):
        raise ValueError(f"foreground_mask needs numbers, got dtype {foreground.dtype}")
    values = foreground.astype(np.float32, copy=False)
    if foreground.ndim == 4:
        magnitude = np.sqrt(np.einsum("...c,...c->...", values, values))
    else:
        magnitude = np.abs(values)
    if isinstance(threshold, str) and threshold == "otsu":
        threshold = _otsu(magnitude.ravel())
    elif threshold is None or (isinstance(threshold, str) and threshold == "mad"):
        middle = float(np.median(magnitude))
        mad = float(np.median(np.abs(magnitude - middle)))
        threshold = middle + 5 * 1.4826 * mad
    elif isinstance(threshold, str) or not np.isscalar(threshold) \
            or not np.isfinite(threshold):
        raise ValueError(f"foreground_mask: threshold must be a number, 'otsu', 'mad' or "
                         f"None, got {threshold!r}")
    return magnitude > threshold


def synthetic_video(background: Any, cutout: Any, mask: Any, n_frames: int = 60,
                    noise: float = 2.0, drift: float = 0.03, crossings: tuple[int, int] = (2, 3),
                    seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A still-camera video with a known foreground: a cut-out moving over a photo.

    The cut-out (its pixels where ``mask`` is true) is pasted on the background at a
    position that bounces between the edges of the frame, ``crossings[0]`` times from top to
    bottom and ``crossings[1]`` times from left to right over the video. Every frame is then
    multiplied by a slow brightness ramp from ``1 - drift`` to ``1 + drift``, Gaussian noise
    of standard deviation ``noise`` is added, and it is rounded and clipped to uint8.

    Parameters
    ----------
    background : array_like, shape (H, W) or (H, W, 3)
        The still scene.
    cutout : array_like, shape (h, w) or (h, w, 3)
        The moving object; a gray cut-out on a colour background is repeated in 3 channels.
    mask : array_like of bool, shape (h, w)
        Which pixels of ``cutout`` belong to the object.
    n_frames : int, default 60
    noise : float, default 2.0
        Standard deviation of the added Gaussian noise, in gray levels.
    drift : float, default 0.03
        Relative brightness change from the middle to either end of the video.
    crossings : (int, int), default (2, 3)
        How many times the object crosses the frame vertically and horizontally.
    seed : int or None
        Seed of the noise.

    Returns
    -------
    frames : numpy.ndarray of uint8, shape (n_frames, H, W) or (n_frames, H, W, 3)
    truth : numpy.ndarray of bool, shape (n_frames, H, W)
        Where the object is in each frame.

    Examples
    --------
    >>> background = np.full((20, 30), 50, dtype=np.uint8)
    >>> coin = np.full((5, 5), 200, dtype=np.uint8)
    >>> frames, truth = synthetic_video(background, coin, np.ones((5, 5), bool), n_frames=8,
    ...                                 seed=0)
    >>> frames.shape, truth.shape, int(truth[0].sum())
    ((8, 20, 30), (8, 20, 30), 25)
    >>> bool(truth[0, 0, 0]) and bool(truth[-1, 0, -1])       # corner to corner
    True
    """
    background = np.asarray(background, dtype=np.float64)
    cutout = np.asarray(cutout, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    if background.ndim not in (2, 3) or cutout.shape[:2] != mask.shape or mask.ndim != 2:
        raise ValueError(f"synthetic_video needs a (H, W[, 3]) background and a cut-out with "
                         f"a mask of its (h, w) shape, got {background.shape}, {cutout.shape} "
                         f"and {mask.shape}")
    (H, W), (h, w) = background.shape[:2], mask.shape
    if h > H or w > W:
        raise ValueError(f"synthetic_video: the cut-out {mask.shape} is larger than the "
                         f"background {background.shape[:2]}")
    if background.ndim == 3 and cutout.ndim == 2:
        cutout = np.repeat(cutout[..., None], background.shape[2], axis=2)
    if cutout.ndim != background.ndim:
        raise ValueError(f"synthetic_video: a gray background needs a gray cut-out, got "
                         f"{cutout.shape}")
    rng = np.random.default_rng(seed)
    frames = np.empty((n_frames,) + background.shape, dtype=np.uint8)
    truth = np.zeros((n_frames, H, W), dtype=bool)
    phase = np.linspace(0.0, 1.0, n_frames)
    for t in range(n_frames):
        bounce = 1 - np.abs(np.array(crossings) * phase[t] % 2 - 1)      # 0 -> 1 -> 0 ...
        row, col = np.rint(bounce * [H - h, W - w]).astype(int)
        frame = background.copy()
        window = frame[row:row + h, col:col + w]
        window[mask] = cutout[mask]
        truth[t, row:row + h, col:col + w] = mask
        frame *= 1 + drift * (2 * phase[t] - 1)
        frame += rng.normal(0.0, noise, frame.shape)
        frames[t] = np.clip(np.rint(frame), 0, 255)
    return frames, truth
