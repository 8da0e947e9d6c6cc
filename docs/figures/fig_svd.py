"""Figures of docs/03-image-transforms.md: SVD background removal on a still-camera video.

``make(outdir)`` writes ``svd_background.png``: three frames of a video (a coin cut out of
scikit-image's coins photo, moving over the coffee photo), the rank-1 SVD background, the
foreground and its mask against the true one.
"""

from __future__ import annotations

import pathlib

import numpy as np


def video() -> tuple[np.ndarray, np.ndarray]:
    import skimage.data
    import skimage.filters
    import skimage.transform
    from scipy import ndimage as ndi

    from imageops import synthetic_video

    coins = skimage.data.coins()
    mask = ndi.binary_opening(ndi.binary_fill_holes(
        coins > skimage.filters.threshold_otsu(coins)), iterations=2)
    labels, _ = ndi.label(mask)
    box = ndi.find_objects(labels)[12]                  # the largest whole coin
    background = skimage.transform.resize(skimage.data.coffee(), (240, 320)) * 255
    return synthetic_video(background, coins[box], labels[box] == 13, n_frames=60, seed=1)


def make(outdir: pathlib.Path) -> list[pathlib.Path]:
    import matplotlib.pyplot as plt

    from imageops import foreground_mask, svd_background

    frames, truth = video()
    background, foreground = svd_background(frames, rank=1, progress=False)
    mask = foreground_mask(foreground)
    picks = [5, 30, 50]
    figure, axes = plt.subplots(len(picks), 4, figsize=(12, 2.4 * len(picks)))
    for row, t in zip(axes, picks, strict=True):
        magnitude = np.linalg.norm(foreground[t], axis=-1)
        panels = [(frames[t], f"frame {t}"),
                  (np.clip(background[t], 0, 255).astype(np.uint8), "background (rank 1)"),
                  (magnitude, "|foreground|"),
                  (mask[t] * 1.0 + (truth[t] & ~mask[t]) * 0.5, "mask (gray: missed)")]
        for ax, (image, title) in zip(row, panels, strict=True):
            ax.imshow(image, cmap="gray")
            ax.set_title(title, fontsize=9)
            ax.axis("off")
    figure.tight_layout()
    path = pathlib.Path(outdir) / "svd_background.png"
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return [path]
