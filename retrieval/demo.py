"""The demo: the lecture's retrieval progression, measured on the bundled photos.

A database is made of variants of each bundled photo — the lecture's brightness ×2 and +50,
a mirror, an upside-down flip, a crop, a small rotation, noise and a JPEG re-encoding — and each
original photo is a query whose relevant images are its own variants. The database is searched
four ways, in the lecture's order:

1. raw pixels, L1 distance (sum of absolute differences),
2. raw pixels, cosine similarity (blind to ×2, not to +50),
3. raw pixels, Pearson correlation (blind to both),
4. pretrained CNN features (EfficientNet-Lite0), cosine similarity.

``run_demo`` prints precision@k and mean average precision per method, a table of which variants
each method finds, and writes result grids and a summary picture. ``retrieval demo`` runs it.

====================  ======================================================
``VARIANTS``          the variant names, in database order
``make_variants``     the variants of one image, as a dict name -> image
``build_database``    the queries and the database from the bundled photos
``run_demo``          the whole demo; returns a ``DemoReport``
====================  ======================================================

>>> from retrieval.demo import VARIANTS
>>> VARIANTS
('x2', 'plus50', 'mirror', 'upside-down', 'crop', 'rotate', 'noise', 'jpeg')
"""

from __future__ import annotations

import dataclasses
import pathlib
import time
from collections.abc import Callable, Sequence

import numpy as np

from imageops._inputs import check_positive_int

from ._variants import (
    GRID_QUERIES,
    VARIANT_LABELS,
    VARIANTS,
    WORKING_SIZE,
    Database,
    build_database,
    make_variants,
)
from .evaluate import average_precision, precision_at_k
from .features import CNNFeatures, PixelFeatures
from .index import ImageIndex

__all__ = ["VARIANTS", "DemoReport", "build_database", "make_variants", "run_demo"]

# the database of variants lives in a private module; its public names are this module's
_PUBLIC = (VARIANTS, Database, build_database, make_variants)


# ---------------------------------------------------------------- the methods and the scores


@dataclasses.dataclass
class Method:
    """One way to search: an extractor and a metric."""

    key: str
    label: str
    make_features: Callable[[], object]
    metric: str


def methods(cnn: bool = True, model: str = "efficientnet_lite0") -> list[Method]:
    """The lecture's progression: pixels with L1, cosine, correlation; then CNN features.

    >>> [m.key for m in methods()]
    ['pixels-l1', 'pixels-cosine', 'pixels-correlation', 'efficientnet_lite0-cosine']
    """
    found = [
        Method("pixels-l1", "pixels · L1", PixelFeatures, "l1"),
        Method("pixels-cosine", "pixels · cosine", PixelFeatures, "cosine"),
        Method("pixels-correlation", "pixels · correlation", PixelFeatures, "correlation"),
    ]
    if cnn:
        found.append(
            Method(f"{model}-cosine", f"{model} · cosine", lambda: CNNFeatures(model), "cosine")
        )
    return found


@dataclasses.dataclass
class MethodScores:
    """What one method achieved over all queries."""

    method: Method
    precision: float  #: mean precision@k
    map: float  #: mean average precision
    found: dict[str, float]  #: per variant, the fraction of queries that rank it first of all
    #: the images of other photos
    rankings: list[list[tuple[str, float]]]  #: per query, (id, score) best first
    seconds: float  #: time to extract the features, index and search


