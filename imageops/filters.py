"""Filters over a sliding window: the mean blurs, the median denoises, the deviation shows texture.

=============================================  ================================================
``mean_filter(image, size=3)``                 mean of each ``size x size`` window (blur)
``median_filter(image, size=3)``               median of each window (removes salt and pepper)
``local_std(image, size=3)``                   standard deviation of each window (texture)
``window_filter(image, function, size=3)``     any list statistic on each window, pixel by pixel
``add_gaussian_noise(image, sigma)``           Gaussian noise, for experiments
``add_salt_and_pepper(image, amount)``         black and white pixels, for experiments
``psnr(reference, image)``                     peak signal-to-noise ratio in decibels
=============================================  ================================================

Each output pixel is a statistic of the ``size x size`` window centred on it, computed on
every channel of a colour image separately. Near the border the window reaches outside the
image; the missing pixels are filled as ``scipy.ndimage`` does, chosen by ``mode``:

===============  =======================================  =================================
``"reflect"``    mirror image including the edge pixel     ``d c b a | a b c d | d c b a``
``"mirror"``     mirror image about the edge pixel         ``d c b | a b c d | c b a``
``"nearest"``    the edge pixel repeated                   ``a a a | a b c d | d d d``
``"wrap"``       the opposite side (periodic)              ``b c d | a b c d | a b c``
``"constant"``   the value ``cval``                        ``k k k | a b c d | k k k``
===============  =======================================  =================================

:func:`window_filter` is the teaching twin: it cuts each window out as a plain list and
applies a function of :mod:`linalg_basics` to it (``mean``, ``median``, ``std_dev``). The fast
filters give the same numbers, which the tests check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.ndimage as ndi

__all__ = [
    "add_gaussian_noise",
    "add_salt_and_pepper",
    "local_std",
    "mean_filter",
    "median_filter",
    "psnr",
    "window_filter",
]

# scipy.ndimage's boundary modes and the numpy.pad modes that fill the same values
_PAD_MODES = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge",
              "wrap": "wrap", "constant": "constant"}


# --------------------------------------------------------------------------- checks, padding

def _as_image(image: Any, caller: str) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim not in (2, 3) or 0 in image.shape:
        raise ValueError(f"{caller} needs a gray (H, W) or colour (H, W, C) image, "
                         f"got shape {image.shape}")
    if image.dtype == bool or not np.issubdtype(image.dtype, np.number) \
            or np.issubdtype(image.dtype, np.complexfloating):
        raise ValueError(f"{caller} needs a real numeric image, got dtype {image.dtype}")
    if image.dtype.kind == "f" and not np.isfinite(image).all():
        raise ValueError(f"{caller} needs finite pixel values, got NaN or infinity")
    return image


def _check_window(size: Any, mode: str, caller: str) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) \
            or size < 1 or size % 2 == 0:
        raise ValueError(f"{caller} needs an odd window size >= 1 (the window is centred on "
                         f"the pixel), got size={size!r}")
    if mode not in _PAD_MODES:
        raise ValueError(f"{caller}: mode must be one of {sorted(_PAD_MODES)}, got {mode!r}")
    return int(size)


def _footprint(image: np.ndarray, size: int) -> tuple[int, ...]:
    """The window shape for scipy.ndimage: size x size, one channel at a time."""
    return (size, size) if image.ndim == 2 else (size, size, 1)


def _pad(image: np.ndarray, size: int, mode: str, cval: Any) -> np.ndarray:
    """Pad rows and columns by size // 2, filling as scipy.ndimage's ``mode`` does."""
    r = size // 2
    for axis in (0, 1):
        widths = [(0, 0)] * image.ndim
        widths[axis] = (r, r)
        if mode == "constant":
            image = np.pad(image, widths, mode="constant", constant_values=cval)
        elif mode == "mirror" and image.shape[axis] == 1:
            image = np.pad(image, widths, mode="edge")    # nothing to mirror about
        else:
            image = np.pad(image, widths, mode=_PAD_MODES[mode])
    return image


# --------------------------------------------------------------------------- the teaching twin

