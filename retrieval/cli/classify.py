"""``retrieval classify``: name what is in photos with an ImageNet classifier."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ._common import CLASSIFIERS, add_command, positive_int, read_image


def register(commands: Any) -> None:
    classify = add_command(
        commands, "classify", "name what is in photos with an ImageNet classifier",
        "  retrieval classify cat.jpg\n  retrieval classify *.jpg -k 3 --json\n")
    classify.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    classify.add_argument("-k", "--k", "--top", dest="k", type=positive_int, default=5,
                          help="classes per image (default: 5)")
    classify.add_argument("--model", choices=CLASSIFIERS, default="efficientnet_lite0",
                          help="the classifier (default: %(default)s; mobilenet_v2's packaged "
                          "weights have no classifier)")
    classify.add_argument("--json", action="store_true", help="print JSON instead of text")
    classify.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    images = [read_image(path, "image") for path in args.images]
    from .. import nn

    model = nn.load_model(args.model)
    everything = model.classify(images, top=args.k)
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
