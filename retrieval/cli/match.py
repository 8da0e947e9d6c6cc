"""``retrieval match``: find a template in an image by correlation of pixels or CNN features."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Any

from ._common import (
    MATCH_METHODS,
    MODELS,
    CommandError,
    add_command,
    positive_int,
    read_image,
    save_plot,
)


def register(commands: Any) -> None:
    match = add_command(
        commands, "match",
        "find a template in an image by correlation of pixels or of CNN features",
        "  retrieval match scene.jpg logo.png\n"
        "  retrieval match scene.jpg logo.png --method features --scales 0.8 1 1.25\n"
        "  retrieval match scene.jpg logo.png -k 3 --plot found.png --json\n")
    match.add_argument("image", metavar="IMAGE", help="the image to search")
    match.add_argument("template", metavar="TEMPLATE", help="the image to find")
    match.add_argument("--method", choices=MATCH_METHODS, default="zncc",
                       help="score per position (default: %(default)s)")
    match.add_argument("-k", "--k", "--top", dest="k", type=positive_int, default=1,
                       help="boxes to report (default: 1)")
    match.add_argument("--model", choices=MODELS, default="efficientnet_lite0",
                       help="CNN for --method features (default: %(default)s)")
    match.add_argument("--scales", type=float, nargs="+", default=[1.0], metavar="S",
                       help="template scales for --method features (default: 1)")
    match.add_argument("--plot", metavar="PNG", help="save the boxes and the score map")
    match.add_argument("--json", action="store_true", help="print JSON instead of a table")
    match.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..similarity import higher_is_better
    from ..template import find_matches, match_features, match_template

    image = read_image(args.image, "image")
    template = read_image(args.template, "template")
    if template.shape[0] > image.shape[0] or template.shape[1] > image.shape[1]:
        raise CommandError(
            f"template ({template.shape[0]}×{template.shape[1]}) is larger than the image "
            f"({image.shape[0]}×{image.shape[1]})")
    if args.method == "features":
        found = match_features(image, template, model=args.model, scales=tuple(args.scales),
                               k=args.k)
        score_map, matches = found.score_map, found.matches
    else:
        score_map = match_template(image, template, method=args.method)
        matches = find_matches(score_map, template.shape[:2], k=args.k)  # the method's way
        if higher_is_better(args.method) and not score_map.any():
            print("retrieval match: note: every score is 0: the template or every window is "
                  "flat (one colour), where correlation is undefined", file=sys.stderr)
    boxes = [{"row": int(m.row), "col": int(m.col), "height": int(m.height),
              "width": int(m.width), "score": float(m.score)} for m in matches]
    if args.json:
        print(json.dumps({"image": args.image, "template": args.template,
                          "method": args.method, "matches": boxes}, indent=2, ensure_ascii=False))
    else:
        print(f"{args.method} matches of {args.template} in {args.image} (row, col, height, "
              "width, score):")
        for number, box in enumerate(boxes, start=1):
            print(f"  {number:>2}  {box['row']:>5} {box['col']:>5} {box['height']:>5} "
                  f"{box['width']:>5}  {box['score']:.4f}")
    if args.plot:
        from ..plot import plot_matches

        figure = plot_matches(image, score_map, matches, template=template,
                              title=f"{args.method}: {pathlib.Path(args.template).name}")
        print(f"wrote {save_plot(figure, args.plot)}", file=sys.stderr)
    return 0
