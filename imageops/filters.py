"""Filters over a sliding window: the mean blurs, the median denoises, the deviation shows texture.

=============================================  ================================================
``mean_filter(image, size=3)``                 mean of each ``size x size`` window (blur)
``median_filter(image, size=3)``               median of each window (removes salt and pepper)
``local_std(image, size=3)``                   standard deviation of each window (texture)
``window_filter(image, function, size=3)``     any list statistic on each window, pixel by pixel
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

Teaching twins: :func:`window_filter` is the definition written out. It cuts each window out
as a plain list and applies a function to it, one pixel at a time. ``teaching=True`` makes
the three filters compute through it with :mod:`linalg_basics` (``mean``, ``median``,
``std_dev``) instead of ``scipy.ndimage``; both paths give the same numbers, which the tests
check. The noise that these filters remove is made by :mod:`imageops.noise`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.ndimage as ndi

from linalg_basics import mean, median, std_dev

from ._inputs import as_image, check_positive_int
from ._median_network import NETWORKS, network_median

__all__ = ["local_std", "mean_filter", "median_filter", "window_filter"]

# scipy.ndimage's boundary modes and the numpy.pad modes that fill the same values
_PAD_MODES = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge",
              "wrap": "wrap", "constant": "constant"}


# --------------------------------------------------------------------------- checks, padding

def _check_window(size: Any, mode: str, caller: str) -> int:
    size = check_positive_int(size, "size", caller)
    if size % 2 == 0:
        raise ValueError(f"{caller}: size must be odd (the window is centred on the pixel), "
                         f"got {size}")
    if mode not in _PAD_MODES:
        raise ValueError(f"{caller}: mode must be one of {sorted(_PAD_MODES)}, got {mode!r}")
    return size


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
    :func:`local_std` compute fast; their ``teaching=True`` path is this function. Meant
    for small images (a Python call per pixel).

    Parameters
    ----------
    image : path, PIL image or array_like, shape (H, W) or (H, W, C)
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
    >>> import numpy as np
    >>> from linalg_basics import median
    >>> image = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 90]], dtype=np.uint8)
    >>> window_filter(image, median).tolist()
    [[2.0, 3.0, 3.0], [4.0, 5.0, 6.0], [7.0, 7.0, 8.0]]
    >>> window_filter(image, max, mode="constant").tolist()
    [[5.0, 6.0, 6.0], [8.0, 90.0, 90.0], [8.0, 90.0, 90.0]]
    """
    image = as_image(image, "window_filter")
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

def mean_filter(image: Any, size: int = 3, mode: str = "reflect", cval: float = 0.0,
                teaching: bool = False) -> np.ndarray:
    """Mean of every ``size x size`` window: a blur, ``out[i, j] = sum(window) / size**2``.

    Parameters
    ----------
    image : path, PIL image or array_like, shape (H, W) or (H, W, C)
        Gray or colour (each channel on its own), any real dtype. A file is decoded by
        ``load_image`` (uint8 RGB).
    size : int, default 3
        Odd side of the square window.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}
        How the window is filled beyond the border (see the module docstring).
    cval : float, default 0.0
        The fill value of ``mode="constant"``.
    teaching : bool, default False
        ``True``: each mean by ``linalg_basics.mean`` on the window as a
        plain list (:func:`window_filter`; slow, for small images). The same numbers.

    Returns
    -------
    numpy.ndarray of float64, the shape of ``image``
        Float, so that uint8 sums never overflow and the fractions are kept.

    Notes
    -----
    ``scipy.ndimage.uniform_filter`` on float64 data (a running sum along rows, then
    columns).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.array([[0, 0, 0], [0, 255, 0], [0, 0, 0]], dtype=np.uint8)
    >>> round(float(mean_filter(image, mode="constant")[1, 1]), 4)
    28.3333
    >>> mean_filter(image, mode="constant", teaching=True)[1, 1] == 255 / 9
    np.True_
    >>> mean_filter(np.full((4, 5), 200, dtype=np.uint8)).tolist()[0]
    [200.0, 200.0, 200.0, 200.0, 200.0]
    """
    image = as_image(image, "mean_filter")
    size = _check_window(size, mode, "mean_filter")
    if teaching:
        return window_filter(image, mean, size, mode, cval)
    return ndi.uniform_filter(image.astype(np.float64), _footprint(image, size),
                              mode=mode, cval=cval)


