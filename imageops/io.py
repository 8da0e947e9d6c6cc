"""Reading and writing images as NumPy arrays, with Pillow.

=============================  ==========================================================
``load_image(source)``         one image (path, file object, PIL image or array) as uint8
``load_images(folder)``        a folder or a list of paths as one (N, H, W, 3) uint8 batch
``save_image(path, image)``    write a uint8 or float image (atomically)
``list_image_files(folder)``   the image files of a folder, sorted
``to_image_list(images)``      any image input as a list of arrays
``resize_image(image, size)``  resize an array with Pillow, keeping its dtype
``IMAGE_EXTENSIONS``           the file extensions taken as images
``LoadedImages``               the result of ``load_images``: images, paths, failures
``ImageFileError``             a file that exists but cannot be read as an image
=============================  ==========================================================

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
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from PIL import Image, UnidentifiedImageError
from tqdm import tqdm

__all__ = [
    "IMAGE_EXTENSIONS",
    "ImageFileError",
    "LoadedImages",
    "list_image_files",
    "load_image",
    "load_images",
    "resize_image",
    "save_image",
    "to_image_list",
]

#: File extensions (lower case) that ``list_image_files`` and ``load_images`` take as images.
IMAGE_EXTENSIONS: tuple[str, ...] = (
    ".bmp", ".gif", ".jpeg", ".jpg", ".png", ".ppm", ".pgm", ".pbm", ".pnm",
    ".tif", ".tiff", ".webp",
)

_MODES = ("RGB", "L")
_RESAMPLE = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
    "box": Image.Resampling.BOX,
    "hamming": Image.Resampling.HAMMING,
}
_ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")
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
_AUTO_PROGRESS_FILES = 50   # progress=None shows a bar above this many files
_DRAFT_GAP = 2              # JPEGs decode at a reduced scale still >= 2x the requested size


class ImageFileError(ValueError):
    """A file that exists but cannot be read as an image (not an image, truncated, corrupt)."""


class LoadedImages(NamedTuple):
    """What ``load_images`` returns; unpacks as ``images, paths, failures``.

    Attributes
    ----------
    images : numpy.ndarray
        uint8 batch (N, height, width, 3), or (N, height, width) for ``mode="L"``.
    paths : list of str
        The path of each image in ``images``, in the same order.
    failures : list of (str, str)
        ``(path, reason)`` for every file that could not be loaded.
    """

    images: np.ndarray
    paths: list[str]
    failures: list[tuple[str, str]]


# ---------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------

def _check_mode(mode: str, caller: str) -> str:
    if mode not in _MODES:
        raise ValueError(f"{caller}: mode must be 'RGB' or 'L', got {mode!r}")
    return mode


def _check_size(size: Any, caller: str) -> tuple[int, int]:
    """Return ``size`` as a (height, width) pair of positive ints, or raise."""
    try:
        height, width = size
        ok = all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0
                 for n in (height, width))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{caller}: size must be (height, width), two positive ints; "
                         f"got {size!r}")
    return int(height), int(width)


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


# ---------------------------------------------------------------------------------------
# Pixel conversions: anything -> 8-bit "RGB" or "L"
# ---------------------------------------------------------------------------------------

def _round_to_uint8(values: np.ndarray) -> np.ndarray:
    """Round half up and clip to 0..255 (the 0..255 scale rule for floats)."""
    return np.clip(np.floor(values + 0.5), 0, 255).astype(np.uint8)


def _sixteen_to_eight(values: np.ndarray) -> np.ndarray:
    """Scale 0..65535 to 0..255 as round(v / 257): 257 * 255 == 65535, so both ends map."""
    return _round_to_uint8(values.astype(np.float64) / 257.0)


def _to_rgb_or_l(picture: Image.Image, mode: str) -> Image.Image:
    """Convert any Pillow mode to 8-bit ``mode`` ("RGB" or "L") by the module's rules."""
    if picture.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        picture = Image.fromarray(_sixteen_to_eight(np.asarray(picture)))
    elif picture.mode == "F":
        values = np.asarray(picture)
        if not np.isfinite(values).all():
            raise ValueError("float image holds NaN or infinity")
        picture = Image.fromarray(_round_to_uint8(values))
    elif picture.mode == "P":
        picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
    if picture.mode in _ALPHA_MODES:
        white = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(white, picture.convert("RGBA")).convert("RGB")
    if picture.mode not in _MODES:
        picture = picture.convert("RGB")
    return picture if picture.mode == mode else picture.convert(mode)


