"""linalg_basics.testing.grade without running a lab: finding submissions, the table, the CSV,
a run stopped by its timeout, and a test file that does not load. (tests/test_labs.py runs the
grader's command line on lab 1.)"""

import csv

import pytest

from linalg_basics.testing.grade import (
    Check,
    Checks,
    find_submissions,
    format_table,
    main,
    run_checks,
    write_csv,
)

RESULTS = [
    Checks("alice", [Check("test_mean", True), Check("test_median", True)]),
    Checks("bob", [Check("test_mean", True),
                   Check("test_median", False, "median([0, 1]): expected 0.5, received 1")]),
    Checks("carol", problem="stopped after 60 s (an endless loop?)"),
]


def test_submissions_are_files_or_folders_holding_the_lab(tmp_path):
    (tmp_path / "alice.py").write_text("")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "lab2.py").write_text("")
    (tmp_path / "carol").mkdir()  # no lab2.py inside: not a submission
    (tmp_path / "notes.txt").write_text("")
    assert find_submissions(tmp_path, "lab2.py") == {
        "alice": tmp_path / "alice.py", "bob": tmp_path / "bob" / "lab2.py"}


def test_table_has_one_line_per_student_with_the_first_failure():
    assert format_table(RESULTS).splitlines() == [
        "student  passed  first failure",
        "------------------------------",
        "alice       2/2  -",
        "bob         1/2  test_median: median([0, 1]): expected 0.5, received 1",
        "carol         -  stopped after 60 s (an endless loop?)",
    ]


def test_csv_has_the_table_and_a_column_per_check(tmp_path):
    write_csv(RESULTS, tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows == [
        ["student", "passed", "checks", "first_failure", "test_mean", "test_median"],
        ["alice", "2", "2", "", "1", "1"],
        ["bob", "1", "2", "test_median: median([0, 1]): expected 0.5, received 1", "1", "0"],
        ["carol", "0", "0", "stopped after 60 s (an endless loop?)", "", ""],
    ]


def test_verdict_lists_the_failing_checks():
    assert RESULTS[0].verdict() == "All 2 checks pass."
    assert RESULTS[1].verdict().splitlines() == [
        "1 of 2 checks FAIL: the numbers below cannot be trusted until they pass.",
        "  test_median: median([0, 1]): expected 0.5, received 1",
    ]


def test_a_run_over_its_time_is_stopped_and_said_so(tmp_path):
    (tmp_path / "test_lab9.py").write_text("def test_x():\n    pass\n")
    (tmp_path / "alice.py").write_text("")
    result = run_checks(tmp_path / "test_lab9.py", tmp_path / "alice.py", timeout=0.01)
    assert result.problem == "stopped after 0.01 s (an endless loop?)"
    assert result.checks == [] and result.first_failure == result.problem


def test_bad_folders_are_one_line_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main([str(tmp_path), str(tmp_path)])
    assert stopped.value.code == 2
    assert "LAB_DIR must be a folder with one test_*.py file" in capsys.readouterr().err
    (tmp_path / "test_lab9.py").write_text("")
    with pytest.raises(SystemExit):
        main([str(tmp_path), str(tmp_path / "nowhere")])
    assert "SUBMISSIONS_DIR must be a folder" in capsys.readouterr().err


def test_tests_that_do_not_load_are_reported_with_the_reason(tmp_path):
    (tmp_path / "test_lab9.py").write_text("import no_such_module_anywhere\n")
    (tmp_path / "alice.py").write_text("")
    result = run_checks(tmp_path / "test_lab9.py", tmp_path / "alice.py", timeout=120)
    assert result.checks == [] and result.first_failure == (
        "the tests do not load: ModuleNotFoundError: No module named 'no_such_module_anywhere'")
