"""Pictures of search results and template matches (needs the ``plot`` extra: matplotlib).

====================  ==========================================================
``plot_results``      the query and its top-k hits in a grid, with ids and scores
``plot_matches``      an image with the found boxes, next to the score map's heat map
``save_figure``       write a figure to a PNG file (folders made) and close it
====================  ==========================================================

matplotlib is imported only inside the functions, so ``import retrieval`` works without it;
calling a function without it raises an ImportError that names the extra to install.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import numpy as np
>>> from retrieval.plot import plot_results
>>> images = {"dark": np.zeros((8, 8, 3), np.uint8), "light": np.full((8, 8, 3), 200, np.uint8)}
>>> figure = plot_results([("light", 0.99), ("dark", 0.12)], query=images["light"], images=images)
>>> [ax.get_title() for ax in figure.axes]
['query', '#1 light\\n0.990', '#2 dark\\n0.120']
"""

from __future__ import annotations

import os
import pathlib
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["plot_matches", "plot_results", "save_figure"]

_MISSING = 'matplotlib is needed for plots: pip install "retrieval-lab[plot]"'
_GOOD, _BAD = "#2ca02c", "#d62728"


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - exercised with a blocked import in tests
        raise ImportError(_MISSING) from error
    return plt


# ---------------------------------------------------------------- reading results and images


def _hits(results: Any) -> list[tuple[int, Any, float]]:
    """(rank, id, score) for each hit of a SearchResults, a list of hits, or of (id, score)."""
    items = getattr(results, "hits", results)
    hits = []
    for position, hit in enumerate(items, start=1):
        if isinstance(hit, Mapping):
            hits.append((int(hit.get("rank", position)), hit["id"], float(hit["score"])))
        elif hasattr(hit, "id") and hasattr(hit, "score"):
            hits.append((int(getattr(hit, "rank", position)), hit.id, float(hit.score)))
        elif isinstance(hit, Sequence) and len(hit) == 3:
            hits.append((int(hit[0]), hit[1], float(hit[2])))
        elif isinstance(hit, Sequence) and len(hit) == 2:
            hits.append((position, hit[0], float(hit[1])))
        else:
            raise TypeError(
                "plot_results expects search results (hits with rank, id and score, or "
                f"(id, score) pairs); got a hit of type {type(hit).__name__}"
            )
    return hits


def _displayable(image: Any) -> np.ndarray:
    """An (H, W) or (H, W, 3) uint8 array from an array or anything load_image reads."""
    if not isinstance(image, np.ndarray):
        from imageops.io import load_image

        image = load_image(image)
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 3 and array.shape[-1] == 4:
        array = array[..., :3]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] != 3):
        raise ValueError(
            f"expected an image of shape (H, W) or (H, W, 3); got shape {array.shape}"
        )
    if array.dtype != np.uint8:
        array = np.clip(np.rint(array.astype(np.float64)), 0, 255).astype(np.uint8)
    return array


def _is_file(hit_id: Any) -> bool:
    """True if the id is the path of an existing file (False for any other id)."""
    if not isinstance(hit_id, (str, os.PathLike)):
        return False
    try:
        return pathlib.Path(hit_id).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL character
        return False


#: Drawn instead of a picture whose file is not where its id (or ``images``) says.
_MOVED = "file not found\n(moved?)"


def _looks_like_file(text: Any) -> bool:
    """True for a path that names an image file by its extension (existing or not)."""
    from imageops.batches import IMAGE_EXTENSIONS

    if not isinstance(text, (str, os.PathLike)):
        return False
    return pathlib.PurePath(text).suffix.lower() in IMAGE_EXTENSIONS


def _lookup(hit_id: Any, images: Any) -> np.ndarray | str | None:
    """The picture of a hit: from `images` (mapping or callable), else the id as a file path.

    None when there is no picture to look for; ``_MOVED`` when a file path was given (the
    id, or what ``images`` returned) but no such file exists.
    """
    if callable(images):
        found = images(hit_id)
    elif images is not None and hit_id in images:
        found = images[hit_id]
    elif _is_file(hit_id) or _looks_like_file(hit_id):
        found = hit_id
    else:
        return None
    if isinstance(found, (str, os.PathLike)) and not _is_file(found):
        return _MOVED
    return None if found is None else _displayable(found)


def _show(ax, image: np.ndarray | str | None, title: str, colour: str | None = None) -> None:
    if image is None or isinstance(image, str):
        ax.text(0.5, 0.5, "no image" if image is None else image, ha="center", va="center",
                transform=ax.transAxes, color="black" if image is None else _BAD)
    elif image.ndim == 2:
        ax.imshow(image, cmap="gray", vmin=0, vmax=255)
    else:
        ax.imshow(image)
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
    if colour is not None:
        for spine in ax.spines.values():
            spine.set_edgecolor(colour)
            spine.set_linewidth(3)


def _score_text(score: float) -> str:
    """Three decimals for similarities, thousands separators for large distances."""
    return f"{score:,.0f}" if abs(score) >= 10_000 else f"{score:.3f}"


