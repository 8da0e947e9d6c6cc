"""linalg_basics.testing: the strategies draw what they promise, planted mistakes are caught
with small counterexamples while the reference passes, and a lab's tests find the submission
named at run time."""

import statistics as cpython
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings

from linalg_basics import (
    dot_product,
    matrix_multiplication,
    mean,
    median,
    variance,
    vector_length,
)
from linalg_basics.testing import (
    CounterexampleFound,
    SubmissionError,
    assert_imports_only,
    assert_raises,
    assert_same_answer,
    check_against_reference,
    conforming_matrices,
    datasets,
    gray_images,
    images_with_windows,
    lab_settings,
    load_submission,
    matrices,
    numbers,
    queries_and_databases,
    rankings,
    vector_pairs,
    vectors,
)

PROPERTY = settings(deadline=None, max_examples=30)


# ---------------------------------------------------------------------------
# Students' typical mistakes
# ---------------------------------------------------------------------------


def median_without_sorting(data):
    n = len(data)
    middle = n // 2
    return data[middle] if n % 2 else (data[middle - 1] + data[middle]) / 2


def one_pass_variance(data):
    n = len(data)
    return (sum(x * x for x in data) - sum(data) ** 2 / n) / n


def median_sorting_in_place(data):
    data.sort()
    return median_without_sorting(data)


def test_unsorted_median_is_caught_with_a_small_counterexample():
    with pytest.raises(CounterexampleFound) as caught:
        check_against_reference(median_without_sorting, median, datasets())
    found = caught.value
    (data,) = found.arguments
    assert len(data) <= 3
    assert found.expected == median(data) != found.received
    message = str(found)
    assert "median_without_sorting gives a wrong answer" in message
    assert f"median_without_sorting({data!r})" in message
    assert f"expected: {found.expected!r}" in message
    assert f"received: {found.received!r}" in message


def test_one_pass_variance_is_caught_far_from_zero():
    with pytest.raises(CounterexampleFound) as caught:
        check_against_reference(
            one_pass_variance, variance, datasets(float, 1e9, 1e9 + 100, min_size=2)
        )
    (data,) = caught.value.arguments
    assert len(data) <= 3
    assert caught.value.expected == variance(data)


def test_references_pass():
    check_against_reference(median, cpython.median, datasets((int, float, Fraction)))
    check_against_reference(variance, cpython.pvariance, datasets(float, 1e9, 1e9 + 100))
    check_against_reference(median_sorting_in_place, median, datasets())  # gets its own copy


def test_tuples_are_unpacked_and_tolerances_used():
    def rough_dot(u, v):
        return float(sum(a * b for a, b in zip(u, v, strict=True))) * (1 + 1e-12)

    check_against_reference(rough_dot, dot_product, vector_pairs(float, -10, 10))
    with pytest.raises(CounterexampleFound):
        check_against_reference(rough_dot, dot_product, vector_pairs(), rel_tol=0, abs_tol=0)


def test_errors_must_match_the_reference():
    def mean_without_check(data):
        return sum(data) / len(data)

    def mean_with_check(data):
        if not data:
            raise ValueError("no data")
        return sum(data) / len(data)

    from linalg_basics import mean

    empty_or_not = datasets(min_size=0, max_size=3)
    with pytest.raises(CounterexampleFound, match=r"mean_without_check\(\[\]\)") as caught:
        check_against_reference(mean_without_check, mean, empty_or_not)
    assert "an error: StatisticsError" in str(caught.value)
    assert "ZeroDivisionError" in str(caught.value)
    check_against_reference(mean_with_check, mean, empty_or_not)


def test_wrong_matrix_product_is_caught():
    def elementwise_product(a, b):
        return [[x * y for x, y in zip(ra, rb, strict=False)] for ra, rb in zip(a, b, strict=False)]

    with pytest.raises(CounterexampleFound, match="received"):
        check_against_reference(
            elementwise_product, matrix_multiplication, conforming_matrices(), max_examples=50
        )


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------


@PROPERTY
@given(x=numbers((int, float, Fraction, Decimal), -5, 5))
def test_numbers_respect_types_and_bounds(x):
    assert type(x) in (int, float, Fraction, Decimal)
    assert -5 <= x <= 5


@PROPERTY
@given(v=vectors(float, 0, 1, size=4), uv=vector_pairs(Fraction, max_size=3))
def test_vectors_and_pairs(v, uv):
    assert len(v) == 4 and all(type(x) is float and 0 <= x <= 1 for x in v)
    assert len(uv[0]) == len(uv[1]) <= 3


@PROPERTY
@given(a=matrices(rows=2, cols=3), ab=conforming_matrices(max_side=3))
def test_matrix_strategies(a, ab):
    assert [len(row) for row in a] == [3, 3]
    left, right = ab
    assert len(left[0]) == len(right)
    assert len({len(row) for row in right}) == 1


