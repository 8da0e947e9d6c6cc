"""``retrieval search``: rank the images of an index against query images."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import warnings
from typing import Any

from ._common import (
    CommandError,
    add_command,
    one_line,
    positive_int,
    progress,
    read_image,
    save_plot,
)


def register(commands: Any) -> None:
    search = add_command(
        commands, "search", "rank the images of an index against one or more query images",
        "  retrieval search photos.npz cat.jpg\n"
        "  retrieval search photos.npz a.jpg b.jpg -k 10 --json\n"
        "  retrieval search photos.npz cat.jpg --plot hits.png\n"
        "  retrieval search photos.npz queries/        # every image in a folder\n")
    search.add_argument("index", metavar="INDEX", help="an index file from 'retrieval index'")
    search.add_argument("queries", nargs="+", metavar="QUERY",
                        help="query image files, or folders (each of their images is a query)")
    search.add_argument("-k", "--k", type=positive_int, default=5,
                        help="hits per query (default: 5)")
    search.add_argument("--plot", metavar="PNG", help="save a picture of the hits")
    search.add_argument("--json", action="store_true", help="print JSON instead of a table")
    search.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..index import ImageIndex

    if not pathlib.Path(args.index).is_file():
        raise CommandError(f"index not found: {args.index}")
    try:
        index = ImageIndex.load(args.index)
    except (OSError, ValueError, KeyError) as error:
        raise CommandError(f"cannot use index {args.index}: {one_line(error)}") from None
    paths = query_files(args.queries)
    queries = [read_image(path, "query") for path in paths]
    # search by path, so a query file is decoded and resized exactly as indexed files were;
    # all queries in one matrix product (with a progress bar for many)
    everything = index.search_many(paths, k=args.k, progress=progress(args))
    if args.json:
        pairs = zip(paths, everything, strict=True)
        print(json.dumps([{"query": path, "metric": index.metric, "hits": results.to_list()}
                          for path, results in pairs], indent=2, ensure_ascii=False))
    else:
        print_table(paths, everything, index.metric)
    moved = moved_files(index, everything)
    if moved:
        print(f"retrieval search: note: {len(moved)} indexed file(s) are not where the index "
              f"says (moved or deleted? rebuild with 'retrieval index FOLDER -o INDEX "
              f"--update'): {', '.join(moved[:3])}", file=sys.stderr)
    if args.plot:
        from ..plot import plot_results

        with warnings.catch_warnings():  # moved files were named in the note above
            warnings.simplefilter("ignore", UserWarning)
            figure = plot_results(everything, query=queries, images=_finder(index),
                                  title=f"{index.metric} search, {_model(index)} features")
        print(f"wrote {save_plot(figure, args.plot)}", file=sys.stderr)
    return 0


def query_files(queries: list[str]) -> list[str]:
    """The query files: files as given, each folder's image files in their place."""
    from imageops import list_image_files

    paths = []
    for query in queries:
        if pathlib.Path(query).is_dir():
            files = list_image_files(query)
            if not files:
                raise CommandError(f"query {query} is a folder with no image files")
            paths += [str(path) for path in files]
        else:
            paths.append(query)
    return paths


def print_table(paths: list[str], everything: list[Any], metric: str) -> None:
    """Each query's hits as a table with a header, as the results print in Python."""
    from ..similarity import higher_is_better

    better = "higher" if higher_is_better(metric) else "lower"
    for path, results in zip(paths, everything, strict=True):
        print(f"query {path} ({metric}, {better} is better)")
        rows = results._rows()  # scores formatted as the Python repr does
        width = max(5, *(len(score) for _, score, _ in rows)) if rows else 5
        print(f"  {'rank':>4}  {'score':>{width}}  id")
        for rank, score, hit_id in rows:
            print(f"  {rank:>4}  {score:>{width}}  {hit_id}")


def moved_files(index: Any, everything: list[Any]) -> list[str]:
    """Hits whose files are not where the index says (the index knows where its files are)."""
    if index.root is None:
        return []
    hits = dict.fromkeys(hit.id for results in everything for hit in results)
    return [str(index.locate(i)) for i in hits if not index.locate(i).is_file()]


def _finder(index: Any):
    """A hit's picture for the plot: its file, found from the index's root."""
    return lambda image_id: str(index.locate(image_id))


def _model(index: Any) -> str:
    return getattr(index.extractor, "model_name", "pixel")
