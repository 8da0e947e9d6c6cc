"""Reading and writing one image file as a NumPy array, with Pillow.

=============================  ==========================================================
``load_image(source)``         one image (path, file object, PIL image or array) as uint8
``save_image(path, image)``    write a uint8 or float image (atomically)
``resize_image(image, size)``  resize an array with Pillow, keeping its dtype
``ImageFileError``             a file that exists but cannot be read as an image
=============================  ==========================================================

Many images at once (a folder, a list of files, a batch) are the job of
:mod:`imageops.batches`: ``load_images``, ``list_image_files``, ``to_image_list``.

Conventions
-----------
- Arrays are (row, col[, channel]): an RGB image is ``(height, width, 3)`` and every ``size``
  argument is ``(height, width)``, like ``array.shape`` (Pillow's own sizes are (width, height)).
- Pixels are uint8 in 0..255. Float arrays given as input are on the same 0..255 scale (the
  lecture turns uint8 into float32 without dividing by 255); ``save_image`` alone also accepts
  floats in [0, 1], see its rule.
- Whatever a file holds, ``load_image`` returns 8-bit RGB (or gray with ``mode="L"``):

  ==================  =====================================================================
  16-bit gray         scaled, ``round(v / 257)`` (65535 -> 255), never clipped
  16-bit colour       Pillow keeps the high byte, ``v // 256``: within 1 of ``round(v / 257)``
  32-bit int ("I")    taken as 16-bit, like 16-bit gray
  float ("F")         taken on the 0..255 scale, rounded and clipped (as Pillow's conversion)
  palette ("P")       expanded to its colours (its transparency, if any, as alpha)
  alpha (RGBA, LA)    composited on a white background ("over", like a viewer shows it)
  CMYK, YCbCr         converted by Pillow (no colour management: ICC profiles are ignored)
  EXIF orientation    applied, so the array looks the way a viewer shows the photo
  ==================  =====================================================================
"""

from __future__ import annotations

import os
import pathlib
import secrets
import struct
import zlib
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from ._inputs import as_image, check_size
from ._pixels import array_to_pil, check_mode, floats_for_saving, to_rgb_or_l

__all__ = ["ImageFileError", "load_image", "resize_image", "save_image"]

_RESAMPLE = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
    "box": Image.Resampling.BOX,
    "hamming": Image.Resampling.HAMMING,
}
_DECODE_ERRORS = (OSError, SyntaxError, EOFError, ValueError, struct.error, zlib.error,
                  Image.DecompressionBombError)