@PROPERTY
@given(data=datasets(Decimal, 1, 2, min_size=2, max_size=4))
def test_datasets(data):
    assert 2 <= len(data) <= 4 and all(type(x) is Decimal and 1 <= x <= 2 for x in data)


def test_bad_strategy_arguments():
    with pytest.raises(ValueError, match="types among int, float, Fraction, Decimal"):
        numbers(str)
    with pytest.raises(ValueError, match="min_value <= max_value, got 2 > 1"):
        numbers(int, 2, 1)


@PROPERTY
@given(image=gray_images(min_side=2, max_side=4, max_value=9))
def test_gray_images(image):
    assert 2 <= len(image) <= 4 and len({len(row) for row in image}) == 1
    assert 2 <= len(image[0]) <= 4
    assert all(type(x) is int and 0 <= x <= 9 for row in image for x in row)


@PROPERTY
@given(drawn=images_with_windows(max_side=5, min_window=2, max_window=3))
def test_images_with_windows_lie_inside(drawn):
    image, (row, col, height, width) = drawn
    assert 2 <= height <= 3 and 2 <= width <= 3
    assert 0 <= row <= len(image) - height and 0 <= col <= len(image[0]) - width


@PROPERTY
@given(qd=queries_and_databases(float, 0, 1, min_rows=2, max_rows=3, max_dim=4))
def test_queries_and_databases(qd):
    query, database = qd
    assert 2 <= len(database) <= 3 and 1 <= len(query) <= 4
    assert all(len(row) == len(query) for row in database)


@PROPERTY
@given(drawn=rankings(max_size=5))
def test_rankings(drawn):
    ranking, relevant = drawn
    assert 1 <= len(ranking) <= 5 and len(set(ranking)) == len(ranking)
    assert relevant and all(isinstance(i, int) for i in relevant)


def test_bad_image_strategy_arguments():
    with pytest.raises(ValueError, match="1 <= min_side <= max_side, got 3 and 2"):
        gray_images(min_side=3, max_side=2)


# ---------------------------------------------------------------------------
# One input at a time, for @given tests
# ---------------------------------------------------------------------------


def test_assert_same_answer_compares_arrays_by_shape_and_values():
    np = pytest.importorskip("numpy")
    assert_same_answer(lambda a: a + 1e-13, lambda a: a, np.arange(4.0).reshape(2, 2))
    with pytest.raises(CounterexampleFound) as caught:
        assert_same_answer(lambda a: a.ravel(), lambda a: a, np.array([[0.0, 1.0]]))
    # arrays are shown as the one line that rebuilds them, dtype included
    assert "expected: np.array([[0.0, 1.0]], dtype=np.float64)\n" in str(caught.value)
    assert "received: np.array([0.0, 1.0], dtype=np.float64)" in str(caught.value)
    with pytest.raises(CounterexampleFound, match=r"<an array of shape \(100, 100\), dtype uint8>"):
        assert_same_answer(lambda a: 0, lambda a: 1, np.zeros((100, 100), np.uint8))


def test_assert_raises_speaks_like_the_other_checks():
    assert_raises(lambda u, v: 1 / 0, ZeroDivisionError, [1], [2])
    def add_vectors(u, v):  # forgot to check the lengths
        return [a + b for a, b in zip(u, v, strict=False)]

    with pytest.raises(CounterexampleFound) as caught:
        assert_raises(add_vectors, ValueError, [1, 2], [1], reason="the lengths differ")
    assert str(caught.value).splitlines()[1:] == [
        "  smallest failing call: add_vectors([1, 2], [1])",
        "  expected: an error: ValueError: the lengths differ",
        "  received: [2]",
    ]


def _submission(tmp_path, source, name="student.py"):
    path = tmp_path / name
    path.write_text(source)
    return load_submission(path)


HELPER_BUG = """
def mean(data):
    return sum(data) / (len(data) - 1)        # the helper is wrong

def variance(data):                           # right, given a right mean
    m = mean(data)
    return sum((x - m) ** 2 for x in data) / len(data)

def std_dev(data):                            # right, given a right variance
    return variance(data) ** 0.5

def spread(data):                             # wrong itself, and calls the wrong mean too
    return max(data) - mean(data)
"""


