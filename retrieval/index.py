"""An image index: a database of feature vectors with ids, searchable and saved to disk.

``ImageIndex`` ties together a feature extractor (:mod:`retrieval.features`) and a ranking
rule (:mod:`retrieval.similarity`). Add images (arrays, files, a folder), search with a query
image, save the whole index to one ``.npz`` file, load it back (optionally memory-mapped).

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
Scores come from :mod:`retrieval.similarity` (cosine and correlation: higher is better; l1
and l2 distances: lower is better; ``SearchResults.higher_is_better`` says which). The top
``k`` are found block by block of database rows (as many as keep the ``(rows, queries)``
block of scores within :data:`SCORE_BYTES`, at most :data:`SEARCH_ROWS`): the best score of
each group of :data:`GROUP` rows picks the few groups that can hold the ``k`` best, and only
their rows are sorted (``argpartition`` over every row costs more than the matrix product).
Equal scores are ranked by insertion order (the image added first comes first).

Cosine search has a float32 fast path: one matrix product per block of rows with the
database's inverse row norms cached once (recomputed after ``add``/``remove``). Its scores
differ from the float64 :func:`retrieval.cosine_similarities` by a few 1e-7 (at most
``D * 2**-24``, about 1e-4, for ``D = 1280``), which changes a ranking only between scores that
equal to that precision. The other metrics use the float64 functions block by block.

File format (version 1)
-----------------------
One uncompressed ``.npz`` archive, read with ``allow_pickle=False``:

===========  ============================================================
``format``   the string ``"retrieval-lab index"``
``version``  the integer 1
``features`` float32 ``(N, D)``, one row per image (64-byte aligned in the file)
``ids``      unicode ``(N,)``, unique
``metric``   ``"cosine"``, ``"correlation"``, ``"l1"`` or ``"l2"``
``config``   the extractor's ``.config`` as a JSON string
===========  ============================================================

``save`` writes a temporary file in the same folder and renames it over the target
(``os.replace``), so an interrupted save leaves any earlier index intact. ``load(mmap=True)``
maps ``features`` straight from the archive (it is stored uncompressed and aligned), so a
large database is paged in from disk as searches touch it instead of being read whole.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import pathlib
import secrets
import struct
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from tqdm import tqdm

from .features import CNNFeatures, _pieces, features_from_config
from .similarity import correlations, l1_distances, l2_distances

__all__ = ["ImageIndex", "SearchResults", "IndexFileError"]

FORMAT_NAME = "retrieval-lab index"
FORMAT_VERSION = 1
#: Most database rows scored at a time by a search.
SEARCH_ROWS = 262144
#: Bound on the (queries, rows) block of float32 scores of a search (bytes): one query scores
#: SEARCH_ROWS rows at a time, 100 queries 167,772, 1,000 queries 16,777.
SCORE_BYTES = 64 * 2**20
GROUP = 128  # rows per group in the top-k pre-selection (_block_top_k)
_NORM_ROWS = 8192  # rows converted to float64 at a time for the norms
_ALIGN = 64
_KEYS = ("format", "version", "features", "ids", "metric", "config")
_METRICS = {  # metric -> (description, higher is better)
    "cosine": ("cosine similarity", True),
    "correlation": ("correlation", True),
    "l1": ("l1 distance", False),
    "l2": ("l2 distance", False),
}
_AUTO_PROGRESS = 50


class IndexFileError(ValueError):
    """A file that is not a valid index (wrong format, version, contents or types)."""


# ---------------------------------------------------------------- results


class Hit(NamedTuple):
    """One search hit: its 1-based ``rank``, the image ``id`` and the ``score``."""

    rank: int
    id: str
    score: float


class SearchResults(Sequence):
    """The ranked hits of one query; a sequence of :class:`Hit` ``(rank, id, score)``.

    Attributes
    ----------
    hits : tuple of Hit
        Best first.
    metric : str
        The index's metric; ``higher_is_better`` is False for the distances l1 and l2.
    query : image or None
        The query image, when the search was given one (``show`` draws it).

    Notes
    -----
    At the REPL the results print as a table; in Jupyter they show as a picture of the query
    and the hits with their scores (when matplotlib is installed and there are pictures to
    draw: the query, or hits whose ids are image files) over the same table. ``show()`` makes
    that picture as a matplotlib figure, ``to_png()`` as PNG bytes.

    Examples
    --------
    >>> results = SearchResults([("a.jpg", 0.98), ("b.jpg", 0.5)], metric="cosine")
    >>> results[0]
    Hit(rank=1, id='a.jpg', score=0.98)
    >>> results.ids, results.higher_is_better
    (['a.jpg', 'b.jpg'], True)
    >>> results.to_list()[1]
    {'rank': 2, 'id': 'b.jpg', 'score': 0.5}
    >>> results.to_json()[:46]
    '{"metric": "cosine", "higher_is_better": true,'
    """

    def __init__(self, hits: Iterable[tuple[str, float]], metric: str, query: Any = None):
        if metric not in _METRICS:
            raise ValueError(f"metric must be one of {tuple(_METRICS)}; got {metric!r}")
        self.hits = tuple(
            Hit(rank, str(hit_id), float(score))
            for rank, (hit_id, score) in enumerate(hits, start=1)
        )
        self.metric = metric
        self.query = query

    @property
    def higher_is_better(self) -> bool:
        """True for similarities (cosine, correlation), False for distances (l1, l2)."""
        return _METRICS[self.metric][1]

    @property
    def ids(self) -> list[str]:
        """The hit ids, best first."""
        return [hit.id for hit in self.hits]

    @property
    def scores(self) -> list[float]:
        """The hit scores, best first."""
        return [hit.score for hit in self.hits]

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, item):
        return self.hits[item]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def to_list(self) -> list[dict[str, Any]]:
        """The hits as a list of ``{"rank", "id", "score"}`` dicts."""
        return [hit._asdict() for hit in self.hits]

    def to_json(self, **options: Any) -> str:
        """The metric, its direction and the hits as a JSON string (options go to json.dumps)."""
        return json.dumps({"metric": self.metric, "higher_is_better": self.higher_is_better,
                           "hits": self.to_list()}, **options)

    def _rows(self) -> list[tuple[str, str, str]]:
        big = any(abs(hit.score) >= 1e4 for hit in self.hits)
        return [(str(hit.rank), f"{hit.score:.1f}" if big else f"{hit.score:.4f}", hit.id)
                for hit in self.hits]

    def __repr__(self) -> str:
        what, higher = _METRICS[self.metric]
        direction = "higher" if higher else "lower"
        head = f"SearchResults: {what} ({direction} is better), {len(self)} hits"
        rows = self._rows()
        if not rows:
            return head
        width = max(5, *(len(score) for _, score, _ in rows))
        lines = [head, f" rank {'score':>{width}}  id"]
        lines += [f" {rank:>4} {score:>{width}}  {hit_id}" for rank, score, hit_id in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter's view: the picture of :meth:`to_png` (when there is one) over the table."""
        what, higher = _METRICS[self.metric]
        cells = "".join(f"<tr><td>{rank}</td><td>{score}</td><td>{html.escape(hit_id)}</td></tr>"
                        for rank, score, hit_id in self._rows())
        table = (f"<table><caption>{what} ({'higher' if higher else 'lower'} is better)"
                 f"</caption><tr><th>rank</th><th>score</th><th>id</th></tr>{cells}</table>")
        picture = self.to_png(quiet=True)
        if picture is None:
            return table
        encoded = base64.b64encode(picture).decode("ascii")
        return (f'<img src="data:image/png;base64,{encoded}" alt="query and top '
                f'{len(self)} hits"/>' + table)

    def to_png(self, quiet: bool = False, dpi: int = 100, **options: Any) -> bytes | None:
        """The picture of :meth:`show` as PNG bytes; None when there is nothing to draw.

        There is something to draw when the results know their query image or a hit's id is
        an image file (or ``images=`` is given, see ``plot_results``). Needs matplotlib;
        ``quiet=True`` returns None instead of raising when it is missing or a picture
        cannot be read (Jupyter's view uses that, so showing results never fails).
        """
        drawable = (self.query is not None or "images" in options
                    or any(_names_a_file(hit.id) for hit in self.hits))
        if not self.hits or not drawable:
            return None
        try:
            figure = self.show(**options)  # an ImportError here names the extra to install
        except (ImportError, OSError, ValueError, TypeError):
            if quiet:
                return None
            raise
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        try:
            figure.savefig(buffer, format="png", dpi=dpi)
        finally:
            plt.close(figure)  # never left open for a notebook to draw a second time
        return buffer.getvalue()

    def show(self, **options: Any):
        """Draw the query and the hits with :func:`retrieval.plot.plot_results`.

        Options go to ``plot_results`` (for example ``images=`` to look pictures up by id).
        Needs matplotlib. Returns the figure.
        """
        from .plot import plot_results

        return plot_results(self, **options)