def window_filter(image: Any, function: Callable[[list], Any], size: int = 3,
                  mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """Apply ``function`` to the list of values of every window, one pixel at a time.

    The slow, readable definition of a window filter: for each pixel (and each channel),
    the ``size * size`` values around it are read row by row into a Python list and
    ``function(values)`` gives the output pixel. With ``linalg_basics.mean``, ``median``
    or ``std_dev`` it computes what :func:`mean_filter`, :func:`median_filter` and
    :func:`local_std` compute fast. Meant for small images (a Python call per pixel).

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        The image; colour channels are filtered separately.
    function : callable
        Takes a list of numbers (Python ints for integer images, floats otherwise) and
        returns a number.
    size : int, default 3
        Odd side of the square window.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}
        How the window is filled beyond the border (see the module docstring).
    cval : float, default 0.0
        The fill value of ``mode="constant"``.

    Returns
    -------
    numpy.ndarray of float64, the shape of ``image``

    Examples
    --------
    >>> from linalg_basics import median
    >>> image = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 90]], dtype=np.uint8)
    >>> window_filter(image, median).tolist()
    [[2.0, 3.0, 3.0], [4.0, 5.0, 6.0], [7.0, 7.0, 8.0]]
    >>> window_filter(image, max, mode="constant").tolist()
    [[5.0, 6.0, 6.0], [8.0, 90.0, 90.0], [8.0, 90.0, 90.0]]
    """
    image = _as_image(image, "window_filter")
    size = _check_window(size, mode, "window_filter")
    padded = _pad(image, size, mode, cval)
    if padded.ndim == 2:
        padded = padded[..., None]
    height, width = image.shape[:2]
    out = np.empty((height, width, padded.shape[2]), dtype=np.float64)
    for row in range(height):
        for col in range(width):
            for channel in range(padded.shape[2]):
                values = padded[row:row + size, col:col + size, channel].ravel().tolist()
                out[row, col, channel] = function(values)
    return out.reshape(image.shape)


# --------------------------------------------------------------------------- mean and deviation

def mean_filter(image: Any, size: int = 3, mode: str = "reflect",
                cval: float = 0.0) -> np.ndarray:
    """Mean of every ``size x size`` window: a blur, ``out[i, j] = sum(window) / size**2``.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Gray or colour (each channel on its own), any real dtype.
    size : int, default 3
        Odd side of the square window.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}
        How the window is filled beyond the border (see the module docstring).
    cval : float, default 0.0
        The fill value of ``mode="constant"``.

    Returns
    -------
    numpy.ndarray of float64, the shape of ``image``
        Float, so that uint8 sums never overflow and the fractions are kept.

    Notes
    -----
    ``scipy.ndimage.uniform_filter`` on float64 data (a running sum along rows, then
    columns). The teaching twin is ``window_filter(image, linalg_basics.mean)``.

    Examples
    --------
    >>> image = np.array([[0, 0, 0], [0, 255, 0], [0, 0, 0]], dtype=np.uint8)
    >>> mean_filter(image, mode="constant")[1, 1]
    np.float64(28.333...)
    >>> mean_filter(np.full((4, 5), 200, dtype=np.uint8)).tolist()[0]
    [200.0, 200.0, 200.0, 200.0, 200.0]
    """
    image = _as_image(image, "mean_filter")
    size = _check_window(size, mode, "mean_filter")
    return ndi.uniform_filter(image.astype(np.float64), _footprint(image, size),
                              mode=mode, cval=cval)


def local_std(image: Any, size: int = 3, mode: str = "reflect", cval: float = 0.0,
              ddof: int = 0) -> np.ndarray:
    """Standard deviation of every ``size x size`` window: large on texture and edges.

    ``out = sqrt(mean((window - mean(window))**2))`` for ``ddof=0`` (the population
    deviation, as ``numpy.std``); ``ddof=1`` divides by ``size**2 - 1`` instead (the
    sample deviation, as ``statistics.stdev``).

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Gray or colour (each channel on its own), any real dtype.
    size : int, default 3
        Odd side of the square window.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}
        How the window is filled beyond the border (see the module docstring).
    cval : float, default 0.0
        The fill value of ``mode="constant"``.
    ddof : {0, 1}
        0: divide by the number of values; 1: by one less.

    Returns
    -------
    numpy.ndarray of float64, the shape of ``image``
        Never NaN; exactly 0 on every window whose values are all equal.

    Notes
    -----
    Computed as ``mean(x²) - mean(x)²`` with two box filters, on float64 values from which
    the image's mean has been subtracted (this keeps the two terms small, so little
    cancels). Rounding can still leave a tiny negative variance: it is clipped to 0 before
    the square root, and windows with a single value (found with a minimum and a maximum
    filter) are set to exactly 0. In a window that is nearly but not exactly flat the
    result can be off by about ``1e-8`` times the range of the image's values (for uint8
    images, far below one gray level).

    Examples
    --------
    >>> image = np.array([[10, 10, 10, 10], [10, 10, 10, 10], [10, 10, 90, 10]], np.uint8)
    >>> local_std(image).round(1).tolist()
    [[0.0, 0.0, 0.0, 0.0], [0.0, 25.1, 25.1, 25.1], [0.0, 33.3, 33.3, 33.3]]
    >>> float(local_std(np.full((5, 5), 0.1)).max())
    0.0
    """
    image = _as_image(image, "local_std")
    size = _check_window(size, mode, "local_std")
    if ddof not in (0, 1):
        raise ValueError(f"local_std: ddof must be 0 or 1, got {ddof!r}")
    if ddof == 1 and size == 1:
        raise ValueError("local_std with ddof=1 needs at least two values: size >= 3")
    footprint = _footprint(image, size)
    x = image.astype(np.float64)
    x -= x.mean()
    mean = ndi.uniform_filter(x, footprint, mode=mode, cval=cval - image.mean())
    variance = ndi.uniform_filter(x * x, footprint, mode=mode, cval=(cval - image.mean()) ** 2)
    variance -= mean * mean
    np.maximum(variance, 0.0, out=variance)
    flat = (ndi.maximum_filter(image, footprint, mode=mode, cval=cval)
            == ndi.minimum_filter(image, footprint, mode=mode, cval=cval))
    variance[flat] = 0.0
    if ddof:
        variance *= size * size / (size * size - 1)
    return np.sqrt(variance)


# --------------------------------------------------------------------------- median

# The classic median-of-9 exchange network (19 compare-exchanges): after it, wire 4 holds
# the median. Each pair (i, j) puts the smaller value on wire i and the larger on wire j.
_MEDIAN9 = [(1, 2), (4, 5), (7, 8), (0, 1), (3, 4), (6, 7), (1, 2), (4, 5), (7, 8),
            (0, 3), (5, 8), (4, 7), (3, 6), (1, 4), (2, 5), (4, 7), (4, 2), (6, 4), (4, 2)]


def _batcher_pairs(n: int) -> list[tuple[int, int]]:
    """Batcher's odd-even merge sorting network on n (a power of 2) wires."""
    pairs = []
    p = 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return pairs


def _selection_network(pairs: list[tuple[int, int]], n: int
                       ) -> list[tuple[str, int, int, bool, bool]]:
    """Cut a sorting network on n (odd) values down to the steps the median needs.

    ``pairs`` may use more wires than n (Batcher's sorter needs a power of 2): the extra
    wires hold +infinity, so a compare-exchange with one of them is only a move. Walking back
    from the median wire, only the exchanges whose outputs are still needed are kept, and
    of each only the minimum and/or the maximum that is used.
    """
    wires = 1 + max(max(pair) for pair in pairs)
    infinite = set(range(n, wires))
    steps = []
    for i, j in pairs:
        if j in infinite:
            continue
        if i in infinite:                       # the finite value moves to wire i
            infinite.discard(i)
            infinite.add(j)
            steps.append(("swap", i, j))
        else:
            steps.append(("exchange", i, j))
    needed, kept = {n // 2}, []
    for kind, i, j in reversed(steps):
        if kind == "swap":
            needed = {j if w == i else i if w == j else w for w in needed}
            kept.append((kind, i, j, False, False))
        elif i in needed or j in needed:
            kept.append((kind, i, j, i in needed, j in needed))
            needed |= {i, j}
    return kept[::-1]


_NETWORKS = {3: _selection_network(_MEDIAN9, 9),
             5: _selection_network(_batcher_pairs(32), 25)}


def _network_median(padded: np.ndarray, shape: tuple[int, ...], size: int) -> np.ndarray:
    """Median of each window by a min/max network over shifted views, in row blocks."""
    out = np.empty(shape, dtype=padded.dtype)
    network = _NETWORKS[size]
    row_values = int(np.prod(shape[1:]))
    block = max(1, 2**17 // row_values)          # about 128k values per block: stays in cache
    for top in range(0, shape[0], block):
        rows = min(block, shape[0] - top)
        wires = [padded[top + di:top + di + rows, dj:dj + shape[1]]
                 for di in range(size) for dj in range(size)]
        out[top:top + rows] = _run_network(wires, network)
    return out


def _run_network(wires: list[np.ndarray], network) -> np.ndarray:
    """Run a selection network over arrays of values, one array per wire; return the median.

    ``wires`` is changed in place; the result is the middle wire.
    """
    for kind, i, j, low, high in network:
        if kind == "swap":
            wires[i], wires[j] = wires[j], wires[i]
            continue
        a, b = wires[i], wires[j]
        if low:
            wires[i] = np.minimum(a, b)
        if high:
            wires[j] = np.maximum(a, b)
    return wires[len(wires) // 2]


def median_filter(image: Any, size: int = 3, mode: str = "reflect",
                  cval: float = 0.0) -> np.ndarray:
    """Median of every ``size x size`` window: removes salt-and-pepper noise, keeps edges.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Gray or colour (each channel on its own), any real dtype.
    size : int, default 3
        Odd side of the square window; the median is the middle one of its ``size**2``
        sorted values, so it is always one of them.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}
        How the window is filled beyond the border (see the module docstring).
    cval : float, default 0.0
        The fill value of ``mode="constant"`` (cast to the image's dtype).

    Returns
    -------
    numpy.ndarray, the shape and dtype of ``image``
        The same values as ``scipy.ndimage.median_filter``.

    Notes
    -----
    For ``size`` 3 and 5 the median is found by a fixed network of minimum and maximum
    operations applied to whole shifted copies of the image at once: 19 compare-exchanges
    for 9 values (the classic median-of-9 network) and a median-of-25 network cut from
    Batcher's odd-even merge sort. On a uint8 colour photo of 1024 x 1024 this is many
    times faster than ``scipy.ndimage.median_filter`` (see ``benchmarks/bench_imageops.py``).
    Other sizes use ``scipy.ndimage.median_filter``. The teaching twin is
    ``window_filter(image, linalg_basics.median)``.

    Examples
    --------
    A white (salt) and a black (pepper) pixel disappear, the flat gray stays:

    >>> image = np.full((3, 5), 100, dtype=np.uint8)
    >>> image[1, 1], image[1, 3] = 255, 0
    >>> median_filter(image).tolist()
    [[100, 100, 100, 100, 100], [100, 100, 100, 100, 100], [100, 100, 100, 100, 100]]
    >>> median_filter(image).dtype
    dtype('uint8')
    """
    image = _as_image(image, "median_filter")
    size = _check_window(size, mode, "median_filter")
    if size == 1:
        return image.copy()
    if size in _NETWORKS:
        fill = np.array(cval).astype(image.dtype)
        return _network_median(_pad(image, size, mode, fill), image.shape, size)
    return ndi.median_filter(image, _footprint(image, size), mode=mode, cval=cval)


# --------------------------------------------------------------------------- noise and PSNR

def _integer_limits(dtype: np.dtype) -> tuple[int, int] | None:
    return (np.iinfo(dtype).min, np.iinfo(dtype).max) if dtype.kind in "iu" else None


def add_gaussian_noise(image: Any, sigma: float, seed: int | None = None) -> np.ndarray:
    """Add independent Gaussian noise of standard deviation ``sigma`` to every value.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Any real dtype; floats are on the 0-255 scale like the rest of the library.
    sigma : float
        Standard deviation of the noise, in gray levels (>= 0).
    seed : int or None
        Seed of the random numbers: the same seed gives the same noise.

    Returns
    -------
    numpy.ndarray, the shape and dtype of ``image``
        Integer images (uint8) are rounded and clipped to their range (0-255), so very
        dark and very bright pixels get less noise; float images are not clipped.

    Examples
    --------
    >>> noisy = add_gaussian_noise(np.full((200, 200), 100, np.uint8), sigma=10, seed=0)
    >>> noisy.dtype, round(float(noisy.std()))
    (dtype('uint8'), 10)
    """
    image = _as_image(image, "add_gaussian_noise")
    if not np.isscalar(sigma) or not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"add_gaussian_noise needs a finite sigma >= 0, got {sigma!r}")
    noisy = image + np.random.default_rng(seed).normal(0.0, sigma, image.shape)
    limits = _integer_limits(image.dtype)
    if limits:
        noisy = np.clip(np.rint(noisy), *limits)
    return noisy.astype(image.dtype)


def add_salt_and_pepper(image: Any, amount: float, seed: int | None = None) -> np.ndarray:
    """Turn a fraction ``amount`` of the pixels white (salt) or black (pepper), half each.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Any real dtype. A colour pixel is hit as a whole: all its channels become white or
        black, like a dead pixel of a camera.
    amount : float
        Fraction of the pixels hit, between 0 and 1: exactly ``round(amount * H * W)``
        pixels, chosen at random, the first half of them salt.
    seed : int or None
        Seed of the random choice.

    Returns
    -------
    numpy.ndarray, the shape and dtype of ``image``
        White is the largest value of an integer dtype (255 for uint8) and 255.0 for floats
        (the 0-255 scale); black is 0 (the smallest value for signed integers).

    Examples
    --------
    >>> noisy = add_salt_and_pepper(np.full((10, 10), 128, np.uint8), amount=0.1, seed=0)
    >>> int((noisy == 255).sum()), int((noisy == 0).sum()), int((noisy == 128).sum())
    (5, 5, 90)
    """
    image = _as_image(image, "add_salt_and_pepper")
    if not np.isscalar(amount) or not 0 <= amount <= 1:
        raise ValueError(f"add_salt_and_pepper needs an amount between 0 and 1, "
                         f"got {amount!r}")
    limits = _integer_limits(image.dtype) or (0, 255)
    height, width = image.shape[:2]
    hit = int(round(amount * height * width))
    chosen = np.random.default_rng(seed).choice(height * width, size=hit, replace=False)
    rows, cols = np.unravel_index(chosen, (height, width))
    noisy = image.copy()
    noisy[rows[:hit // 2 + hit % 2], cols[:hit // 2 + hit % 2]] = limits[1]
    noisy[rows[hit // 2 + hit % 2:], cols[hit // 2 + hit % 2:]] = max(limits[0], 0)
    return noisy


def psnr(reference: Any, image: Any, data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio in decibels: ``10 * log10(data_range**2 / MSE)``.

    Parameters
    ----------
    reference, image : array_like, same shape
        The clean image and the image to judge.
    data_range : float, default 255.0
        The largest possible difference (255 for uint8 and the 0-255 float scale).

    Returns
    -------
    float
        Larger is closer; ``inf`` when the images are equal (no error at all).

    Examples
    --------
    >>> clean = np.zeros((10, 10), np.uint8)
    >>> noisy = clean.copy(); noisy[0, 0] = 255
    >>> round(psnr(clean, noisy), 2)
    20.0
    """
    reference = np.asarray(reference, dtype=np.float64)
    image = np.asarray(image, dtype=np.float64)
    if reference.shape != image.shape:
        raise ValueError(f"psnr needs two images of the same shape, got {reference.shape} "
                         f"and {image.shape}")
    mse = float(np.mean((reference - image) ** 2))
    return float("inf") if mse == 0 else float(10 * np.log10(data_range ** 2 / mse))
