"""What ``ImageIndex.add`` is given, made into single items (folders listed) and unique ids."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator, Sequence
from typing import Any

from .features import _pieces


def is_path(item: Any) -> bool:
    """True for a path (str or os.PathLike): its id is the path, a failure to read is skipped."""
    return isinstance(item, (str, os.PathLike))


def expand(images: Any, recursive: bool) -> Iterator[Any]:
    """Single images or file paths from the add() input (folders listed)."""
    if isinstance(images, (str, os.PathLike)):
        path = pathlib.Path(images)
        if path.is_dir():
            from imageops.io import list_image_files

            yield from list_image_files(path, recursive=recursive)
        else:
            yield path  # a missing file becomes a failure (or raises)
    elif isinstance(images, (list, tuple)):
        for item in images:
            yield from expand(item, recursive)
    else:
        yield from _pieces(images)


def new_ids_for(items: list[Any], ids: Sequence[Any] | None, used: dict[str, int],
                next_id: int) -> list[str]:
    """The ids of new items: given ones (as str) or paths and free numbers; all unique."""
    if ids is None:
        new_ids = []
        number = next_id
        for item in items:
            if is_path(item):
                new_ids.append(os.fspath(item))
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
        raise ValueError(f"ImageIndex.add: ids must be unique; already used: "
                         f"{sorted(set(repeated))[:5]}")
    return new_ids


def load_batch(items: list[Any], ids: list[str], load: Any, strict: bool, added: list[str],
               failures: list[tuple[str, str]]) -> list[Any]:
    """Decode a batch with ``load`` (None: take items as they are); record added and failed.

    A file that cannot be read goes to ``failures`` as ``(path, reason)``, unless ``strict``;
    a bad in-memory image always raises.
    """
    loaded = []
    for item, image_id in zip(items, ids, strict=True):
        try:
            loaded.append(load(item) if load is not None else item)
        except (OSError, ValueError) as error:
            if strict or not is_path(item):
                raise
            failures.append((os.fspath(item), str(error)))
            continue
        added.append(image_id)
    return loaded