def test_a_function_wrong_only_through_its_helper_names_the_helper(tmp_path, monkeypatch):
    monkeypatch.delenv("LAB_SUBMISSION", raising=False)
    lab = _submission(tmp_path, HELPER_BUG)
    references = {"mean": mean, "variance": variance, "std_dev": lambda d: variance(d) ** 0.5}
    with pytest.raises(CounterexampleFound) as caught:
        assert_same_answer(lab.variance, variance, [1, 2, 3], helpers=references)
    assert caught.value.culprits == ("mean",)
    assert str(caught.value).startswith(
        "variance gives a wrong answer only through mean, which it calls: fix mean first."
    )
    # std_dev -> variance -> mean: replacing either one alone fixes it, but variance is
    # wrong only through mean, so mean is the one named
    with pytest.raises(CounterexampleFound) as caught:
        check_against_reference(lab.std_dev, references["std_dev"], datasets(min_size=2),
                                helpers=references)
    assert caught.value.culprits == ("mean",)
    # a function wrong by itself is reported as such, and the module is left as it was
    with pytest.raises(CounterexampleFound) as caught:
        assert_same_answer(lab.spread, lambda d: max(d) - min(d), [1, 2, 3], helpers=references)
    assert caught.value.culprits == () and "only through" not in str(caught.value)
    assert lab.mean([2, 4]) == 6
    # without the references, the plain message
    with pytest.raises(CounterexampleFound, match=r"^variance gives a wrong answer\.\n"):
        assert_same_answer(lab.variance, variance, [1, 2, 3])


def test_assert_same_answer_lets_unfinished_work_say_so():
    def todo(data):
        raise NotImplementedError("median")

    with pytest.raises(NotImplementedError, match="median"):
        assert_same_answer(todo, median, [1, 2])
    with pytest.raises(CounterexampleFound, match="an error: ZeroDivisionError"):
        assert_same_answer(lambda data: 1 / 0, median, [1, 2])


def test_hypothesis_shows_the_shrunk_input_of_a_given_test():
    def length_squared(v):
        return sum(x * x for x in v)

    @lab_settings(max_examples=100)
    @given(v=vectors())
    def check_length(v):
        assert_same_answer(length_squared, vector_length, v)

    with pytest.raises(CounterexampleFound) as caught:
        check_length()
    assert caught.value.arguments in (([2],), ([-2],))
    notes = "\n".join(getattr(caught.value, "__notes__", []))
    assert "check_length(" in notes and "v=[" in notes


def test_lab_settings():
    chosen = lab_settings(max_examples=7, deadline=100)
    assert chosen.max_examples == 7 and chosen.deadline is not None
    assert chosen.derandomize and chosen.database is None and not chosen.report_multiple_bugs
    assert "explain" not in {phase.name for phase in chosen.phases}


# ---------------------------------------------------------------------------
# Loading and checking a submission
# ---------------------------------------------------------------------------


def test_load_submission_from_a_file_named_at_run_time(tmp_path, monkeypatch):
    (tmp_path / "statistics.py").write_text("def median(data):\n    return 'mine'\n")
    (tmp_path / "other.py").write_text("ANSWER = 42\n")
    monkeypatch.delenv("LAB_SUBMISSION", raising=False)
    mine = load_submission(tmp_path / "statistics.py")
    assert mine.median([1]) == "mine"
    assert cpython.median([1, 3]) == 2  # the standard module is not shadowed
    monkeypatch.setenv("LAB_SUBMISSION", str(tmp_path / "other.py"))
    assert load_submission(tmp_path / "statistics.py").ANSWER == 42
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAB_SUBMISSION", "other.py")  # relative to the current folder
    assert load_submission("unused.py").ANSWER == 42
    monkeypatch.setenv("LAB_SUBMISSION", "linalg_basics")  # a module name
    assert load_submission("unused.py").median is median


def test_load_submission_names_a_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_SUBMISSION", str(tmp_path / "alice.py"))
    with pytest.raises(FileNotFoundError, match=r"alice.py' \(from \$LAB_SUBMISSION\)"):
        load_submission("lab1.py")


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("x = 1\ndef f(:\n", "broken.py does not import: SyntaxError line 2: invalid syntax"),
        ("import math\n\nvalue = sqrt(2)\n",
         "broken.py does not import: NameError line 3: name 'sqrt' is not defined"),
        ("import no_such_module_here\n",
         "broken.py does not import: ModuleNotFoundError line 1: No module named "
         "'no_such_module_here'"),
    ],
)
def test_a_submission_that_does_not_import_says_why_at_every_use(source, reason, tmp_path,
                                                                 monkeypatch):
    monkeypatch.delenv("LAB_SUBMISSION", raising=False)
    lab = _submission(tmp_path, source, "broken.py")
    for use in (lambda: lab.f, lambda: assert_same_answer(lab.median, median, [1])):
        with pytest.raises(SubmissionError) as caught:
            use()
        assert str(caught.value) == reason
    assert lab.__file__ == str(tmp_path / "broken.py")
    if "SyntaxError" in reason:
        with pytest.raises(SubmissionError, match="^broken.py does not import: SyntaxError"):
            assert_imports_only(lab, {"math"})


def test_assert_imports_only(tmp_path):
    path = tmp_path / "sub.py"
    path.write_text(
        "import math\nimport numpy.linalg as la\nfrom statistics import median\n"
        "from . import sibling\n\ndef f():\n    return __import__('scipy')\n"
    )
    assert_imports_only(path, {"math", "numpy", "statistics", "__import__"})
    with pytest.raises(AssertionError, match="imports __import__, statistics; allowed: math"):
        assert_imports_only(str(path), {"math", "numpy"})
