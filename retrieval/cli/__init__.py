"""The ``retrieval`` command line: one subcommand a module, ``main(argv)`` runs one.

Each subcommand (``demo``, ``index``, ``search``, ``classify``, ``match``, ``serve``) is a small
module of this package over the library's public API, with ``register(commands)`` adding its
parser.
``main(argv)`` parses the arguments, runs one, and returns the exit code. Bad input (a missing
folder, a file that is not an image, an index from elsewhere, a missing optional extra) ends
with a one-line message on stderr and exit code 1; usage errors exit with 2, as argparse does.
Every subcommand that reports several results takes ``-k`` for how many.

>>> parser = build_parser()
>>> parser.prog
'retrieval'
>>> args = parser.parse_args(["search", "photos.npz", "cat.jpg", "-k", "3"])
>>> args.command, args.index, args.queries, args.k
('search', 'photos.npz', ['cat.jpg'], 3)
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ._common import CommandError, one_line

__all__ = ["build_parser", "main"]

#: The subcommand modules, in the order ``retrieval --help`` lists them.
COMMANDS = ("demo", "index", "search", "classify", "match", "background", "serve")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("retrieval-lab")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``retrieval`` command.

    Returns
    -------
    argparse.ArgumentParser
        With one subcommand per module named in :data:`COMMANDS`.

    Examples
    --------
    >>> args = build_parser().parse_args(["index", "photos", "-o", "photos.npz"])
    >>> args.features, args.metric, args.size, args.recursive
    ('efficientnet_lite0', 'cosine', None, False)
    """
    parser = argparse.ArgumentParser(
        prog="retrieval",
        description="Image retrieval with pretrained models (retrieval-lab): search a folder of "
        "images by pixels or by CNN features, classify photos, find a template in an image.",
        epilog="examples:\n"
        "  retrieval demo                       the lecture's progression on bundled photos\n"
        "  retrieval index photos/ -o photos.npz --features efficientnet_lite0\n"
        "  retrieval search photos.npz cat.jpg -k 5 --plot hits.png\n"
        "  retrieval classify cat.jpg\n"
        "  retrieval match scene.jpg logo.png --method zncc -k 3\n"
        "  retrieval background street.avi -o out/   background picture and moving mask\n"
        "  retrieval serve                      the web explorer on http://127.0.0.1:8000\n\n"
        "Run 'retrieval COMMAND --help' for the options of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    return parser


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
        return args.run(args)
    except CommandError as error:
        message = str(error)
    except (ImportError, OSError, ValueError, TypeError) as error:
        message = one_line(error)
    except KeyboardInterrupt:
        print("retrieval: interrupted", file=sys.stderr)
        return 130
    print(f"retrieval {args.command}: error: {message}", file=sys.stderr)
    return 1
