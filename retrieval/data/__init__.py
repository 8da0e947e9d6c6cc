"""The bundled demo photos: twelve photos from scikit-image's samples, free to reuse.

Each one is stated public domain or CC0 in the docstring of its ``skimage.data`` function.

=====================  ===============================================
``sample_photos()``    paths of every bundled photo, sorted by name
``sample_photo(name)`` the path of one photo, by name (``"chelsea"``)
``PHOTO_NAMES``        the names, sorted
=====================  ===============================================

Where each photo comes from, its licence and what was changed (resized to at most 512 pixels,
saved as JPEG) is written in ``PROVENANCE.md`` beside the photos.

>>> from retrieval.data import sample_photos, sample_photo
>>> len(sample_photos())
12
>>> sample_photo("chelsea").name
'chelsea.jpg'
"""

from __future__ import annotations

import importlib.resources
import pathlib

__all__ = ["PHOTO_NAMES", "sample_photo", "sample_photos"]

_SUFFIXES = (".jpg", ".png")


def _folder() -> pathlib.Path:
    return pathlib.Path(str(importlib.resources.files(__name__)))


def sample_photos() -> list[pathlib.Path]:
    """Return the paths of the bundled photos, sorted by file name.

    Returns
    -------
    list of pathlib.Path
        One path per photo (JPEG files, at most 512 pixels on the long side).

    Examples
    --------
    >>> paths = sample_photos()
    >>> [p.stem for p in paths[:3]]
    ['astronaut', 'brick', 'camera']
    >>> all(p.is_file() for p in paths)
    True
    """
    return sorted(p for p in _folder().iterdir() if p.suffix.lower() in _SUFFIXES)


PHOTO_NAMES: tuple[str, ...] = tuple(p.stem for p in sample_photos())


def sample_photo(name: str) -> pathlib.Path:
    """Return the path of one bundled photo.

    Parameters
    ----------
    name : str
        The photo's name without extension, one of ``PHOTO_NAMES`` (for example ``"coffee"``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        If no bundled photo has that name (the message lists the names).

    Examples
    --------
    >>> sample_photo("coffee").suffix
    '.jpg'
    >>> sample_photo("dog")
    Traceback (most recent call last):
    ...
    ValueError: no bundled photo named 'dog'; expected one of: astronaut, brick, ...
    """
    for path in sample_photos():
        if path.stem == name:
            return path
    raise ValueError(
        f"no bundled photo named {name!r}; expected one of: {', '.join(PHOTO_NAMES)}"
    )
