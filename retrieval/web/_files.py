"""Which files the web explorer may serve: index images inside one root folder, nothing else.

An image is served only when its id is in the index, the id names a file (absolute, or
relative to one of the base folders), and that file — after resolving ``..`` and symbolic
links — lies inside the image root. Everything else is "not found".
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterable, Sequence

from ._errors import WebError


def common_root(ids: Iterable[str], bases: Sequence[pathlib.Path]) -> pathlib.Path | None:
    """The deepest folder holding every id that names an existing file (None: no files).

    >>> import tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a/x.jpg", "a/b/y.jpg"):
    ...     (folder / name).parent.mkdir(parents=True, exist_ok=True)
    ...     _ = (folder / name).write_bytes(b"")
    >>> common_root(["a/x.jpg", "a/b/y.jpg", "0"], [folder]) == (folder / "a").resolve()
    True
    """
    parents: set[str] = set()
    for image_id in ids:
        path = _locate(image_id, bases)
        if path is not None:
            parents.add(os.fspath(path.parent))
    if not parents:
        return None
    return pathlib.Path(os.path.commonpath(sorted(parents)))


def _locate(image_id: str, bases: Sequence[pathlib.Path]) -> pathlib.Path | None:
    """The resolved file an id names (absolute, or under the first base that has it)."""
    if not image_id or "\x00" in image_id:
        return None
    path = pathlib.Path(image_id)
    candidates = [path] if path.is_absolute() else [base / path for base in bases]
    for candidate in candidates:
        try:
            if candidate.is_file():
                return candidate.resolve()
        except OSError:  # a name too long, a permission problem: not servable
            continue
    return None


class ImageFiles:
    """The servable image files of an index.

    Parameters
    ----------
    ids : iterable of str
        The index's ids.
    root : path, optional
        Only files inside this folder are served; default: the deepest folder holding every
        id that is a file.
    bases : sequence of paths
        Folders that relative ids are looked up in, in order.

    Examples
    --------
    >>> from retrieval.data import sample_photos
    >>> photos = sample_photos()
    >>> files = ImageFiles([p.name for p in photos], bases=[photos[0].parent])
    >>> files.path("chelsea.jpg").name
    'chelsea.jpg'
    >>> files.path("../__init__.py")
    Traceback (most recent call last):
    ...
    retrieval.web._errors.WebError: no image with id '../__init__.py' in the index
    """

    def __init__(self, ids: Iterable[str], root: str | os.PathLike | None = None,
                 bases: Sequence[str | os.PathLike] = ()):
        self._ids = set(ids)
        self.bases = [pathlib.Path(base) for base in bases] or [pathlib.Path.cwd()]
        if root is None:
            self.root = common_root(self._ids, self.bases)
        else:
            self.root = pathlib.Path(root).resolve()

    def path(self, image_id: str) -> pathlib.Path:
        """The file of an image id, or WebError 404 (unknown id, no file, outside the root)."""
        if image_id not in self._ids:
            raise WebError(404, f"no image with id {image_id!r} in the index")
        path = _locate(image_id, self.bases)
        if path is None or self.root is None or not path.is_relative_to(self.root):
            raise WebError(404, f"image {image_id!r} has no file inside the image root")
        return path

    def servable(self, image_id: str) -> bool:
        """True when :meth:`path` would give a file."""
        try:
            self.path(image_id)
        except WebError:
            return False
        return True
