"""Frames of a sequence as one array: a folder of images, an animated GIF, or a video.

``load_frames(source)`` returns a uint8 array (T, H, W, 3), or (T, H, W) with ``gray=True``,
ready for the lecture's SVD background model (each frame one column of a matrix).

- A folder: its image files in sorted order (``list_image_files``), one frame each.
- A multi-frame image file (animated GIF, APNG, multi-page TIFF, animated WebP): its frames,
  through Pillow's ``ImageSequence`` (a still image gives one frame).
- A video file (``VIDEO_EXTENSIONS``): decoded with imageio and its ffmpeg plugin, the
  optional ``video`` extra (``pip install "retrieval-lab[video]"``), imported only here.

Every frame goes through ``load_image``, so sizes, colour modes and alpha follow its rules.
"""

from __future__ import annotations

import itertools
import os
import pathlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from ._inputs import check_positive_int, check_size
from .batches import list_image_files
from .io import ImageFileError, load_image

__all__ = ["VIDEO_EXTENSIONS", "load_frames"]

#: File extensions (lower case) read as videos, through the optional ``video`` extra.
VIDEO_EXTENSIONS: tuple[str, ...] = (
    ".avi", ".flv", ".m4v", ".mkv", ".mov", ".mp4", ".mpeg", ".mpg", ".ogv", ".webm", ".wmv",
)

_VIDEO_EXTRA = 'reading video needs the "video" extra: pip install "retrieval-lab[video]"'


def _name(source: Any) -> str:
    return repr(os.fspath(source)) if isinstance(source, (str, os.PathLike)) else "the frames"


def _folder_frames(folder: pathlib.Path) -> Iterator[Any]:
    paths = list_image_files(folder)
    if not paths:
        raise ValueError(f"load_frames: no image files in the folder {os.fspath(folder)!r}")
    yield from paths


def _pillow_frames(path: pathlib.Path) -> Iterator[Image.Image]:
    try:
        with Image.open(path) as picture:
            yield from ImageSequence.Iterator(picture)
    except UnidentifiedImageError:
        raise ImageFileError(f"load_frames: {os.fspath(path)!r} is neither an image Pillow "
                             f"can read nor a video ({', '.join(VIDEO_EXTENSIONS)})") from None
    except (OSError, SyntaxError, EOFError) as exc:
        raise ImageFileError(f"load_frames: cannot decode {os.fspath(path)!r}: {exc}") from exc


def _video_frames(path: pathlib.Path) -> Iterator[np.ndarray]:
    try:
        import imageio.v3 as iio
        import imageio_ffmpeg  # noqa: F401  (the ffmpeg binary imageio's plugin needs)
    except ImportError as exc:
        raise ImportError(_VIDEO_EXTRA) from exc
    try:
        yield from iio.imiter(path, plugin="FFMPEG")
    except (OSError, RuntimeError) as exc:
        raise ImageFileError(f"load_frames: cannot decode the video {os.fspath(path)!r}: "
                             f"{exc}") from exc


def _frames_of(source: Any) -> Iterator[Any]:
    """The frames of ``source`` one by one: paths, PIL images or arrays."""
    if isinstance(source, Sequence) and not isinstance(source, (str, bytes)):
        if not source:
            raise ValueError("load_frames: the list of frame paths is empty")
        return iter(source)
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError("load_frames: expected a folder, an image or video file, or a list of "
                        f"image paths; got {type(source).__name__}")
    path = pathlib.Path(source)
    if not path.exists():
        raise FileNotFoundError(f"load_frames: no such file or folder: {os.fspath(source)!r}")
    if path.is_dir():
        return _folder_frames(path)
    if path.suffix.lower() in VIDEO_EXTENSIONS:
        return _video_frames(path)
    return _pillow_frames(path)


def load_frames(source: Any, size: tuple[int, int] | None = None, gray: bool = False,
                step: int = 1, max_frames: int | None = None) -> np.ndarray:
    """Load the frames of a folder, an animated image or a video as one uint8 array.

    Parameters
    ----------
    source : str, os.PathLike or list of paths
        A folder of images (sorted by name), a multi-frame image file (GIF, APNG, TIFF,
        WebP), a video file (one of ``VIDEO_EXTENSIONS``, needs the ``video`` extra), or a
        list of image paths in frame order.
    size : (int, int), optional
        ``(height, width)`` of every frame (bilinear, as ``load_image``). Without it, all
        frames must share one size.
    gray : bool
        Gray frames (T, H, W) instead of colour (T, H, W, 3).
    step : int
        Keep every ``step``-th frame, starting with the first.
    max_frames : int, optional
        Stop after this many frames (counted after ``step``).

    Returns
    -------
    numpy.ndarray
        uint8 (T, H, W, 3), or (T, H, W) when ``gray``.

    Raises
    ------
    FileNotFoundError
        ``source`` does not exist.
    ImportError
        A video without the ``video`` extra; the message names the ``pip install``.
    ImageFileError
        A frame cannot be decoded.
    ValueError
        An empty folder, frames of different sizes without ``size``, a ``step`` or
        ``max_frames`` below 1.
    TypeError
        A ``step`` or ``max_frames`` that is not an integer.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from PIL import Image
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "blink.gif"
    >>> frames = [Image.new("L", (6, 4), value) for value in (0, 255, 0, 255, 0)]
    >>> frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    >>> video = load_frames(path, gray=True, step=2)
    >>> video.shape, video[:, 0, 0].tolist()
    ((3, 4, 6), [0, 0, 0])
    >>> load_frames(path, size=(2, 3), max_frames=2).shape
    (2, 2, 3, 3)
    """
    step = check_positive_int(step, "step", "load_frames")
    if max_frames is not None:
        max_frames = check_positive_int(max_frames, "max_frames", "load_frames")
    size = check_size(size, "load_frames", allow_none=True)
    mode = "L" if gray else "RGB"
    frames = _frames_of(source)
    chosen = itertools.islice(frames, 0, max_frames * step if max_frames else None, step)
    stack: list[np.ndarray] = []
    try:
        for frame in chosen:
            try:
                image = load_image(frame, size=size, mode=mode)
            except ImageFileError as exc:
                if isinstance(frame, (str, os.PathLike)):
                    raise                     # the message already names the file
                raise ImageFileError(f"load_frames: frame {len(stack)} of {_name(source)}: "
                                     f"{exc}") from exc
            if stack and image.shape != stack[0].shape:
                raise ValueError(f"load_frames: frame {len(stack)} has shape {image.shape}, "
                                 f"frame 0 {stack[0].shape}; pass size=(height, width)")
            stack.append(image)
    finally:
        close = getattr(frames, "close", None)
        if close is not None:
            close()
    return np.stack(stack)
