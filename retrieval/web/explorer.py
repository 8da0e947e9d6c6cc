"""What the web explorer's pages show, as JSON-able dicts computed by the library's public API.

``Explorer`` holds an index and the files it may serve; each method answers one kind of
request of the pages (a page of the image grid, a search from an indexed image or from an
upload, the near-duplicate groups, template matching, classification). It knows nothing of
HTTP: the app (:mod:`retrieval.web.app`) only parses requests and calls it, so everything a
page shows can be tested without a server, against the Python API.

>>> from retrieval import ImageIndex, PixelFeatures
>>> from retrieval.data import sample_photos
>>> photos = sample_photos()[:3]
>>> index = ImageIndex(PixelFeatures(size=(8, 8)))
>>> _ = index.add([str(p) for p in photos], ids=[p.name for p in photos])
>>> explorer = Explorer(index, bases=[photos[0].parent])
>>> answer = explorer.search_id("brick.jpg", k=2)
>>> answer["direction"], [hit["id"] for hit in answer["hits"]][0]
('higher is better', 'brick.jpg')
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence
from typing import Any

from ..similarity import higher_is_better
from . import _uploads, _vision
from ._duplicates import duplicate_groups, supports_duplicates
from ._errors import WebError, checked
from ._files import ImageFiles

#: Most hits a search returns, and most images on one page of the grid.
MAX_K = 100
MAX_PER_PAGE = 200


def describe_features(features: Any) -> str:
    """A short name of an extractor for the pages, from its ``.config``.

    >>> from retrieval import CNNFeatures, PixelFeatures
    >>> describe_features(PixelFeatures())
    'raw pixels (86×128, colour)'
    >>> describe_features(CNNFeatures(size=(224, 224)))
    'efficientnet_lite0 CNN features (avg pooling, 224×224)'
    """
    config = getattr(features, "config", {}) or {}
    size = config.get("size")
    size_text = "own size" if size is None else f"{size[0]}×{size[1]}"
    if config.get("kind") == "pixels":
        return f"raw pixels ({size_text}, {'colour' if config.get('color') else 'gray'})"
    if config.get("kind") == "cnn":
        layer = f", layer {config['layer']}" if config.get("layer") else ""
        return (f"{config.get('model')} CNN features ({config.get('pooling')} pooling, "
                f"{size_text}{layer})")
    return type(features).__name__


def check_count(value: Any, name: str, largest: int) -> int:
    """A count from a request (``k``, a page size): an integer in 1..largest, or WebError."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise WebError(400, f"{name} must be a whole number; got {value!r}") from None
    if not 1 <= number <= largest:
        raise WebError(400, f"{name} must be between 1 and {largest}; got {number}")
    return number


class Explorer:
    """An index, the image files it may serve, and the answers the pages need.

    Parameters
    ----------
    index : retrieval.ImageIndex
        The index searched by the search page.
    root : path, optional
        Only files inside this folder are served (default: the deepest folder holding every
        id that names a file).
    bases : sequence of paths
        Folders that relative ids are looked up in (default: the current folder).
    model : str
        The network for classification and for feature template matching.
    """

    def __init__(self, index: Any, root: str | os.PathLike | None = None,
                 bases: Sequence[str | os.PathLike] = (), model: str = "efficientnet_lite0"):
        self.index = index
        self.files = ImageFiles(index.ids, root=root, bases=bases)
        self.model = model
        self._rows = {image_id: row for row, image_id in enumerate(index.ids)}

    # ------------------------------------------------------------ the index

    def describe(self) -> dict[str, Any]:
        """What the pages say about the index."""
        higher = higher_is_better(self.index.metric)
        return {
            "images": len(self.index),
            "metric": self.index.metric,
            "higher_is_better": higher,
            "direction": "higher is better" if higher else "lower is better",
            "extractor": describe_features(self.index.features),
            "duplicates": supports_duplicates(self.index),
            "root": None if self.files.root is None else os.fspath(self.files.root),
        }

    def page(self, page: Any = 1, per_page: Any = 24) -> dict[str, Any]:
        """One page of the index's ids (1-based page number), with whether each has a file."""
        per_page = check_count(per_page, "per_page", MAX_PER_PAGE)
        pages = max(1, -(-len(self.index) // per_page))
        page = check_count(page, "page", pages)
        ids = self.index.ids[(page - 1) * per_page:page * per_page]
        return {"page": page, "pages": pages, "per_page": per_page, "total": len(self.index),
                "images": [{"id": i, "has_image": self.files.servable(i)} for i in ids]}

    def image_path(self, image_id: str) -> pathlib.Path:
        """The file to serve for an id (WebError 404 when there is none inside the root)."""
        return self.files.path(image_id)

    # ------------------------------------------------------------ search

    def search_id(self, image_id: str, k: Any = 12) -> dict[str, Any]:
        """Search with an indexed image: its stored vector, ``index.search_vectors``.

        The same hits as ``index.search(path)`` on the image's file (the stored vector is
        what the extractor made of that file), without running the extractor again.
        """
        k = check_count(k, "k", MAX_K)
        if image_id not in self._rows:
            raise WebError(404, f"no image with id {image_id!r} in the index")
        results = self.index.search_vectors(self.index.vectors[self._rows[image_id]], k=k)
        return self._answer(results, {"id": image_id, "has_image": self.files.servable(image_id)})

    def search_upload(self, data: bytes, k: Any = 12, name: str = "upload") -> dict[str, Any]:
        """Search with uploaded image bytes: ``index.search`` on the file (decoded as indexed)."""
        k = check_count(k, "k", MAX_K)
        results = checked(self.index.search, _uploads.opened(data, "query image"), k=k,
                          upload="query image")
        return self._answer(results, {"upload": name})

    def _answer(self, results: Any, query: dict[str, Any]) -> dict[str, Any]:
        answer = self.describe()
        answer.pop("root")
        answer["query"] = query
        answer["hits"] = [{"rank": hit.rank, "id": hit.id, "score": hit.score,
                           "has_image": self.files.servable(hit.id)} for hit in results]
        return answer

    def duplicates(self, threshold: Any = None) -> dict[str, Any]:
        """The near-duplicate groups (``index.find_duplicates``), when the index has them."""
        if not supports_duplicates(self.index):
            raise WebError(404, "this index cannot look for duplicates (no find_duplicates)")
        if threshold not in (None, ""):
            try:
                threshold = float(threshold)
            except ValueError:
                raise WebError(400, f"threshold must be a number; got {threshold!r}") from None
        else:
            threshold = None
        groups = checked(duplicate_groups, self.index, threshold)
        for group in groups:
            group["has_image"] = [self.files.servable(i) for i in group["ids"]]
        answer = self.describe()
        answer.pop("root")
        answer.update(threshold=threshold, groups=groups)
        return answer

    # ------------------------------------------------------------ match and classify

    def match(self, image: bytes, template: bytes | None = None, box: Any = None,
              method: str = "zncc", scales: Any = "1", k: Any = 1) -> dict[str, Any]:
        """Find a template (an upload, or a box of the image) in an uploaded image."""
        k = check_count(k, "k", 20)
        return _vision.match(image, template, box, method, scales, k, self.model)

    def classify(self, image: bytes, k: Any = 5) -> dict[str, Any]:
        """The ``k`` most likely ImageNet classes of an uploaded photo."""
        k = check_count(k, "k", 20)
        return _vision.classify(image, k, self.model)
