"""The background of a still-camera video: a low-rank SVD fit, plain or robust to what moves.

=================================================  ===========================================
``svd_background(frames, rank=1)``                 background and foreground of every frame
``BackgroundSplit``                                what it returns; ``.image`` is one picture
=================================================  ===========================================

In a video from a still camera every frame is one long vector of pixels. The background is
the same in every frame, so the frames are nearly multiples of one vector: keeping the
``rank`` largest singular values rebuilds the background, and what is left over is what
moves. A least-squares fit is pulled by everything, the moving objects too: they leave a
"ghost" along their path. The robust method leaves the pixels that do not fit out of the
fit and fits again, until the background is made of background pixels only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._inputs import check_positive_int, progress_bar, show_progress
from .decomposition import _orthonormal, _sketch_svd, _svd_in_range

__all__ = ["BackgroundSplit", "svd_background"]

METHODS = ("robust", "randomized", "full")
_OVERSAMPLES, _POWER = 4, 2          # the sketch: rank + 4 columns, 2 power iterations
_TILE = 1 << 16                      # values per tile in the robust rounds (fits a cache)


class BackgroundSplit(tuple):
    """``(background, foreground)`` of :func:`svd_background`, with one background picture.

    It unpacks as a pair, ``background, foreground = svd_background(frames)``, and also has:

    Attributes
    ----------
    background, foreground : numpy.ndarray, float32, the shape of the frames
    image : numpy.ndarray
        One background picture (H, W) or (H, W, 3): the background averaged over the frames,
        clipped to 0..255 and rounded to uint8 when the frames were uint8 (the dtype of the
        frames otherwise, clipped to their range).
    """

    def __new__(cls, background: np.ndarray, foreground: np.ndarray,
                dtype: np.dtype, low: float, high: float) -> BackgroundSplit:
        split = super().__new__(cls, (background, foreground))
        split._dtype, split._range = np.dtype(dtype), (low, high)
        return split

    @property
    def background(self) -> np.ndarray:
        return self[0]

    @property
    def foreground(self) -> np.ndarray:
        return self[1]

    @property
    def image(self) -> np.ndarray:
        picture = np.clip(self[0].mean(axis=0), *self._range)
        if self._dtype.kind in "iub":
            picture = np.rint(picture)
        return picture.astype(self._dtype)


def _as_frames(frames: Any, caller: str) -> np.ndarray:
    frames = np.asarray(frames)
    if not (np.issubdtype(frames.dtype, np.number) or frames.dtype == bool):
        raise TypeError(f"{caller} needs numeric frames, got dtype {frames.dtype}")
    colour = frames.ndim == 4 and frames.shape[-1] == 3
    if not (frames.ndim == 3 or colour) or 0 in frames.shape:
        raise ValueError(f"{caller} needs frames of shape (T, H, W) or (T, H, W, 3), "
                         f"got shape {frames.shape}")
    if frames.dtype.kind == "f" and not np.isfinite(frames).all():
        raise ValueError(f"{caller}: the frames hold NaN or infinite values")
    return frames


def _range_of(frames: np.ndarray) -> tuple[float, float]:
    if frames.dtype == np.uint8:
        return 0.0, 255.0
    return float(frames.min()), float(frames.max())


def _plain(M: np.ndarray, rank: int, method: str, seed: int | None, bar: Any
           ) -> tuple[np.ndarray, np.ndarray]:
    """The least-squares fit: ``L @ R`` with ``L = U_r Σ_r`` (T, r), ``R = V_rᵀ`` (r, P)."""
    if method == "full":
        U, s, Vt = np.linalg.svd(M, full_matrices=False)
        bar.update(2 * _POWER + 2)
        return U[:, :rank] * s[:rank], Vt[:rank]
    width = min(rank + _OVERSAMPLES, min(M.shape))
    omega = np.random.default_rng(seed).standard_normal((M.shape[1], width), np.float32)
    U, s, Vt = _sketch_svd(M, omega, rank, _POWER, bar)
    return U * s, Vt


def _product(L: np.ndarray, R: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``L @ R`` for a few columns of L: as sums of outer products (BLAS is slow at k = 1)."""
    out = np.multiply(L[:, :1], R[:1], out=out)
    for j in range(1, L.shape[1]):
        out += L[:, j:j + 1] * R[j:j + 1]
    return out


