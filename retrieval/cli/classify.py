"""``retrieval classify``: name what is in photos with an ImageNet classifier."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..nn.model import TINY
from ._common import CLASSIFIERS, CommandError, add_command, positive_int, read_image


def register(commands: Any) -> None:
    classify = add_command(
        commands, "classify", "name what is in photos with an ImageNet classifier",
        "  retrieval classify cat.jpg\n  retrieval classify *.jpg -k 3 --json\n\n"
        "A file that cannot be read is listed on stderr and skipped (in --json as an\n"
        "entry with \"error\"); the exit code is 1 only when no image could be classified.\n")
    classify.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    classify.add_argument("-k", "--k", "--top", dest="k", type=positive_int, default=5,
                          help="classes per image (default: 5)")
    classify.add_argument("--model", choices=CLASSIFIERS, default="efficientnet_lite0",
                          help="the classifier (default: %(default)s; mobilenet_v2's packaged "
                          "weights have no classifier)")
    classify.add_argument("--json", action="store_true", help="print JSON instead of text")
    classify.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Classify every readable image; a file that cannot be read is listed and skipped.

    The exit code is 0 when at least one image was classified (failures are listed on
    stderr, and in the JSON as ``{"image", "error"}``), 1 when none could be.
    """
    import warnings

    from .. import nn

    paths, images, failures = [], [], []
    for path in args.images:
        try:
            images.append(read_image(path, "image"))
            paths.append(path)
        except CommandError as error:
            failures.append((path, str(error)))
    if not images and len(failures) == 1:
        raise CommandError(failures[0][1])
    for path, reason in failures:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    if not images:
        raise CommandError(f"no readable images ({len(failures)} failed)")
    for path, image in zip(paths, images, strict=True):
        if min(image.shape[:2]) < TINY:
            print(f"retrieval classify: warning: {path} is only {image.shape[0]}×"
                  f"{image.shape[1]} pixels: its classes are not meaningful", file=sys.stderr)
    model = nn.load_model(args.model)
    with warnings.catch_warnings():  # tiny images were named above, by file
        warnings.simplefilter("ignore", UserWarning)
        everything = model.classify(images, top=args.k)
    if args.json:
        answers = {path: [{"class": int(c), "label": str(label), "probability": float(p)}
                          for c, label, p in guesses]
                   for path, guesses in zip(paths, everything, strict=True)}
        failed = dict(failures)
        print(json.dumps([{"image": path, "top": answers[path]} if path in answers
                          else {"image": path, "error": failed[path]} for path in args.images],
                         indent=2, ensure_ascii=False))
        return 0
    for path, guesses in zip(paths, everything, strict=True):
        print(path)
        for class_index, label, probability in guesses:
            print(f"  {probability:7.2%}  {label} ({class_index})")
    return 0
