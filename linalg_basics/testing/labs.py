"""Run a lab's tests: repeatable settings, the submission chosen at run time, import rules.

The lab helpers of :mod:`linalg_basics.testing`; the grader that runs a lab's tests on a
folder of submissions is :mod:`linalg_basics.testing.grade`.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import pathlib
import sys
import traceback
import types

from hypothesis import HealthCheck, Phase, settings

from .failures import SubmissionError

__all__ = ["lab_settings", "load_submission", "assert_imports_only"]

# ---------------------------------------------------------------------------
# Running a lab's tests
# ---------------------------------------------------------------------------


def lab_settings(max_examples=50, **changes):
    """Hypothesis settings for graded tests: the same inputs on every run, no files written.

    Every submission is tried on the same inputs (``derandomize=True``), no failing examples
    are kept between runs (``database=None``), slow student code is not failed for
    its speed (``deadline=None``, no health checks), one failure is reported per test (the
    simplest, not every distinct one Hypothesis meets), and it is still shrunk to the
    smallest input and shown as a "Falsifying example" (newer Hypothesis versions say
    "Failing test case"), without Hypothesis's slower "explain" phase.

    Parameters
    ----------
    max_examples : int, default 50
        Inputs tried per test; keep it small where one call is slow.
    **changes
        Any other :class:`hypothesis.settings` argument.

    Returns
    -------
    hypothesis.settings
        Usable as a decorator above ``@given``.

    Examples
    --------
    >>> lab_settings(max_examples=20).max_examples
    20
    >>> lab_settings().derandomize, lab_settings().database
    (True, None)
    """
    options = {
        "max_examples": max_examples,
        "deadline": None,
        "database": None,
        "derandomize": True,
        "print_blob": False,
        "report_multiple_bugs": False,
        "suppress_health_check": list(HealthCheck),
        "phases": [phase for phase in Phase if phase.name != "explain"],
    }
    options.update(changes)
    return settings(**options)


def load_submission(default, variable="LAB_SUBMISSION"):
    """Import the module a lab's tests check, chosen when the tests run.

    The environment variable ``variable`` (``LAB_SUBMISSION`` by default) names the
    submission; without it, ``default`` does. A name ending in ``.py`` or holding a path
    separator is a file (a relative path is taken from the current directory); anything else
    is a module name for :func:`importlib.import_module`. A file is imported under the name
    ``lab_submission_<file name>``, so it never shadows a module of the same name.

    A file that does not import (a syntax error, a name error at the top level, a missing
    module) still gives a module: every function taken from it raises
    :class:`SubmissionError` saying why, e.g. ``alice.py does not import: SyntaxError line 3:
    invalid syntax``. So each of the lab's tests fails with that line, where a failed import
    at the top of a test file would stop pytest before any test is run.

    Parameters
    ----------
    default : str or os.PathLike
        The file or module checked when the variable is not set (in a lab's test file: the
        student skeleton next to it, ``pathlib.Path(__file__).with_name("lab1.py")``).
    variable : str
        The environment variable to read.

    Returns
    -------
    module

    Raises
    ------
    FileNotFoundError
        If a file is named that does not exist.

    Examples
    --------
    >>> load_submission("statistics").median([3, 1, 2])
    2
    >>> import pathlib, tempfile
    >>> broken = pathlib.Path(tempfile.mkdtemp()) / "alice.py"
    >>> _ = broken.write_text("def median(data):\\n    return sorted(data)[len(data) // 2")
    >>> load_submission(broken).median([3, 1, 2])
    Traceback (most recent call last):
    ...
    linalg_basics.testing.SubmissionError: alice.py does not import: SyntaxError line 2: ...
    >>> load_submission("no_such_lab.py")
    Traceback (most recent call last):
    ...
    FileNotFoundError: load_submission: the submission 'no_such_lab.py' (from the default) ...
    """
    chosen = os.environ.get(variable) or os.fspath(default)
    if not (chosen.endswith(".py") or os.sep in chosen or "/" in chosen):
        return importlib.import_module(chosen)
    path = pathlib.Path(chosen).expanduser()
    if not path.is_file():
        source = f"${variable}" if os.environ.get(variable) else "the default"
        raise FileNotFoundError(
            f"load_submission: the submission {chosen!r} (from {source}) is not a file; "
            f"expected the path of a .py file, or a module name, in {variable}"
        )
    module_name = f"lab_submission_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:  # the student's code: report it, do not stop
        del sys.modules[module_name]
        return _BrokenSubmission(module_name, path, why_it_does_not_import(error, path))
    return module


def why_it_does_not_import(error, path):
    """``"alice.py does not import: SyntaxError line 3: invalid syntax"`` for ``error``."""
    if isinstance(error, SyntaxError):
        where, text = error.lineno, error.msg
    else:
        lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
                 if pathlib.Path(frame.filename) == path]
        where, text = (lines[-1] if lines else None), str(error)
    at = f" line {where}" if where else ""
    return f"{path.name} does not import: {type(error).__name__}{at}: {text}".rstrip(": ")


class _BrokenSubmission(types.ModuleType):
    """Stands in for a submission that does not import; any name taken from it says why."""

    def __init__(self, name, path, reason):
        super().__init__(name)
        self.__file__ = str(path)
        self.reason = reason

    def __getattr__(self, name):
        __tracebackhide__ = True
        if name.startswith("__"):
            raise AttributeError(name)
        raise SubmissionError(self.reason)


def _imported_top_levels(source):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            yield "__import__"


def assert_imports_only(module, allowed):
    """Check that a submission imports nothing beyond the allowed top-level modules.

    A lab that asks for a median written by hand can forbid ``statistics`` and the
    library's own ``linalg_basics``. The check reads the module's source (``import x``,
    ``from x import y`` and calls of ``__import__`` anywhere in it); it cannot see code that
    imports in stranger ways, so it keeps honest students honest, no more.

    Parameters
    ----------
    module : module or str or os.PathLike
        The submission, or the path of its source file.
    allowed : iterable of str
        Top-level module names it may import (``"math"``, ``"numpy"``, ...).

    Raises
    ------
    AssertionError
        Naming every module imported that is not allowed.

    Examples
    --------
    >>> import linalg_basics.vectors as vectors
    >>> assert_imports_only(vectors, ["__future__", "math", "fractions"])
    >>> assert_imports_only(vectors, ["math"])
    Traceback (most recent call last):
    ...
    AssertionError: .../vectors.py imports __future__, fractions; allowed: math
    """
    path = pathlib.Path(getattr(module, "__file__", None) or module)
    try:
        used = set(_imported_top_levels(path.read_text(encoding="utf-8")))
    except SyntaxError as error:
        raise SubmissionError(why_it_does_not_import(error, path)) from None
    allowed = set(allowed)
    extra = sorted(used - allowed)
    if extra:
        raise AssertionError(
            f"{path} imports {', '.join(extra)}; allowed: "
            f"{', '.join(sorted(allowed)) or 'nothing'}"
        )