def _tiles(shape: tuple[int, int]) -> list[tuple[slice, slice]]:
    """Tiles of about _TILE values of a (T, P) matrix: the work of a round stays in cache."""
    rows = min(shape[0], 16)
    cols = max(1, _TILE // rows)
    return [(slice(r, r + rows), slice(c, c + cols))
            for r in range(0, shape[0], rows) for c in range(0, shape[1], cols)]


def _noise_limit(misfit: np.ndarray, M: np.ndarray, cut: float) -> float:
    """``cut`` deviations of the noise (MAD of the misfits), never 0 for noiseless frames."""
    values = misfit.reshape(-1)[::max(1, misfit.size // 10**6)]
    scale = float(np.sqrt(np.mean(M[::max(1, len(M) // 32), ::97] ** 2)))
    return cut * max(1.4826 * float(np.median(np.abs(values))), 1e-4 * scale)


def _robust(M: np.ndarray, L: np.ndarray, R: np.ndarray, rounds: int, cut: float,
            bar: Any) -> tuple[np.ndarray, np.ndarray]:
    """Refit ``L @ R`` with the values that do not fit it left out (replaced by the fit).

    First every pixel's fit moves by its median misfit over (a sample of) the frames, which
    takes off the ghost of an object that covered the pixel in less than half of them. Then,
    ``rounds`` times: the values further than ``cut`` noise deviations from the fit are
    replaced by the fit, and the rank-r SVD of that filled matrix, warm-started from the
    previous fit (one product ``filled @ Rᵀ``, made tile by tile), is the new fit.
    """
    rank = R.shape[0]
    sample = slice(None, None, max(1, M.shape[0] // 32))
    misfit = M[sample] - _product(L[sample], R)
    offset = np.median(np.ascontiguousarray(misfit.T), axis=1)        # (P,): minus the ghost
    L, R = np.hstack([L, np.ones((len(L), 1), L.dtype)]), np.vstack([R, offset])
    limit = _noise_limit(misfit - offset, M, cut)
    filled = np.empty_like(M)
    tiles = _tiles(M.shape)
    for _ in range(rounds):
        Y = np.zeros((M.shape[0], R.shape[0]), M.dtype)
        for rows, cols in tiles:
            values, out = M[rows, cols], filled[rows, cols]
            fit = _product(L[rows], R[:, cols])
            outside = np.abs(np.subtract(values, fit, out=out), out=out) > limit
            np.copyto(out, values)
            np.copyto(out, fit, where=outside)
            Y[rows] += out @ R[:, cols].T
        bar.update()
        U, s, Vt = _svd_in_range(filled, _orthonormal(Y), rank)
        bar.update()
        L, R = U * s, Vt
    return L, R


def svd_background(frames: Any, rank: int = 1, method: str = "robust",
                   progress: bool | None = None, seed: int | None = 0, rounds: int = 1,
                   cut: float = 3.0) -> BackgroundSplit:
    """Split a still-camera video into its background and its moving foreground.

    Every frame becomes one row of a matrix ``M`` of shape (T, pixels) (the lecture puts
    the frames in columns: that is ``Mᵀ``, with the same singular values). The background
    is a rank-``rank`` matrix ``U_r Σ_r V_rᵀ`` close to ``M``; the foreground is what is
    left, ``frames - background``.

    Parameters
    ----------
    frames : array_like, shape (T, H, W) or (T, H, W, 3)
        Gray or colour frames, any numeric dtype (uint8 from ``load_frames``).
    rank : int, default 1
        Singular values kept for the background. 1 suits a still scene whose brightness
        drifts; light that changes in a more complex way may need 2 or 3.
    method : {"robust", "randomized", "full"}
        The lecture's plain SVD, the best rank-``rank`` approximation in least squares:
        ``"full"`` with ``numpy.linalg.svd`` (slow), ``"randomized"`` with a float32 random
        sketch of ``rank + 4`` columns and 2 power iterations (as :func:`randomized_svd`,
        fast). ``"robust"`` (the default): the randomized fit, then the ghost-free refit
        described in the Notes.
    progress : bool or None
        A tqdm bar over the passes through the frames; ``None`` shows it for 50 frames or
        more, ``False`` hides it.
    seed : int or None, default 0
        Seed of the random sketch (so that two runs give the same background).
    rounds : int, default 1
        Refits of the robust method after its median start; more rarely change the result.
    cut : float, default 3.0
        The robust method leaves out the values further than ``cut`` noise deviations from
        the background. Lower leaves out more noise (harmless) and fainter objects; higher
        lets faint objects pull the background.

    Returns
    -------
    BackgroundSplit
        The pair ``(background, foreground)``: float32 arrays of the shape of ``frames``,
        with ``background + foreground == frames`` (up to float32 rounding) and a signed
        ``foreground``. Its ``.image`` is one background picture, uint8 for uint8 frames.

    Notes
    -----
    A least-squares fit is pulled by everything it fits. Something that moves leaves a
    "ghost" in the plain background of the pixels it crossed, about its contrast times the
    fraction of the frames it covered them; something that stays still long enough becomes
    background. The robust method is in the spirit of robust PCA (Candès, Li, Ma and
    Wright, 2011), which splits ``M`` into a low-rank part and a sparse part. It moves each
    pixel's fit by its median misfit over the frames (all of them, or an even sample of 32
    to 63 in a longer video): the ghost of an object that covered the pixel in less than
    half of the frames goes. Then, ``rounds`` times, it replaces the values further than
    ``cut`` noise deviations from the fit by the fit and takes the rank-``rank`` SVD of
    that filled matrix again (warm-started: two passes). The noise deviation is measured
    once, by the MAD of the misfits. When nothing moves, only noise beyond ``cut``
    deviations is replaced, and the two methods agree to a small part of the noise. The
    work is done in float32: the frames take 4 bytes per value, three times over (frames,
    background, foreground; four with the robust method).

    References
    ----------
    E. J. Candès, X. Li, Y. Ma, J. Wright, "Robust principal component analysis?",
    Journal of the ACM 58 (2011), article 11.

    Examples
    --------
    Three frames of a flat gray scene and a bright dot that moves:

    >>> import numpy as np
    >>> from imageops import svd_background
    >>> frames = np.full((3, 4, 4), 100, dtype=np.uint8)
    >>> for t in range(3):
    ...     frames[t, 1, t] = 250
    >>> background, foreground = svd_background(frames, method="randomized", progress=False)
    >>> background.shape, background.dtype
    ((3, 4, 4), dtype('float32'))
    >>> np.argwhere(foreground > 50).tolist()
    [[0, 1, 0], [1, 1, 1], [2, 1, 2]]
    >>> int(background[0, 1, 1].round())                          # the plain fit: a ghost
    150

    The robust fit has no ghost, and one picture of the background:

    >>> split = svd_background(frames, progress=False)
    >>> int(split.background[0, 1, 1].round())
    100
    >>> split.image.dtype, split.image.shape, int(split.image.max())
    (dtype('uint8'), (4, 4), 100)
    """
    frames = _as_frames(frames, "svd_background")
    if method not in METHODS:
        raise ValueError(f"svd_background: method must be one of {', '.join(METHODS)}; "
                         f"got {method!r}")
    rank = check_positive_int(rank, "rank", "svd_background")
    rounds = check_positive_int(rounds, "rounds", "svd_background")
    if rank > min(frames.shape[0], frames[0].size):
        raise ValueError(f"svd_background: rank must be between 1 and min(frames, pixels) = "
                         f"{min(frames.shape[0], frames[0].size)}, got {rank}")
    M = frames.reshape(frames.shape[0], -1).astype(np.float32)
    passes = 2 * _POWER + 2 + (2 * rounds if method == "robust" else 0)
    show = show_progress(progress, frames.shape[0])
    with progress_bar(passes, show, "SVD background", unit="pass") as bar:
        L, R = _plain(M, rank, "full" if method == "full" else "randomized", seed, bar)
        if method == "robust":
            L, R = _robust(M, L, R, rounds, cut, bar)
    background = _product(L, R)
    foreground = np.subtract(M, background, out=M)
    return BackgroundSplit(background.reshape(frames.shape), foreground.reshape(frames.shape),
                           frames.dtype, *_range_of(frames))
