"""Instructor tests for lab 2: statistics by hand, and image filters.

Part A is compared with the statistics of ``linalg_basics``, part B with the filters of
``imageops`` (window border ``mode="reflect"``), on inputs drawn by Hypothesis. When an answer
is wrong, Hypothesis shrinks the input to the smallest it can find and pytest shows it
("Falsifying example" or "Failing test case"), with the expected and the received answer.
A function that is wrong only because another function of the submission that it calls is
wrong (``std_dev`` through ``variance``) says which one to fix first: it is tried again with
the reference versions in ``REFERENCE``.

The submission is the file named by the environment variable ``LAB_SUBMISSION`` (default:
``lab2.py`` next to this file)::

    LAB_SUBMISSION=path/to/alice_lab2.py python -m pytest -p no:cacheprovider test_lab2.py
"""

import pathlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import imageops
import linalg_basics as ref
from linalg_basics.testing import (
    assert_imports_only,
    assert_raises,
    assert_same_answer,
    datasets,
    gray_images,
    lab_settings,
    load_submission,
    vector_pairs,
)

lab = load_submission(pathlib.Path(__file__).with_name("lab2.py"))

# Everyday data, and data far from zero where only the two-pass formulas keep their digits.
EVERYDAY = datasets((int, float), -1000, 1000)
FAR_FROM_ZERO = datasets(float, 1e8, 1e8 + 100, min_size=2)
SPREAD = st.one_of(datasets(int, -1000, 1000), FAR_FROM_ZERO)
# A plain float sum of the data near 1e8 shifts the mean by a few 1e-8; in a two-pass variance
# that costs about n * (1e-8)**2, far below 1e-6. The one-pass formula is off by whole units.
SPREAD_TOL = {"rel_tol": 1e-9, "abs_tol": 1e-6}
WINDOW = st.sampled_from([1, 3, 5])
# the reference for each function the student writes, by name
REFERENCE = {
    "mean": ref.mean,
    "median": ref.median,
    "variance": ref.variance,
    "std_dev": ref.std_dev,
    "correlation": ref.correlation,
    "mean_filter": lambda image, size=3: imageops.mean_filter(image, size),
    "median_filter": lambda image, size=3: imageops.median_filter(image, size),
    "local_std": lambda image, size=3: imageops.local_std(image, size),
}


def same_answer(name, *arguments, **options):
    """The student's function ``name`` answers as the reference does on ``arguments``."""
    __tracebackhide__ = True  # pytest shows the test's line and the message, not this helper
    assert_same_answer(getattr(lab, name), REFERENCE[name], *arguments, helpers=REFERENCE,
                       name=name, **options)


@lab_settings()
@given(EVERYDAY)
def test_mean(data):
    same_answer("mean", data, abs_tol=1e-9)


@lab_settings()
@given(datasets(int))
def test_median(data):
    same_answer("median", data)


@lab_settings(max_examples=100)
@given(SPREAD)
def test_variance(data):
    same_answer("variance", data, **SPREAD_TOL)


@lab_settings()
@given(SPREAD)
def test_std_dev(data):
    same_answer("std_dev", data, **SPREAD_TOL)


@lab_settings(max_examples=100)
@given(vector_pairs(int, -20, 20, min_size=2, max_size=8))
def test_correlation(xy):
    # small ints: constant lists come up, and the submission must raise ValueError for them
    same_answer("correlation", *xy)


@pytest.mark.parametrize("function", ["mean", "median", "variance", "std_dev"])
def test_empty_data_raises_value_error(function):
    assert_raises(getattr(lab, function), ValueError, [], reason="there is no data")


def test_correlation_of_lists_of_different_lengths_raises_value_error():
    assert_raises(lab.correlation, ValueError, [1, 2, 3], [1, 2], reason="the lengths differ")


def _image(rows):
    return np.array(rows, dtype=np.uint8)


@lab_settings(max_examples=30)
@given(gray_images(max_side=6), WINDOW)
def test_mean_filter(image, size):
    same_answer("mean_filter", _image(image), size, abs_tol=1e-9)


@lab_settings(max_examples=30)
@given(gray_images(max_side=6), WINDOW)
def test_median_filter(image, size):
    same_answer("median_filter", _image(image), size)


@lab_settings(max_examples=30)
@given(gray_images(max_side=6), WINDOW)
def test_local_std(image, size):
    same_answer("local_std", _image(image), size, abs_tol=1e-6)


def test_median_filter_removes_salt_and_pepper():
    """The lecture's use: the median filter restores a flat image hit by salt and pepper."""
    flat = np.full((8, 8), 120, dtype=np.uint8)
    noisy = imageops.add_salt_and_pepper(flat, amount=0.05, seed=1)
    assert (noisy != flat).any()  # the noise is there
    assert_same_answer(lab.median_filter, lambda image: flat, noisy, name="median_filter",
                       helpers=REFERENCE, note="the flat image before the salt and pepper")


def test_own_work():
    """Part A by hand: no statistics module, no SciPy, no linalg_basics or imageops."""
    assert_imports_only(lab, {"math", "numpy", "fractions", "__future__"})
