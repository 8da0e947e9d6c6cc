"""The checks that every template-matching function runs: methods, images, matching channels.

Private helpers of :mod:`retrieval.template` and :mod:`retrieval.template_matcher`. Images go
through :func:`imageops._inputs.as_image` (a path, PIL image or array; a wrong dtype, complex
included, is a TypeError; a wrong shape, an empty image or NaN a ValueError).

Working units
-------------
The sums of template matching square the pixels: values of 1e155 overflow float64 (NaN
scores), values of 1e-170 underflow to 0 (a perfect match scored 0), and int64 pixels near
2**60 lose their low digits in float64 before anything is computed (every window flat). So the
engine works on ``(x − offset) · 2**−exponent`` (:func:`working_frame`, :func:`to_working`):
the offset is the image's minimum, subtracted exactly for integers (in 64-bit integers), and
the power of two brings the span of the values to [0.5, 1) without a rounding error. ZNCC
and NCC are unchanged by such a map; SSD and SAD are scaled back at the end.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from imageops._inputs import as_image

#: The pixel methods of ``match_template``; ``retrieval.similarity.higher_is_better`` says
#: which way each one is better.
METHODS = ("zncc", "ncc", "ssd", "sad")


def check_method(method: Any, caller: str) -> str:
    """``method`` when it is one of :data:`METHODS`, else a ValueError naming them.

    >>> check_method("ssd", "demo")
    'ssd'
    """
    if method not in METHODS:
        raise ValueError(f"{caller}: method must be one of {', '.join(METHODS)}; got {method!r}")
    return method


def real_image(image: Any, caller: str, name: str = "image") -> np.ndarray:
    """An ``(H, W)`` or ``(H, W, C)`` array of real numbers or booleans, its dtype kept.

    >>> real_image([[0, 1], [2, 3]], "demo").dtype.kind
    'i'
    """
    return as_image(image, caller, name=name, allow_bool=True)


def float_image(image: Any, caller: str, name: str = "image") -> np.ndarray:
    """An ``(H, W)`` or ``(H, W, C)`` float64 array from a path, PIL image or array.

    >>> float_image([[0, 1], [2, 3]], "demo").dtype
    dtype('float64')
    """
    return np.asarray(real_image(image, caller, name), dtype=np.float64)


def _exact_difference(array: np.ndarray, offset: int) -> np.ndarray:
    """``array − offset`` for an integer (or bool) array, exact before the rounding to float64.

    Computed modulo 2**64 in uint64 and read back as int64, which is exact whenever the true
    differences lie in [−2**63, 2**63); wider ones are rare and need no exactness (float64
    keeps their 16 leading digits), so they are subtracted in float64.
    """
    low, high = int(array.min()) - offset, int(array.max()) - offset
    if low < -2**63 or high >= 2**63:
        return array.astype(np.float64) - float(offset)
    if array.dtype.kind == "u" or array.dtype.kind == "b":
        bits = array.astype(np.uint64)
    else:
        bits = array.astype(np.int64).view(np.uint64)
    bits -= np.uint64(offset % 2**64)   # wraps around modulo 2**64, never raises
    return bits.view(np.int64).astype(np.float64)


def working_frame(array: np.ndarray) -> tuple[int | float, int]:
    """``(offset, exponent)`` that bring ``array`` to the working units (module docstring).

    The offset is the minimum (a Python int for integer arrays); ``2**exponent`` is the power
    of two just above the span ``max − min``.

    >>> working_frame(np.array([2**60, 2**60 + 255]))
    (1152921504606846976, 8)
    >>> working_frame(np.array([-3e155, 1e155]))
    (-3e+155, 517)
    """
    if array.dtype.kind in "iub":
        offset: int | float = int(array.min())
        span = float(int(array.max()) - offset)
    else:
        offset = float(array.min())
        with np.errstate(over="ignore"):
            span = float(array.max()) - offset
        if not math.isfinite(span):      # a span beyond float64: 2·max|x| bounds it
            span = 2.0 * float(np.abs(array).max())
    return offset, math.frexp(span)[1] if math.isfinite(span) else 1025


def to_working(array: np.ndarray, offset: int | float, exponent: int) -> np.ndarray:
    """``(array − offset) · 2**−exponent`` as float64; the subtraction exact for integers.

    >>> to_working(np.array([2**60, 2**60 + 128], dtype=np.int64), 2**60, 8).tolist()
    [0.0, 0.5]
    """
    if array.dtype.kind in "iub" and isinstance(offset, int):
        return np.ldexp(_exact_difference(array, offset), -exponent)
    # scaled first, then shifted: neither step can overflow
    return np.ldexp(array.astype(np.float64), -exponent) - math.ldexp(float(offset), -exponent)


def check_pair(image_shape: tuple[int, ...], template: np.ndarray, caller: str) -> None:
    """Raise a ValueError unless the template fits the image and has its channels."""
    if len(image_shape) != template.ndim or image_shape[2:] != template.shape[2:]:
        raise ValueError(f"{caller}: image and template need the same channels: image "
                         f"{tuple(image_shape)}, template {template.shape}")
    if template.shape[0] > image_shape[0] or template.shape[1] > image_shape[1]:
        raise ValueError(f"{caller}: template {template.shape[:2]} is larger than the image "
                         f"{tuple(image_shape[:2])}")


def channels_first(array: np.ndarray) -> np.ndarray:
    """``(H, W)`` or ``(H, W, C)`` as a contiguous ``(C, H, W)`` array (``C = 1`` for gray)."""
    return np.ascontiguousarray(np.moveaxis(array, -1, 0) if array.ndim == 3 else array[None])
