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

import contextlib
import itertools
import os
import pathlib
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np
from PIL import ImageSequence, UnidentifiedImageError

from ._files import PASSED_ON, ImageFileError, check_regular, open_image, reason
from ._inputs import check_positive_int, check_size
from .batches import list_image_files
from .io import load_image

__all__ = ["MAX_FRAMES_BYTES", "VIDEO_EXTENSIONS", "load_frames"]

#: The most bytes ``load_frames`` returns when ``max_bytes`` is not given (2 GiB); raise it
#: for the session with ``imageops.frames.MAX_FRAMES_BYTES = ...``.
MAX_FRAMES_BYTES = 2 * 1024**3

#: File extensions (lower case) read as videos, through the optional ``video`` extra.
VIDEO_EXTENSIONS: tuple[str, ...] = (
    ".avi", ".flv", ".m4v", ".mkv", ".mov", ".mp4", ".mpeg", ".mpg", ".ogv", ".webm", ".wmv",
)

_VIDEO_EXTRA = 'reading video needs the "video" extra: pip install "retrieval-lab[video]"'


def _name(source: Any) -> str:
    return repr(os.fspath(source)) if isinstance(source, (str, os.PathLike)) else "the frames"


class _Frames(NamedTuple):
    """The frames of a source, one by one, with what is known of them before decoding."""

    frames: Iterator[Any]          # paths, PIL images or arrays
    count: int | None              # how many there are, when known up front
    shape: tuple[int, int] | None  # (height, width) of every frame, when known up front
    one_file: bool                 # all from one file (so its limits are a file problem)


def _folder_frames(folder: pathlib.Path) -> _Frames:
    paths = list_image_files(folder)
    if not paths:
        raise ValueError(f"load_frames: no image files in the folder {os.fspath(folder)!r}")
    return _Frames(iter(paths), len(paths), None, False)


def _decoded(frames: Iterator[Any], name: str) -> Iterator[Any]:
    """``frames`` with any error of the decoder (damaged data) as an ImageFileError."""
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            return
        except Exception as exc:  # Pillow's plugins raise many types for damaged data
            raise ImageFileError(f"load_frames: cannot decode {name}: {reason(exc)}") from exc
        yield frame


def _pillow_frames(path: pathlib.Path, resources: contextlib.ExitStack) -> _Frames:
    name = repr(os.fspath(path))
    try:
        picture = resources.enter_context(open_image(path, name, "load_frames"))
        count = int(getattr(picture, "n_frames", 1))   # read from the headers, not decoded
    except UnidentifiedImageError:
        raise ImageFileError(f"load_frames: {name} is neither an image Pillow can read nor "
                             f"a video ({', '.join(VIDEO_EXTENSIONS)})") from None
    except PASSED_ON:
        raise
    except Exception as exc:  # damaged headers
        raise ImageFileError(f"load_frames: cannot decode {name}: {reason(exc)}") from exc
    frames = _decoded(ImageSequence.Iterator(picture), name)
    return _Frames(frames, count, (picture.size[1], picture.size[0]), True)


def _video_frames(path: pathlib.Path) -> Iterator[np.ndarray]:
    try:
        import imageio.v3 as iio
        import imageio_ffmpeg  # noqa: F401  (the ffmpeg binary imageio's plugin needs)
    except ImportError as exc:
        raise ImportError(_VIDEO_EXTRA) from exc
    check_regular(path, "load_frames")   # ffmpeg opens it by name: never a FIFO or device
    try:
        yield from iio.imiter(path, plugin="FFMPEG")
    except (OSError, RuntimeError) as exc:
        raise ImageFileError(f"load_frames: cannot decode the video {os.fspath(path)!r}: "
                             f"{exc}") from exc


def _frames_of(source: Any, resources: contextlib.ExitStack) -> _Frames:
    """The frames of ``source``; files stay open until ``resources`` closes."""
    if isinstance(source, Sequence) and not isinstance(source, (str, bytes)):
        if not source:
            raise ValueError("load_frames: the list of frame paths is empty")
        return _Frames(iter(source), len(source), None, False)
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError("load_frames: expected a folder, an image or video file, or a list of "
                        f"image paths; got {type(source).__name__}")
    path = pathlib.Path(source)
    if not path.exists():
        raise FileNotFoundError(f"load_frames: no such file or folder: {os.fspath(source)!r}")
    if path.is_dir():
        return _folder_frames(path)
    if path.suffix.lower() in VIDEO_EXTENSIONS:
        videos = _video_frames(path)
        resources.callback(videos.close)
        return _Frames(videos, None, None, True)
    return _pillow_frames(path, resources)


