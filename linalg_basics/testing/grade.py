"""Grade a folder of lab submissions: run the lab's tests on each, print a table, write a CSV.

Run from a shell::

    python -m linalg_basics.testing.grade LAB_DIR SUBMISSIONS_DIR [--csv grades.csv]

``LAB_DIR`` holds the lab's one instructor test file (``test_lab1.py``); ``SUBMISSIONS_DIR``
holds one ``.py`` file per student (the student is the file's name without ``.py``), or one
folder per student holding the lab's file (``alice/lab1.py``). Each submission is checked in
its own ``python -m pytest`` run, as ``LAB_SUBMISSION=<file> python -m pytest test_lab1.py``
would, a few at a time; then one line per student says how many checks passed and the first
failure, in one line. The CSV has the same columns and one more per check (1 passed, 0 not).

The submissions' code runs with your rights: grade in an account or container you do not
mind them using. A run longer than ``--timeout`` seconds (an endless loop) is stopped and
reported as such.

:func:`run_checks` is the one-submission step; a lab's ``experiment.py`` uses it to run the
sanity checks before it prints results.
"""

from __future__ import annotations

import argparse
import csv
import os
import pathlib
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

__all__ = ["Check", "Checks", "run_checks", "find_submissions", "grade", "format_table", "main"]

WIDEST_FAILURE = 130  # characters of a failure's reason shown in the table


@dataclass
class Check:
    """One test of the lab on one submission: its name, whether it passed, why not."""

    name: str
    passed: bool
    reason: str = ""  # the failure in one line


@dataclass
class Checks:
    """Every check of one submission, and the full pytest report."""

    student: str
    checks: list = field(default_factory=list)
    report: str = ""
    problem: str = ""  # why no check ran (timed out, the tests do not load)

    @property
    def passed(self):
        return sum(check.passed for check in self.checks)

    @property
    def failed(self):
        return [check for check in self.checks if not check.passed]

    @property
    def first_failure(self):
        if self.problem:
            return self.problem
        failed = self.failed
        return f"{failed[0].name}: {failed[0].reason}" if failed else ""

    def verdict(self, what="the numbers below"):
        """One line if every check passed, else why ``what`` cannot be trusted, check by check.

        A lab's ``experiment.py`` prints it before its results.
        """
        if self.problem:
            return f"The checks did not run ({self.problem}): {what} cannot be trusted."
        if not self.failed:
            return f"All {len(self.checks)} checks pass."
        lines = [f"{len(self.failed)} of {len(self.checks)} checks FAIL: {what} cannot be "
                 "trusted until they pass."]
        lines += [f"  {check.name}: {check.reason}" for check in self.failed]
        return "\n".join(lines)


