"""What ``ImageIndex.add`` is given, made into single items (folders listed) and unique ids."""

from __future__ import annotations

import os
import pathlib
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .features import _pieces


def is_path(item: Any) -> bool:
    """True for a path (str or os.PathLike): its id is the path, a failure to read is skipped."""
    return isinstance(item, (str, os.PathLike))


def expand(images: Any, recursive: bool, caller: str = "ImageIndex.add") -> list[Any]:
    """Single images or file paths from the add() input (folders listed).

    A path given alone that does not exist raises ``FileNotFoundError``; a folder without
    image files warns. Inside a list, a missing file is one more item (it becomes a failure).
    """
    if isinstance(images, (str, os.PathLike)):
        path = pathlib.Path(images)
        if not path.exists():
            raise FileNotFoundError(f"{caller}: no such file or folder: {os.fspath(images)!r}")
        if path.is_dir():
            files = _folder_files(path, recursive)
            if not files:
                hint = "" if recursive else " (recursive=True looks in sub-folders)"
                warnings.warn(f"{caller}: no image files in {os.fspath(path)!r}{hint}",
                              stacklevel=3)
            return files
    return list(_expand(images, recursive))


def _folder_files(folder: pathlib.Path, recursive: bool) -> list[pathlib.Path]:
    from imageops.io import list_image_files

    return list(list_image_files(folder, recursive=recursive))


def _expand(images: Any, recursive: bool) -> Iterator[Any]:
    if isinstance(images, (str, os.PathLike)):
        path = pathlib.Path(images)
        if path.is_dir():
            yield from _folder_files(path, recursive)
        else:
            yield path  # a missing file becomes a failure (or raises)
    elif isinstance(images, (list, tuple)):
        for item in images:
            yield from _expand(item, recursive)
    else:
        yield from _pieces(images)


def path_id(path: Any, root: str | None) -> str:
    """The id of a file: its path as given when ``root`` is the working folder (or None),
    else its path relative to ``root`` (absolute when it cannot be made relative)."""
    if root is None or os.path.isabs(path) or os.getcwd() == root:
        return os.fspath(path)
    try:
        return os.path.relpath(os.path.abspath(path), root)
    except ValueError:  # another drive (Windows)
        return os.path.abspath(path)


def new_ids_for(items: list[Any], ids: Sequence[Any] | None, used: dict[str, int],
                next_id: int, root: str | None = None) -> list[str]:
    """The ids of new items: given ones (as str) or paths and free numbers; all unique."""
    if ids is None:
        new_ids = []
        number = next_id
        for item in items:
            if is_path(item):
                new_ids.append(path_id(item, root))
            else:
                while str(number) in used:
                    number += 1
                new_ids.append(str(number))
                number += 1
    else:
        if isinstance(ids, (str, bytes)):
            ids = [ids]
        new_ids = [str(i) for i in ids]
        if len(new_ids) != len(items):
            raise ValueError(f"ImageIndex.add: got {len(new_ids)} ids for {len(items)} "
                             "images")
    seen: set[str] = set()
    repeated = [i for i in new_ids if i in used or i in seen or seen.add(i)]
    if repeated:
        hint = (" (to add what is new in a folder and drop what is gone, use "
                "ImageIndex.update(folder))" if ids is None else "")
        raise ValueError(f"ImageIndex.add: ids must be unique; already used: "
                         f"{sorted(set(repeated))[:5]}{hint}")
    return new_ids


def extract_one(item: Any, extractor: Any, strict: bool, failures: list[tuple[str, str]]) -> Any:
    """Decode and extract one item: its ``(1, D)`` features, or None if it failed.

    A file that cannot be read (missing, not an image, truncated) or that the extractor
    refuses (smaller than the network's minimum) goes to ``failures`` as ``(path, reason)``,
    unless ``strict``; a bad in-memory image always raises.
    """
    load = getattr(extractor, "load", None)
    try:
        picture = load(item) if load is not None else item
        return extractor.extract([picture], progress=False)
    except (OSError, ValueError) as error:
        if strict or not is_path(item):
            raise
        failures.append((os.fspath(item), str(error)))
        return None



def check_one_query(query: Any) -> None:
    """``ImageIndex.search`` takes one image: a list or batch of several points to search_many."""
    count = len(query) if isinstance(query, (list, tuple)) else (
        len(query) if isinstance(query, np.ndarray) and query.ndim == 4 else 1)
    if count != 1:
        raise ValueError(f"ImageIndex.search takes one query image; got {count} (a list or "
                         "batch): use search_many(queries, k) for several")


def collect_rows(items: list[Any], ids: list[str], extractor: Any, strict: bool, bar: Any,
                 check: Any) -> tuple[np.ndarray | None, list[str], list[tuple[str, str]]]:
    """The features of each item, one at a time (``bar`` moved per image): (rows, added ids,
    failures). ``check`` checks one ``(1, D)`` row against the index."""
    added: list[str] = []
    failures: list[tuple[str, str]] = []
    vectors = None  # filled row by row: the features are never held twice
    for item, image_id in zip(items, ids, strict=True):
        row = extract_one(item, extractor, strict, failures)
        if row is not None:
            row = check(row, 1)
            if vectors is None:
                vectors = np.empty((len(items), row.shape[1]), dtype=np.float32)
            elif row.shape[1] != vectors.shape[1]:
                raise ValueError(f"the extractor gave {vectors.shape[1]} features per image, "
                                 f"then {row.shape[1]} (for {image_id}): images of different "
                                 "sizes need a fixed size=(height, width)")
            vectors[len(added)] = row[0]
            added.append(image_id)
        bar.update(1)
    return vectors, added, failures
