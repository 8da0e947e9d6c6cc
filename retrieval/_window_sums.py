"""The sums over every window that template matching needs: FFT correlations and exact sums.

Private helpers shared by every matching method (zncc, ncc, ssd on pixels in
:mod:`retrieval.template_matcher`, the cosine of feature blocks in
:mod:`retrieval.feature_matching`). Arrays here are channel-first float64, ``(C, H, W)``; the
public functions take images as ``(H, W)`` or ``(H, W, C)``.

How the sums stay exact
-----------------------
The classic fast ZNCC builds the window statistics from one 2-D integral image and takes
``Σx² − (Σx)²/n``. Its partial sums grow to ``H·W·max(x)²`` (about 7e10 for a 1024² photo),
and in float32 the difference of two of them loses every digit of a low-variance window:
scores leave [−1, 1]. Three choices avoid that here:

1. the image is centred once by its mean (per channel) and kept in float64, so the squares
   are small and the correlation numerator is unchanged (the template is zero-mean);
2. window sums are sums of the window's own values, one axis at a time, by doubling (sums of
   1, 2, 4, ... neighbours), never differences of running sums: the rounding error of a window
   sum is relative to that window alone (``log2(h·w)·eps``), whatever the rest of the image;
3. windows whose summed squared deviation is below that rounding bound, relative to their own
   sum of squares (:func:`flat_tolerance`), are called flat and score 0 instead of a ratio of
   two rounding errors.

The correlation itself is a float64 FFT of the image's own (fast) size: for "valid"
positions a circular correlation never wraps around, so no padding to ``H + h − 1`` is needed,
and the image's transform serves every template of any size.

Why not float32 for the FFT (OpenCV's and scikit-image's choice, about twice as fast)? Its
rounding error at each position is relative to the energy of the whole image, not of the
window. Measured on the 1024² retina photo of the benchmark, the float32 numerator's error
divided by the window's normaliser ``sqrt(Σ(x − x̄)² Σ(t − t̄)²)`` reaches 2e-5 among windows
whose standard deviation is at least 1e-3 of the range, and still exceeds 1e-6 among those
above 3e-2 of the range (63% of the windows for a 128² template, 92% for 256²). A float32
pass with float64 repairs where its error might pass 1e-6 would repair most windows, so the
numerator stays float64.
"""

from __future__ import annotations

import numpy as np
import scipy.fft

EPS = np.finfo(np.float64).eps


def fft_shape(shape: tuple[int, int]) -> tuple[int, int]:
    """The FFT size for an image of ``shape``: the next fast lengths, never padded further."""
    return (scipy.fft.next_fast_len(shape[0], real=True),
            scipy.fft.next_fast_len(shape[1], real=True))


