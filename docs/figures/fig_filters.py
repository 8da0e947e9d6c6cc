"""Figures of docs/04-filters.md: mean vs median on noise, and local deviation as texture.

``make(outdir)`` writes ``filters_noise.png`` (a photo with 10% salt-and-pepper noise and with
Gaussian noise, each cleaned by the 3 x 3 mean and median, PSNR in the titles, the better
filter of each row marked) and ``filters_texture.png`` (a photo and its 5 x 5 local standard
deviation, with a colour bar in gray levels).
"""

from __future__ import annotations

import pathlib

import numpy as np


def noise_figure(path: pathlib.Path) -> pathlib.Path:
    import matplotlib.pyplot as plt
    import skimage.data

    from imageops import add_gaussian_noise, add_salt_and_pepper, mean_filter, median_filter, psnr
    from retrieval.plot import save_figure

    photo = skimage.data.chelsea()
    crop = (slice(60, 220), slice(120, 360))
    figure, axes = plt.subplots(2, 4, figsize=(14, 5.0), layout="constrained")
    figure.suptitle("The median removes salt and pepper, the mean wins on Gaussian noise "
                    "(PSNR against the clean photo, higher is better)", fontsize=11)
    for row, (name, noisy) in zip(axes, [
            ("10% salt and pepper", add_salt_and_pepper(photo, 0.10, seed=0)),
            ("Gaussian noise, σ = 20", add_gaussian_noise(photo, 20, seed=0))], strict=True):
        mean = np.clip(np.rint(mean_filter(noisy, 3)), 0, 255).astype(np.uint8)
        median = median_filter(noisy, 3)
        scores = {"mean": psnr(photo, mean), "median": psnr(photo, median)}
        best = max(scores, key=scores.get)
        panels = [(photo, "clean photo"),
                  (noisy, f"{name}: {psnr(photo, noisy):.1f} dB"),
                  (mean, f"mean 3×3: {scores['mean']:.1f} dB"),
                  (median, f"median 3×3: {scores['median']:.1f} dB")]
        for ax, (image, title) in zip(row, panels, strict=True):
            ax.imshow(image[crop])
            winner = title.startswith(best + " ")
            ax.set_title(title + ("  (better)" if winner else ""), fontsize=10,
                         fontweight="bold" if winner else "normal")
            ax.set_xticks([])
            ax.set_yticks([])
            if winner:
                for spine in ax.spines.values():
                    spine.set(color="tab:green", linewidth=3)
    return save_figure(figure, path, dpi=80)


def texture_figure(path: pathlib.Path) -> pathlib.Path:
    import matplotlib.pyplot as plt
    import skimage.data

    from imageops import local_std
    from retrieval.plot import save_figure

    gray = skimage.data.camera()
    figure, axes = plt.subplots(1, 2, figsize=(10, 4.8), layout="constrained")
    axes[0].imshow(gray, cmap="gray")
    axes[0].set_title("photo (gray, 512 × 512)", fontsize=10)
    shown = axes[1].imshow(local_std(gray, 5), cmap="magma")
    axes[1].set_title("local_std(photo, 5): flat sky and coat dark,\ngrass texture and edges "
                      "bright", fontsize=10)
    figure.colorbar(shown, ax=axes[1], shrink=0.9,
                    label="standard deviation of the 5 × 5 window (gray levels)")
    for ax in axes:
        ax.axis("off")
    return save_figure(figure, path, dpi=80)


def make(outdir: pathlib.Path) -> list[pathlib.Path]:
    outdir = pathlib.Path(outdir)
    return [noise_figure(outdir / "filters_noise.png"),
            texture_figure(outdir / "filters_texture.png")]
