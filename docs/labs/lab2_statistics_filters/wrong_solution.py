"""Lab 2, a planted wrong solution: three classic mistakes, for checking the tests.

The lab's tests must fail on it, each with a small counterexample:

* variance uses the one-pass formula ``sum(x**2) / n - mean**2``, which cancels away every
  digit for data near 1e8 (std_dev, built on it, inherits the error);
* median of an even number of values takes one middle value instead of the mean of two;
* mean_filter pads the border with zeros instead of mirroring the image, so the border
  pixels come out too dark.
"""

import math

import numpy as np


def _check(data, what):
    if len(data) == 0:
        raise ValueError(f"{what} needs at least one value")


def mean(data):
    """``sum(data) / n``."""
    _check(data, "mean")
    return sum(data) / len(data)


def median(data):
    """The middle value of the sorted data, or the mean of the two middle ones."""
    _check(data, "median")
    values = sorted(data)
    return values[len(values) // 2]


def variance(data):
    """``sum((x - mean)**2) / n``, in two passes."""
    m = mean(data)
    return sum(x * x for x in data) / len(data) - m * m


def std_dev(data):
    """``sqrt(variance)``."""
    return math.sqrt(variance(data))


def correlation(x, y):
    """Pearson's r of the centred data."""
    if len(x) != len(y):
        raise ValueError(f"correlation needs lists of the same length, got {len(x)} and {len(y)}")
    mx, my = mean(x), mean(y)
    dx = [a - mx for a in x]
    dy = [b - my for b in y]
    sxx = sum(d * d for d in dx)
    syy = sum(d * d for d in dy)
    if sxx == 0 or syy == 0:
        raise ValueError("correlation is undefined when x or y is constant")
    return sum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)


def _window_filter(image, size, statistic):
    image = np.asarray(image)
    padded = np.pad(image, size // 2, mode="symmetric")
    out = np.empty(image.shape, dtype=np.float64)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            window = padded[i:i + size, j:j + size]
            out[i, j] = statistic(window.ravel().tolist())
    return out


def mean_filter(image, size=3):
    """Mean of every window."""
    image = np.asarray(image)
    padded = np.pad(image, size // 2, mode="constant")
    out = np.empty(image.shape, dtype=np.float64)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            out[i, j] = padded[i:i + size, j:j + size].mean()
    return out


def median_filter(image, size=3):
    """Median of every window."""
    return _window_filter(image, size, median)


def local_std(image, size=3):
    """Standard deviation of every window."""
    return _window_filter(image, size, std_dev)
