"""The ``retrieval`` command line: demo, index, search, classify, match.

Each subcommand is a small function over the library's public API; ``main(argv)`` parses the
arguments, runs one, and returns the exit code. Bad input (a missing folder, a file that is not
an image, an index from elsewhere, a missing optional extra) ends with a one-line message on
stderr and exit code 1; usage errors exit with 2, as argparse does.

>>> parser = build_parser()
>>> parser.prog
'retrieval'
>>> args = parser.parse_args(["search", "photos.npz", "cat.jpg", "-k", "3"])
>>> args.command, args.index, args.queries, args.k
('search', 'photos.npz', ['cat.jpg'], 3)
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["build_parser", "main"]

MODELS = ("efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2", "mobilenet_v2")
CLASSIFIERS = MODELS[:3]
FEATURES = ("pixels", *MODELS)
METRICS = ("cosine", "l1", "l2", "correlation")
MATCH_METHODS = ("zncc", "ncc", "ssd", "sad", "features")


class CommandError(Exception):
    """Bad input found by a command: printed as one line, exit code 1."""


# ---------------------------------------------------------------- shared helpers


def _progress(args: argparse.Namespace) -> bool | None:
    return False if args.quiet else None


def _read_image(path: str, what: str):
    """Load an image for a command, or raise CommandError naming it."""
    from imageops import load_image

    if not pathlib.Path(path).is_file():
        raise CommandError(f"{what} not found: {path}")
    try:
        return load_image(path)
    except (OSError, ValueError, TypeError) as error:
        raise CommandError(f"cannot read {what} {path}: {_one_line(error)}") from None


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0] if "\n" in text else text


def _hit_list(results: Any) -> list[dict[str, Any]]:
    return results.to_list()


def _save_plot(figure, path: str) -> str:
    from .plot import save_figure

    return str(save_figure(figure, path))


# ---------------------------------------------------------------- commands


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo(out=args.out, k=args.k, cnn=not args.no_cnn, progress=_progress(args))
    return 0


def _cmd_index(args: argparse.Namespace) -> int:
    from imageops import list_image_files

    from .features import CNNFeatures, PixelFeatures
    from .index import ImageIndex

    folder = pathlib.Path(args.folder)
    if not folder.is_dir():
        raise CommandError(f"folder not found: {folder}")
    if not list_image_files(folder, recursive=args.recursive):
        subfolders = not args.recursive and any(p.is_dir() for p in folder.iterdir())
        hint = " (add --recursive to look in subfolders)" if subfolders else ""
        raise CommandError(f"no image files in {folder}{hint}")
    size = tuple(args.size) if args.size else None
    if args.features == "pixels":
        features = PixelFeatures(size=size) if size else PixelFeatures()
    else:
        features = CNNFeatures(model=args.features, size=size)
    index = ImageIndex(features=features, metric=args.metric)
    report = index.add(folder, recursive=args.recursive, errors="skip",
                       progress=_progress(args))
    for path, reason in report.failures:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    if len(index) == 0:
        raise CommandError(f"no readable images in {folder}")
    saved = index.save(args.output)
    print(f"indexed {len(index)} images of {folder} with {args.features} features "
          f"({args.metric}) -> {saved}")
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from .index import ImageIndex

    if not pathlib.Path(args.index).is_file():
        raise CommandError(f"index not found: {args.index}")
    try:
        index = ImageIndex.load(args.index)
    except (OSError, ValueError, KeyError) as error:
        raise CommandError(f"cannot use index {args.index}: {_one_line(error)}") from None
    if args.k < 1:
        raise CommandError(f"-k must be at least 1; got {args.k}")
    queries = [_read_image(path, "query") for path in args.queries]
    # search by path, so a query file is decoded and resized exactly as indexed files were;
    # all queries in one matrix product (with a progress bar for many)
    everything = index.search_many(list(args.queries), k=args.k, progress=_progress(args))
    if args.json:
        pairs = zip(args.queries, everything, strict=True)
        print(json.dumps([{"query": path, "metric": index.metric, "hits": _hit_list(results)}
                          for path, results in pairs], indent=2))
    else:
        better = "higher" if index.higher_is_better else "lower"
        for path, results in zip(args.queries, everything, strict=True):
            print(f"query {path} ({index.metric}, {better} is better)")
            for hit in _hit_list(results):
                print(f"  {hit['rank']:>3}  {hit['score']:>10.4f}  {hit['id']}")
    if args.plot:
        from .plot import plot_results

        figure = plot_results(everything, query=queries, title=f"{index.metric} search")
        print(f"wrote {_save_plot(figure, args.plot)}", file=sys.stderr)
    return 0


def _cmd_classify(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise CommandError(f"--top must be at least 1; got {args.top}")
    images = [_read_image(path, "image") for path in args.images]
    from . import nn

    model = nn.load_model(args.model)
    everything = model.classify(images, top=args.top)
    if args.json:
        print(json.dumps([
            {"image": path, "top": [{"class": int(c), "label": str(label), "probability":
                                     float(p)} for c, label, p in guesses]}
            for path, guesses in zip(args.images, everything, strict=True)], indent=2))
        return 0
    for path, guesses in zip(args.images, everything, strict=True):
        print(path)
        for class_index, label, probability in guesses:
            print(f"  {probability:7.2%}  {label} ({class_index})")
    return 0


def _cmd_match(args: argparse.Namespace) -> int:
    from .template import find_matches, match_template

    image = _read_image(args.image, "image")
    template = _read_image(args.template, "template")
    if template.shape[0] > image.shape[0] or template.shape[1] > image.shape[1]:
        raise CommandError(
            f"template ({template.shape[0]}×{template.shape[1]}) is larger than the image "
            f"({image.shape[0]}×{image.shape[1]})")
    if args.top < 1:
        raise CommandError(f"--top must be at least 1; got {args.top}")
    if args.method == "features":
        from .template import match_features

        found = match_features(image, template, model=args.model, scales=tuple(args.scales),
                               k=args.top)
        score_map, matches = found.score_map, found.matches
    else:
        score_map = match_template(image, template, method=args.method)
        best = "min" if args.method in ("ssd", "sad") else "max"
        matches = find_matches(score_map, template.shape[:2], k=args.top, best=best)
        if best == "max" and not score_map.any():
            print("retrieval match: note: every score is 0: the template or every window is "
                  "flat (one colour), where correlation is undefined", file=sys.stderr)
    boxes = [{"row": int(m.row), "col": int(m.col), "height": int(m.height),
              "width": int(m.width), "score": float(m.score)} for m in matches]
    if args.json:
        print(json.dumps({"image": args.image, "template": args.template,
                          "method": args.method, "matches": boxes}, indent=2))
    else:
        print(f"{args.method} matches of {args.template} in {args.image} (row, col, height, "
              "width, score):")
        for number, box in enumerate(boxes, start=1):
            print(f"  {number:>2}  {box['row']:>5} {box['col']:>5} {box['height']:>5} "
                  f"{box['width']:>5}  {box['score']:.4f}")
    if args.plot:
        from .plot import plot_matches

        figure = plot_matches(image, score_map, matches, template=template,
                              title=f"{args.method}: {pathlib.Path(args.template).name}")
        print(f"wrote {_save_plot(figure, args.plot)}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- the parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("retrieval-lab")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _positive_size(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"a size must be a positive number of pixels; got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``retrieval`` command.

    Returns
    -------
    argparse.ArgumentParser
        With the subcommands ``demo``, ``index``, ``search``, ``classify`` and ``match``.

    Examples
    --------
    >>> args = build_parser().parse_args(["index", "photos", "-o", "photos.npz"])
    >>> args.features, args.metric, args.size, args.recursive
    ('efficientnet_lite0', 'cosine', None, False)
    """
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="retrieval",
        description="Image retrieval with pretrained models (retrieval-lab): search a folder of "
        "images by pixels or by CNN features, classify photos, find a template in an image.",
        epilog="examples:\n"
        "  retrieval demo                       the lecture's progression on bundled photos\n"
        "  retrieval index photos/ -o photos.npz --features efficientnet_lite0\n"
        "  retrieval search photos.npz cat.jpg -k 5 --plot hits.png\n"
        "  retrieval classify cat.jpg\n"
        "  retrieval match scene.jpg logo.png --method zncc --top 3\n\n"
        "Run 'retrieval COMMAND --help' for the options of a command.",
        formatter_class=raw,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, examples: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text + ".",
                                  epilog="examples:\n" + examples, formatter_class=raw)
        sub.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
        return sub

    demo = command(
        "demo", "build a database from the bundled photos and their variants, search it with "
        "pixels (L1, cosine, correlation) and CNN features, print precision@k and mAP",
        "  retrieval demo\n  retrieval demo --out results --k 8 --no-cnn\n")
    demo.add_argument("--out", default="demo-output", metavar="DIR",
                      help="folder for the result grids and summary (default: %(default)s)")
    demo.add_argument("--k", type=int, default=5, help="cut-off of precision@k (default: 5)")
    demo.add_argument("--no-cnn", action="store_true", help="pixels only (no CNN features)")

    index = command(
        "index", "extract features of every image in a folder and save them as an index file",
        "  retrieval index photos/ -o photos.npz\n"
        "  retrieval index photos/ -o photos.npz --features efficientnet_lite0 --recursive\n"
        "  retrieval index photos/ -o small.npz --features pixels --size 43 64 --metric l1\n")
    index.add_argument("folder", metavar="FOLDER", help="folder of images")
    index.add_argument("-o", "--output", required=True, metavar="INDEX",
                       help="index file to write (.npz)")
    index.add_argument("--features", choices=FEATURES, default="efficientnet_lite0",
                       help="raw pixels or a pretrained CNN (default: %(default)s)")
    index.add_argument("--metric", choices=METRICS, default="cosine",
                       help="how to compare features (default: %(default)s)")
    index.add_argument("--size", nargs=2, type=_positive_size, metavar=("H", "W"),
                       help="resize images to H×W first (pixels default: 86 128)")
    index.add_argument("--recursive", action="store_true", help="look in subfolders too")

    search = command(
        "search", "rank the images of an index against one or more query images",
        "  retrieval search photos.npz cat.jpg\n"
        "  retrieval search photos.npz a.jpg b.jpg -k 10 --json\n"
        "  retrieval search photos.npz cat.jpg --plot hits.png\n")
    search.add_argument("index", metavar="INDEX", help="an index file from 'retrieval index'")
    search.add_argument("queries", nargs="+", metavar="QUERY", help="query image files")
    search.add_argument("-k", type=int, default=5, help="hits per query (default: 5)")
    search.add_argument("--plot", metavar="PNG", help="save a picture of the hits")
    search.add_argument("--json", action="store_true", help="print JSON instead of a table")

    classify = command(
        "classify", "name what is in photos with an ImageNet classifier",
        "  retrieval classify cat.jpg\n  retrieval classify *.jpg --top 3 --json\n")
    classify.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    classify.add_argument("--top", type=int, default=5, help="classes per image (default: 5)")
    classify.add_argument("--model", choices=CLASSIFIERS, default="efficientnet_lite0",
                          help="the classifier (default: %(default)s; mobilenet_v2's packaged "
                          "weights have no classifier)")
    classify.add_argument("--json", action="store_true", help="print JSON instead of text")

    match = command(
        "match", "find a template in an image by correlation of pixels or of CNN features",
        "  retrieval match scene.jpg logo.png\n"
        "  retrieval match scene.jpg logo.png --method features --scales 0.8 1 1.25\n"
        "  retrieval match scene.jpg logo.png --top 3 --plot found.png --json\n")
    match.add_argument("image", metavar="IMAGE", help="the image to search")
    match.add_argument("template", metavar="TEMPLATE", help="the image to find")
    match.add_argument("--method", choices=MATCH_METHODS, default="zncc",
                       help="score per position (default: %(default)s)")
    match.add_argument("--top", type=int, default=1, help="boxes to report (default: 1)")
    match.add_argument("--model", choices=MODELS, default="efficientnet_lite0",
                       help="CNN for --method features (default: %(default)s)")
    match.add_argument("--scales", type=float, nargs="+", default=[1.0], metavar="S",
                       help="template scales for --method features (default: 1)")
    match.add_argument("--plot", metavar="PNG", help="save the boxes and the score map")
    match.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


_COMMANDS = {
    "demo": _cmd_demo,
    "index": _cmd_index,
    "search": _cmd_search,
    "classify": _cmd_classify,
    "match": _cmd_match,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``retrieval`` command line and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 for bad input (one line on stderr), 130 when interrupted.
        ``--help``, ``--version`` and usage errors exit through argparse (SystemExit 0 or 2).

    Examples
    --------
    >>> main(["search", "no-such-index.npz", "cat.jpg"])
    1
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return _COMMANDS[args.command](args)
    except CommandError as error:
        message = str(error)
    except ImportError as error:
        message = _one_line(error)
    except (OSError, ValueError, TypeError) as error:
        message = _one_line(error)
    except KeyboardInterrupt:
        print("retrieval: interrupted", file=sys.stderr)
        return 130
    print(f"retrieval {args.command}: error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