_ORIENTATION_TAG = 0x0112
_UPRIGHT = {   # EXIF orientation -> the turn or flip that shows the picture upright
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_DRAFT_GAP = 2              # JPEGs decode at a reduced scale still >= 2x the requested size

class ImageFileError(ValueError):
    """A file that exists but cannot be read as an image (not an image, truncated, corrupt)."""

# ---------------------------------------------------------------------------------------
# Decoding a file
# ---------------------------------------------------------------------------------------

def _resample_filter(resample: Any, caller: str) -> Image.Resampling:
    if isinstance(resample, Image.Resampling):
        return resample
    try:
        return _RESAMPLE[str(resample).lower()]
    except KeyError:
        raise ValueError(f"{caller}: resample must be one of {sorted(_RESAMPLE)}, "
                         f"got {resample!r}") from None


def _describe(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        return repr(os.fspath(source))
    name = getattr(source, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(source).__name__}>"

def _resize_pil(picture: Image.Image, size: tuple[int, int], resample: Image.Resampling,
                box: tuple[float, float, float, float] | None = None) -> Image.Image:
    height, width = size
    if picture.size == (width, height) and box is None:
        return picture
    return picture.resize((width, height), resample=resample, box=box)


def _draft(picture: Image.Image, size: tuple[int, int]) -> tuple[float, ...] | None:
    """Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the result is still >= 2x ``size``.

    ``size`` is (height, width) as stored in the file. Returns the box of the whole image in
    the reduced image's pixels (its last row and column may be partly outside), for
    ``resize``; None when the image is not a JPEG or is not big enough to gain from it.
    """
    if picture.format != "JPEG":
        return None
    wanted = (size[1] * _DRAFT_GAP, size[0] * _DRAFT_GAP)
    if picture.size[0] < 2 * wanted[0] or picture.size[1] < 2 * wanted[1]:
        return None
    result = picture.draft(None, wanted)
    return None if result is None else tuple(result[1])


def _orientation(picture: Image.Image) -> int:
    """The EXIF orientation tag (1 to 8; 1 is upright)."""
    orientation = picture.getexif().get(_ORIENTATION_TAG, 1)
    return orientation if orientation in _UPRIGHT else 1


def _upright(picture: Image.Image, orientation: int) -> Image.Image:
    """Turn or flip a picture the way its EXIF orientation says a viewer shows it."""
    method = _UPRIGHT[orientation]
    return picture if method is None else picture.transpose(method)


def _decode(source: Any, mode: str, size: tuple[int, int] | None,
            resample: Image.Resampling) -> Image.Image:
    """Open a path or file object; convert, resize, and apply the EXIF orientation.

    Resizing comes before the orientation (a pure turn or flip of the pixels), so a reduced
    JPEG decode can be resized in the file's own geometry, where its box is exact.
    """
    if isinstance(source, (str, os.PathLike)):
        path = pathlib.Path(source)
        if not path.exists():
            raise FileNotFoundError(f"load_image: no such file: {os.fspath(source)!r}")
        if path.is_dir():
            raise IsADirectoryError(f"load_image: {os.fspath(source)!r} is a folder, not an "
                                    f"image file (load_images reads folders)")
    name = _describe(source)
    try:
        with Image.open(source) as picture:
            orientation = _orientation(picture)
            stored_size = size
            if size is not None and orientation in (5, 6, 7, 8):   # stored turned by 90
                stored_size = (size[1], size[0])
            box = _draft(picture, stored_size) if size is not None else None
            picture.load()
            converted = to_rgb_or_l(picture, mode)
    except UnidentifiedImageError:
        raise ImageFileError(f"load_image: {name} is not an image file Pillow can read "
                             f"(unknown or damaged format)") from None
    except _DECODE_ERRORS as exc:
        raise ImageFileError(f"load_image: cannot decode {name}: {exc}") from exc
    if size is not None:
        converted = _resize_pil(converted, stored_size, resample, box=box)
    return _upright(converted, orientation)

# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------

def load_image(source: Any, size: tuple[int, int] | None = None, mode: str = "RGB",
               resample: str = "bilinear") -> np.ndarray:
    """Load one image as a uint8 array: (H, W, 3) for ``mode="RGB"``, (H, W) for ``"L"``.

    Parameters
    ----------
    source : str, os.PathLike, file object, PIL.Image.Image or numpy.ndarray
        A path, a binary file object, a Pillow image, or an array (H, W), (H, W, 1), (H, W, 3)
        or (H, W, 4): uint8; float on the 0..255 scale (rounded, clipped); uint16 (scaled by
        1/257); other integers in 0..255; bool (0 or 255).
    size : (int, int), optional
        ``(height, width)`` of the result. Resized with ``resample`` (Pillow's antialiased
        filters: when shrinking, the filter widens so that every source pixel counts).
        A JPEG much larger than ``size`` is decoded by libjpeg at 1/2, 1/4 or 1/8 scale first,
        never below twice ``size``, then resized (the way Pillow's ``thumbnail`` does it):
        for a 2048 x 2048 photo to 86 x 128 about 7 times faster, and on average less than
        one grey level from a full decode followed by the same resize.
    mode : {"RGB", "L"}
        Colour (3 channels) or gray (luma ``L = 0.299 R + 0.587 G + 0.114 B``, Pillow's).
    resample : {"bilinear", "bicubic", "lanczos", "box", "hamming", "nearest"}
        The resampling filter for ``size``.

    Returns
    -------
    numpy.ndarray
        uint8, (H, W, 3) or (H, W). 16-bit, palette, alpha, CMYK and EXIF-rotated files
        follow the rules in the module docstring (alpha is composited on white).

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    ImageFileError
        The file exists but is not an image Pillow can read, or is truncated or corrupt.
    ValueError, TypeError
        A bad ``size``/``mode`` or an array of the wrong shape or dtype.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGBA", (4, 2), (255, 0, 0, 0)).save(buffer, format="PNG")
    >>> _ = buffer.seek(0)
    >>> image = load_image(buffer)          # fully transparent red on white is white
    >>> image.shape, image.dtype, image[0, 0].tolist()
    ((2, 4, 3), dtype('uint8'), [255, 255, 255])
    >>> load_image(np.full((40, 60), 100.0), size=(20, 30)).shape
    (20, 30, 3)
    >>> load_image(np.array([[0, 65535]], dtype=np.uint16), mode="L").tolist()
    [[0, 255]]
    """
    check_mode(mode, "load_image")
    if size is not None:
        size = check_size(size, "load_image")
    resample = _resample_filter(resample, "load_image")
    if isinstance(source, np.ndarray):
        picture = to_rgb_or_l(array_to_pil(source, "load_image"), mode)
    elif isinstance(source, Image.Image):
        try:
            source.load()
            picture = to_rgb_or_l(_upright(source, _orientation(source)), mode)
        except _DECODE_ERRORS as exc:
            raise ImageFileError(f"load_image: cannot convert the PIL image: {exc}") from exc
    elif isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
        return np.array(_decode(source, mode, size, resample))
    else:
        raise TypeError("load_image: expected a path, a file object, a PIL image or a NumPy "
                        f"array, got {type(source).__name__}")
    if size is not None:
        picture = _resize_pil(picture, size, resample)
    return np.array(picture)


def resize_image(image: Any, size: tuple[int, int],
                 resample: str = "bilinear") -> np.ndarray:
    """Resize an image array with Pillow, keeping its dtype.

    Parameters
    ----------
    image : path, PIL image or numpy.ndarray
        (H, W) or (H, W, C), uint8 or float (float32 and float64; floats are resampled in
        float32, Pillow's "F" mode, each channel on its own). A file is decoded by
        ``load_image`` (uint8 RGB).
    size : (int, int)
        ``(height, width)`` of the result.
    resample : {"bilinear", "bicubic", "lanczos", "box", "hamming", "nearest"}
        Pillow's filter, antialiased when shrinking (the support widens with the scale).

    Returns
    -------
    numpy.ndarray
        (height, width[, C]) with the dtype of ``image``.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((4, 6, 3), dtype=np.uint8)
    >>> resize_image(image, (2, 3)).shape
    (2, 3, 3)
    >>> bigger = resize_image(np.full((4, 4), 7.5), (8, 8))
    >>> bigger.dtype, float(bigger[3, 3])
    (dtype('float64'), 7.5)
    """
    height, width = check_size(size, "resize_image")
    resample = _resample_filter(resample, "resize_image")
    array = as_image(image, "resize_image")
    if array.dtype == np.uint8 and (array.ndim == 2 or array.shape[2] == 3):
        return np.array(_resize_pil(Image.fromarray(array), (height, width), resample))
    if array.dtype == np.uint8:
        work = array
    elif np.issubdtype(array.dtype, np.floating):
        work = array.astype(np.float32, copy=False)          # Pillow's "F" mode
    else:
        raise TypeError(f"resize_image: expected a uint8 or float image, got dtype {array.dtype}")
    channels = work[:, :, np.newaxis] if work.ndim == 2 else work
    resized = [np.asarray(_resize_pil(Image.fromarray(np.ascontiguousarray(channels[:, :, k])),
                                      (height, width), resample))
               for k in range(channels.shape[2])]
    out = np.stack(resized, axis=2).astype(array.dtype, copy=False)
    return out[:, :, 0] if array.ndim == 2 else out


def save_image(path: str | os.PathLike, image: Any, **options: Any) -> pathlib.Path:
    """Write an image file, atomically (a temporary file in the same folder, then renamed).

    Pixel rule: uint8 is written as is. Floats with maximum <= 1 are taken as [0, 1] (times
    255); other floats as [0, 255]; both are rounded and clipped to 0..255. (A float image
    that is really 0..255 but very dark, all values <= 1, would be taken as [0, 1]: convert
    such an image to uint8 first.) Bool is 0 / 255; uint16 is scaled to 8 bits,
    ``round(v / 257)``, as ``load_image`` does; other integers must lie in 0..255.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its extension picks the format (.png, .jpg, .bmp, .tif, ...).
    image : numpy.ndarray or PIL.Image.Image
        (H, W) gray, (H, W, 1), (H, W, 3) colour or (H, W, 4) with alpha.
    **options
        Passed to Pillow's ``Image.save`` (JPEG defaults to ``quality=95`` here).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "half.png"
    >>> _ = save_image(path, np.full((2, 2), 0.5))        # max <= 1: the [0, 1] scale
    >>> load_image(path, mode="L").tolist()
    [[128, 128], [128, 128]]
    """
    target = pathlib.Path(path)
    fmt = Image.registered_extensions().get(target.suffix.lower())
    if fmt is None:
        raise ValueError(f"save_image: cannot tell the format from the extension of "
                         f"{os.fspath(path)!r}; use one of .png, .jpg, .bmp, .tif, .webp, ...")
    picture = image if isinstance(image, Image.Image) else array_to_pil(
        floats_for_saving(as_image(image, "save_image", allow_bool=True)), "save_image")
    if fmt == "JPEG":
        options.setdefault("quality", 95)
        if picture.mode not in ("RGB", "L", "CMYK"):
            picture = to_rgb_or_l(picture, "RGB")
    # A new name beside the target (same file system, so the rename is atomic), opened with
    # "x" (never an existing file) and the usual permissions (mkstemp would give 0600).
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as file:
            picture.save(file, format=fmt, **options)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target

_MOVED = ("IMAGE_EXTENSIONS", "LoadedImages", "list_image_files", "load_images", "to_image_list")


def __getattr__(name: str) -> Any:
    """The batch names that lived here before :mod:`imageops.batches`: still importable."""
    if name in _MOVED:
        from . import batches

        return getattr(batches, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