def _array_to_pil(array: np.ndarray, caller: str) -> Image.Image:
    """An (H, W), (H, W, 1|3|4) array as a Pillow image, pixels by the module's rules."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        hint = "; a batch goes to to_image_list or load_images" if array.ndim == 4 else ""
        raise ValueError(f"{caller}: expected an image of shape (H, W), (H, W, 3) or "
                         f"(H, W, 4), got shape {array.shape}{hint}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{caller}: the image is empty, shape {array.shape}")
    if array.dtype == np.uint8:
        pixels = array
    elif array.dtype == np.bool_:
        pixels = array.astype(np.uint8) * 255
    elif array.dtype == np.uint16:
        pixels = _sixteen_to_eight(array)
    elif np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise ValueError(f"{caller}: the float image holds NaN or infinity")
        pixels = _round_to_uint8(array)
    elif np.issubdtype(array.dtype, np.integer):
        low, high = int(array.min()), int(array.max())
        if low < 0 or high > 255:
            raise ValueError(f"{caller}: integer pixels must lie in 0..255, got {low}..{high} "
                             f"(dtype {array.dtype}); scale them or pass uint16 or floats")
        pixels = array.astype(np.uint8)
    else:
        raise TypeError(f"{caller}: expected a numeric image array, got dtype {array.dtype}")
    return Image.fromarray(np.ascontiguousarray(pixels))


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
            converted = _to_rgb_or_l(picture, mode)
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
    _check_mode(mode, "load_image")
    if size is not None:
        size = _check_size(size, "load_image")
    resample = _resample_filter(resample, "load_image")
    if isinstance(source, np.ndarray):
        picture = _to_rgb_or_l(_array_to_pil(source, "load_image"), mode)
    elif isinstance(source, Image.Image):
        try:
            source.load()
            picture = _to_rgb_or_l(_upright(source, _orientation(source)), mode)
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


def resize_image(image: np.ndarray, size: tuple[int, int],
                 resample: str = "bilinear") -> np.ndarray:
    """Resize an image array with Pillow, keeping its dtype.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C), uint8 or float (float32 and float64; floats are resampled in
        float32, Pillow's "F" mode, each channel on its own).
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
    height, width = _check_size(size, "resize_image")
    resample = _resample_filter(resample, "resize_image")
    array = np.asarray(image)
    if array.ndim not in (2, 3) or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"resize_image: expected an image (H, W) or (H, W, C), got shape "
                         f"{array.shape}")
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


def list_image_files(folder: str | os.PathLike, recursive: bool = False) -> list[pathlib.Path]:
    """Return the image files of a folder, sorted, chosen by extension.

    Parameters
    ----------
    folder : str or os.PathLike
        The folder to list.
    recursive : bool
        Also look in sub-folders (at any depth).

    Returns
    -------
    list of pathlib.Path
        Files whose extension (any case) is in ``IMAGE_EXTENSIONS``, sorted by their path
        relative to ``folder``. Hidden files and folders (names starting with ".", such as
        macOS's "._photo.jpg" companions) are left out.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ["b.PNG", "a.jpg", "notes.txt", ".hidden.jpg"]:
    ...     _ = (folder / name).write_bytes(b"")
    >>> [p.name for p in list_image_files(folder)]
    ['a.jpg', 'b.PNG']
    """
    root = pathlib.Path(folder)
    if not root.exists():
        raise FileNotFoundError(f"list_image_files: no such folder: {os.fspath(folder)!r}")
    if not root.is_dir():
        raise NotADirectoryError(f"list_image_files: {os.fspath(folder)!r} is a file, not a "
                                 f"folder")
    candidates = root.rglob("*") if recursive else root.iterdir()
    found = []
    for path in candidates:
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix.lower() in IMAGE_EXTENSIONS and path.is_file():
            found.append((relative.as_posix(), path))
    return [path for _, path in sorted(found)]


