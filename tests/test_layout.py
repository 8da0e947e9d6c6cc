"""The layering rule: retrieval -> imageops -> linalg_basics, never reversed."""

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


def test_cli_help(capsys):
    from retrieval.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "retrieval" in capsys.readouterr().out
