"""linalg_basics.testing: the strategies draw what they promise, and planted mistakes are caught
with small counterexamples while the reference passes."""

import statistics as cpython
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings

from linalg_basics import dot_product, matrix_multiplication, median, variance
from linalg_basics.testing import (
    CounterexampleFound,
    check_against_reference,
    conforming_matrices,
    datasets,
    matrices,
    numbers,
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
