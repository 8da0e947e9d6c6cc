"""The ``retrieval`` command line.

>>> build_parser().prog
'retrieval'
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``retrieval`` command."""
    parser = argparse.ArgumentParser(
        prog="retrieval",
        description="Image retrieval with pretrained models (retrieval-lab).",
    )
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