@dataclass(frozen=True)
class AddReport:
    """What :meth:`ImageIndex.add` did: the ``added`` ids and the ``failures``.

    ``failures`` lists ``(path, reason)`` for every file that could not be read.
    """

    added: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"AddReport(added={len(self.added)}, failures={len(self.failures)})"

    def __str__(self) -> str:
        lines = [f"added {len(self.added)} images, {len(self.failures)} failed"]
        lines += [f"  {path}: {reason}" for path, reason in self.failures]
        return "\n".join(lines)


# ---------------------------------------------------------------- the index


class ImageIndex:
    """A searchable database of image feature vectors with string ids.

    Parameters
    ----------
    features : PixelFeatures or CNNFeatures, optional
        How images become vectors; default ``CNNFeatures()`` (EfficientNet-Lite0, average
        pooling).
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

    def __init__(self, features: Any = None, metric: str = "cosine"):
        if metric not in _METRICS:
            raise ValueError(f"ImageIndex: metric must be one of {tuple(_METRICS)}; "
                             f"got {metric!r}")
        self.features = CNNFeatures() if features is None else features
        if not callable(getattr(self.features, "extract", None)) or not hasattr(
                self.features, "config"):
            raise TypeError("ImageIndex: features must be an extractor with .extract() and "
                            f".config (PixelFeatures, CNNFeatures); got "
                            f"{type(self.features).__name__}")
        self.metric = metric
        self._vectors = np.empty((0, 0), dtype=np.float32)
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._next_id = 0
        self._inverse_norms: np.ndarray | None = None

    # ------------------------------------------------------------ basics

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, image_id: object) -> bool:
        return image_id in self._rows

    def __repr__(self) -> str:
        return (f"ImageIndex({len(self)} images, {self.dimension} features, "
                f"metric={self.metric!r}, features={self.features!r})")

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
        return _METRICS[self.metric][1]

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
            ``"skip"``: a file that cannot be read (missing, not an image, truncated) is
            listed in the report and the rest are added; ``"raise"``: the first one raises
            and nothing is added. Bad in-memory arrays always raise.
        batch_size : int
            Images decoded and passed to the extractor at a time.
        progress : bool or None
            A tqdm bar; ``None`` shows it for more than 50 images.

        Returns
        -------
        AddReport
            ``.added`` (the new ids) and ``.failures`` (``(path, reason)`` pairs).

        Raises
        ------
        ValueError
            Duplicate ids, a wrong number of ids, or features that do not match the index.
        """
        if errors not in ("skip", "raise"):
            raise ValueError(f"ImageIndex.add: errors must be 'skip' or 'raise'; got {errors!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"ImageIndex.add: batch_size must be a positive integer; "
                             f"got {batch_size!r}")
        items = list(self._expand(images, recursive))
        new_ids = self._new_ids(items, ids)
        load = getattr(self.features, "load", None)

        added: list[str] = []
        failures: list[tuple[str, str]] = []
        vectors = None  # filled batch by batch: the features are never held twice
        show = len(items) > _AUTO_PROGRESS if progress is None else bool(progress)
        with tqdm(total=len(items), desc="indexing", unit="image", disable=not show) as bar:
            for start in range(0, len(items), batch_size):
                loaded = []
                for item, image_id in zip(items[start:start + batch_size],
                                          new_ids[start:start + batch_size], strict=True):
                    try:
                        loaded.append(load(item) if load is not None else item)
                    except (OSError, ValueError) as error:
                        if errors == "raise" or not _is_path(item):
                            raise
                        failures.append((os.fspath(item), str(error)))
                        continue
                    added.append(image_id)
                if loaded:
                    block = self._extract(loaded, len(loaded))
                    if vectors is None:
                        vectors = np.empty((len(items), block.shape[1]), dtype=np.float32)
                    elif block.shape[1] != vectors.shape[1]:
                        raise ValueError(f"the extractor gave {vectors.shape[1]} features per "
                                         f"image, then {block.shape[1]}: images of different "
                                         "sizes need a fixed size=(height, width)")
                    vectors[len(added) - len(block):len(added)] = block
                bar.update(min(batch_size, len(items) - start))
        if added:
            if len(added) < len(vectors):  # some files failed: give back their rows
                vectors.resize((len(added), vectors.shape[1]), refcheck=False)
            self._append(vectors, added)
        return AddReport(added, failures)

    @staticmethod
    def _expand(images: Any, recursive: bool) -> Iterator[Any]:
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
                yield from ImageIndex._expand(item, recursive)
        else:
            yield from _pieces(images)

    def _new_ids(self, items: list[Any], ids: Sequence[Any] | None) -> list[str]:
        if ids is None:
            new_ids = []
            number = self._next_id
            for item in items:
                if _is_path(item):
                    new_ids.append(os.fspath(item))
                else:
                    while str(number) in self._rows:
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
        repeated = [i for i in new_ids if i in self._rows or i in seen or seen.add(i)]
        if repeated:
            raise ValueError(f"ImageIndex.add: ids must be unique; already used: "
                             f"{sorted(set(repeated))[:5]}")
        return new_ids

    def _extract(self, images: Any, expected: int | None, progress: bool = False) -> np.ndarray:
        vectors = np.asarray(self.features.extract(images, progress=progress),
                             dtype=np.float32)
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
        if len(self) == 0:
            raise ValueError("cannot search an empty index; add images first")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer; got {k!r}")
        if queries.shape[1] != self.dimension:
            raise ValueError(f"the query has {queries.shape[1]} features, the index "
                             f"{self.dimension}")
        rows, scores = self._top_k(queries, min(int(k), len(self)))
        return [
            SearchResults(((self._ids[r], s) for r, s in zip(rr, ss, strict=True)),
                          self.metric, query)
            for rr, ss, query in zip(rows.tolist(), scores.tolist(), query_items, strict=True)
        ]

    def _top_k(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores), each (Q, k), best first; ties go to the lower row."""
        higher = self.higher_is_better
        score_block = self._scorer(queries)
        found_rows, found_scores = [], []
        step = max(1, min(SEARCH_ROWS, SCORE_BYTES // (4 * len(queries))))
        for start in range(0, len(self), step):
            block = score_block(start, min(start + step, len(self)))
            rows, scores = _block_top_k(block, k, higher)  # block: (rows, queries)
            found_rows.append(rows + start)
            found_scores.append(scores)
        rows = np.concatenate(found_rows, axis=1)
        scores = np.concatenate(found_scores, axis=1)
        order = np.lexsort((rows, -scores if higher else scores), axis=1)[:, :k]
        scores = np.take_along_axis(scores, order, 1)
        if self.metric == "cosine":  # float32 rounding can step just outside [-1, 1]
            scores = np.clip(scores, -1.0, 1.0)
        return np.take_along_axis(rows, order, 1), scores

    def _scorer(self, queries: np.ndarray):
        """A function (start, stop) -> (stop - start, Q) scores of those database rows.

        Rows of the database run down the block and queries across: ``rows @ queries.T``
        is the faster orientation of the matrix product for BLAS.
        """
        database = self._vectors
        if self.metric == "cosine":
            inverse = self._cosine_inverse_norms()
            lengths = np.linalg.norm(queries.astype(np.float64), axis=1, keepdims=True)
            unit = (queries / np.where(lengths > 0, lengths, 1.0)).astype(np.float32)
            unit_t = np.ascontiguousarray(unit.T)

            def cosine(start: int, stop: int) -> np.ndarray:
                block = database[start:stop] @ unit_t
                block *= inverse[start:stop, None]
                return block  # clipped to [-1, 1] once the k best are known

            return cosine
        function = {"correlation": correlations, "l1": l1_distances,
                    "l2": l2_distances}[self.metric]
        return lambda start, stop: function(queries, database[start:stop]).T

    def _cosine_inverse_norms(self) -> np.ndarray:
        """1 / ‖row‖ for every database row (0 for zero rows), cached until add/remove."""
        if self._inverse_norms is None or len(self._inverse_norms) != len(self):
            inverse = np.empty(len(self), dtype=np.float32)
            for start in range(0, len(self), _NORM_ROWS):
                rows = self._vectors[start:start + _NORM_ROWS].astype(np.float64)
                norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))
                inverse[start:start + len(rows)] = np.divide(
                    1.0, norms, out=np.zeros_like(norms), where=norms > 0)
            self._inverse_norms = inverse
        return self._inverse_norms

    # ------------------------------------------------------------ files

    def save(self, path: str | os.PathLike) -> pathlib.Path:
        """Write the index to one ``.npz`` file, atomically; return the path written.

        ``.npz`` is appended to a path without that suffix. The file is first written
        beside the target under a temporary name and then renamed over it, so a save that
        fails half way leaves an existing index untouched. (On Windows, a file that is
        memory-mapped by ``load(mmap=True)`` cannot be replaced.)
        """
        path = pathlib.Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        arrays = {
            "features": np.ascontiguousarray(self._vectors, dtype=np.float32),
            "ids": np.array(self._ids, dtype=str),
            "format": np.array(FORMAT_NAME),
            "version": np.array(FORMAT_VERSION, dtype=np.int64),
            "metric": np.array(self.metric),
            "config": np.array(json.dumps(self.features.config)),
        }
        if arrays["ids"].size == 0:
            arrays["ids"] = np.array([], dtype="<U1")
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(descriptor, "wb") as stream:
                _write_npz(stream, arrays)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        finally:
            if temporary.exists():
                temporary.unlink()
        return path

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
        >>> loaded.ids, loaded.metric, loaded.features
        (['a', 'b'], 'l1', PixelFeatures(size=(4, 4), color=True))
        """
        path = pathlib.Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no such index file: {os.fspath(path)!r}")
        where = os.fspath(path)
        with open(path, "rb") as stream:
            magic = stream.read(6)
        if magic == b"\x93NUMPY":
            raise IndexFileError(f"{where} is a single .npy array, not an index archive (.npz)")
        if not magic.startswith(b"PK\x03\x04"):
            raise IndexFileError(f"{where} is not an index file (an index is a .npz archive, "
                                 "which is a zip file; this one is not)")
        try:
            archive = np.load(path, allow_pickle=False)
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
            raise IndexFileError(f"{where} is not an index file (a .npz archive): "
                                 f"{error}") from None
        if not isinstance(archive, np.lib.npyio.NpzFile):  # pragma: no cover - checked above
            raise IndexFileError(f"{where} is a single .npy array, not an index archive (.npz)")
        with archive:
            names = set(archive.files)
            missing = [key for key in _KEYS if key not in names]
            unexpected = sorted(names - set(_KEYS))
            if missing or unexpected:
                raise IndexFileError(f"{where} is not a valid index: missing entries "
                                     f"{missing}, unexpected entries {unexpected}")

            def entry(key: str) -> np.ndarray:
                try:
                    return archive[key]
                except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
                    raise IndexFileError(f"{where}: cannot read entry {key!r} safely "
                                         f"({error})") from None

            fmt = _text(entry("format"), "format", where)
            if fmt != FORMAT_NAME:
                raise IndexFileError(f"{where}: format is {fmt!r}, expected {FORMAT_NAME!r}")
            version = entry("version")
            if version.shape != () or version.dtype.kind not in "iu":
                raise IndexFileError(f"{where}: version must be an integer; got dtype "
                                     f"{version.dtype}, shape {version.shape}")
            if int(version) != FORMAT_VERSION:
                raise IndexFileError(f"{where}: index format version {int(version)} is not "
                                     f"supported (this library reads version {FORMAT_VERSION})")
            metric = _text(entry("metric"), "metric", where)
            if metric not in _METRICS:
                raise IndexFileError(f"{where}: unknown metric {metric!r}; expected one of "
                                     f"{tuple(_METRICS)}")
            try:
                config = json.loads(_text(entry("config"), "config", where))
                features = features_from_config(config)
            except (ValueError, TypeError) as error:
                raise IndexFileError(f"{where}: bad extractor config: {error}") from None
            ids = entry("ids")
            if ids.ndim != 1 or ids.dtype.kind != "U":
                raise IndexFileError(f"{where}: ids must be a 1-D unicode array; got dtype "
                                     f"{ids.dtype}, shape {ids.shape}")
            vectors = _memmap_member(path, "features") if mmap else entry("features")
        if vectors.dtype != np.float32 or vectors.ndim != 2 or len(vectors) != len(ids):
            raise IndexFileError(f"{where}: features must be float32 (N, D) with N = "
                                 f"{len(ids)} ids; got dtype {vectors.dtype}, shape "
                                 f"{vectors.shape}")
        if not mmap and not np.isfinite(vectors).all():
            raise IndexFileError(f"{where}: features contain NaN or infinity")
        id_list = ids.tolist()
        if len(set(id_list)) != len(id_list):
            raise IndexFileError(f"{where}: ids are not unique")

        index = cls(features, metric)
        if len(id_list):
            index._vectors = vectors
            index._ids = id_list
            index._rows = {image_id: row for row, image_id in enumerate(id_list)}
            numbers = [int(i) for i in id_list if i.isdigit()]
            index._next_id = max(numbers) + 1 if numbers else 0
        return index


