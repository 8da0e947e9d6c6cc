"""The folder side of an index: bring it up to date with a folder, find its files from anywhere.

``ImageIndex`` takes :class:`FolderMixin`'s ``update`` and ``locate``; file ids are paths
relative to the index's ``root`` (the absolute working folder of the first ``add`` of files).
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

from ._adding import _folder_files
from .index_file import write_index
from .results import AddReport


def locate(root: str | None, image_id: str) -> pathlib.Path:
    """Where the file of ``image_id`` is: ``root / id`` for a relative id (id as is without
    a root)."""
    path = pathlib.Path(image_id)
    return path if root is None or path.is_absolute() else pathlib.Path(root) / path


def plan_update(folder: Any, recursive: bool, root: str | None,
                ids: list[str]) -> tuple[list[pathlib.Path], list[str], list[str]]:
    """What ``update(folder)`` does: (files to add, ids to keep, ids to drop).

    An id is kept when its file is in the folder's listing, dropped when it lies in the
    folder (or a sub-folder, if ``recursive``) but its file is gone; ids elsewhere are left.
    """
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"ImageIndex.update: no such folder: {os.fspath(folder)!r}")
    files = _folder_files(folder, recursive)
    listed = {os.path.abspath(path): path for path in files}
    top = os.path.abspath(folder)
    kept, gone, known = [], [], set()
    for image_id in ids:
        where = os.path.abspath(locate(root, image_id))
        if where in listed:
            kept.append(image_id)
            known.add(where)
        elif os.path.dirname(where) == top or (
                recursive and where.startswith(top + os.sep)):
            if not os.path.isfile(where):
                gone.append(image_id)
    new = [path for where, path in listed.items() if where not in known]
    return new, kept, gone


def save_checked(path: Any, vectors: Any, ids: list[str], metric: str,
                 config: dict) -> pathlib.Path:
    """``write_index`` with errors that name the path the user gave (not the temporary file);
    a missing folder is found before anything is written."""
    target = pathlib.Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"cannot save the index to {os.fspath(path)!r}: the folder "
                                f"{os.fspath(target.parent)!r} does not exist")
    try:
        return write_index(path, vectors, ids, metric, config)
    except OSError as error:
        message = f"cannot save the index to {os.fspath(path)!r}: {error.strerror or error}"
        raise (type(error)(error.errno, message) if error.errno is not None
               else type(error)(message)) from error


class FolderMixin:
    """``update`` and ``locate`` for :class:`~retrieval.ImageIndex` (see there)."""

    root: str | None
    _ids: list[str]
    _rows: dict[str, int]

    def update(self, folder: str | os.PathLike, recursive: bool = False,
               progress: bool | None = None) -> AddReport:
        """Bring the index up to date with a folder: add new files, drop gone ones.

        Files already indexed are skipped (not extracted again), image files that are new in
        the folder are added (a file that cannot be read is a failure, as in :meth:`add`),
        and ids of files that were in the folder but are gone are removed.

        Returns
        -------
        AddReport
            ``.added``, ``.failures``, ``.skipped`` (already indexed) and ``.removed``.

        Examples
        --------
        >>> import tempfile, pathlib, numpy as np
        >>> from imageops import save_image
        >>> from retrieval import ImageIndex, PixelFeatures
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> for name in ("a.png", "b.png"):
        ...     _ = save_image(folder / name, np.zeros((8, 8, 3), np.uint8))
        >>> index = ImageIndex(PixelFeatures(size=(8, 8)))
        >>> index.add(folder)
        AddReport(added=2, failures=0)
        >>> (folder / "a.png").unlink()
        >>> _ = save_image(folder / "c.png", np.zeros((8, 8, 3), np.uint8))
        >>> index.update(folder)
        AddReport(added=1, failures=0, skipped=1, removed=1)
        """
        new, kept, gone = plan_update(folder, recursive, self.root, self._ids)
        if gone:
            self.remove(gone)
        report = self.add(new, progress=progress) if new else AddReport()
        return AddReport(report.added, report.failures, kept, gone)

    def locate(self, image_id: str) -> pathlib.Path:
        """The file of an indexed image: its id under :attr:`root` (the id as is without one).

        Lets results be drawn or opened from any working folder. ``KeyError`` for an id
        that is not in the index.
        """
        if image_id not in self._rows:
            raise KeyError(f"not in the index: {image_id!r}")
        return locate(self.root, image_id)
