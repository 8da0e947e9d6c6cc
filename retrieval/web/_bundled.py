"""The index of the bundled photos that ``retrieval serve`` shows when given no index.

It is built on first use and cached as an index file in the user's cache folder
(``$XDG_CACHE_HOME/retrieval-lab``, else ``~/.cache/retrieval-lab``; a folder in the system's
temporary directory when that one cannot be written). The file's name carries a digest of the
photos and the extractor settings, so a changed photo or extractor builds a new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import tempfile
from typing import Any

from ..data import sample_photos

CACHE_NAME = "retrieval-lab"


def cache_folder() -> pathlib.Path:
    """The folder cached indexes go to (created; see the module docstring)."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for folder in (pathlib.Path(home) / CACHE_NAME,
                   pathlib.Path(tempfile.gettempdir()) / f"{CACHE_NAME}-{os.getuid()}"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    raise OSError(f"no writable cache folder for the bundled index (tried {home})")


def cache_file(features: Any, metric: str, folder: pathlib.Path) -> pathlib.Path:
    """The cached index file for these photos, extractor settings and metric."""
    photos = [(p.name, p.stat().st_size) for p in sample_photos()]
    key = json.dumps({"photos": photos, "features": features.config, "metric": metric},
                     sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return folder / f"sample-photos-{digest}.npz"


def bundled_index(features: Any = None, metric: str = "cosine",
                  folder: str | os.PathLike | None = None, progress: bool | None = None):
    """The index of the bundled photos (ids: file names), loaded from the cache or built.

    Parameters
    ----------
    features : extractor, optional
        Default ``CNNFeatures()`` (the library's default CNN).
    metric : str
        The index's metric.
    folder : path, optional
        The cache folder (default :func:`cache_folder`).

    Returns
    -------
    (ImageIndex, pathlib.Path, pathlib.Path)
        The index, the folder of the photos (the image root) and the cached index file.
    """
    from .. import CNNFeatures, ImageIndex

    features = CNNFeatures() if features is None else features
    folder = cache_folder() if folder is None else pathlib.Path(folder)
    path = cache_file(features, metric, folder)
    photos = sample_photos()
    if path.is_file():
        try:
            index = ImageIndex.load(path)
            if sorted(index.ids) == sorted(p.name for p in photos):
                return index, photos[0].parent, path
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache file: built again below
    index = ImageIndex(features, metric=metric)
    index.add([os.fspath(p) for p in photos], ids=[p.name for p in photos], errors="raise",
              progress=progress)
    index.save(path)
    return index, photos[0].parent, path
