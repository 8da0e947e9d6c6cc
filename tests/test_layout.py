"""The layout: retrieval -> imageops -> linalg_basics, never reversed; every command reachable."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ALLOWED = {
    "linalg_basics": set(),
    "imageops": {"linalg_basics"},
    "retrieval": {"imageops", "linalg_basics"},
}
OURS = set(ALLOWED)


def _imported_top_levels(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_dependency_direction(package):
    for path in (ROOT / package).rglob("*.py"):
        for name in _imported_top_levels(path):
            if name in OURS and name != package:
                assert name in ALLOWED[package], f"{path} imports {name}"


def test_layer_one_is_standard_library_only():
    import sys

    stdlib = set(sys.stdlib_module_names)
    for path in (ROOT / "linalg_basics").rglob("*.py"):
        for name in _imported_top_levels(path):
            ok = name in stdlib or name == "linalg_basics" or (
                path.parent.name == "testing" and name == "hypothesis"  # the lab tools
            )
            assert ok, f"{path} imports {name}, outside the standard library"


def _subcommands():
    import argparse

    from retrieval.cli import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return parser, commands


def test_every_cli_module_is_a_listed_subcommand():
    """A module added to retrieval/cli/ but missing from COMMANDS would be unreachable."""
    from retrieval.cli import COMMANDS

    modules = {p.stem for p in (ROOT / "retrieval" / "cli").glob("*.py")
               if not p.stem.startswith("_")}
    assert set(COMMANDS) == modules
    _, commands = _subcommands()
    assert list(commands.choices) == list(COMMANDS)


def test_cli_help_lists_every_subcommand_with_its_description():
    parser, commands = _subcommands()
    top = " ".join(parser.format_help().split())        # argparse wraps long lines
    for choice in commands._choices_actions:
        assert choice.help, f"subcommand {choice.dest} has no one-line description"
        assert f"{choice.dest} {' '.join(choice.help.split())}" in top, (
            f"'retrieval --help' does not list {choice.dest} with its description")


def test_each_subcommand_help_names_its_defaults():
    """Every option with a default says it, and says the value the parser really uses."""
    import argparse
    import re

    _, commands = _subcommands()
    for name, sub in commands.choices.items():
        shown = " ".join(sub.format_help().split())
        for action in sub._actions:
            if (not action.option_strings or action.default in (None, False, argparse.SUPPRESS)
                    or isinstance(action, (argparse._StoreTrueAction, argparse._HelpAction))):
                continue
            text = " ".join((action.help % dict(vars(action), prog=sub.prog)).split())
            assert text in shown
            said = re.search(r"\(default: ([^;)]+)", text)
            assert said, f"retrieval {name} {action.option_strings[-1]}: default not shown"
            convert = action.type or str
            value = said.group(1).split() if action.nargs in ("+", "*") else said.group(1)
            value = [convert(v) for v in value] if isinstance(value, list) else convert(value)
            assert value == action.default, (
                f"retrieval {name} {action.option_strings[-1]}: help says default "
                f"{said.group(1)!r}, the parser uses {action.default!r}")
