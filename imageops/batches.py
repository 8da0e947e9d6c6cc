"""Many images at once: a folder's image files, a folder or list as one batch, any input as a list.

=============================  ==========================================================
``list_image_files(folder)``   the image files of a folder, sorted
``load_images(folder)``        a folder or a list of paths as one (N, H, W, 3) uint8 batch
``to_image_list(images)``      any image input (files, arrays, a batch) as a list of arrays
``IMAGE_EXTENSIONS``           the file extensions taken as images
``LoadedImages``               the result of ``load_images``: images, paths, failures
=============================  ==========================================================

Every file goes through :func:`imageops.load_image`, so sizes, colour modes, 16-bit files,
alpha and EXIF orientation follow its rules (see :mod:`imageops.io`). A file that cannot be
read is reported and skipped.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ._inputs import as_image, check_size, is_file_like, progress_bar
from ._pixels import LUMA, check_mode
from .io import _resample_filter, load_image

__all__ = ["IMAGE_EXTENSIONS", "LoadedImages", "list_image_files", "load_images", "to_image_list"]

#: File extensions (lower case) that ``list_image_files`` and ``load_images`` take as images.
IMAGE_EXTENSIONS: tuple[str, ...] = (
    ".bmp", ".gif", ".jpeg", ".jpg", ".png", ".ppm", ".pgm", ".pbm", ".pnm",
    ".tif", ".tiff", ".webp",
)
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
        macOS's "._photo.jpg" companions) are left out, and so is anything that is not a
        regular file (a FIFO or device named "photo.png" is never opened).

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
        A tqdm bar on stderr; ``None`` (auto) shows it from 50 files on
        (``imageops._inputs.show_progress``).
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
    >>> from imageops import save_image
    >>> _ = save_image(folder / "a.png", np.zeros((20, 30, 3), dtype=np.uint8))
    >>> _ = (folder / "b.jpg").write_text("not a photo")
    >>> images, paths, failures = load_images(folder, size=(10, 15))
    >>> images.shape, [pathlib.Path(p).name for p in paths]
    ((1, 10, 15, 3), ['a.png'])
    >>> [(pathlib.Path(p).name, "not an image" in reason) for p, reason in failures]
    [('b.jpg', True)]
    """
    check_mode(mode, "load_images")
    if errors not in ("skip", "raise"):
        raise ValueError(f"load_images: errors must be 'skip' or 'raise', got {errors!r}")
    size = check_size(size, "load_images", allow_none=True)
    resample = _resample_filter(resample, "load_images")
    paths = _paths_of(folder_or_paths, recursive)
    channels = (3,) if mode == "RGB" else ()
    batch = None if size is None else np.empty((len(paths), *size, *channels), np.uint8)
    loaded: list[str] = []
    failures: list[tuple[str, str]] = []
    with progress_bar(len(paths), progress, "loading images") as bar:
        for path in paths:
            bar.update()
            try:
                image = load_image(path, size=size, mode=mode, resample=resample)
                batch = _same_shape(batch, image, len(paths), path)
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


def _paths_of(folder_or_paths: Any, recursive: bool) -> list:
    """The files ``load_images`` reads: a folder's image files, or the given list of paths."""
    if isinstance(folder_or_paths, (str, os.PathLike)):
        if pathlib.Path(folder_or_paths).is_file():
            raise NotADirectoryError(f"load_images: {os.fspath(folder_or_paths)!r} is a file; "
                                     "pass a folder or a list of paths (load_image reads one)")
        return list_image_files(folder_or_paths, recursive=recursive)
    if isinstance(folder_or_paths, Sequence) and all(
            isinstance(p, (str, os.PathLike)) for p in folder_or_paths):
        return list(folder_or_paths)
    raise TypeError("load_images: expected a folder or a list of paths, got "
                    f"{type(folder_or_paths).__name__}")


def _same_shape(batch: np.ndarray | None, image: np.ndarray, count: int,
                path: Any) -> np.ndarray:
    """The batch, allocated at the first image; a ValueError if ``image`` does not fit it."""
    if batch is None:
        return np.empty((count, *image.shape), np.uint8)
    if image.shape != batch.shape[1:]:
        raise ValueError(f"load_images: {os.fspath(path)!r} has shape {image.shape}, "
                         f"the first image {batch.shape[1:]}; pass size=(h, w)")
    return batch


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
    check_mode(mode, "to_image_list")
    if isinstance(images, (list, tuple)):
        return [image for item in images for image in to_image_list(item, mode)]
    if isinstance(images, np.ndarray):
        if images.ndim == 4:
            return [_one_array(image, mode) for image in images]
        return [_one_array(images, mode)]
    if is_file_like(images):
        return [load_image(images, mode=mode)]
    raise TypeError("to_image_list: expected a path, a file object, a PIL image, an array, "
                    f"a batch, or a list of these; got {type(images).__name__}")


def _one_array(array: np.ndarray, mode: str) -> np.ndarray:
    """One image array for ``to_image_list``: keep uint8/float when possible, else decode."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    gray_or_rgb = array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)
    if not (np.issubdtype(array.dtype, np.floating) and gray_or_rgb):
        if array.dtype == np.uint8 and _is_ready(array, mode):
            return array
        return load_image(array, mode=mode)
    array = as_image(array, "to_image_list").astype(np.float32, copy=False)
    if mode == "RGB" and array.ndim == 2:
        return np.repeat(array[:, :, np.newaxis], 3, axis=2)
    if mode == "L" and array.ndim == 3:
        return array @ LUMA
    return array


def _is_ready(array: np.ndarray, mode: str) -> bool:
    """True when ``array`` already has the shape of ``mode`` (and is not empty)."""
    if 0 in array.shape[:2]:
        return False
    if mode == "RGB":
        return array.ndim == 3 and array.shape[2] == 3
    return array.ndim == 2
