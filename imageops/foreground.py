"""Where the foreground is: a threshold measured on the noise, then a clean-up of the mask.

``foreground_mask(foreground)`` turns the signed foreground of :func:`svd_background` (frame
minus background) into booleans. The default rule measures the noise on the pixels that are
background and keeps what stands ``sigmas`` noise deviations above it; a majority vote over a
small window (the median filter of a mask) then removes the isolated pixels that pass by
chance and fills pin-holes in the objects.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.special
import scipy.stats
from scipy import ndimage as ndi

from ._inputs import check_positive_int

__all__ = ["foreground_mask", "noise_level"]

_SAMPLE = 1_000_000            # values enough to measure the noise to about 0.2 %


def _sample(values: np.ndarray) -> np.ndarray:
    """An evenly strided sample of at most ``_SAMPLE`` values (deterministic, no copy first)."""
    flat = values.reshape(-1)
    return flat[::max(1, flat.size // _SAMPLE)]


def noise_level(foreground: Any, sigmas: float = 4.0, rounds: int = 3) -> float:
    """The standard deviation of the noise, measured on the pixels that are background.

    ``σ = 1.4826 × median|x − median(x)|`` (the MAD, scaled to a normal deviation) of the
    signed foreground values ``x``; then again on the values within ``sigmas × σ`` of the
    middle only, so that the moving objects leave the measure (``rounds`` times in all).

    Parameters
    ----------
    foreground : array_like
        Signed values, frame minus background (every colour channel counts as a value).
    sigmas : float, default 4.0
        Values further than this many deviations from the middle are not background.
    rounds : int, default 3

    Returns
    -------
    float
        0.0 when the background has no noise at all (synthetic frames).

    Examples
    --------
    >>> import numpy as np
    >>> from imageops import noise_level
    >>> x = np.random.default_rng(0).normal(0, 2.0, (20, 50, 50))
    >>> x[:, :10, :10] += 80                                   # 4 % of the pixels move
    >>> round(noise_level(x), 1)
    2.0
    """
    values = _sample(np.asarray(foreground)).astype(np.float32)
    rounds = check_positive_int(rounds, "rounds", "noise_level")
    keep = values
    sigma = 0.0
    for _ in range(rounds):
        middle = float(np.median(keep))
        sigma = 1.4826 * float(np.median(np.abs(keep - middle)))
        if sigma == 0.0:
            break
        keep = values[np.abs(values - middle) <= sigmas * sigma]
    return sigma


def _magnitude(foreground: np.ndarray) -> np.ndarray:
    values = foreground.astype(np.float32, copy=False)
    if foreground.ndim == 4:
        return np.sqrt(np.einsum("...c,...c->...", values, values))
    return np.abs(values)


def _noise_threshold(foreground: np.ndarray, sigmas: float, min_noise: float) -> float:
    """``sigmas`` noise deviations for a gray value; the same false-alarm rate in colour."""
    sigma = max(noise_level(foreground, sigmas), min_noise)
    if foreground.ndim != 4:
        return sigmas * sigma
    false_alarm = scipy.special.erfc(sigmas / math.sqrt(2))   # P(|N(0, 1)| > sigmas)
    return sigma * math.sqrt(scipy.stats.chi2.isf(false_alarm, foreground.shape[-1]))


def _mad_threshold(magnitude: np.ndarray) -> float:
    """The first rule of the library: ``median + 5 × 1.4826 × MAD`` of all the magnitudes."""
    middle = float(np.median(magnitude))
    return middle + 5 * 1.4826 * float(np.median(np.abs(magnitude - middle)))


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


def _majority(mask: np.ndarray, size: int) -> np.ndarray:
    """The median filter of a boolean mask, frame by frame: true where most of the window is."""
    counts = mask.astype(np.uint16)
    for axis in (-2, -1):                                  # a box sum, one axis at a time
        counts = ndi.correlate1d(counts, np.ones(size, np.uint16), axis=axis, mode="nearest")
    return counts > size * size // 2


def _drop_small(mask: np.ndarray, min_size: int) -> np.ndarray:
    """Remove the connected blobs (4-neighbours, within one frame) of fewer than min_size."""
    structure = np.zeros((3,) * mask.ndim, bool)
    centre = (1,) * (mask.ndim - 2)
    structure[centre] = ndi.generate_binary_structure(2, 1)
    labels, _ = ndi.label(mask, structure)
    sizes = np.bincount(labels.ravel())
    sizes[0] = min_size                                     # the background label stays off
    return (sizes >= min_size)[labels] & mask


def _threshold(foreground: np.ndarray, magnitude: np.ndarray, threshold: Any,
               sigmas: float, min_noise: float) -> tuple[float, bool]:
    """The number to compare with, and whether it was measured from the data."""
    if threshold is None or (isinstance(threshold, str) and threshold == "noise"):
        return _noise_threshold(foreground, sigmas, min_noise), True
    if isinstance(threshold, str) and threshold == "mad":
        return _mad_threshold(magnitude), True
    if isinstance(threshold, str) and threshold == "otsu":
        return _otsu(magnitude.ravel()), True
    if isinstance(threshold, str) or not np.isscalar(threshold) \
            or not np.isfinite(threshold):
        raise ValueError(f"foreground_mask: threshold must be a number, 'noise', 'mad', "
                         f"'otsu' or None, got {threshold!r}")
    return float(threshold), False


def foreground_mask(foreground: Any, threshold: float | str | None = None,
                    sigmas: float = 4.0, clean: int | None = None,
                    min_size: int = 0, min_noise: float = 0.0) -> np.ndarray:
    """Mark the pixels where the foreground is strong: ``magnitude > threshold``, cleaned.

    Parameters
    ----------
    foreground : array_like, shape (T, H, W), (H, W), (T, H, W, 3)
        The foreground from :func:`svd_background` (signed). A 4-D array is colour: the
        magnitude of a pixel is the length of its colour difference,
        ``sqrt(r² + g² + b²)``; otherwise it is the absolute value.
    threshold : float, "noise", "mad", "otsu" or None
        A number: the magnitude above which a pixel is foreground (same scale as the
        frames). ``None`` (the default) or ``"noise"``: ``sigmas`` standard deviations of
        the noise, measured on the background pixels by :func:`noise_level` (in colour, the
        magnitude with the same rate of false alarms on pure noise). ``"mad"``: the
        library's first rule, ``median + 5 × 1.4826 × MAD`` of all the magnitudes (about
        2.9 noise deviations in gray: it lets ghosts and noise through). ``"otsu"``: Otsu's
        threshold on the magnitudes.
    sigmas : float, default 4.0
        For the noise rule. Lower finds fainter objects and more noise: with no clean-up,
        pure gray noise passes 6 in 100 000 pixels at 4, 3 in 1 000 at 3. The clean-up
        removes most of those isolated pixels, which is why 4 is enough.
    clean : int or None
        Side of the window of the majority vote (the median filter of a boolean mask) run
        on every frame's mask; 0 or 1: none. ``None`` (the default): 5 when the threshold
        is measured from the data, none when you give a number. A larger window removes
        more specks and fills larger holes, but rounds corners and erases objects thinner
        than about half the window.
    min_size : int, default 0
        Then remove blobs (4-connected, within a frame) of fewer pixels than this; 0: keep
        all. It removes larger false blobs than ``clean`` does, and small true objects too.
    min_noise : float, default 0.0
        The noise rule uses a deviation of at least this (in the units of the frames).
        Compressed video (MPEG-4, H.264) erases the noise where nothing changes, so the
        measured deviation is small, while the compression leaves larger errors around
        what moves: a floor of 2 gray levels (as OpenCV's MOG2 has) keeps them out; the
        ``retrieval background`` command uses it.

    Returns
    -------
    numpy.ndarray of bool
        The shape of ``foreground`` without the colour axis.

    Notes
    -----
    The noise rule needs the still pixels to be more than half of all pixels. Frames
    without noise (synthetic ones) have nothing to measure: every nonzero foreground counts,
    so give a number there. Ghosts that a plain SVD background leaves along the path of a
    moving object are as strong as the object's contrast times the fraction of the frames
    it covered a pixel; use the robust background (``svd_background(method="robust")``,
    the default) to remove them rather than raising the threshold.

    Examples
    --------
    >>> import numpy as np
    >>> from imageops import foreground_mask
    >>> fg = np.array([[0.5, -1.0, 80.0], [1.0, -90.0, 0.0]])
    >>> foreground_mask(fg, threshold=0.75).astype(int).tolist()
    [[0, 1, 1], [1, 1, 0]]

    Noise of deviation 2 with a 12 × 12 square moving in it: the clean-up removes the
    noise pixels that pass a low threshold, and rounds the square's corners.

    >>> rng = np.random.default_rng(0)
    >>> fg = rng.normal(0, 2, (5, 40, 40))
    >>> truth = np.zeros(fg.shape, bool)
    >>> for t in range(5):
    ...     truth[t, 10:22, 4 * t:4 * t + 12] = True
    >>> fg[truth] += 30
    >>> def errors(mask):                          # false alarms, misses
    ...     return int((mask & ~truth).sum()), int((truth & ~mask).sum())
    >>> errors(foreground_mask(fg)), errors(foreground_mask(fg, clean=0))
    ((0, 54), (0, 0))
    >>> errors(foreground_mask(fg, sigmas=3, clean=0))
    (17, 0)
    """
    foreground = np.asarray(foreground)
    if foreground.ndim not in (2, 3, 4) or 0 in foreground.shape or \
            (foreground.ndim == 4 and foreground.shape[-1] != 3):
        raise ValueError("foreground_mask needs a foreground of shape (H, W), (T, H, W) or "
                         f"(T, H, W, 3), got shape {foreground.shape}")
    if not np.issubdtype(foreground.dtype, np.number):
        raise TypeError(f"foreground_mask needs numbers, got dtype {foreground.dtype}")
    magnitude = _magnitude(foreground)
    limit, measured = _threshold(foreground, magnitude, threshold, sigmas, float(min_noise))
    mask = magnitude > limit
    if clean is None:
        clean = 5 if measured else 0
    clean = check_positive_int(clean, "clean", "foreground_mask", minimum=0)
    if clean > 1:
        mask = _majority(mask, clean)
    min_size = check_positive_int(min_size, "min_size", "foreground_mask", minimum=0)
    if min_size > 1:
        mask = _drop_small(mask, min_size)
    return mask