def spectrum(channels: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The real 2-D FFT of each channel of a ``(C, H, W)`` array, zero-padded to ``shape``.

    Rows first, on the array's own rows only: a small template padded to the image's size is
    mostly zero rows, which need no transform.
    """
    rows = scipy.fft.rfft(channels, n=shape[1], axis=-1, workers=-1)
    return scipy.fft.fft(rows, n=shape[0], axis=-2, workers=-1, overwrite_x=True)


def correlate_valid(image_spectrum: np.ndarray, template: np.ndarray,
                    image_shape: tuple[int, int], shape: tuple[int, int]) -> np.ndarray:
    """``Σ_c Σ_k image_c[p + k] · template_c[k]`` at every valid position ``p``.

    ``image_spectrum`` is :func:`spectrum` of the ``(C, H, W)`` image at ``shape`` (each side at
    least the image's), ``template`` is ``(C, h, w)``. The product with the conjugate spectrum of
    the template is a circular correlation; positions ``p ≤ H − h`` read only ``p + k ≤ H − 1``,
    so they never wrap around.
    """
    height, width = image_shape
    h, w = template.shape[-2:]
    product = np.conjugate(spectrum(template, shape))
    product *= image_spectrum
    summed = product[0] if len(product) == 1 else product.sum(axis=0)
    # inverse transform down the columns, then along only the rows that are valid positions
    rows = scipy.fft.ifft(summed, axis=0, workers=-1, overwrite_x=True)[: height - h + 1]
    valid = scipy.fft.irfft(rows, n=shape[1], axis=1, workers=-1)[:, : width - w + 1]
    return np.ascontiguousarray(valid)  # contiguous: faster arithmetic afterwards


def _shifted_sums(flat: np.ndarray, count: int, step: int) -> np.ndarray:
    """``out[i] = flat[i] + flat[i + step] + ... + flat[i + (count − 1)·step]``, by doubling.

    ``power`` holds such sums of ``k`` terms for k = 1, 2, 4, ...; each result adds at most
    log2(count) of them, picked by the binary digits of ``count``. Every result is a sum of
    its own terms (no difference of running sums), so its rounding error is at most about
    ``log2(count)·eps`` times the sum of their absolute values. Works on one contiguous 1-D
    array: shifting by ``step = W`` sums down the columns of a flattened ``(H, W)`` array.
    The result may share memory with ``flat`` (when ``count`` is 1).
    """
    length = flat.size - (count - 1) * step
    power, k, offset, out = flat, 1, 0, None
    while True:
        if count & k:
            piece = power[offset * step: offset * step + length]
            if out is None:
                out = piece
            elif out.base is None:
                out += piece
            else:
                out = out + piece  # the first piece is a view: add into a new array
            offset += k
        if 2 * k > count:
            return out
        power = power[: power.size - k * step] + power[k * step:]
        k *= 2


def window_sums(a: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    """Sums of a 2-D array over every ``window``-sized box at the valid positions, in float64.

    Each sum is a sum of the window's own values (see :func:`_shifted_sums`): exact for
    integers, and within about ``log2(h·w)·eps`` of the window's sum of absolute values
    otherwise, wherever the window sits in the image.

    Examples
    --------
    >>> window_sums(np.arange(12.0).reshape(3, 4), (2, 3))
    array([[18., 24.],
           [42., 48.]])
    """
    a = np.ascontiguousarray(a, dtype=np.float64)
    (height, width), (h, w) = a.shape, window
    columns = _shifted_sums(a.ravel(), h, width)  # (H − h + 1)·W: sums down each column
    boxes = _shifted_sums(columns, w, 1)  # then along rows; the last w − 1 of a row wrap
    # box (r, c) is boxes[r·W + c]: a strided view skips the wrapped entries, and one copy
    # makes the result contiguous (later arithmetic on it runs two to three times faster)
    return np.lib.stride_tricks.as_strided(
        boxes, shape=(height - h + 1, width - w + 1),
        strides=(width * boxes.itemsize, boxes.itemsize), writeable=False).copy()


def flat_tolerance(window: tuple[int, int]) -> float:
    """The rounding bound of a window's spread ``S2 − S1²/n``, relative to its ``S2``.

    ``S1`` and ``S2``, the window sums of ``x`` and ``x²`` from :func:`window_sums`, are at most
    ``m = log2(h) + log2(w) + 2`` roundings deep, so ``S2`` is off by at most ``m·eps·S2`` and
    ``S1`` by ``m·eps·Σ|x|``; since ``(Σ|x|)² ≤ n·S2``, the error of ``S1²/n`` is below
    ``2·m·eps·S2``. A spread below ``4·m·eps·S2`` cannot be told from a flat window's 0.
    """
    m = np.log2(window[0]) + np.log2(window[1]) + 2
    return 4.0 * m * EPS


def safe_ratio(numerator: np.ndarray, squares: np.ndarray, undefined: np.ndarray,
               scale: float = 1.0) -> np.ndarray:
    """``numerator / sqrt(scale · squares)`` clipped to [−1, 1], and 0 where ``undefined``.

    Works in place on ``numerator`` (which becomes the result); ``squares`` is left as it is.
    Where ``undefined`` is False, ``squares`` must be positive.
    """
    denominator = np.multiply(squares, scale)
    with np.errstate(invalid="ignore", divide="ignore"):  # undefined entries are replaced
        np.sqrt(denominator, out=denominator)
        np.divide(numerator, denominator, out=numerator)
    np.copyto(numerator, 0.0, where=undefined)
    return np.clip(numerator, -1.0, 1.0, out=numerator)


def sum_channels(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=0)``, without a copy for a single channel."""
    return a[0] if len(a) == 1 else a.sum(axis=0)
