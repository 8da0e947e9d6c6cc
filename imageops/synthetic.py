"""A still-camera video with a known foreground: a real cut-out moving over a real photo.

``synthetic_video(background, cutout, mask)`` pastes the cut-out along a path (a bouncing one,
or positions you give), adds a slow brightness drift and sensor noise, and returns the frames
with the true mask of every frame, so that a foreground detector can be scored (precision,
recall, F-measure). The tests, the benchmark and the figures of chapter 3 use it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._inputs import check_positive_int

__all__ = ["synthetic_video"]


def synthetic_video(background: Any, cutout: Any, mask: Any, n_frames: int = 60,
                    noise: float = 2.0, drift: float = 0.03, crossings: tuple[int, int] = (2, 3),
                    seed: int | None = None, positions: Any = None
                    ) -> tuple[np.ndarray, np.ndarray]:
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
    positions : array_like of int, shape (n_frames, 2), optional
        The (row, col) of the cut-out's top-left corner in every frame, instead of the
        bouncing path: an object that stops, or moves slowly, or leaves the frame part-way
        (positions may reach outside the frame; only the part inside is pasted).

    Returns
    -------
    frames : numpy.ndarray of uint8, shape (n_frames, H, W) or (n_frames, H, W, 3)
    truth : numpy.ndarray of bool, shape (n_frames, H, W)
        Where the object is in each frame.

    Examples
    --------
    >>> import numpy as np
    >>> from imageops import synthetic_video
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
    n_frames = check_positive_int(n_frames, "n_frames", "synthetic_video")
    phase = np.linspace(0.0, 1.0, n_frames)
    if positions is None:
        bounce = 1 - np.abs(np.outer(phase, crossings) % 2 - 1)            # 0 -> 1 -> 0 ...
        positions = np.rint(bounce * [H - h, W - w]).astype(int)
    positions = np.asarray(positions)
    if positions.shape != (n_frames, 2) or positions.dtype.kind not in "iu":
        raise ValueError(f"synthetic_video: positions must be integers of shape "
                         f"({n_frames}, 2), got {positions.dtype} {positions.shape}")
    rng = np.random.default_rng(seed)
    frames = np.empty((n_frames,) + background.shape, dtype=np.uint8)
    truth = np.zeros((n_frames, H, W), dtype=bool)
    for t, (row, col) in enumerate(positions.tolist()):
        frame = background.copy()
        _paste(frame, truth[t], cutout, mask, row, col)
        frame *= 1 + drift * (2 * phase[t] - 1)
        frame += rng.normal(0.0, noise, frame.shape)
        frames[t] = np.clip(np.rint(frame), 0, 255)
    return frames, truth


def _paste(frame: np.ndarray, truth: np.ndarray, cutout: np.ndarray, mask: np.ndarray,
           row: int, col: int) -> None:
    """Paste the part of the cut-out that falls inside the frame, and mark it in ``truth``."""
    (H, W), (h, w) = truth.shape, mask.shape
    top, left = max(row, 0), max(col, 0)
    bottom, right = min(row + h, H), min(col + w, W)
    if bottom <= top or right <= left:
        return                                              # wholly outside
    inside = (slice(top - row, bottom - row), slice(left - col, right - col))
    keep = mask[inside]
    frame[top:bottom, left:right][keep] = cutout[inside][keep]
    truth[top:bottom, left:right] = keep
