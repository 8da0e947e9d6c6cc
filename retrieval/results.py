"""Search results: the ranked hits of a query and the report of an ``add``, with their views.

:class:`SearchResults` is a sequence of :class:`Hit` ``(rank, id, score)`` that prints as a
table at the REPL, shows as a picture of the query and its hits in Jupyter, and converts to
lists and JSON; :class:`AddReport` says what :meth:`retrieval.ImageIndex.add` added and which
files failed. Which way a score is better comes from :func:`retrieval.similarity.higher_is_better`.
"""

from __future__ import annotations

import base64
import html
import io
import json
import pathlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .similarity import higher_is_better

__all__ = ["Hit", "SearchResults", "AddReport"]

#: What the scores of each search metric are, in words.
DESCRIPTIONS = {"cosine": "cosine similarity", "correlation": "correlation",
                "l1": "l1 distance", "l2": "l2 distance"}


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

    def __init__(self, hits: Iterable[tuple[str, float]], metric: str, query: Any = None,
                 *, root: str | None = None):
        if metric not in DESCRIPTIONS:
            raise ValueError(f"metric must be one of {tuple(DESCRIPTIONS)}; got {metric!r}")
        self.hits = tuple(
            Hit(rank, str(hit_id), float(score))
            for rank, (hit_id, score) in enumerate(hits, start=1)
        )
        self.metric = metric
        self.query = query
        #: The folder relative file ids start from (the index's root), so files are found
        #: from any working folder; None: ids are used as they are.
        self.root = root

    def _path(self, hit_id: str) -> str:
        """Where a hit's file is: under ``root`` for a relative id."""
        if self.root is None or pathlib.Path(hit_id).is_absolute():
            return hit_id
        return str(pathlib.Path(self.root) / hit_id)

    @property
    def higher_is_better(self) -> bool:
        """True for similarities (cosine, correlation), False for distances (l1, l2)."""
        return higher_is_better(self.metric)

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

    def _caption(self) -> str:
        """``"l1 distance (lower is better)"``: what the scores are and which way is better."""
        direction = "higher" if self.higher_is_better else "lower"
        return f"{DESCRIPTIONS[self.metric]} ({direction} is better)"

    def _rows(self) -> list[tuple[str, str, str]]:
        big = any(abs(hit.score) >= 1e4 for hit in self.hits)
        return [(str(hit.rank), f"{hit.score:.1f}" if big else f"{hit.score:.4f}", hit.id)
                for hit in self.hits]

    def __repr__(self) -> str:
        head = f"SearchResults: {self._caption()}, {len(self)} hits"
        rows = self._rows()
        if not rows:
            return head
        width = max(5, *(len(score) for _, score, _ in rows))
        lines = [head, f" rank {'score':>{width}}  id"]
        lines += [f" {rank:>4} {score:>{width}}  {hit_id}" for rank, score, hit_id in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter's view: the picture of :meth:`to_png` (when there is one) over the table."""
        cells = "".join(f"<tr><td>{rank}</td><td>{score}</td><td>{html.escape(hit_id)}</td></tr>"
                        for rank, score, hit_id in self._rows())
        table = (f"<table><caption>{self._caption()}</caption>"
                 f"<tr><th>rank</th><th>score</th><th>id</th></tr>{cells}</table>")
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
                    or any(_names_a_file(self._path(hit.id)) for hit in self.hits))
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
        from .plot import _looks_like_file, plot_results

        if self.root is not None and "images" not in options:
            options["images"] = lambda hit_id: (self._path(hit_id) if _looks_like_file(hit_id)
                                                else None)
        return plot_results(self, **options)


@dataclass(frozen=True)
class AddReport:
    """What :meth:`ImageIndex.add` or :meth:`~ImageIndex.update` did.

    ``added`` lists the new ids; ``failures`` lists ``(path, reason)`` for every file that
    could not be read or that the extractor refused (too small); after ``update``,
    ``skipped`` lists the ids already indexed and ``removed`` those whose file was gone.
    """

    added: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        extra = (f", skipped={len(self.skipped)}, removed={len(self.removed)}"
                 if self.skipped or self.removed else "")
        return f"AddReport(added={len(self.added)}, failures={len(self.failures)}{extra})"

    def __str__(self) -> str:
        head = f"added {len(self.added)} images, {len(self.failures)} failed"
        if self.skipped or self.removed:
            head += (f", {len(self.skipped)} already indexed, {len(self.removed)} removed "
                     "(file gone)")
        lines = [head] + [f"  {path}: {reason}" for path, reason in self.failures]
        return "\n".join(lines)


def _names_a_file(text: str) -> bool:
    """True if ``text`` is the path of an existing file (False for any odd string)."""
    try:
        return pathlib.Path(text).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL character
        return False