def _show_progress(progress: bool | None, count: int) -> bool:
    return count > _AUTO_PROGRESS_FILES if progress is None else bool(progress)


def load_images(folder_or_paths: str | os.PathLike | Sequence[str | os.PathLike],
                size: tuple[int, int] | None = (86, 128), recursive: bool = False,
                errors: str = "skip", progress: bool | None = None, mode: str = "RGB",
                resample: str = "bilinear") -> LoadedImages:
    """Load a folder (or a list of paths) of images into one uint8 batch.

    Each file is decoded, converted and resized before the next one is opened, straight into
    a batch allocated once: at most one full-size decoded image is in memory at a time.

    Parameters
    ----------
    folder_or_paths : str, os.PathLike or sequence of them
        A folder (its image files by extension, sorted: see ``list_image_files``) or a list
        of file paths (kept in the given order).
    size : (int, int) or None
        ``(height, width)`` of every image (default the lecture's 86 x 128). ``None`` keeps
        the size of the first image; a later image of another size is then a failure.
    recursive : bool
        For a folder, include sub-folders.
    errors : {"skip", "raise"}
        ``"skip"`` records ``(path, reason)`` for a file that cannot be read (missing,
        not an image, truncated, corrupt) and goes on; ``"raise"`` raises at the first one.
        The format is read from a file's content, not its extension: a PNG named ".jpg"
        loads, a text file named ".jpg" is a failure.
    progress : bool or None
        A tqdm bar on stderr; ``None`` (auto) shows it for more than 50 files.
    mode : {"RGB", "L"}
        Colour (N, H, W, 3) or gray (N, H, W).
    resample : str
        Pillow's filter for the resizing, as in ``load_image``.

    Returns
    -------
    LoadedImages
        ``(images, paths, failures)``. An empty folder gives an empty batch of shape
        (0, height, width, 3) ((0, 0, 0, 3) when ``size`` is None) with no failures.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = save_image(folder / "a.png", np.zeros((20, 30, 3), dtype=np.uint8))
    >>> _ = (folder / "b.jpg").write_text("not a photo")
    >>> images, paths, failures = load_images(folder, size=(10, 15))
    >>> images.shape, [pathlib.Path(p).name for p in paths]
    ((1, 10, 15, 3), ['a.png'])
    >>> [(pathlib.Path(p).name, "not an image" in reason) for p, reason in failures]
    [('b.jpg', True)]
    """
    _check_mode(mode, "load_images")
    if errors not in ("skip", "raise"):
        raise ValueError(f"load_images: errors must be 'skip' or 'raise', got {errors!r}")
    if size is not None:
        size = _check_size(size, "load_images")
    resample = _resample_filter(resample, "load_images")
    if isinstance(folder_or_paths, (str, os.PathLike)):
        if pathlib.Path(folder_or_paths).is_file():
            raise NotADirectoryError(f"load_images: {os.fspath(folder_or_paths)!r} is a file; "
                                     "pass a folder or a list of paths (load_image reads one)")
        paths = list_image_files(folder_or_paths, recursive=recursive)
    elif isinstance(folder_or_paths, Sequence) and all(
            isinstance(p, (str, os.PathLike)) for p in folder_or_paths):
        paths = list(folder_or_paths)
    else:
        raise TypeError("load_images: expected a folder or a list of paths, got "
                        f"{type(folder_or_paths).__name__}")

    channels = (3,) if mode == "RGB" else ()
    batch = None if size is None else np.empty((len(paths), *size, *channels), np.uint8)
    loaded: list[str] = []
    failures: list[tuple[str, str]] = []
    bar = tqdm(paths, desc="loading images", unit="image",
               disable=not _show_progress(progress, len(paths)))
    for path in bar:
        try:
            image = load_image(path, size=size, mode=mode, resample=resample)
            if batch is None:
                batch = np.empty((len(paths), *image.shape), np.uint8)
            elif image.shape != batch.shape[1:]:
                raise ValueError(f"load_images: {os.fspath(path)!r} has shape {image.shape}, "
                                 f"the first image {batch.shape[1:]}; pass size=(h, w)")
        except (OSError, ValueError) as exc:
            if errors == "raise":
                raise
            failures.append((os.fspath(path), str(exc)))
            bar.set_postfix(failed=len(failures))
            continue
        batch[len(loaded)] = image
        loaded.append(os.fspath(path))
    if batch is None:
        batch = np.empty((0, 0, 0, *channels), np.uint8)
    images = batch if len(loaded) == len(batch) else batch[:len(loaded)].copy()
    return LoadedImages(images, loaded, failures)


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
    picture = image if isinstance(image, Image.Image) else _array_to_pil(
        _floats_for_saving(np.asarray(image)), "save_image")
    if fmt == "JPEG":
        options.setdefault("quality", 95)
        if picture.mode not in ("RGB", "L", "CMYK"):
            picture = _to_rgb_or_l(picture, "RGB")
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


