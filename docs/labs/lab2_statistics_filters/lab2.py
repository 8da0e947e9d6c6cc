"""Lab 2: statistics by hand, and the image filters built from them.

Part A works on plain Python lists of numbers (no ``statistics`` module, no NumPy). Part B
works on gray images given as 2-D NumPy arrays: use NumPy to hold and pad the image, and
your Part A functions (or NumPy) for the numbers of each window.

Fill in every function below, replacing ``raise NotImplementedError``. Check your work with
``python -m doctest lab2.py -v`` and with the instructor's tests (see README.md).
"""

import math  # noqa: F401

import numpy as np  # noqa: F401

# ---------------------------------------------------------------------------
# Part A: statistics of a list of numbers
# ---------------------------------------------------------------------------


def mean(data):
    """The average ``sum(data) / n``. Raise ``ValueError`` for empty data.

    >>> mean([2, 8, 5, 4, 1, 8])
    4.666666666666667
    """
    raise NotImplementedError("mean")


def median(data):
    """The middle value of the *sorted* data.

    For an odd number of values it is the middle one; for an even number, the mean of the
    two middle ones. Do not change ``data`` (sort a copy). Raise ``ValueError`` for empty data.

    >>> median([2, 8, 5, 4, 1])
    4
    >>> median([2, 8, 5, 4, 1, 8])
    4.5
    """
    raise NotImplementedError("median")


def variance(data):
    """The population variance ``sum((x - mean)**2) / n``. Raise ``ValueError`` for empty data.

    Compute the mean first, then the squared deviations from it (two passes over the data).
    The one-pass shortcut ``sum(x**2) / n - mean**2`` is exact on paper but loses every digit
    when the data sit far from zero (try your function on ``[1e8 + 4, 1e8 + 7, 1e8 + 13,
    1e8 + 16]``: the answer is 22.5).

    >>> variance([4, 7, 13, 16])
    22.5
    """
    raise NotImplementedError("variance")


def std_dev(data):
    """The population standard deviation ``sqrt(variance(data))``.

    >>> std_dev([2, 4, 4, 4, 5, 5, 7, 9])
    2.0
    """
    raise NotImplementedError("std_dev")


def correlation(x, y):
    """Pearson's correlation coefficient of two equally long lists.

    ``r = sum(dx * dy) / sqrt(sum(dx**2) * sum(dy**2))`` with ``dx = x - mean(x)`` and
    ``dy = y - mean(y)``. Raise ``ValueError`` if the lengths differ, or if ``x`` or ``y`` is
    constant (then r is 0 / 0).

    >>> round(correlation([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]), 4)
    0.7746
    >>> correlation([1, 2, 3], [30, 20, 10])
    -1.0
    """
    raise NotImplementedError("correlation")


# ---------------------------------------------------------------------------
# Part B: filters over the size x size window around each pixel
# ---------------------------------------------------------------------------
#
# Each output pixel out[i, j] is a statistic of the size x size window centred on pixel
# (i, j). Near the border the window reaches outside the image: fill the missing pixels by
# mirroring the image, edge pixel included ("d c b a | a b c d | d c b a"), which is
#
#     padded = np.pad(image, size // 2, mode="symmetric")
#
# Then the window of pixel (i, j) is padded[i:i + size, j:j + size]. Return a float array of
# the image's shape. `size` is an odd number (1, 3, 5, ...).


def mean_filter(image, size=3):
    """Mean of every ``size x size`` window: a blur.

    >>> image = np.array([[0, 0, 0], [0, 90, 0], [0, 0, 0]], dtype=np.uint8)
    >>> float(mean_filter(image)[1, 1])
    10.0
    """
    raise NotImplementedError("mean_filter")


def median_filter(image, size=3):
    """Median of every ``size x size`` window: removes salt-and-pepper noise, keeps edges.

    >>> image = np.full((3, 4), 100, dtype=np.uint8)
    >>> image[1, 1] = 255
    >>> median_filter(image).tolist()[1]
    [100.0, 100.0, 100.0, 100.0]
    """
    raise NotImplementedError("median_filter")


def local_std(image, size=3):
    """Population standard deviation of every ``size x size`` window: large on texture.

    >>> image = np.array([[0, 0, 0, 9, 9, 9]] * 3, dtype=np.uint8)
    >>> local_std(image).round(2)[1].tolist()
    [0.0, 0.0, 4.24, 4.24, 0.0, 0.0]
    """
    raise NotImplementedError("local_std")
