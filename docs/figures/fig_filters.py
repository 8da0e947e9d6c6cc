"""Figures of docs/04-filters.md: mean vs median on noise, and local deviation as texture.

``make(outdir)`` writes ``filters_noise.png`` (a photo with 10% salt-and-pepper noise and with
Gaussian noise, each cleaned by the 3 x 3 mean and median, PSNR in the titles) and
``filters_texture.png`` (a photo and its 5 x 5 local standard deviation).
"""

from __future__ import annotations

import pathlib

import numpy as np


def make(outdir: pathlib.Path) -> list[pathlib.Path]:
    import matplotlib.pyplot as plt
    import skimage.data

    from imageops import (add_gaussian_noise, add_salt_and_pepper, local_std, mean_filter,
                          median_filter, psnr)

    photo = skimage.data.chelsea()
    outdir = pathlib.Path(outdir)
    figure, axes = plt.subplots(2, 3, figsize=(12, 5.6))
    for row, (name, noisy) in zip(axes, [
            ("10% salt and pepper", add_salt_and_pepper(photo, 0.10, seed=0)),
            ("Gaussian, sigma 20", add_gaussian_noise(photo, 20, seed=0))], strict=True):
        mean = np.clip(np.rint(mean_filter(noisy, 3)), 0, 255).astype(np.uint8)
        median = median_filter(noisy, 3)
        for ax, (image, title) in zip(row, [(noisy, name), (mean, "mean 3x3"),
                                            (median, "median 3x3")], strict=True):
            ax.imshow(image[60:220, 120:360])
            ax.set_title(f"{title}: PSNR {psnr(photo, image):.1f} dB", fontsize=9)
            ax.axis("off")
    figure.tight_layout()
    noise_path = outdir / "filters_noise.png"
    figure.savefig(noise_path, dpi=80)
    plt.close(figure)

    gray = skimage.data.camera()
    figure, axes = plt.subplots(1, 2, figsize=(9, 4.6))
    axes[0].imshow(gray, cmap="gray")
    axes[0].set_title("photo", fontsize=9)
    axes[1].imshow(local_std(gray, 5), cmap="magma")
    axes[1].set_title("local_std, 5 x 5: texture and edges are bright", fontsize=9)
    for ax in axes:
        ax.axis("off")
    figure.tight_layout()
    texture_path = outdir / "filters_texture.png"
    figure.savefig(texture_path, dpi=80)
    plt.close(figure)
    return [noise_path, texture_path]
