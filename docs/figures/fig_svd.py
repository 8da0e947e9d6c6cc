"""Figures of docs/03-image-transforms.md: SVD background removal on a still-camera video.

``make(outdir)`` writes ``svd_background.png``: three frames of a video (the cell of
scikit-image's cell photo, cut out with its mask, moving over the coffee photo; both photos
are CC0), the plain rank-1 SVD background, the size of the foreground, and
``foreground_mask`` with the first ``"mad"`` rule, scored against the true mask (the robust
background and the default mask are in ``fig_background.py``).
"""

from __future__ import annotations

import pathlib

import numpy as np


def cell_cutout() -> tuple[np.ndarray, np.ndarray]:
    """The cell of scikit-image's cell photo (gray, half size) and its mask."""
    import skimage.data
    import skimage.filters
    import skimage.transform
    from scipy import ndimage as ndi

    cell = skimage.transform.rescale(skimage.data.cell(), 0.5) * 255   # 330 x 275, gray
    mask = ndi.binary_opening(ndi.binary_fill_holes(
        cell > skimage.filters.threshold_otsu(cell)), iterations=2)
    labels, count = ndi.label(mask)
    sizes = ndi.sum(mask, labels, range(1, count + 1))
    largest = int(np.argmax(sizes)) + 1                 # the cell; the rest is flat background
    box = ndi.find_objects(labels)[largest - 1]
    return cell[box], labels[box] == largest


def video() -> tuple[np.ndarray, np.ndarray]:
    """60 colour frames (240 x 320) of the cell moving over the coffee photo, and the truth."""
    import skimage.data
    import skimage.transform

    from imageops import synthetic_video

    background = skimage.transform.resize(skimage.data.coffee(), (240, 320)) * 255
    return synthetic_video(background, *cell_cutout(), n_frames=60, seed=1)


def _scored_mask(mask: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """An RGB picture of a mask against the truth: white found, gray missed, red false alarm."""
    picture = np.zeros(mask.shape + (3,))
    picture[mask & truth] = (1.0, 1.0, 1.0)
    picture[truth & ~mask] = (0.5, 0.5, 0.5)
    picture[mask & ~truth] = (1.0, 0.1, 0.1)
    return picture


def make(outdir: pathlib.Path) -> list[pathlib.Path]:
    import matplotlib.pyplot as plt

    from imageops import foreground_mask, svd_background
    from retrieval.plot import save_figure

    frames, truth = video()
    background, foreground = svd_background(frames, rank=1, method="randomized", progress=False)
    mask = foreground_mask(foreground, threshold="mad", clean=0)     # the plain method
    hits = (mask & truth).sum()
    f_measure = 2 * hits / (mask.sum() + truth.sum())
    magnitude = np.linalg.norm(foreground, axis=-1)
    top = float(np.percentile(magnitude, 99.9))
    picks = [5, 30, 50]
    figure, axes = plt.subplots(len(picks), 4, figsize=(12, 2.5 * len(picks) + 0.5),
                                layout="constrained")
    figure.suptitle(f"SVD background removal: {len(frames)} frames, each one column of a "
                    f"matrix; the largest singular value (rank 1) keeps the still scene",
                    fontsize=11)
    for number, (row, t) in enumerate(zip(axes, picks, strict=True)):
        legend = "white found,\ngray missed, red false alarm" if number == 0 else ""
        panels = [(frames[t], f"frame {t}"),
                  (np.clip(background[t], 0, 255).astype(np.uint8),
                   f"background {t} (rank-1 SVD)"),
                  (magnitude[t], "|foreground| = |frame − background|"),
                  (_scored_mask(mask[t], truth[t]),
                   f"foreground_mask {t}" + (f": {legend}" if legend else ""))]
        for ax, (image, title) in zip(row, panels, strict=True):
            ax.imshow(image, cmap="gray", vmin=0, vmax=top if image.ndim == 2 else None)
            ax.set_title(title, fontsize=9)
            ax.axis("off")
    axes[-1, -1].text(0.5, -0.08, f"F-measure over all {len(frames)} frames: {f_measure:.3f}",
                      transform=axes[-1, -1].transAxes, ha="center", va="top", fontsize=9)
    return [save_figure(figure, pathlib.Path(outdir) / "svd_background.png", dpi=80)]