def _short(hit_id: Any, width: int = 22) -> str:
    is_path = isinstance(hit_id, os.PathLike) or _is_file(hit_id)
    text = pathlib.Path(hit_id).name if is_path else str(hit_id)
    return text if len(text) <= width else "…" + text[-(width - 1) :]


# ---------------------------------------------------------------- search results


def plot_results(
    results: Any,
    query: Any = None,
    *,
    images: Mapping[Any, Any] | Callable[[Any], Any] | None = None,
    relevant: Any = None,
    k: int | None = None,
    title: str | None = None,
    panel_size: float = 1.8,
):
    """Draw a query and its ranked hits in a grid, each hit titled with its id and score.

    Parameters
    ----------
    results : SearchResults, sequence of hits, or list of those
        One query's results: a ``SearchResults`` (its ``.hits`` have ``rank``, ``id`` and
        ``score``), or a list of ``(rank, id, score)`` / ``(id, score)`` / dicts. A list of
        ``SearchResults`` draws one row per query.
    query : image, optional
        The query picture (array, path, PIL image). Defaults to ``results.query`` when the
        results carry it; without a query the first column is left out.
    images : mapping or callable, optional
        How to get a hit's picture from its id: ``images[id]`` or ``images(id)``. By default a
        hit whose id is an existing file path is loaded from disk; others show "no image".
    relevant : collection of ids, callable id -> bool, or list of those, optional
        When given, the frame of each hit is green if relevant, red if not. With several
        queries, a list (not a set) gives each query its own relevant ids, one per row.
    k : int, optional
        Draw only the first ``k`` hits.
    title : str, optional
        A title over the whole figure.
    panel_size : float
        Width and height of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Axes in reading order: the query (titled ``"query"``), then the hits, titled
        ``"#rank id"`` and the score on a second line (three decimals, or a whole number with
        thousands separators from 10,000 on, as L1 distances are).

    Raises
    ------
    ImportError
        If matplotlib is not installed (names the ``plot`` extra).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> gray = {"a": np.zeros((4, 6)), "b": np.full((4, 6), 255.0)}
    >>> figure = plot_results([(1, "a", 3.5), (2, "b", 7.25)], images=gray, relevant={"a"})
    >>> len(figure.axes), figure.axes[1].get_title()
    (2, '#2 b\\n7.250')
    """
    plt = _pyplot()
    many = isinstance(results, (list, tuple)) and bool(results) and all(
        hasattr(item, "hits") for item in results
    )
    rows = list(results) if many else [results]
    queries = list(query) if many and query is not None else [query] * len(rows)
    if many and len(queries) != len(rows):
        raise ValueError(f"got {len(rows)} results but {len(queries)} query images")
    queries = [
        q if q is not None else getattr(r, "query", None)
        for q, r in zip(queries, rows, strict=True)
    ]
    hit_rows = [_hits(r)[:k] if k is not None else _hits(r) for r in rows]
    with_query = any(q is not None for q in queries)
    ncols = max([len(h) for h in hit_rows] + [1]) + int(with_query)
    shown_queries = [None if q is None else _displayable(q) for q in queries]
    if many and isinstance(relevant, list):
        if len(relevant) != len(rows):
            raise ValueError(f"got {len(rows)} results but {len(relevant)} relevant sets")
        row_relevant = relevant
    else:
        row_relevant = [relevant] * len(rows)
    pictures = [[_lookup(hit_id, images) for _, hit_id, _ in hits] for hits in hit_rows]
    _warn_moved(hit_rows, pictures)
    # rows as tall as the tallest picture asks (height / width, within 0.3..3), so that no
    # picture reaches into the titles of the next row; square panels without pictures
    shapes = [p.shape for p in (*shown_queries, *(p for row in pictures for p in row))
              if isinstance(p, np.ndarray)]
    aspect = min(max([h / w for h, w, *_ in shapes] or [1.0]), 3.0)
    aspect = max(aspect, 0.3)
    figure = plt.figure(figsize=(panel_size * ncols, (panel_size * aspect + 0.45) * len(rows)),
                        layout="constrained")  # keeps every title clear of the row above
    for row, (query_image, hits, row_pictures) in enumerate(
            zip(shown_queries, hit_rows, pictures, strict=True)):
        base = row * ncols + 1
        if with_query:
            ax = figure.add_subplot(len(rows), ncols, base)
            _show(ax, query_image, "query")
            base += 1
        for column, ((rank, hit_id, score), picture) in enumerate(
                zip(hits, row_pictures, strict=True)):
            colour = None
            wanted = row_relevant[row]
            if wanted is not None:
                ok = wanted(hit_id) if callable(wanted) else hit_id in wanted
                colour = _GOOD if ok else _BAD
            ax = figure.add_subplot(len(rows), ncols, base + column)
            label = f"#{rank} {_short(hit_id)}\n{_score_text(score)}"
            _show(ax, picture, label, colour)
    title = _with_direction(title, rows[0])
    if title:
        figure.suptitle(title)
    return figure


def _with_direction(title: str | None, results: Any) -> str | None:
    """The title, followed by "lower is better" for distance results (l1, l2)."""
    metric = getattr(results, "metric", None)
    if metric is None or getattr(results, "higher_is_better", True):
        return title
    note = f"{metric} distance: lower is better"
    return f"{title} ({note})" if title else note


