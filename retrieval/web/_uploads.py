"""Turning uploaded bytes into image arrays safely: size limits, then the library's loader.

An upload is refused before any decoding when it is larger than :data:`MAX_UPLOAD_BYTES` or
when its header announces more than :data:`MAX_PIXELS` pixels (a "decompression bomb": a
small file that would decode into gigabytes). Everything else is decoded by
:func:`imageops.load_image`, whose errors become one clear message.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image

from ._errors import WebError, checked

#: Largest upload accepted (bytes): a phone photo is 3-10 MB.
MAX_UPLOAD_BYTES = 20 * 2**20
#: Most pixels an uploaded image may have (a 48-megapixel photo passes; bombs do not).
MAX_PIXELS = 50_000_000


def check_header(data: bytes, what: str = "upload") -> None:
    """Refuse empty or too large uploads and images whose header announces too many pixels.

    Only the header is read (Pillow opens lazily); a file Pillow cannot identify passes
    here and gets its message from the loader.

    >>> check_header(b"")
    Traceback (most recent call last):
    ...
    retrieval.web._errors.WebError: the upload is empty: choose an image file
    """
    if not data:
        raise WebError(400, f"the {what} is empty: choose an image file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise WebError(413, f"the {what} is {len(data) / 2**20:.1f} MB; at most "
                       f"{MAX_UPLOAD_BYTES // 2**20} MB are accepted")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                width, height = picture.size
    except Image.DecompressionBombError:
        raise WebError(413, f"the {what} announces more than {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f}"
                       f" megapixels (a decompression bomb); at most {MAX_PIXELS / 1e6:.0f} "
                       "megapixels are accepted") from None
    except Exception:  # noqa: BLE001 - not an image Pillow knows: load_image says why
        return
    if width * height > MAX_PIXELS:
        raise WebError(413, f"the {what} is {width}×{height} pixels "
                       f"({width * height / 1e6:.0f} megapixels); at most "
                       f"{MAX_PIXELS / 1e6:.0f} megapixels are accepted")


def decode(data: bytes, what: str = "upload") -> np.ndarray:
    """The uploaded bytes as a uint8 ``(H, W, 3)`` array, decoded by ``imageops.load_image``.

    >>> decode(b"hello")
    Traceback (most recent call last):
    ...
    retrieval.web._errors.WebError: the upload is not an image the library can read (...)
    """
    from imageops import load_image

    check_header(data, what)
    return checked(load_image, io.BytesIO(data), upload=what)


def opened(data: bytes, what: str = "upload") -> io.BytesIO:
    """The checked bytes as a file object, for an extractor that decodes files itself."""
    check_header(data, what)
    return io.BytesIO(data)