def _floats_for_saving(array: np.ndarray) -> np.ndarray:
    """Apply the [0, 1] / [0, 255] rule of ``save_image`` to a float array."""
    if not np.issubdtype(array.dtype, np.floating):
        return array
    if array.size == 0:
        raise ValueError(f"save_image: the image is empty, shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("save_image: the float image holds NaN or infinity")
    return _round_to_uint8(array * 255.0 if array.max() <= 1.0 else array)


def to_image_list(images: Any, mode: str = "RGB") -> list[np.ndarray]:
    """Turn any image input into a list of arrays, one per image.

    Parameters
    ----------
    images : path, file object, PIL image, array, batch, or a list/tuple of these
        Paths, file objects and PIL images are decoded by ``load_image`` (uint8). An array
        (H, W) or (H, W, 1|3|4) is one image; a 4-D array (N, H, W, C) is N images.
    mode : {"RGB", "L"}
        The images' colour form: (H, W, 3) or (H, W).

    Returns
    -------
    list of numpy.ndarray
        uint8 images stay uint8, float images become float32 (still on the 0..255 scale).
        A gray float image in "RGB" mode is repeated over 3 channels; a colour float image
        in "L" mode becomes Pillow's luma ``0.299 R + 0.587 G + 0.114 B``. Everything else
        (alpha, uint16, bool, other integers) goes through ``load_image`` into uint8. An empty
        list gives an empty list.

    Examples
    --------
    >>> import numpy as np
    >>> batch = np.zeros((2, 8, 8, 3), dtype=np.uint8)
    >>> [image.shape for image in to_image_list(batch)]
    [(8, 8, 3), (8, 8, 3)]
    >>> [image.dtype.name for image in to_image_list([np.ones((4, 4)), batch[0]])]
    ['float32', 'uint8']
    """
    _check_mode(mode, "to_image_list")
    if isinstance(images, (list, tuple)):
        return [image for item in images for image in to_image_list(item, mode)]
    if isinstance(images, np.ndarray):
        if images.ndim == 4:
            return [_one_array(image, mode) for image in images]
        return [_one_array(images, mode)]
    if isinstance(images, (str, os.PathLike, Image.Image)) or hasattr(images, "read"):
        return [load_image(images, mode=mode)]
    raise TypeError("to_image_list: expected a path, a file object, a PIL image, an array, "
                    f"a batch, or a list of these; got {type(images).__name__}")


_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _one_array(array: np.ndarray, mode: str) -> np.ndarray:
    """One image array for ``to_image_list``: keep uint8/float when possible, else decode."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    gray_or_rgb = array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)
    if not (np.issubdtype(array.dtype, np.floating) and gray_or_rgb):
        if array.dtype == np.uint8 and _is_ready(array, mode):
            return array
        return load_image(array, mode=mode)
    if 0 in array.shape:
        raise ValueError(f"to_image_list: the image is empty, shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("to_image_list: the float image holds NaN or infinity")
    array = array.astype(np.float32, copy=False)
    if mode == "RGB" and array.ndim == 2:
        return np.repeat(array[:, :, np.newaxis], 3, axis=2)
    if mode == "L" and array.ndim == 3:
        return array @ _LUMA
    return array


def _is_ready(array: np.ndarray, mode: str) -> bool:
    """True when ``array`` already has the shape of ``mode`` (and is not empty)."""
    if 0 in array.shape[:2]:
        return False
    if mode == "RGB":
        return array.ndim == 3 and array.shape[2] == 3
    return array.ndim == 2