# ---------------------------------------------------------------- helpers


def _is_path(item: Any) -> bool:
    return isinstance(item, (str, os.PathLike))


def _names_a_file(text: str) -> bool:
    """True if ``text`` is the path of an existing file (False for any odd string)."""
    try:
        return pathlib.Path(text).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL character
        return False


def _block_top_k(block: np.ndarray, k: int, higher: bool) -> tuple[np.ndarray, np.ndarray]:
    """The k best rows for each column of a ``(rows, queries)`` score block.

    Returns ``(rows, scores)``, each ``(queries, k)``, best first, ties to the lower row.
    Sorting or partitioning every column costs far more than the search's matrix product,
    so the k best are found in cheap passes: cut the rows into groups of ``GROUP`` and take
    each group's best; the k-th best of those group bests, ``t``, is a score that at least
    k entries reach, so every one of the k best entries (and every entry tied with the
    k-th) is ``>= t``, and only the few candidates from groups reaching ``t`` are sorted.
    """
    n, n_queries = block.shape
    key = block if higher else -block           # larger key = better
    groups = n // GROUP
    if groups < k:                              # small block: sort it whole
        order = np.argsort(-key.T, axis=1, kind="stable")[:, :k]
        return order, np.take_along_axis(block.T, order, 1)
    group_best = key[:groups * GROUP].reshape(groups, GROUP, n_queries).max(axis=1).T
    threshold = np.partition(group_best, groups - k, axis=1)[:, groups - k]
    # candidates: every row of a group whose best reaches t, and the few tail rows
    query, group = np.nonzero(group_best >= threshold[:, None])
    row = (group[:, None] * GROUP + np.arange(GROUP)).ravel()
    query = np.repeat(query, GROUP)
    tail = np.arange(groups * GROUP, n)
    if tail.size:
        row = np.concatenate([row, np.tile(tail, n_queries)])
        query = np.concatenate([query, np.repeat(np.arange(n_queries), tail.size)])
    value = key[row, query]
    keep = value >= threshold[query]
    query, row, value = query[keep], row[keep], value[keep]
    order = np.lexsort((row, -value, query))    # by query, then best key, then row
    query, row = query[order], row[order]
    first = np.searchsorted(query, np.arange(n_queries))  # each query's first candidate
    rows = row[first[:, None] + np.arange(k)]             # each query has >= k candidates
    return rows, block[rows, np.arange(n_queries)[:, None]]


