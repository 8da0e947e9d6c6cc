"""``retrieval index``: extract the features of a folder of images into an index file."""

from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Any

from ._common import FEATURES, METRICS, CommandError, add_command, positive_int, progress


def register(commands: Any) -> None:
    index = add_command(
        commands, "index",
        "extract features of every image in a folder and save them as an index file",
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
    index.add_argument("--size", nargs=2, type=positive_int, metavar=("H", "W"),
                       help="resize images to H×W first (pixels default: 86 128)")
    index.add_argument("--recursive", action="store_true", help="look in subfolders too")
    index.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from imageops import list_image_files

    from ..features import CNNFeatures, PixelFeatures
    from ..index import ImageIndex

    folder = pathlib.Path(args.folder)
    if not folder.is_dir():
        raise CommandError(f"folder not found: {folder}")
    if not list_image_files(folder, recursive=args.recursive):
        subfolders = not args.recursive and any(p.is_dir() for p in folder.iterdir())
        hint = " (add --recursive to look in subfolders)" if subfolders else ""
        raise CommandError(f"no image files in {folder}{hint}")
    size = tuple(args.size) if args.size else None
    if args.features == "pixels":
        extractor = PixelFeatures(size=size) if size else PixelFeatures()
    else:
        extractor = CNNFeatures(model=args.features, size=size)
    index = ImageIndex(extractor=extractor, metric=args.metric)
    report = index.add(folder, recursive=args.recursive, errors="skip",
                       progress=progress(args))
    for path, reason in report.failures:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    if len(index) == 0:
        raise CommandError(f"no readable images in {folder}")
    saved = index.save(args.output)
    print(f"indexed {len(index)} images of {folder} with {args.features} features "
          f"({args.metric}) -> {saved}")
    return 0