def _check_budget(count: int | None, frame_bytes: int, limit: int, source: Any,
                  one_file: bool) -> None:
    """Raise when ``count`` frames of ``frame_bytes`` each would pass ``limit`` bytes."""
    if count is None or count * frame_bytes <= limit:
        return
    error = ImageFileError if one_file else ValueError
    raise error(f"load_frames: {_name(source)} would give {count:,} frames of {frame_bytes:,} "
                f"bytes = {count * frame_bytes:,} bytes, more than the limit of {limit:,} "
                f"(max_bytes; the default is imageops.frames.MAX_FRAMES_BYTES); pass a larger "
                f"max_bytes, or step, max_frames or size to take less")


def _taken(count: int | None, step: int, max_frames: int | None) -> int | None:
    """How many of ``count`` frames ``step`` and ``max_frames`` keep (None: not known)."""
    if count is None:
        return max_frames
    kept = -(-count // step)
    return kept if max_frames is None else min(kept, max_frames)


def load_frames(source: Any, size: tuple[int, int] | None = None, gray: bool = False,
                step: int = 1, max_frames: int | None = None,
                max_bytes: int | None = None) -> np.ndarray:
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
    max_bytes : int, optional
        The most bytes the result may take; None: ``MAX_FRAMES_BYTES`` (2 GiB), a module
        constant that can be raised for the session. A file's declared frame count and
        frame size are checked against it before anything is decoded (a 250 KB GIF can
        declare 10,000 frames, 5 GB of pixels); a folder or list after its first frame.

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
        A frame cannot be decoded, the file is not a regular file (a FIFO, a device), an
        image declares more than ``PIL.Image.MAX_IMAGE_PIXELS`` pixels, or one file's frames
        would pass ``max_bytes``.
    ValueError
        An empty folder, frames of different sizes without ``size``, a ``step``,
        ``max_frames`` or ``max_bytes`` below 1, the frames of a folder or list passing
        ``max_bytes``.
    TypeError
        A ``step``, ``max_frames`` or ``max_bytes`` that is not an integer.

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
    limit = MAX_FRAMES_BYTES if max_bytes is None else check_positive_int(
        max_bytes, "max_bytes", "load_frames")
    size = check_size(size, "load_frames", allow_none=True)
    mode = "L" if gray else "RGB"
    with contextlib.ExitStack() as resources:
        source_frames = _frames_of(source, resources)
        count = _taken(source_frames.count, step, max_frames)
        shape = size or source_frames.shape
        if shape is not None:   # refuse before a single frame is decoded
            frame_bytes = shape[0] * shape[1] * (1 if gray else 3)
            _check_budget(count, frame_bytes, limit, source, source_frames.one_file)
        chosen = itertools.islice(source_frames.frames, 0,
                                  max_frames * step if max_frames else None, step)
        return _stack(chosen, count, limit, source, source_frames.one_file, size, mode)


def _stack(frames: Iterator[Any], count: int | None, limit: int, source: Any, one_file: bool,
           size: tuple[int, int] | None, mode: str) -> np.ndarray:
    """Decode the frames one by one into one array, within ``limit`` bytes.

    With ``count`` known the array is allocated once; otherwise the frames are gathered and
    stacked at the end. Either way the budget is checked before the memory is taken.
    """
    out: np.ndarray | None = None
    gathered: list[np.ndarray] = []
    taken = 0
    for frame in frames:
        image = _one_frame(frame, taken, source, size, mode)
        first = out[0] if out is not None else gathered[0] if gathered else image
        if image.shape != first.shape:   # within one file: a damaged or odd file
            error = ImageFileError if one_file else ValueError
            raise error(f"load_frames: frame {taken} has shape {image.shape}, frame 0 "
                        f"{first.shape}; pass size=(height, width)")
        _check_budget(max(count or 0, taken + 1), image.nbytes, limit, source, one_file)
        if count is not None and taken < count:
            if out is None:
                out = np.empty((count, *image.shape), np.uint8)
            out[taken] = image
        else:
            gathered.append(image)
        taken += 1
    if out is None:
        return np.stack(gathered)
    if gathered:
        return np.concatenate([out, np.stack(gathered)])
    return out if taken == len(out) else out[:taken].copy()


def _one_frame(frame: Any, index: int, source: Any, size: tuple[int, int] | None,
               mode: str) -> np.ndarray:
    """One frame through ``load_image``; an error names the frame and the source."""
    try:
        return load_image(frame, size=size, mode=mode)
    except ImageFileError as exc:
        if isinstance(frame, (str, os.PathLike)):
            raise                     # the message already names the file
        raise ImageFileError(f"load_frames: frame {index} of {_name(source)}: {exc}") from exc
