"""The checks that every template-matching function runs: methods, images, matching channels.

Private helpers of :mod:`retrieval.template` and :mod:`retrieval.template_matcher`. Images go
through :func:`imageops._inputs.as_image` (a path, PIL image or array; a wrong dtype is a
TypeError, a wrong shape, an empty image or NaN a ValueError) and come out as float64.
"""

from __future__ import annotations

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


def float_image(image: Any, caller: str, name: str = "image") -> np.ndarray:
    """An ``(H, W)`` or ``(H, W, C)`` float64 array from a path, PIL image or array.

    >>> float_image([[0, 1], [2, 3]], "demo").dtype
    dtype('float64')
    """
    return np.asarray(as_image(image, caller, name=name, allow_bool=True), dtype=np.float64)


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