def _text(array: np.ndarray, key: str, where: str) -> str:
    if array.shape != () or array.dtype.kind != "U":
        raise IndexFileError(f"{where}: {key} must be a unicode string; got dtype "
                             f"{array.dtype}, shape {array.shape}")
    return str(array)


def _write_npz(stream, arrays: dict[str, np.ndarray]) -> None:
    """An uncompressed .npz that np.load reads, with every array's data 64-byte aligned.

    Alignment comes from a padding field in each member's zip header (id 0xD935, the one
    Android's zipalign uses), so that ``_memmap_member`` can map the data in place.
    """
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            # local header: 30 bytes + name + our padding + 20 bytes of zip64 sizes
            header = 30 + len(info.filename.encode()) + 20
            pad = -(stream.tell() + header) % _ALIGN
            if 0 < pad < 4:
                pad += _ALIGN
            if pad:
                info.extra = struct.pack("<HH", 0xD935, pad - 4) + bytes(pad - 4)
            with zf.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _memmap_member(path: pathlib.Path, key: str) -> np.ndarray:
    """Memory-map an uncompressed .npy member of a .npz archive, read-only."""
    where = os.fspath(path)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(f"{key}.npy")
    if info.compress_type != zipfile.ZIP_STORED:
        raise IndexFileError(f"{where}: {key} is compressed and cannot be memory-mapped; "
                             "load with mmap=False (or save the index again)")
    with open(path, "rb") as stream:
        stream.seek(info.header_offset)
        local = stream.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise IndexFileError(f"{where}: damaged zip header for {key}")
        name_length, extra_length = struct.unpack("<HH", local[26:30])
        stream.seek(info.header_offset + 30 + name_length + extra_length)
        try:
            version = np.lib.format.read_magic(stream)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}[version]
            shape, fortran, dtype = read_header(stream)
        except (ValueError, KeyError) as error:
            raise IndexFileError(f"{where}: damaged array header for {key}: {error}") from None
        offset = stream.tell()
    if dtype.hasobject:
        raise IndexFileError(f"{where}: cannot read entry {key!r} safely (it holds Python "
                             "objects, which are never loaded)")
    if fortran:
        raise IndexFileError(f"{where}: {key} must be a C-ordered array")
    if offset + dtype.itemsize * int(np.prod(shape)) > info.header_offset + 30 + \
            name_length + extra_length + info.file_size:
        raise IndexFileError(f"{where}: {key} is larger than its zip member")
    if 0 in shape:
        return np.empty(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)