def local_std(image: Any, size: int = 3, mode: str = "reflect", cval: float = 0.0,
              ddof: int = 0, teaching: bool = False) -> np.ndarray:
    """Standard deviation of every ``size x size`` window: large on texture and edges.

    ``out = sqrt(mean((window - mean(window))**2))`` for ``ddof=0`` (the population
    deviation, as ``numpy.std``); ``ddof=1`` divides by ``size**2 - 1`` instead (the
    sample deviation, as ``statistics.stdev``).

    Parameters
    ----------
    image : path, PIL image or array_like, shape (H, W) or (H, W, C)
        Gray or colour (each channel on its own), any real dtype. A file is decoded by
        ``load_image`` (uint8 RGB).
    size : int, default 3
        Odd side of the square window.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}
        How the window is filled beyond the border (see the module docstring).
    cval : float, default 0.0
        The fill value of ``mode="constant"``.
    ddof : {0, 1}
        0: divide by the number of values; 1: by one less.
    teaching : bool, default False
        ``True``: each deviation by ``linalg_basics.std_dev`` on the window as a
        plain list (:func:`window_filter`; slow, for small images). The same numbers.

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
    >>> import numpy as np
    >>> image = np.array([[10, 10, 10, 10], [10, 10, 10, 10], [10, 10, 90, 10]], np.uint8)
    >>> local_std(image).round(1).tolist()
    [[0.0, 0.0, 0.0, 0.0], [0.0, 25.1, 25.1, 25.1], [0.0, 33.3, 33.3, 33.3]]
    >>> float(local_std(np.full((5, 5), 0.1)).max())
    0.0
    """
    image = as_image(image, "local_std")
    size = _check_window(size, mode, "local_std")
    if ddof not in (0, 1):
        raise ValueError(f"local_std: ddof must be 0 or 1, got {ddof!r}")
    if ddof == 1 and size == 1:
        raise ValueError("local_std with ddof=1 needs at least two values: size >= 3")
    if teaching:
        return window_filter(image, functools.partial(std_dev, ddof=ddof), size, mode, cval)
    return _box_filter_std(image, size, mode, cval, ddof)


def _box_filter_std(image: np.ndarray, size: int, mode: str, cval: float,
                    ddof: int) -> np.ndarray:
    """``local_std`` by two box filters, ``mean(x²) - mean(x)²`` (see its Notes)."""
    footprint = _footprint(image, size)
    x = image.astype(np.float64)
    x -= x.mean()
    window_mean = ndi.uniform_filter(x, footprint, mode=mode, cval=cval - image.mean())
    variance = ndi.uniform_filter(x * x, footprint, mode=mode, cval=(cval - image.mean()) ** 2)
    variance -= window_mean * window_mean
    np.maximum(variance, 0.0, out=variance)
    flat = (ndi.maximum_filter(image, footprint, mode=mode, cval=cval)
            == ndi.minimum_filter(image, footprint, mode=mode, cval=cval))
    variance[flat] = 0.0
    if ddof:
        variance *= size * size / (size * size - 1)
    return np.sqrt(variance)


# --------------------------------------------------------------------------- median

def median_filter(image: Any, size: int = 3, mode: str = "reflect", cval: float = 0.0,
                  teaching: bool = False) -> np.ndarray:
    """Median of every ``size x size`` window: removes salt-and-pepper noise, keeps edges.

    Parameters
    ----------
    image : path, PIL image or array_like, shape (H, W) or (H, W, C)
        Gray or colour (each channel on its own), any real dtype. A file is decoded by
        ``load_image`` (uint8 RGB).
    size : int, default 3
        Odd side of the square window; the median is the middle one of its ``size**2``
        sorted values, so it is always one of them.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}
        How the window is filled beyond the border (see the module docstring).
    cval : float, default 0.0
        The fill value of ``mode="constant"`` (cast to the image's dtype).
    teaching : bool, default False
        ``True``: each median by ``linalg_basics.median`` on the window as a
        plain list (:func:`window_filter`; slow, for small images). The same numbers.

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
    Other sizes use ``scipy.ndimage.median_filter``.

    Examples
    --------
    A white (salt) and a black (pepper) pixel disappear, the flat gray stays:

    >>> import numpy as np
    >>> image = np.full((3, 5), 100, dtype=np.uint8)
    >>> image[1, 1], image[1, 3] = 255, 0
    >>> median_filter(image).tolist()
    [[100, 100, 100, 100, 100], [100, 100, 100, 100, 100], [100, 100, 100, 100, 100]]
    >>> median_filter(image).dtype
    dtype('uint8')
    """
    image = as_image(image, "median_filter")
    size = _check_window(size, mode, "median_filter")
    fill = np.array(cval).astype(image.dtype)
    if teaching:   # an odd count of values: the median is one of them, exact in the dtype
        return window_filter(image, median, size, mode, fill).astype(image.dtype)
    if size == 1:
        return image.copy()
    if size in NETWORKS:
        return network_median(_pad(image, size, mode, fill), image.shape, size)
    return ndi.median_filter(image, _footprint(image, size), mode=mode, cval=cval)
