"""The image index: add images as feature vectors with ids, search them, save and load them.

``ImageIndex`` ties together a feature extractor (:mod:`retrieval.features`) and a ranking
rule (:mod:`retrieval.similarity`). Add images (arrays, files, a folder), search with a query
image, save the whole index to one ``.npz`` file, load it back (optionally memory-mapped).
The results live in :mod:`retrieval.results`, the file format in :mod:`retrieval.index_file`.

>>> import numpy as np
>>> from retrieval import ImageIndex, PixelFeatures
>>> images = np.zeros((3, 8, 8, 3), dtype=np.uint8)
>>> images[1] += 100
>>> images[2] += 250
>>> index = ImageIndex(PixelFeatures(size=(8, 8)), metric="l1")
>>> index.add(images, ids=["black", "gray", "white"])
AddReport(added=3, failures=0)
>>> index.search(np.full((8, 8, 3), 90, dtype=np.uint8), k=2)
SearchResults: l1 distance (lower is better), 2 hits
 rank   score  id
    1  1920.0  gray
    2 17280.0  black

Ranking
-------
:func:`retrieval.similarity.top_k` ranks the database block by block of rows (cosine and
correlation: higher is better; l1 and l2 distances: lower is better, as
:func:`~retrieval.similarity.higher_is_better` says). Equal scores are ranked by insertion
order (the image added first comes first). Cosine search over the float32 database takes
``top_k``'s float32 fast path, with the inverse row norms cached by the index (recomputed
after ``add``/``remove``).
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from imageops._inputs import check_positive_int, progress_bar

from ._adding import check_one_query, collect_rows, expand, is_path, new_ids_for
from ._folders import FolderMixin, save_checked
from ._top_k import inverse_row_norms
from .features import CNNFeatures, _pieces
from .index_file import FORMAT_NAME, FORMAT_VERSION, IndexFileError, read_index
from .results import DESCRIPTIONS, AddReport, Hit, SearchResults
from .similarity import higher_is_better, top_k

__all__ = ["ImageIndex", "SearchResults", "IndexFileError"]
# also importable from here, as before the split
_REEXPORTED = (Hit, AddReport, FORMAT_NAME, FORMAT_VERSION)


class ImageIndex(FolderMixin):
    """A searchable database of image feature vectors with string ids.

    Parameters
    ----------
    extractor : PixelFeatures or CNNFeatures, optional
        The feature extractor: how images become vectors; default ``CNNFeatures()``
        (EfficientNet-Lite0, average pooling). ``features=`` is its older name, still
        accepted, and ``index.features`` still reads it.
    metric : {"cosine", "correlation", "l1", "l2"}
        How vectors are compared (see :mod:`retrieval.similarity`).

    Examples
    --------
    >>> import numpy as np
    >>> from retrieval import PixelFeatures
    >>> rng = np.random.default_rng(0)
    >>> photos = rng.integers(0, 256, size=(5, 16, 16, 3), dtype=np.uint8)
    >>> index = ImageIndex(PixelFeatures(size=(16, 16)))
    >>> index.add(photos)
    AddReport(added=5, failures=0)
    >>> len(index), index.ids
    (5, ['0', '1', '2', '3', '4'])
    >>> results = index.search(photos[3] // 2, k=3)   # half as bright: same cosine ranking
    >>> results[0].id, round(results[0].score, 6)
    ('3', 1.0)
    """

    def __init__(self, extractor: Any = None, metric: str = "cosine", *, features: Any = None):
        if features is not None:
            if extractor is not None:
                raise TypeError("ImageIndex: give the extractor once (extractor= or its old "
                                "name features=), not both")
            extractor = features
        if metric not in DESCRIPTIONS:
            raise ValueError(f"ImageIndex: metric must be one of {tuple(DESCRIPTIONS)}; "
                             f"got {metric!r}")
        self.extractor = CNNFeatures() if extractor is None else extractor
        if not callable(getattr(self.extractor, "extract", None)) or not hasattr(
                self.extractor, "config"):
            raise TypeError("ImageIndex: extractor must be an extractor with .extract() and "
                            ".config (PixelFeatures, CNNFeatures); got "
                            f"{type(self.extractor).__name__}")
        self.metric = metric
        self._vectors = np.empty((0, 0), dtype=np.float32)
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._next_id = 0
        self._inverse_norms: np.ndarray | None = None
        #: The absolute folder that relative file ids start from (None: no files added).
        self.root: str | None = None

    # ------------------------------------------------------------ basics

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, image_id: object) -> bool:
        return image_id in self._rows

    def __repr__(self) -> str:
        return (f"ImageIndex({len(self)} images, {self.dimension} features, "
                f"metric={self.metric!r}, extractor={self.extractor!r})")

    @property
    def features(self) -> Any:
        """The feature extractor under its older name (use :attr:`extractor`)."""
        return self.extractor

    @features.setter
    def features(self, extractor: Any) -> None:
        self.extractor = extractor

    @property
    def ids(self) -> list[str]:
        """The image ids in insertion order."""
        return list(self._ids)

    @property
    def vectors(self) -> np.ndarray:
        """The feature vectors, ``(N, D)`` float32, one row per id (read-only view)."""
        view = self._vectors.view()
        view.flags.writeable = False
        return view

    @property
    def dimension(self) -> int:
        """``D``, the length of a feature vector (0 while the index is empty)."""
        return self._vectors.shape[1]

    @property
    def higher_is_better(self) -> bool:
        """True for the similarities (cosine, correlation), False for the distances."""
        return higher_is_better(self.metric)

    # ------------------------------------------------------------ adding and removing

    def add(self, images: Any, ids: Sequence[Any] | None = None, recursive: bool = False,
            errors: str = "skip", batch_size: int = 64,
            progress: bool | None = None) -> AddReport:
        """Extract the features of images and add them to the index.

        Parameters
        ----------
        images : folder, path, image, batch, or list of these
            A folder adds its image files (by extension, sorted; see
            :func:`imageops.list_image_files`); a file path adds one file; arrays, PIL
            images and batches add in-memory images.
        ids : sequence, optional
            One id per image (stored as str). By default a file's id is its path and an
            in-memory image gets the next free number ("0", "1", ...).
        recursive : bool
            For a folder, include its sub-folders.
        errors : {"skip", "raise"}
            ``"skip"``: a file that cannot be read (missing, not an image, truncated) or
            that the extractor refuses (smaller than the network's 32×32 minimum) is listed
            in the report with its reason and the rest are added; ``"raise"``: the first one
            raises and nothing is added. Bad in-memory arrays always raise.
        batch_size : int
            Accepted as before; images now go through the extractor one at a time (as fast
            with the NumPy engine), so the bar moves per image and one bad file fails alone.
        progress : bool or None
            A tqdm bar, moved per image; ``None`` shows it for 50 images or more.

        Returns
        -------
        AddReport
            ``.added`` (the new ids) and ``.failures`` (``(path, reason)`` pairs).

        Raises
        ------
        FileNotFoundError
            ``images`` is one path (file or folder) that does not exist.
        ValueError
            Duplicate ids (adding a folder again: use :meth:`update`), a wrong number of
            ids, or features that do not match the index.

        Warns
        -----
        UserWarning
            ``images`` is a folder without image files.

        Notes
        -----
        The first files added make the working folder the index's ``root`` (absolute,
        saved with it); file ids are relative to it, so :meth:`locate` finds them anywhere.
        """
        if errors not in ("skip", "raise"):
            raise ValueError(f"ImageIndex.add: errors must be 'skip' or 'raise'; got {errors!r}")
        check_positive_int(batch_size, "batch_size", "ImageIndex.add")
        items = expand(images, recursive)
        if self.root is None and any(is_path(item) for item in items):
            self.root = os.getcwd()
        new_ids = new_ids_for(items, ids, self._rows, self._next_id, self.root)
        with progress_bar(len(items), progress, "indexing") as bar:
            vectors, added, failures = collect_rows(items, new_ids, self.extractor,
                                                    errors == "raise", bar, self._checked)
        if added:
            if len(added) < len(vectors):  # some files failed: give back their rows
                vectors.resize((len(added), vectors.shape[1]), refcheck=False)
            self._append(vectors, added)
        return AddReport(added, failures)

    def _extract(self, images: Any, expected: int | None, progress: bool = False) -> np.ndarray:
        return self._checked(self.extractor.extract(images, progress=progress), expected)

    def _checked(self, vectors: Any, expected: int | None) -> np.ndarray:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or (expected is not None and vectors.shape[0] != expected):
            raise ValueError(f"the feature extractor returned shape {vectors.shape}; "
                             f"expected ({expected}, D)")
        if len(self) and vectors.shape[1] != self.dimension:
            raise ValueError(f"the extractor gives {vectors.shape[1]} features per image but "
                             f"the index holds {self.dimension}")
        if not np.isfinite(vectors).all():
            raise ValueError("the feature extractor returned NaN or infinite values")
        return vectors

    def _append(self, vectors: np.ndarray, new_ids: list[str]) -> None:
        if len(self) == 0:
            self._vectors = np.ascontiguousarray(vectors)
        else:
            self._vectors = np.concatenate([self._vectors, vectors])
        for image_id in new_ids:
            self._rows[image_id] = len(self._ids)
            self._ids.append(image_id)
        numbers = [int(i) for i in new_ids if i.isdigit()]
        self._next_id = max([self._next_id - 1, *numbers]) + 1
        self._inverse_norms = None

    def remove(self, ids: str | Iterable[str]) -> int:
        """Remove images by id; return how many were removed.

        Raises ``KeyError`` (and removes nothing) if an id is not in the index.

        Examples
        --------
        >>> import numpy as np
        >>> from retrieval import PixelFeatures
        >>> index = ImageIndex(PixelFeatures(size=(4, 4)))
        >>> _ = index.add(np.zeros((3, 4, 4, 3)), ids=["a", "b", "c"])
        >>> index.remove("b"), index.ids
        (1, ['a', 'c'])
        """
        wanted = [ids] if isinstance(ids, str) else [str(i) for i in ids]
        missing = [i for i in wanted if i not in self._rows]
        if missing:
            raise KeyError(f"not in the index: {missing[:5]}")
        drop = {self._rows[i] for i in wanted}
        keep = np.array([row not in drop for row in range(len(self))], dtype=bool)
        self._vectors = self._vectors[keep]
        self._ids = [i for i, kept in zip(self._ids, keep, strict=True) if kept]
        self._rows = {image_id: row for row, image_id in enumerate(self._ids)}
        self._inverse_norms = None
        return len(drop)

    # ------------------------------------------------------------ searching

    def search(self, query: Any, k: int = 5) -> SearchResults:
        """The ``k`` images most like a query image, best first.

        Parameters
        ----------
        query : image
            A path, PIL image or array, turned into features by the index's extractor.
        k : int
            How many hits (fewer if the index is smaller).

        Returns
        -------
        SearchResults
        """
        check_one_query(query)
        vector = self._extract([query], 1)
        (results,) = self._search(vector, k, [query])
        return results

    def search_many(self, queries: Any, k: int = 5,
                    progress: bool | None = None) -> list[SearchResults]:
        """Search several query images at once (one matrix product per block of rows).

        ``queries`` is a list of images or a batch ``(Q, H, W, 3)``; returns one
        :class:`SearchResults` per query, in order.
        """
        pieces = list(_pieces(queries))
        vectors = self._extract(pieces, len(pieces), progress=progress)
        return self._search(vectors, k, pieces)

    def search_vectors(self, vectors: Any, k: int = 5) -> SearchResults | list[SearchResults]:
        """Search with feature vectors instead of images.

        ``vectors`` is one vector ``(D,)`` (returns a SearchResults) or ``(Q, D)`` (returns a
        list).

        Examples
        --------
        >>> import numpy as np
        >>> from retrieval import PixelFeatures
        >>> index = ImageIndex(PixelFeatures(size=(1, 1)), metric="l2")
        >>> _ = index.add(np.array([[[[0, 0, 0]]], [[[3, 4, 0]]]]), ids=["dark", "mid"])
        >>> index.search_vectors([3, 4, 12], k=1)
        SearchResults: l2 distance (lower is better), 1 hits
         rank  score  id
            1 12.0000  mid
        """
        array = np.asarray(vectors)
        if array.ndim not in (1, 2):
            raise ValueError(f"search_vectors needs (D,) or (Q, D) vectors; got shape "
                             f"{array.shape}")
        if array.dtype.kind not in "biuf":
            raise TypeError(f"search_vectors needs numeric vectors; got dtype {array.dtype}")
        many = array.ndim == 2
        array = np.atleast_2d(array).astype(np.float32)
        if not np.isfinite(array).all():
            raise ValueError("search_vectors: the query contains NaN or infinity")
        results = self._search(array, k, [None] * len(array))
        return results if many else results[0]

    def _search(self, queries: np.ndarray, k: int, query_items: list[Any]) -> list[SearchResults]:
        k = check_positive_int(k, "k", "ImageIndex.search")
        if len(self) == 0:
            raise ValueError("cannot search an empty index; add images first")
        if queries.shape[1] != self.dimension:
            raise ValueError(f"the query has {queries.shape[1]} features, the index "
                             f"{self.dimension}")
        norms = self._cosine_inverse_norms() if self.metric == "cosine" else None
        rows, scores = top_k(queries, self._vectors, k, self.metric, inverse_norms=norms)
        return [
            SearchResults(((self._ids[r], s) for r, s in zip(rr, ss, strict=True)),
                          self.metric, query, root=self.root)
            for rr, ss, query in zip(rows.tolist(), scores.tolist(), query_items, strict=True)
        ]

    def _cosine_inverse_norms(self) -> np.ndarray:
        """1 / ‖row‖ for every database row (0 for zero rows), cached until add/remove."""
        if self._inverse_norms is None or len(self._inverse_norms) != len(self):
            self._inverse_norms = inverse_row_norms(self._vectors)
        return self._inverse_norms

    # ------------------------------------------------------------ files

    def save(self, path: str | os.PathLike) -> pathlib.Path:
        """Write the index to one ``.npz`` file, atomically; return the path written.

        ``.npz`` is appended to a path without that suffix. See :mod:`retrieval.index_file`
        for the format and :func:`~retrieval.index_file.write_index` for the atomic write.
        """
        config = dict(self.extractor.config)
        if self.root is not None:
            config["root"] = self.root
        return save_checked(path, self._vectors, self._ids, self.metric, config)

    @classmethod
    def load(cls, path: str | os.PathLike, mmap: bool = False) -> ImageIndex:
        """Read an index written by :meth:`save`, checking everything in it.

        Parameters
        ----------
        path : str or os.PathLike
        mmap : bool
            Map the features from the file instead of reading them (read-only, paged in as
            searches touch them; ``add``/``remove`` then copy them into memory). Memory-mapped
            features are not scanned for NaN at load time.

        Raises
        ------
        FileNotFoundError
            No such file.
        IndexFileError
            Not an index file, an unknown version, missing or unexpected entries, wrong
            dtypes or shapes, object arrays (never loaded), or an unknown extractor config.

        Examples
        --------
        >>> import tempfile, pathlib, numpy as np
        >>> from retrieval import PixelFeatures
        >>> index = ImageIndex(PixelFeatures(size=(4, 4)), metric="l1")
        >>> _ = index.add(np.zeros((2, 4, 4, 3)), ids=["a", "b"])
        >>> path = index.save(pathlib.Path(tempfile.mkdtemp()) / "tiny")
        >>> path.name
        'tiny.npz'
        >>> loaded = ImageIndex.load(path, mmap=True)
        >>> loaded.ids, loaded.metric, loaded.extractor
        (['a', 'b'], 'l1', PixelFeatures(size=(4, 4), color=True))
        """
        contents = read_index(path, mmap=mmap)
        index = cls(contents.extractor, contents.metric)
        index.root = contents.root  # None in files written before roots were stored
        if contents.ids:
            index._vectors = contents.vectors
            index._ids = contents.ids
            index._rows = {image_id: row for row, image_id in enumerate(contents.ids)}
            numbers = [int(i) for i in contents.ids if i.isdigit()]
            index._next_id = max(numbers) + 1 if numbers else 0
        return index