def _warn_moved(hit_rows: list, pictures: list) -> None:
    """One warning naming the hits whose files are not where they should be."""
    moved = [str(hit_id) for hits, row in zip(hit_rows, pictures, strict=True)
             for (_, hit_id, _), picture in zip(hits, row, strict=True) if picture is _MOVED]
    if moved:
        warnings.warn(f"plot_results: {len(moved)} hit file(s) not found (moved or deleted?), "
                      f"drawn as 'file not found': {', '.join(moved[:3])}", stacklevel=3)


# ---------------------------------------------------------------- template matches


def _box(match: Any) -> tuple[int, int, int, int, float]:
    if hasattr(match, "row"):
        return match.row, match.col, match.height, match.width, float(match.score)
    row, col, height, width, score = match
    return row, col, height, width, float(score)


def plot_matches(
    image: Any,
    score_map: np.ndarray,
    matches: Sequence[Any],
    template: Any = None,
    *,
    title: str | None = None,
    cmap: str = "viridis",
):
    """Draw an image with the found boxes, the heat map of the score map and the template.

    Parameters
    ----------
    image : image
        The searched image (array, path or PIL image).
    score_map : (R, C) array
        The score at every position: of "valid" size ``(H - h + 1, W - w + 1)`` for pixel
        matching (the best positions are marked on it), or over feature cells for feature
        matching.
    matches : sequence of Match
        Boxes ``(row, col, height, width, score)`` in image pixels, best first (the best is
        drawn in green, on top).
    template : image, optional
        When given, drawn in a third panel.
    title : str, optional
        A title over the whole figure.
    cmap : str
        The colour map of the heat map.

    Returns
    -------
    matplotlib.figure.Figure
        Axes: the image (titled with the number of matches), the score map, the template if
        given, then the score map's colour bar.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> image = np.zeros((20, 30), np.uint8)
    >>> figure = plot_matches(image, np.zeros((11, 21)), [(2, 3, 10, 10, 0.9)])
    >>> [ax.get_title() for ax in figure.axes[:2]]
    ['1 match', 'score map 11×21']
    """
    plt = _pyplot()
    from matplotlib.patches import Rectangle

    picture = _displayable(image)
    scores = np.asarray(score_map, dtype=np.float64)
    if scores.ndim != 2:
        raise ValueError(f"expected a 2-D score map; got shape {scores.shape}")
    boxes = [_box(m) for m in matches]
    panels = 3 if template is not None else 2
    ratios = [1.0, 1.0, 0.5][:panels]
    figure = plt.figure(figsize=(4.2 * sum(ratios), 4.0))
    grid = figure.add_gridspec(1, panels, width_ratios=ratios)
    ax = figure.add_subplot(grid[0])
    _show(ax, picture, f"{len(boxes)} match{'es' if len(boxes) != 1 else ''}")
    for number, (row, col, height, width, score) in reversed(list(enumerate(boxes, start=1))):
        colour = _GOOD if number == 1 else "#ff7f0e"
        ax.add_patch(Rectangle((col - 0.5, row - 0.5), width, height, fill=False,
                               edgecolor=colour, linewidth=2))
        ax.text(col, row - 1, f"{number}: {score:.3f}", color="white", fontsize=7,
                va="bottom", bbox={"facecolor": colour, "alpha": 0.8, "pad": 1})
    heat = figure.add_subplot(grid[1])
    shown = heat.imshow(scores, cmap=cmap)
    heat.set_title(f"score map {scores.shape[0]}×{scores.shape[1]}", fontsize=8)
    valid = (picture.shape[0] - scores.shape[0] + 1, picture.shape[1] - scores.shape[1] + 1)
    for row, col, height, width, _ in boxes:
        if (height, width) == valid:  # pixel matching: the map's cell is the box's corner
            heat.plot([col], [row], marker="+", color="red", markersize=12, mew=2)
    heat.set_xticks([])
    heat.set_yticks([])
    if template is not None:
        _show(figure.add_subplot(grid[2]), _displayable(template), "template")
    figure.colorbar(shown, ax=heat, fraction=0.046, pad=0.04, shrink=0.75)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


# ---------------------------------------------------------------- saving


def save_figure(figure, path: str | os.PathLike, *, dpi: int = 100, close: bool = True):
    """Write a figure to an image file, making missing folders; close it by default.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    path : str or path-like
        The file to write; its extension picks the format (``.png``, ``.pdf``, ``.svg``...).
    dpi : int
        Dots per inch: a figure ``w × h`` inches becomes ``w·dpi × h·dpi`` pixels.
    close : bool
        Close the figure after saving (frees its memory in pyplot's figure list).

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt, tempfile, pathlib
    >>> from PIL import Image
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = save_figure(plt.figure(figsize=(3, 2)), folder / "sub" / "empty.png", dpi=50)
    >>> Image.open(path).size
    (150, 100)
    """
    plt = _pyplot()
    target = pathlib.Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=dpi)
    if close:
        plt.close(figure)
    return target
