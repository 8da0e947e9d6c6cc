"""Lab 2, reference solution: what a complete ``lab2.py`` looks like.

For the instructor: run the lab's tests against it (see README.md) to see them pass.
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
    n = len(values)
    if n % 2 == 1:
        return values[n // 2]
    return (values[n // 2 - 1] + values[n // 2]) / 2


def variance(data):
    """``sum((x - mean)**2) / n``, in two passes."""
    m = mean(data)
    return sum((x - m) ** 2 for x in data) / len(data)


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
    return _window_filter(image, size, mean)


def median_filter(image, size=3):
    """Median of every window."""
    return _window_filter(image, size, median)


def local_std(image, size=3):
    """Standard deviation of every window."""
    return _window_filter(image, size, std_dev)
