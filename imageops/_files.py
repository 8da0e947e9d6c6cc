"""Opening image files safely: regular files only, and never more pixels than the limit allows.

A path given to ``load_image`` or ``load_frames`` may name anything the file system holds: a
FIFO (opening it for reading waits for a writer, forever), a device such as ``/dev/zero``
(endless data), a socket. :func:`open_regular` opens without waiting (``O_NONBLOCK``), asks the
open descriptor what it is, and goes on only for a regular file: checking the descriptor
rather than the name leaves no moment in which the name could be swapped for something else.

The pixel limit is Pillow's own decompression-bomb limit, ``PIL.Image.MAX_IMAGE_PIXELS``
(89,478,485 pixels by default, about 9,459 x 9,459), read at every call. Pillow only warns
between one and two times that limit; here an image over it is refused before a single pixel is
decoded (:func:`check_pixels`). To read bigger images, raise the limit for the session::

    import PIL.Image
    PIL.Image.MAX_IMAGE_PIXELS = 200_000_000     # or None: no limit at all
"""

from __future__ import annotations

import contextlib
import os
import stat
import warnings
from collections.abc import Iterator
from typing import IO, Any

from PIL import Image

_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


class ImageFileError(ValueError):
    """A file that exists but cannot be read as an image (not an image, truncated, corrupt,
    not a regular file, or more pixels than ``PIL.Image.MAX_IMAGE_PIXELS``)."""


ImageFileError.__module__ = "imageops.io"   # where users import it from

#: Errors that reach the caller as they are. Any other exception while decoding a file means
#: damaged data (Pillow's plugins raise OSError, SyntaxError, EOFError, ValueError, IndexError,
#: TypeError, struct.error, zlib.error, MemoryError...) and becomes an ImageFileError.
PASSED_ON = (ImageFileError, FileNotFoundError, IsADirectoryError, PermissionError)


def reason(exc: BaseException) -> str:
    """An exception as a short reason: its message, or its type when it has none.

    >>> reason(IndexError()), reason(ValueError("bad"))
    ('IndexError', 'bad')
    """
    text = str(exc)
    return text if text else type(exc).__name__


def _not_regular(mode: int, name: str, caller: str) -> ImageFileError:
    kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
    return ImageFileError(f"{caller}: {name!r} is {kind}, not a regular file; only regular "
                          f"files are read (a pipe or device could block or never end)")


def check_regular(path: str | os.PathLike, caller: str) -> None:
    """Raise unless ``path`` is an existing regular file (for readers that open it by name).

    FileNotFoundError when it is missing, IsADirectoryError for a folder, ImageFileError for
    anything else that is not a regular file (FIFO, device, socket).
    """
    name = os.fspath(path)
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{caller}: no such file: {name!r}") from None
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"{caller}: {name!r} is a folder, not an image file")
    if not stat.S_ISREG(mode):
        raise _not_regular(mode, name, caller)


def open_regular(path: str | os.PathLike, caller: str) -> IO[bytes]:
    """Open ``path`` for binary reading if it is a regular file, without ever blocking.

    Raises as :func:`check_regular`, but on the opened descriptor itself.
    """
    name = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(name, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"{caller}: no such file: {name!r}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"{caller}: {name!r} is a folder, not an image file") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(f"{caller}: {name!r} is a folder, not an image file")
        if not stat.S_ISREG(mode):
            raise _not_regular(mode, name, caller)
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def check_pixels(picture: Image.Image, name: str, caller: str) -> None:
    """Raise ImageFileError when ``picture`` declares more pixels than Pillow's limit."""
    limit = Image.MAX_IMAGE_PIXELS
    width, height = picture.size
    if limit is not None and width * height > limit:
        raise ImageFileError(
            f"{caller}: {name} declares {width} x {height} = {width * height:,} pixels, more "
            f"than the limit PIL.Image.MAX_IMAGE_PIXELS = {limit:,} (a guard against "
            f"decompression bombs); to read it, raise the limit: "
            f"PIL.Image.MAX_IMAGE_PIXELS = {width * height}")


@contextlib.contextmanager
def open_image(source: Any, name: str, caller: str) -> Iterator[Image.Image]:
    """``Image.open`` on a path (a regular file only) or a file object, pixels checked.

    Pillow's own decompression-bomb warning is silenced: :func:`check_pixels` refuses
    such an image with an error instead.
    """
    opened = open_regular(source, caller) if isinstance(source, (str, os.PathLike)) else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            picture = Image.open(opened if opened is not None else source)
        with picture:
            check_pixels(picture, name, caller)
            yield picture
    finally:
        if opened is not None:
            opened.close()
