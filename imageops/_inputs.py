"""The checks every public function runs on what it is given: images, sizes, counts, progress.

One place decides what an image input is (a path, a file object, a PIL image or an array), what
a ``(height, width)`` size is, what a positive count such as ``k`` is, and when a progress bar
appears, so that every function of ``imageops`` and ``retrieval`` accepts the same things and
refuses the rest with the same kind of error:

==============================================  ============
mistake                                         error raised
==============================================  ============
not an image, array or path at all              TypeError
an array of the wrong dtype (text, complex...)  TypeError
a count or size that is not an integer          TypeError
wrong shape, empty, NaN/inf, a value too small  ValueError
a file that is missing or not an image          OSError / ``ImageFileError`` (a ValueError)
==============================================  ============

>>> check_size((86, 128), "demo")
(86, 128)
>>> check_positive_int(3, "k", "demo")
3
>>> check_positive_int(0, "k", "demo")
Traceback (most recent call last):
...
ValueError: demo: k must be a positive integer, got 0
"""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np
from tqdm.auto import tqdm

__all__ = ["AUTO_PROGRESS", "as_image", "check_positive_int", "check_size", "is_file_like",
           "progress_bar", "show_progress"]

AUTO_PROGRESS = 50
"""``progress=None`` shows a bar when the work has at least this many items (images, frames,
steps); ``progress=True`` always shows it and ``progress=False`` never does."""


def is_file_like(source: Any) -> bool:
    """True for what ``load_image`` decodes: a path, a file object or a PIL image.

    >>> is_file_like("photo.jpg"), is_file_like(np.zeros((2, 2)))
    (True, False)
    """
    from PIL import Image

    return (isinstance(source, (str, os.PathLike, Image.Image))
            or (hasattr(source, "read") and not isinstance(source, np.ndarray)))


def as_image(image: Any, caller: str, name: str = "image", allow_bool: bool = False,
             mode: str | None = None) -> np.ndarray:
    """One image as an array: decoded when it is a path, file or PIL image, checked otherwise.

    Parameters
    ----------
    image : path, file object, PIL image or array
        Files and PIL images are decoded by ``load_image`` (uint8, RGB unless ``mode="L"``);
        arrays keep their dtype.
    caller, name : str
        Named in error messages: ``"median_filter: image must be ..."``.
    allow_bool : bool
        Accept a boolean array (a mask); otherwise only real numbers are images.
    mode : {"RGB", "L"} or None
        How a file is decoded; arrays are never converted.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` or ``(H, W, C)``, not empty, finite.

    Raises
    ------
    TypeError
        Not an image at all, or a dtype that is not real numbers (text, complex, object).
    ValueError
        Not 2-D or 3-D (a batch (N, H, W, C) is named as such), empty, or NaN/infinite values.

    Examples
    --------
    >>> as_image(np.zeros((2, 3), np.uint8), "demo").shape
    (2, 3)
    >>> as_image(np.zeros((2, 2, 2, 3)), "demo")
    Traceback (most recent call last):
    ...
    ValueError: demo: image must be one image (H, W) or (H, W, C), got a batch ...
    """
    if is_file_like(image):
        from .io import load_image

        image = load_image(image, mode=mode or "RGB")
    if not isinstance(image, (np.ndarray, list, tuple)) and not hasattr(image, "__array__"):
        raise TypeError(f"{caller}: {name} must be an image (a path, a PIL image or an array), "
                        f"got a {type(image).__name__}")
    try:
        array = np.asarray(image)
    except (TypeError, ValueError) as error:   # ragged nested lists
        raise ValueError(f"{caller}: {name} must be an array of equal-length rows: {error}") \
            from None
    kind = array.dtype.kind
    if not (kind in "uif" or (allow_bool and kind == "b")):
        expected = "real numbers or booleans" if allow_bool else "real numbers"
        what = (f"a {type(image).__name__}" if array.dtype == object and array.ndim == 0
                else f"dtype {array.dtype}")
        raise TypeError(f"{caller}: {name} must be an image (a path, a PIL image or an array "
                        f"of {expected}), got {what}")
    if array.ndim not in (2, 3):
        hint = (f"a batch of shape {array.shape}; pass the images one at a time"
                if array.ndim == 4 else f"shape {array.shape}")
        raise ValueError(f"{caller}: {name} must be one image (H, W) or (H, W, C), got {hint}")
    if array.size == 0:
        raise ValueError(f"{caller}: {name} is empty, shape {array.shape}")
    if kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{caller}: {name} holds NaN or infinite values")
    return array


def _is_integer(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return isinstance(value, (float, np.floating)) and float(value).is_integer()


def check_positive_int(value: Any, name: str, caller: str, minimum: int = 1) -> int:
    """``value`` as a Python int ``>= minimum`` (NumPy integers and 3.0 welcome), or raise.

    >>> check_positive_int(np.int64(5), "k", "demo")
    5
    >>> check_positive_int(2.5, "k", "demo")
    Traceback (most recent call last):
    ...
    TypeError: demo: k must be a positive integer, got 2.5
    """
    expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if not _is_integer(value):
        raise TypeError(f"{caller}: {name} must be {expected}, got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{caller}: {name} must be {expected}, got {value!r}")
    return int(value)


def check_size(size: Any, caller: str, allow_none: bool = False,
               name: str = "size") -> tuple[int, int] | None:
    """``size`` as a ``(height, width)`` pair of positive ints (or None when allowed).

    >>> check_size([43, np.int64(64)], "demo")
    (43, 64)
    >>> check_size((0, 5), "demo")
    Traceback (most recent call last):
    ...
    ValueError: demo: size must be (height, width), two positive integers; got (0, 5)
    """
    if size is None and allow_none:
        return None
    expected = "(height, width), two positive integers" + (" or None" if allow_none else "")
    try:
        height, width = size
    except (TypeError, ValueError):
        raise ValueError(f"{caller}: {name} must be {expected}; got {size!r}") from None
    if not (_is_integer(height) and _is_integer(width)):
        raise TypeError(f"{caller}: {name} must be {expected}; got {size!r}")
    if min(int(height), int(width)) < 1:
        raise ValueError(f"{caller}: {name} must be {expected}; got {size!r}")
    return int(height), int(width)


def show_progress(progress: bool | None, count: int | None) -> bool:
    """The one progress rule: ``True``/``False`` as given; ``None``: at least AUTO_PROGRESS items.

    >>> show_progress(None, 10), show_progress(None, 500), show_progress(True, 1)
    (False, True, True)
    """
    if progress is None:
        return (count or 0) >= AUTO_PROGRESS
    return bool(progress)


def progress_bar(total: int | None, progress: bool | None, description: str,
                 unit: str = "image") -> tqdm:
    """A tqdm bar over ``total`` items, shown by the rule of :func:`show_progress`.

    >>> with progress_bar(3, False, "demo") as bar:
    ...     bar.update(3)
    """
    return tqdm(total=total, desc=description, unit=unit,
                disable=not show_progress(progress, total))