def run_checks(tests, submission, *, student=None, deselect=(), timeout=600):
    """Run a lab's test file on one submission, in a fresh ``python -m pytest``.

    Parameters
    ----------
    tests : str or os.PathLike
        The instructor's test file.
    submission : str or os.PathLike
        The student's file, given to the tests as ``$LAB_SUBMISSION``.
    student : str, optional
        The name in the results (the file's name without ``.py`` by default).
    deselect : iterable of str
        Names of tests to leave out.
    timeout : float
        Seconds before the run is stopped.

    Returns
    -------
    Checks
    """
    tests = pathlib.Path(tests).resolve()
    submission = pathlib.Path(submission).resolve()
    student = student or submission.stem
    with tempfile.TemporaryDirectory(prefix="lab-grade-") as scratch:
        junit = pathlib.Path(scratch) / "results.xml"
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", os.devnull,
                   "--rootdir", str(tests.parent), "-q", "-rf", "--color=no",
                   f"--junitxml={junit}", str(tests)]
        command += [f"--deselect={tests.name}::{name}" for name in deselect]
        # run from the lab's folder (short test ids in the report), writing nothing there:
        # no bytecode, Hypothesis's folder and the JUnit file in the scratch folder
        env = dict(os.environ, LAB_SUBMISSION=str(submission), PYTHONDONTWRITEBYTECODE="1",
                   HYPOTHESIS_STORAGE_DIRECTORY=scratch, COLUMNS="160")
        try:
            done = subprocess.run(command, cwd=tests.parent, env=env, capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return Checks(student, problem=f"stopped after {timeout:g} s (an endless loop?)")
        report = done.stdout + done.stderr
        checks = _read_junit(junit) if junit.is_file() else []
    if not checks or checks[0].reason.startswith("the tests do not load"):
        last = [line for line in report.splitlines() if line.strip()][-1:] or ["no output"]
        why = checks[0].reason if checks else f"the tests did not run: {last[0]}"
        return Checks(student, report=report, problem=why)
    return Checks(student, checks, report)


def _read_junit(path):
    """The checks in pytest's JUnit XML file (written by pytest itself, in our scratch dir)."""
    checks = []
    for case in ElementTree.parse(path).iter("testcase"):
        trouble = [child for child in case if child.tag in ("failure", "error")]
        if any(child.tag == "skipped" for child in case):
            continue
        reason = one_line(trouble[0].get("message", "")) if trouble else ""
        if reason == "collection failure":  # the test file itself does not load: say why
            said = [line[1:].strip() for line in (trouble[0].text or "").splitlines()
                    if line.startswith("E ")]
            reason = f"the tests do not load: {said[-1] if said else 'collection failure'}"
        checks.append(Check(case.get("name", "?"), not trouble, reason))
    return checks


def one_line(message):
    """A failure message squeezed into one line for the table.

    A :class:`~linalg_basics.testing.CounterexampleFound` becomes ``call: expected E,
    received R`` (after ``fix H first:`` when it fails only through a helper H); any other
    message keeps its first line, without the exception's module path.
    """
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return "failed"
    first = _without_our_class(lines[0])
    parts = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    if "smallest failing call" in parts:
        call = _short_arrays(parts["smallest failing call"])
        answers = _short_arrays(f"expected {parts.get('expected', '?')}, "
                                f"received {parts.get('received', '?')}")
        if len(call) + len(answers) > WIDEST_FAILURE - 2:
            call = call.split("(", 1)[0] + "(...)"  # the full call is in the report
        text = f"{call}: {answers}"
        if " only through " in first:
            text = f"{first.split(': ')[-1].rstrip('.')}: {text}"
        first = text
    first = _short_arrays(first)
    return first if len(first) <= WIDEST_FAILURE else first[:WIDEST_FAILURE - 3] + "..."


def _short_arrays(text, longest=24):
    """``np.array([[1, 2, ...]], dtype=np.uint8)`` with a long list cut to ``[...]``."""
    out, start = [], 0
    while (found := text.find("np.array([", start)) >= 0:
        begin = found + len("np.array(")
        depth, end = 0, begin
        for end in range(begin, len(text)):
            depth += {"[": 1, "]": -1}.get(text[end], 0)
            if depth == 0:
                break
        listed = text[begin:end + 1]
        out.append(text[start:begin] + (listed if len(listed) <= longest else "[...]"))
        start = end + 1
    return "".join(out) + text[start:]


def _without_our_class(line):
    """The first line without ``linalg_basics.testing.X: `` or ``AssertionError: ``; other
    exceptions keep their class name, without its module (``NotImplementedError: median``)."""
    head, _, rest = line.partition(": ")
    if not rest or " " in head or not head.split(".")[-1].lstrip("_")[:1].isupper():
        return line
    if head.startswith("linalg_basics.testing.") or head == "AssertionError":
        return rest
    return f"{head.split('.')[-1]}: {rest}"


def find_submissions(folder, module):
    """``{student: file}``: each ``*.py`` in ``folder``, and each ``folder/<student>/<module>``."""
    folder = pathlib.Path(folder)
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and entry.suffix == ".py":
            found[entry.stem] = entry
        elif entry.is_dir() and (entry / module).is_file():
            found[entry.name] = entry / module
    return found


def grade(tests, submissions, *, jobs=2, timeout=600, reports=None):
    """Run ``run_checks`` on every ``{student: file}``, ``jobs`` at a time; Checks per student.

    With ``reports`` (a folder), each student's full pytest report is written there as
    ``<student>.txt``.
    """
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run_checks, tests, path, student=student, timeout=timeout)
                   for student, path in submissions.items()]
        results = [future.result() for future in futures]
    if reports is not None:
        reports = pathlib.Path(reports)
        reports.mkdir(parents=True, exist_ok=True)
        for result in results:
            (reports / f"{result.student}.txt").write_text(result.report, encoding="utf-8")
    return results


def format_table(results):
    """The table printed by the grader: student, checks passed, first failure."""
    rows = [("student", "passed", "first failure")]
    for result in results:
        total = len(result.checks)
        rows.append((result.student, f"{result.passed}/{total}" if total else "-",
                     result.first_failure or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]}" for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def write_csv(results, path):
    """The table as CSV, with one more column per check: 1 passed, 0 failed, empty not run."""
    names = []
    for result in results:
        names += [check.name for check in result.checks if check.name not in names]
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["student", "passed", "checks", "first_failure", *names])
        for result in results:
            outcome = {check.name: int(check.passed) for check in result.checks}
            writer.writerow([result.student, result.passed, len(result.checks),
                             result.first_failure, *(outcome.get(name, "") for name in names)])


def main(argv=None):
    """The command line: ``python -m linalg_basics.testing.grade LAB_DIR SUBMISSIONS_DIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m linalg_basics.testing.grade",
        description="Run a lab's tests on every submission in a folder; print a table and "
                    "write it as CSV.")
    parser.add_argument("lab_dir", type=pathlib.Path, help="folder of the lab's test_*.py")
    parser.add_argument("submissions_dir", type=pathlib.Path,
                        help="one .py file (or one folder) per student")
    parser.add_argument("--csv", type=pathlib.Path, default=None,
                        help="where to write the CSV (default: grades-<lab folder>.csv here)")
    parser.add_argument("--reports", type=pathlib.Path, default=None,
                        help="a folder for each student's full pytest report")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                        help="submissions checked at the same time (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds allowed per submission (default: %(default)s)")
    args = parser.parse_args(argv)
    tests = sorted(args.lab_dir.glob("test_*.py")) if args.lab_dir.is_dir() else []
    if len(tests) != 1:
        parser.error(f"LAB_DIR must be a folder with one test_*.py file; {args.lab_dir} has "
                     f"{len(tests)}")
    if not args.submissions_dir.is_dir():
        parser.error(f"SUBMISSIONS_DIR must be a folder, got {args.submissions_dir}")
    module = tests[0].name.removeprefix("test_")
    submissions = find_submissions(args.submissions_dir, module)
    if not submissions:
        parser.error(f"no submissions in {args.submissions_dir}: expected *.py files or "
                     f"folders holding {module}")
    results = grade(tests[0], submissions, jobs=args.jobs, timeout=args.timeout,
                    reports=args.reports)
    print(format_table(results))
    target = args.csv or pathlib.Path(f"grades-{args.lab_dir.resolve().name}.csv")
    write_csv(results, target)
    print(f"\n{len(results)} submissions of {tests[0].name}; table written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
