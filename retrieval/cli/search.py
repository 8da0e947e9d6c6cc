"""``retrieval search``: rank the images of an index against query images."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
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
        "  retrieval search photos.npz cat.jpg --plot hits.png\n")
    search.add_argument("index", metavar="INDEX", help="an index file from 'retrieval index'")
    search.add_argument("queries", nargs="+", metavar="QUERY", help="query image files")
    search.add_argument("-k", "--k", type=positive_int, default=5,
                        help="hits per query (default: 5)")
    search.add_argument("--plot", metavar="PNG", help="save a picture of the hits")
    search.add_argument("--json", action="store_true", help="print JSON instead of a table")
    search.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..index import ImageIndex
    from ..similarity import higher_is_better

    if not pathlib.Path(args.index).is_file():
        raise CommandError(f"index not found: {args.index}")
    try:
        index = ImageIndex.load(args.index)
    except (OSError, ValueError, KeyError) as error:
        raise CommandError(f"cannot use index {args.index}: {one_line(error)}") from None
    queries = [read_image(path, "query") for path in args.queries]
    # search by path, so a query file is decoded and resized exactly as indexed files were;
    # all queries in one matrix product (with a progress bar for many)
    everything = index.search_many(list(args.queries), k=args.k, progress=progress(args))
    if args.json:
        pairs = zip(args.queries, everything, strict=True)
        print(json.dumps([{"query": path, "metric": index.metric, "hits": results.to_list()}
                          for path, results in pairs], indent=2))
    else:
        better = "higher" if higher_is_better(index.metric) else "lower"
        for path, results in zip(args.queries, everything, strict=True):
            print(f"query {path} ({index.metric}, {better} is better)")
            for hit in results.to_list():
                print(f"  {hit['rank']:>3}  {hit['score']:>10.4f}  {hit['id']}")
    if args.plot:
        from ..plot import plot_results

        figure = plot_results(everything, query=queries, title=f"{index.metric} search")
        print(f"wrote {save_plot(figure, args.plot)}", file=sys.stderr)
    return 0
