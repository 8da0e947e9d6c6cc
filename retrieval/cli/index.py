"""``retrieval index``: extract the features of a folder of images into an index file."""

from __future__ import annotations

import argparse
import os
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
        "  retrieval index photos/ -o small.npz --features pixels --size 43 64 --metric l1\n"
        "  retrieval index photos/ -o photos.npz --update   # add new files, drop gone ones\n")
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
    index.add_argument("--update", action="store_true",
                       help="if INDEX exists, open it and bring it up to date with FOLDER: "
                       "skip files already indexed, add new ones, drop ones that are gone "
                       "(the index keeps its own features and metric)")
    index.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from imageops import list_image_files

    from ..index import ImageIndex

    folder = pathlib.Path(args.folder)
    if folder.is_file():
        raise CommandError(f"{folder} is a file, not a folder: 'retrieval index' takes a folder "
                           "of images (put the file in a folder of its own)")
    if not folder.is_dir():
        raise CommandError(f"folder not found: {folder}")
    output = check_output(args.output)
    if not list_image_files(folder, recursive=args.recursive):
        subfolders = not args.recursive and any(p.is_dir() for p in folder.iterdir())
        hint = " (add --recursive to look in subfolders)" if subfolders else ""
        raise CommandError(f"no image files in {folder}{hint}")
    if args.update and output.is_file():
        index = ImageIndex.load(output)
        report = index.update(folder, recursive=args.recursive, progress=progress(args))
    else:
        index = ImageIndex(extractor=_extractor(args), metric=args.metric)
        report = index.add(folder, recursive=args.recursive, errors="skip",
                           progress=progress(args))
    for path, reason in report.failures:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    if len(index) == 0:
        raise CommandError(f"no readable images in {folder}")
    saved = index.save(args.output)
    failed = f", {len(report.failures)} skipped" if report.failures else ""
    if args.update and (report.skipped or report.removed):
        print(f"updated {saved}: {len(report.added)} added, {len(report.skipped)} already "
              f"indexed, {len(report.removed)} removed (file gone){failed}; {len(index)} images")
    else:
        print(f"indexed {len(index)} images of {folder} with {_name(index.extractor)} features "
              f"({index.metric}){failed} -> {saved}")
    return 0


def _extractor(args: argparse.Namespace) -> Any:
    from ..features import CNNFeatures, PixelFeatures

    size = tuple(args.size) if args.size else None
    if args.features == "pixels":
        return PixelFeatures(size=size) if size else PixelFeatures()
    return CNNFeatures(model=args.features, size=size)


def _name(extractor: Any) -> str:
    return getattr(extractor, "model_name", "pixels")


def check_output(path: str) -> pathlib.Path:
    """The index file to write, checked before any work: its folder exists and is writable."""
    output = pathlib.Path(path)
    folder = output.parent
    if output.is_dir():
        raise CommandError(f"cannot write the index to {path}: it is a folder")
    if not folder.is_dir():
        raise CommandError(f"cannot write the index to {path}: the folder {folder} does not "
                           "exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CommandError(f"cannot write the index to {path}: the folder {folder} is not "
                           "writable")
    return output if output.suffix == ".npz" else output.with_name(output.name + ".npz")
