"""Figure of docs/03-image-transforms.md: the ghost of the plain SVD background and its cure.

``make(outdir)`` writes ``background_ghost.png``: a video of the cell of scikit-image's cell
photo (cut out with its mask) that stays still for the first third of 60 frames and then
crosses the coffee photo (both photos CC0); for the plain rank-1 SVD background and the robust
one: the background picture, how far it is from the true scene (the ghost), and the default
``foreground_mask`` of one frame scored against the true mask.
"""

from __future__ import annotations

import pathlib

import numpy as np


def video() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """60 colour frames (240 x 320), the true masks, and the scene without the cell."""
    import skimage.data
    import skimage.transform

    from figures.fig_svd import cell_cutout
    from imageops import synthetic_video

    cell, mask = cell_cutout()
    scene = skimage.transform.resize(skimage.data.coffee(), (240, 320)) * 255
    n, still = 60, 20
    cols = np.concatenate([np.full(still, 10),
                           np.linspace(10 + mask.shape[1], 320 - mask.shape[1], n - still)])
    positions = np.stack([np.full(n, 60), np.rint(cols)], axis=1).astype(int)
    frames, truth = synthetic_video(scene, cell, mask, n_frames=n, positions=positions,
                                    drift=0.0, seed=1)
    return frames, truth, scene


def make(outdir: pathlib.Path) -> list[pathlib.Path]:
    import matplotlib.pyplot as plt

    from figures.fig_svd import _scored_mask
    from imageops import foreground_mask, svd_background
    from retrieval.plot import save_figure

    frames, truth, scene = video()
    t = 10                                                # the cell is still, a third of the time
    figure, axes = plt.subplots(2, 4, figsize=(12, 5.6), layout="constrained")
    figure.suptitle("A cell that stays still for 20 of 60 frames, then crosses: the plain SVD "
                    "background keeps a ghost of it, the robust one does not", fontsize=11)
    for row, method in zip(axes, ("randomized", "robust"), strict=True):
        split = svd_background(frames, method=method, progress=False)
        ghost = np.linalg.norm(split.image.astype(float) - scene, axis=-1)
        mask = foreground_mask(split.foreground)
        hits = (mask & truth).sum()
        f_measure = 2 * hits / (mask.sum() + truth.sum())
        name = "plain" if method == "randomized" else "robust"
        panels = [(frames[t], f"frame {t}"),
                  (split.image, f'{name} (method="{method}"): .image'),
                  (ghost, f"|background − true scene|: largest {ghost.max():.0f}"),
                  (_scored_mask(mask[t], truth[t]),
                   f"foreground_mask {t}; F (all frames) {f_measure:.3f}")]
        for ax, (image, title) in zip(row, panels, strict=True):
            ax.imshow(image, cmap="magma" if image.ndim == 2 else None, vmin=0,
                      vmax=60 if image.ndim == 2 else None)
            ax.set_title(title, fontsize=9)
            ax.axis("off")
    axes[1, 3].text(0.5, -0.06, "white found, gray missed, red false alarm",
                    transform=axes[1, 3].transAxes, ha="center", va="top", fontsize=9)
    return [save_figure(figure, pathlib.Path(outdir) / "background_ghost.png", dpi=80)]
