"""What every subcommand of the ``retrieval`` command line shares: errors, inputs, names.

A subcommand is a module of this package with ``register(commands)``, which adds its parser
(through :func:`add_command`) and sets ``run`` to the function that carries it out.
"""

from __future__ import annotations

import argparse
import pathlib
from typing import Any

MODELS = ("efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2", "mobilenet_v2")
CLASSIFIERS = MODELS[:3]
FEATURES = ("pixels", *MODELS)
METRICS = ("cosine", "l1", "l2", "correlation")
MATCH_METHODS = ("zncc", "ncc", "ssd", "sad", "features")


class CommandError(Exception):
    """Bad input found by a command: printed as one line, exit code 1."""


def add_command(commands: Any, name: str, help_text: str,
                examples: str) -> argparse.ArgumentParser:
    """Add subcommand ``name`` with its one-line help, examples and the shared ``--quiet``."""
    sub = commands.add_parser(name, help=help_text, description=help_text + ".",
                              epilog="examples:\n" + examples,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    sub.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return sub


def progress(args: argparse.Namespace) -> bool | None:
    """The ``progress`` argument for the library: off with ``--quiet``, else automatic."""
    return False if args.quiet else None


def read_image(path: str, what: str):
    """Load an image for a command, or raise CommandError naming it."""
    from imageops import load_image

    if not pathlib.Path(path).is_file():
        raise CommandError(f"{what} not found: {path}")
    try:
        return load_image(path)
    except (OSError, ValueError, TypeError) as error:
        raise CommandError(f"cannot read {what} {path}: {one_line(error)}") from None


def one_line(error: BaseException) -> str:
    """The first line of an error's message (its type name when the message is empty)."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0] if "\n" in text else text


def save_plot(figure: Any, path: str) -> str:
    """Save a matplotlib figure and return the path written."""
    from ..plot import save_figure

    return str(save_figure(figure, path))


def positive_int(text: str) -> int:
    """argparse type: a positive integer (a count ``-k`` or a size in pixels)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text}")
    return value
