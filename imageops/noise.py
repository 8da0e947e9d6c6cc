"""Noise for experiments with the filters, and the peak signal-to-noise ratio that judges them.

=============================================  ================================================
``add_gaussian_noise(image, sigma)``           Gaussian noise, for experiments
``add_salt_and_pepper(image, amount)``         black and white pixels, for experiments
``psnr(reference, image)``                     peak signal-to-noise ratio in decibels
=============================================  ================================================

Both noises are seeded (the same ``seed`` gives the same noise) and keep the image's dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._inputs import as_image

__all__ = ["add_gaussian_noise", "add_salt_and_pepper", "psnr"]


def _integer_limits(dtype: np.dtype) -> tuple[int, int] | None:
    return (np.iinfo(dtype).min, np.iinfo(dtype).max) if dtype.kind in "iu" else None


def add_gaussian_noise(image: Any, sigma: float, seed: int | None = None) -> np.ndarray:
    """Add independent Gaussian noise of standard deviation ``sigma`` to every value.

    Parameters
    ----------
    image : path, PIL image or array_like, shape (H, W) or (H, W, C)
        Any real dtype; floats are on the 0-255 scale like the rest of the library.
    sigma : float
        Standard deviation of the noise, in gray levels (>= 0).
    seed : int or None
        Seed of the random numbers: the same seed gives the same noise.

    Returns
    -------
    numpy.ndarray, the shape and dtype of ``image``
        Integer images (uint8) are rounded and clipped to their range (0-255), so very
        dark and very bright pixels get less noise; float images are not clipped.

    Examples
    --------
    >>> import numpy as np
    >>> noisy = add_gaussian_noise(np.full((200, 200), 100, np.uint8), sigma=10, seed=0)
    >>> noisy.dtype, round(float(noisy.std()))
    (dtype('uint8'), 10)
    """
    image = as_image(image, "add_gaussian_noise")
    if not np.isscalar(sigma) or not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"add_gaussian_noise needs a finite sigma >= 0, got {sigma!r}")
    noisy = image + np.random.default_rng(seed).normal(0.0, sigma, image.shape)
    limits = _integer_limits(image.dtype)
    if limits:
        noisy = np.clip(np.rint(noisy), *limits)
    return noisy.astype(image.dtype)


def add_salt_and_pepper(image: Any, amount: float, seed: int | None = None) -> np.ndarray:
    """Turn a fraction ``amount`` of the pixels white (salt) or black (pepper), half each.

    Parameters
    ----------
    image : path, PIL image or array_like, shape (H, W) or (H, W, C)
        Any real dtype. A colour pixel is hit as a whole: all its channels become white or
        black, like a dead pixel of a camera.
    amount : float
        Fraction of the pixels hit, between 0 and 1: exactly ``round(amount * H * W)``
        pixels, chosen at random, the first half of them salt.
    seed : int or None
        Seed of the random choice.

    Returns
    -------
    numpy.ndarray, the shape and dtype of ``image``
        White is the largest value of an integer dtype (255 for uint8) and 255.0 for floats
        (the 0-255 scale); black is 0 (the smallest value for signed integers).

    Examples
    --------
    >>> import numpy as np
    >>> noisy = add_salt_and_pepper(np.full((10, 10), 128, np.uint8), amount=0.1, seed=0)
    >>> int((noisy == 255).sum()), int((noisy == 0).sum()), int((noisy == 128).sum())
    (5, 5, 90)
    """
    image = as_image(image, "add_salt_and_pepper")
    if not np.isscalar(amount) or not 0 <= amount <= 1:
        raise ValueError(f"add_salt_and_pepper needs an amount between 0 and 1, "
                         f"got {amount!r}")
    limits = _integer_limits(image.dtype) or (0, 255)
    height, width = image.shape[:2]
    hit = int(round(amount * height * width))
    chosen = np.random.default_rng(seed).choice(height * width, size=hit, replace=False)
    rows, cols = np.unravel_index(chosen, (height, width))
    noisy = image.copy()
    noisy[rows[:hit // 2 + hit % 2], cols[:hit // 2 + hit % 2]] = limits[1]
    noisy[rows[hit // 2 + hit % 2:], cols[hit // 2 + hit % 2:]] = max(limits[0], 0)
    return noisy


def psnr(reference: Any, image: Any, data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio in decibels: ``10 * log10(data_range**2 / MSE)``.

    Parameters
    ----------
    reference, image : path, PIL image or array_like, same shape
        The clean image and the image to judge.
    data_range : float, default 255.0
        The largest possible difference (255 for uint8 and the 0-255 float scale).

    Returns
    -------
    float
        Larger is closer; ``inf`` when the images are equal (no error at all).

    Examples
    --------
    >>> import numpy as np
    >>> clean = np.zeros((10, 10), np.uint8)
    >>> noisy = clean.copy(); noisy[0, 0] = 255
    >>> round(psnr(clean, noisy), 2)
    20.0
    """
    reference = as_image(reference, "psnr", name="reference").astype(np.float64)
    image = as_image(image, "psnr").astype(np.float64)
    if reference.shape != image.shape:
        raise ValueError(f"psnr needs two images of the same shape, got {reference.shape} "
                         f"and {image.shape}")
    mse = float(np.mean((reference - image) ** 2))
    return float("inf") if mse == 0 else float(10 * np.log10(data_range ** 2 / mse))
