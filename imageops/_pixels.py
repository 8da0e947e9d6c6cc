"""Pixel conversions: any Pillow mode or array dtype to 8-bit RGB or gray, by the rules of io.

The rules (16-bit scaled by 1/257, floats on the 0..255 scale rounded half up and clipped,
palettes expanded, alpha composited on white) are written out in the docstring of
:mod:`imageops.io`; ``load_image``, ``save_image`` and ``to_image_list`` all go through here.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ._inputs import as_image

MODES = ("RGB", "L")
ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)   # Pillow's "L" from "RGB"


def check_mode(mode: str, caller: str) -> str:
    """``mode`` if it is "RGB" or "L", else a ValueError naming ``caller``."""
    if mode not in MODES:
        raise ValueError(f"{caller}: mode must be 'RGB' or 'L', got {mode!r}")
    return mode


def round_to_uint8(values: np.ndarray) -> np.ndarray:
    """Round half up and clip to 0..255 (the 0..255 scale rule for floats)."""
    return np.clip(np.floor(values + 0.5), 0, 255).astype(np.uint8)


def sixteen_to_eight(values: np.ndarray) -> np.ndarray:
    """Scale 0..65535 to 0..255 as round(v / 257): 257 * 255 == 65535, so both ends map."""
    return round_to_uint8(values.astype(np.float64) / 257.0)


def to_rgb_or_l(picture: Image.Image, mode: str) -> Image.Image:
    """Convert any Pillow mode to 8-bit ``mode`` ("RGB" or "L") by the module's rules."""
    if picture.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        picture = Image.fromarray(sixteen_to_eight(np.asarray(picture)))
    elif picture.mode == "F":
        values = np.asarray(picture)
        if not np.isfinite(values).all():
            raise ValueError("float image holds NaN or infinity")
        picture = Image.fromarray(round_to_uint8(values))
    elif picture.mode == "P":
        picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
    if picture.mode in ALPHA_MODES:
        white = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(white, picture.convert("RGBA")).convert("RGB")
    if picture.mode not in MODES:
        picture = picture.convert("RGB")
    return picture if picture.mode == mode else picture.convert(mode)


def array_to_pil(array: np.ndarray, caller: str) -> Image.Image:
    """An (H, W), (H, W, 1|3|4) array as a Pillow image, pixels by the module's rules."""
    array = as_image(array, caller, allow_bool=True)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 3 and array.shape[2] not in (3, 4):
        raise ValueError(f"{caller}: expected an image of shape (H, W), (H, W, 3) or "
                         f"(H, W, 4), got shape {array.shape}")
    if array.dtype == np.uint8:
        pixels = array
    elif array.dtype == np.bool_:
        pixels = array.astype(np.uint8) * 255
    elif array.dtype == np.uint16:
        pixels = sixteen_to_eight(array)
    elif array.dtype.kind == "f":
        pixels = round_to_uint8(array)
    else:
        low, high = int(array.min()), int(array.max())
        if low < 0 or high > 255:
            raise ValueError(f"{caller}: integer pixels must lie in 0..255, got {low}..{high} "
                             f"(dtype {array.dtype}); scale them or pass uint16 or floats")
        pixels = array.astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(pixels))


def floats_for_saving(array: np.ndarray) -> np.ndarray:
    """Apply the [0, 1] / [0, 255] rule of ``save_image`` to a checked (finite) array."""
    if array.dtype.kind != "f":
        return array
    return round_to_uint8(array * 255.0 if array.max() <= 1.0 else array)
