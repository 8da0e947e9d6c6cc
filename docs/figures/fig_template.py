"""Figures of docs/07-template-matching.md: score maps, invariance, pixels against features.

``make(outdir)`` writes:

- ``template_galaxies.png``: one galaxy of the Hubble deep field as the template, the ZNCC
  score map as a heat map, and the eight best boxes after non-maximum suppression on the photo;
- ``template_invariance.png``: a patch P1, P2 = P1 + 50 and P3 = 1.2·P1 + 10 with their
  correlation and squared difference to P1;
- ``template_features.png``: a crop of the Hubble deep field shrunk to 0.8 and noised, the
  box found by pixel correlation, the box found on EfficientNet-Lite0 features, and the
  feature score map.
"""

from __future__ import annotations

import pathlib

import numpy as np


def _photo(name: str, gray: bool = False) -> np.ndarray:
    from PIL import Image

    from retrieval.data import sample_photo

    return np.asarray(Image.open(sample_photo(name)).convert("L" if gray else "RGB"))


def _box(ax, box, colour: str, label: str | None = None, width: float = 2.0,
         style: str = "-") -> None:
    from matplotlib.patches import Rectangle

    row, col, height, width_ = box[:4]
    ax.add_patch(Rectangle((col - 0.5, row - 0.5), width_, height, fill=False,
                           edgecolor=colour, linewidth=width, linestyle=style, label=label))


def _bare(ax, title: str) -> None:
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def galaxies_figure(path: pathlib.Path) -> pathlib.Path:
    """Template, heat map with the best positions, and boxes on the photo."""
    import matplotlib.pyplot as plt

    from retrieval.template import find_matches, match_template

    image = _photo("hubble_deep_field")                 # colour: ZNCC over the 3 channels
    row, col, size = 230, 358, 24                       # a round, orange galaxy
    template = image[row:row + size, col:col + size]
    scores = match_template(image, template)
    matches = find_matches(scores, template.shape, k=8, max_overlap=0.1)
    figure, axes = plt.subplots(1, 3, figsize=(13, 4.4),
                                gridspec_kw={"width_ratios": [0.45, 1, 1]})
    axes[0].imshow(template)
    _bare(axes[0], f"template {size}×{size} (one galaxy)")
    heat = axes[1].imshow(scores, cmap="RdBu_r", vmin=-1, vmax=1)
    axes[1].plot([m.col for m in matches], [m.row for m in matches], "k+", markersize=9,
                 markeredgewidth=1.5)
    _bare(axes[1], f"ZNCC score map {scores.shape[0]}×{scores.shape[1]} (+: top-left of a box)")
    figure.colorbar(heat, ax=axes[1], fraction=0.035)
    axes[2].imshow(image)
    for rank, match in reversed(list(enumerate(matches, 1))):  # the best drawn last, on top
        colour = "C3" if rank == 1 else "C2"
        _box(axes[2], match, colour, width=2.5 if rank == 1 else 1.5)
        axes[2].text(match.col, match.row - 2, f"{rank}: {match.score:.2f}", color="white",
                     fontsize=7, va="bottom",
                     bbox={"facecolor": colour, "edgecolor": "none", "pad": 1.0})
    _bare(axes[2], "8 best boxes (red: the template's own place), overlap ≤ 0.1")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def invariance_figure(path: pathlib.Path) -> pathlib.Path:
    """P1, P1 + 50 and 1.2·P1 + 10 with their correlation and SSD to P1."""
    import matplotlib.pyplot as plt

    from retrieval.template import match_template

    p1 = _photo("chelsea", gray=True)[80:180, 160:260].astype(np.float64)
    versions = {"P1": p1, "P2 = P1 + 50": p1 + 50, "P3 = 1.2·P1 + 10": 1.2 * p1 + 10}
    figure, axes = plt.subplots(1, 3, figsize=(9.5, 3.6))
    for ax, (name, patch) in zip(axes, versions.items(), strict=True):
        ax.imshow(np.clip(patch, 0, 255), cmap="gray", vmin=0, vmax=255)
        rho = match_template(patch, p1)[0, 0]
        ssd = match_template(patch, p1, "ssd")[0, 0]
        _bare(ax, f"{name}\nρ with P1 = {rho:.6f}, SSD = {ssd:,.0f}")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def features_figure(path: pathlib.Path) -> pathlib.Path:
    """A rescaled, noisy crop: pixel correlation misses it, CNN features find it."""
    import matplotlib.pyplot as plt

    from imageops import resize_image
    from retrieval.nn import load_model
    from retrieval.template import find_matches, match_features, match_template

    image = _photo("hubble_deep_field")
    row, col, size = 111, 170, 128
    small = resize_image(image[row:row + size, col:col + size], (102, 102)).astype(float)
    noisy = np.clip(small + np.random.default_rng(0).normal(0, 25, small.shape), 0, 255)
    noisy = noisy.astype(np.uint8)
    pixel = find_matches(match_template(image, noisy), noisy.shape)[0]
    found = match_features(image, noisy, model=load_model(), scales=(0.8, 1.0, 1.25))
    figure, axes = plt.subplots(1, 3, figsize=(13, 4.4),
                                gridspec_kw={"width_ratios": [0.4, 1, 0.9]})
    axes[0].imshow(noisy)
    _bare(axes[0], "template: crop × 0.8, noise σ = 25")
    axes[1].imshow(image)
    _box(axes[1], pixel, "C3", f"pixel ZNCC ({pixel.score:.2f})", width=2.5)
    _box(axes[1], found.matches[0], "C2",
         f"features, scale {found.scale} ({found.matches[0].score:.2f})", width=3.5)
    _box(axes[1], (row, col, size, size), "white", "true place", width=1.5, style="--")
    axes[1].legend(loc="lower left", fontsize=7)
    _bare(axes[1], "Hubble deep field: where each method puts the template")
    heat = axes[2].imshow(found.score_map, cmap="viridis")
    best = found.score_map.argmax()
    axes[2].plot(best % found.score_map.shape[1], best // found.score_map.shape[1], "o",
                 markersize=14, markerfacecolor="none", markeredgecolor="red",
                 markeredgewidth=1.5)
    figure.colorbar(heat, ax=axes[2], fraction=0.04)
    _bare(axes[2], f"cosine over feature cells (stride {found.geometry.stride}), best circled")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def make(outdir) -> list[pathlib.Path]:
    """Write the three figures into ``outdir`` and return their paths."""
    outdir = pathlib.Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    return [galaxies_figure(outdir / "template_galaxies.png"),
            invariance_figure(outdir / "template_invariance.png"),
            features_figure(outdir / "template_features.png")]
