"""Instructor tests for lab 2: statistics by hand, and image filters.

Part A is compared with the statistics of ``linalg_basics``, part B with the filters of
``imageops`` (window border ``mode="reflect"``), on inputs drawn by Hypothesis. When an answer
is wrong, Hypothesis shrinks the input to the smallest it can find and pytest shows it
("Falsifying example" or "Failing test case"), with the expected and the received answer.

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


@lab_settings()
@given(EVERYDAY)
def test_mean(data):
    assert_same_answer(lab.mean, ref.mean, data, abs_tol=1e-9)


@lab_settings()
@given(datasets(int))
def test_median(data):
    assert_same_answer(lab.median, ref.median, data)


@lab_settings(max_examples=100)
@given(SPREAD)
def test_variance(data):
    assert_same_answer(lab.variance, ref.variance, data, **SPREAD_TOL)


@lab_settings()
@given(SPREAD)
def test_std_dev(data):
    assert_same_answer(lab.std_dev, ref.std_dev, data, **SPREAD_TOL)


@lab_settings(max_examples=100)
@given(vector_pairs(int, -20, 20, min_size=2, max_size=8))
def test_correlation(xy):
    # small ints: constant lists come up, and the submission must raise ValueError for them
    assert_same_answer(lab.correlation, ref.correlation, *xy)


@pytest.mark.parametrize("function", ["mean", "median", "variance", "std_dev"])
def test_empty_data_raises_value_error(function):
    with pytest.raises(ValueError):
        getattr(lab, function)([])


def test_correlation_of_lists_of_different_lengths_raises_value_error():
    with pytest.raises(ValueError):
        lab.correlation([1, 2, 3], [1, 2])


def _image(rows):
    return np.array(rows, dtype=np.uint8)


@lab_settings(max_examples=30)
@given(gray_images(max_side=6), WINDOW)
def test_mean_filter(image, size):
    assert_same_answer(lab.mean_filter, lambda im, s: imageops.mean_filter(im, s), _image(image),
                       size, abs_tol=1e-9, name="mean_filter")


@lab_settings(max_examples=30)
@given(gray_images(max_side=6), WINDOW)
def test_median_filter(image, size):
    assert_same_answer(lab.median_filter, lambda im, s: imageops.median_filter(im, s),
                       _image(image), size, name="median_filter")


@lab_settings(max_examples=30)
@given(gray_images(max_side=6), WINDOW)
def test_local_std(image, size):
    assert_same_answer(lab.local_std, lambda im, s: imageops.local_std(im, s), _image(image),
                       size, abs_tol=1e-6, name="local_std")


def test_median_filter_removes_salt_and_pepper():
    """The lecture's use: the median filter restores a flat image hit by salt and pepper."""
    flat = np.full((12, 12), 120, dtype=np.uint8)
    noisy = imageops.add_salt_and_pepper(flat, amount=0.05, seed=1)
    assert (noisy != flat).any()
    np.testing.assert_array_equal(lab.median_filter(noisy), flat)


def test_own_work():
    """Part A by hand: no statistics module, no SciPy, no linalg_basics or imageops."""
    assert_imports_only(lab, {"math", "numpy", "fractions", "__future__"})
