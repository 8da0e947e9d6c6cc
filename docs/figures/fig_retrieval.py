"""Figures of docs/06-retrieval.md: cosine and brightness, and the demo's results.

``make(outdir)`` writes:

- ``retrieval_cosine_x2_plus50.png``: a photo, ×2 and +50, with their cosine similarity and L1
  distance to the original, and the same three as arrows in a 2-pixel picture;
- ``retrieval_summary.png`` and ``retrieval_grid_<method>.png``: the demo's summary and result
  grids (``retrieval.demo.run_demo``); the demo's tables are printed, for the chapter's text.
"""

from __future__ import annotations

import pathlib
import tempfile

import numpy as np


def _cosine(x: np.ndarray, y: np.ndarray) -> float:
    x, y = x.ravel().astype(np.float64), y.ravel().astype(np.float64)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def cosine_figure(path: pathlib.Path) -> pathlib.Path:
    """The photo, ×2 and +50 (float, unclipped), and the 2-pixel arrow picture."""
    import matplotlib.pyplot as plt

    from imageops import load_image
    from retrieval.data import sample_photo
    from retrieval.plot import save_figure

    photo = load_image(sample_photo("chelsea"), size=(86, 128)).astype(np.float32)
    versions = {"original": photo, "×2": photo * 2, "+50": photo + 50}
    figure, axes = plt.subplots(1, 4, figsize=(14, 3.3),
                                gridspec_kw={"width_ratios": [1, 1, 1, 1.05]})
    for ax, (name, image) in zip(axes[:3], versions.items(), strict=True):
        ax.imshow(np.clip(image, 0, 255).astype(np.uint8))
        l1 = np.abs(image - photo).sum()
        ax.set_title(f"{name}\ncosine {_cosine(image, photo):.4f}, L1 {l1:,.0f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    arrows = axes[3]
    x = np.array([40.0, 160.0])
    # 2x is drawn wide and pale under x: the same direction, twice as long
    for name, vector, colour, width, alpha in (("2x", 2 * x, "C1", 7, 0.45),
                                               ("x + 50", x + 50, "C2", 2, 1.0),
                                               ("x", x, "C0", 2.5, 1.0)):
        arrows.annotate("", xy=vector, xytext=(0, 0),
                        arrowprops={"arrowstyle": "-|>", "color": colour, "lw": width,
                                    "alpha": alpha})
        angle = np.degrees(np.arccos(min(1.0, _cosine(vector, x))))
        label = name if name == "x" else f"{name}: {angle:.1f}° from x"
        arrows.text(vector[0] + 10, vector[1] - 4, label, color=colour, fontsize=9,
                    va="center", fontweight="bold" if name == "x" else None)
    arrows.plot([0, 330], [0, 330], ":", color="gray", lw=1)
    arrows.text(250, 268, "direction (1, 1)", color="gray", fontsize=8, rotation=45)
    arrows.set_xlim(0, 360)
    arrows.set_ylim(0, 360)
    arrows.set_aspect("equal")
    arrows.set_xlabel("pixel 1")
    arrows.set_ylabel("pixel 2")
    arrows.set_title("a 2-pixel image as a vector", fontsize=9)
    figure.tight_layout()
    return save_figure(figure, path)


def _small_png(source: pathlib.Path, target: pathlib.Path) -> pathlib.Path:
    """Copy a PNG as 256 colours (the photo grids shrink about 3×, they stay readable)."""
    from PIL import Image

    with Image.open(source) as picture:
        palette = picture.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        palette.save(target, optimize=True)
    return target


def demo_figures(outdir: pathlib.Path) -> list[pathlib.Path]:
    """Run the demo into a temporary folder and copy its pictures with a prefix."""
    from retrieval.demo import run_demo

    with tempfile.TemporaryDirectory() as folder:
        report = run_demo(out=folder, progress=False, echo=None)
        print(report.table(), report.variant_table(), sep="\n\n")
        return [_small_png(path, outdir / f"retrieval_{path.name}")
                for path in report.files if path.suffix == ".png"]


def make(outdir) -> list[pathlib.Path]:
    """Write every figure of the retrieval chapter into ``outdir``; return their paths."""
    outdir = pathlib.Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    cosine = cosine_figure(outdir / "retrieval_cosine_x2_plus50.png")
    return [_small_png(cosine, cosine), *demo_figures(outdir)]
