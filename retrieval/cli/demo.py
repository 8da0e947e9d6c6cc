"""``retrieval demo``: the lecture's progression on the bundled photos."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_command, positive_int, progress


def register(commands: Any) -> None:
    demo = add_command(
        commands, "demo", "build a database from the bundled photos and their variants, search "
        "it with pixels (L1, cosine, correlation) and CNN features, print precision@k and mAP",
        "  retrieval demo\n  retrieval demo --out results -k 8 --no-cnn\n")
    demo.add_argument("--out", default="demo-output", metavar="DIR",
                      help="folder for the result grids and summary (default: %(default)s)")
    demo.add_argument("-k", "--k", type=positive_int, default=5,
                      help="cut-off of precision@k (default: 5)")
    demo.add_argument("--no-cnn", action="store_true", help="pixels only (no CNN features)")
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    run_demo(out=args.out, k=args.k, cnn=not args.no_cnn, progress=progress(args))
    return 0