@dataclasses.dataclass
class DemoReport:
    """The demo's scores and the files it wrote."""

    k: int
    n_queries: int
    n_database: int
    scores: list[MethodScores]
    files: list[pathlib.Path]
    seconds: float

    def table(self) -> str:
        """The main table: precision@k, mAP and the time to index and search, as Markdown."""
        lines = [f"| method | precision@{self.k} | mAP | seconds |", "|---|---:|---:|---:|"]
        for s in self.scores:
            lines.append(
                f"| {s.method.label} | {s.precision:.3f} | {s.map:.3f} | {s.seconds:.1f} |"
            )
        return "\n".join(lines)

    def variant_table(self) -> str:
        """Per variant, how often it outranks every image of another photo, as Markdown."""
        header = "| variant | " + " | ".join(s.method.label for s in self.scores) + " |"
        lines = [header, "|---|" + "---:|" * len(self.scores)]
        for name in VARIANTS:
            cells = []
            best = max(s.found[name] for s in self.scores)
            for s in self.scores:
                text = f"{s.found[name]:.2f}"
                cells.append(f"**{text}**" if s.found[name] == best else text)
            lines.append(f"| {VARIANT_LABELS[name]} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def _score_method(method: Method, db: Database, k: int, progress: bool | None) -> MethodScores:
    start = time.perf_counter()
    index = ImageIndex(extractor=method.make_features(), metric=method.metric)
    index.add(db.images, ids=db.ids, progress=progress)
    all_results = index.search_many(db.queries, k=len(db.ids))
    rankings, precisions, aps = [], [], []
    hits = {name: 0 for name in VARIANTS}
    for query_id, results in zip(db.query_ids, all_results, strict=True):
        ranking = [(str(hit.id), float(hit.score)) for hit in results.hits]
        ranked_ids = [hit_id for hit_id, _ in ranking]
        relevant = db.relevant(query_id)
        precisions.append(precision_at_k(ranked_ids, relevant, k))
        aps.append(average_precision(ranked_ids, relevant))
        wrong = 0  # images of other photos seen so far in the ranking
        for hit_id in ranked_ids:
            if hit_id in relevant:
                hits[hit_id.split("/", 1)[1]] += wrong == 0
            else:
                wrong += 1
        rankings.append(ranking)
    n = len(db.query_ids)
    return MethodScores(
        method=method,
        precision=float(np.mean(precisions)),
        map=float(np.mean(aps)),
        found={name: hits[name] / n for name in VARIANTS},
        rankings=rankings,
        seconds=time.perf_counter() - start,
    )


# ---------------------------------------------------------------- pictures


def _result_grid(scores: MethodScores, db: Database, k: int, path: pathlib.Path):
    from .plot import plot_results, save_figure

    rows = [db.query_ids.index(q) for q in GRID_QUERIES if q in db.query_ids] or [0]
    shown = max(k, len(VARIANTS))  # as many hits as relevant images, so misses show in red
    results = [scores.rankings[i][:shown] for i in rows]
    relevant = [db.relevant(db.query_ids[i]) for i in rows]  # each row: its own query's
    figure = plot_results(
        [_Ranked(r) for r in results],
        query=[db.queries[i] for i in rows],
        images=db.image,
        relevant=relevant,
        title=f"{scores.method.label}: precision@{k} {scores.precision:.3f}, "
        f"mAP {scores.map:.3f} (green: a variant of the query)",
    )
    return save_figure(figure, path)


@dataclasses.dataclass
class _Ranked:
    """A ranking in the shape plot_results reads (an object with ``hits``)."""

    ranking: list[tuple[str, float]]

    @property
    def hits(self) -> list[tuple[int, str, float]]:
        return [(i + 1, hit_id, score) for i, (hit_id, score) in enumerate(self.ranking)]


def _summary_figure(report: DemoReport, path: pathlib.Path):
    from .plot import _pyplot, save_figure

    plt = _pyplot()
    labels = [s.method.label for s in report.scores]
    figure, (bars, grid) = plt.subplots(1, 2, figsize=(13, 4.6),
                                         gridspec_kw={"width_ratios": [1, 1.4]})
    x = np.arange(len(labels))
    for offset, values, label in ((-0.2, [s.precision for s in report.scores],
                                   f"precision@{report.k}"),
                                  (0.2, [s.map for s in report.scores], "mAP")):
        drawn = bars.bar(x + offset, values, 0.4, label=label)
        bars.bar_label(drawn, fmt="%.3f", fontsize=7, padding=1)
    bars.set_xticks(x, [label.replace(" · ", "\n") for label in labels], fontsize=8)
    bars.set_ylim(0, 1.15)
    bars.set_yticks(np.linspace(0, 1, 6))
    bars.legend(loc="upper left", ncols=2)
    bars.set_title(f"{report.n_queries} queries, {report.n_database} database images")
    table = np.array([[s.found[name] for s in report.scores] for name in VARIANTS])
    grid.imshow(table, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    for (row, col), value in np.ndenumerate(table):
        dark = value < 0.2 or value > 0.8  # the deep red and green ends of the colour map
        grid.text(col, row, f"{value:.2f}", ha="center", va="center", fontsize=9,
                  color="white" if dark else "black", fontweight="bold" if dark else None)
    grid.set_xticks(x, [label.replace(" · ", "\n") for label in labels], fontsize=8)
    grid.set_yticks(np.arange(len(VARIANTS)), [VARIANT_LABELS[n] for n in VARIANTS], fontsize=8)
    grid.set_title("fraction of queries where the variant outranks all other photos' images")
    figure.tight_layout()
    return save_figure(figure, path)


# ---------------------------------------------------------------- the demo


def run_demo(
    out: str | pathlib.Path | None = "demo-output",
    k: int = 5,
    cnn: bool = True,
    model: str = "efficientnet_lite0",
    photos: Sequence[str | pathlib.Path] | None = None,
    size: tuple[int, int] = WORKING_SIZE,
    progress: bool | None = None,
    echo: Callable[[str], object] | None = print,
) -> DemoReport:
    """Run the demo: build the database, search it every way, print the tables, save pictures.

    Parameters
    ----------
    out : path or None
        Folder for the result grids (``grid_<method>.png``), ``summary.png`` and
        ``results.md``; None writes no file (and needs no matplotlib).
    k : int
        The cut-off of precision@k (the result grids show at least one hit per variant).
    cnn : bool
        Include the CNN features (False: pixels only, no weights needed).
    model : str
        The CNN for the features (a name for ``load_model``).
    photos : sequence of paths, optional
        The photos (default: the bundled ones).
    size : (height, width)
        Working size of every photo.
    progress : bool or None
        Progress bars (None: for 50 items or more, the library's one rule).
    echo : callable or None
        Where the tables are printed (``print``); None prints nothing.

    Returns
    -------
    DemoReport

    Examples
    --------
    >>> from retrieval.data import sample_photos
    >>> report = run_demo(out=None, k=3, cnn=False, photos=sample_photos()[:4], size=(43, 64),
    ...                   progress=False, echo=None)
    >>> [s.method.label for s in report.scores]
    ['pixels · L1', 'pixels · cosine', 'pixels · correlation']
    >>> report.scores[1].found["x2"]  # cosine always finds the ×2 copy
    1.0
    """
    start = time.perf_counter()
    k = check_positive_int(k, "k", "run_demo")
    db = build_database(photos, size=size, progress=progress)
    scores = []
    for method in methods(cnn=cnn, model=model):
        scores.append(_score_method(method, db, k, progress))
    report = DemoReport(k, len(db.query_ids), len(db.ids), scores, [], 0.0)
    if out is not None:
        folder = pathlib.Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for s in scores:
            report.files.append(_result_grid(s, db, k, folder / f"grid_{s.method.key}.png"))
        report.files.append(_summary_figure(report, folder / "summary.png"))
        markdown = folder / "results.md"
        markdown.write_text(report.table() + "\n\n" + report.variant_table() + "\n",
                            encoding="utf-8")
        report.files.append(markdown)
    report.seconds = time.perf_counter() - start
    if echo is not None:
        echo(f"{report.n_queries} queries (the original photos), {report.n_database} database "
             f"images ({len(VARIANTS)} variants of each); relevant = the query's variants\n")
        echo(report.table() + "\n")
        echo("Fraction of queries where the variant ranks above every image of another photo "
             "(best in bold):\n")
        echo(report.variant_table() + "\n")
        for path in report.files:
            echo(f"wrote {path}")
        echo(f"done in {report.seconds:.1f} s")
    return report
