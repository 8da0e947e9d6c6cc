"""Figures of docs/03-image-transforms.md: 2 x 2 matrices moving the pixels of a photo.

``make(outdir)`` writes:

- ``transforms_reflections.png``: a photo, turned upside down by ``[[1, 0], [0, -1]]`` and
  mirrored left-right by ``[[-1, 0], [0, 1]]``, with the lecture's x1 and x2 axes drawn
  through the centre and one point ``x`` followed to ``M x``;
- ``transforms_general.png``: the same photo and point under a rotation, a shear and a
  scaling, all through ``transform_image`` (bilinear, white outside the photo).
"""

from __future__ import annotations

import pathlib

import numpy as np

POINT = (60, -55)          # the point followed from panel to panel, lecture (x1, x2)


def _matrix_text(matrix) -> str:
    rows = [", ".join(f"{value:.2f}".rstrip("0").rstrip(".") for value in row)
            for row in np.asarray(matrix, dtype=float)]
    return "[[" + "], [".join(rows) + "]]"


def _axes_arrows(ax, shape) -> None:
    """The lecture's x1 (right) and x2 (up) axes through the image centre."""
    height, width = shape[:2]
    centre_row, centre_col = (height - 1) / 2, (width - 1) / 2
    style = {"arrowstyle": "-|>", "color": "yellow", "lw": 1.5}
    ax.annotate("", xy=(width - 6, centre_row), xytext=(5, centre_row), arrowprops=style)
    ax.annotate("", xy=(centre_col, 5), xytext=(centre_col, height - 6), arrowprops=style)
    ax.text(width - 10, centre_row - 8, "x1", color="yellow", ha="right", fontsize=10)
    ax.text(centre_col + 8, 16, "x2", color="yellow", fontsize=10)


def _mark(ax, shape, point, label) -> None:
    """A dot at lecture coordinates ``point`` = (x1, x2), with its label."""
    height, width = shape[:2]
    x1, x2 = (float(v) for v in point)
    row, col = (height - 1) / 2 - x2, (width - 1) / 2 + x1      # lecture -> array
    ax.plot(col, row, "o", ms=7, mfc="red", mec="white", mew=1.5)
    ax.annotate(f"{label} = ({x1:.0f}, {x2:.0f})", (col, row), xytext=(0, 9),
                textcoords="offset points", ha="center", va="bottom", fontsize=9,
                color="white", bbox={"boxstyle": "round,pad=0.2", "fc": "red", "ec": "none"})


def _panels(path: pathlib.Path, photo: np.ndarray, panels, arrows: bool) -> pathlib.Path:
    import matplotlib.pyplot as plt

    from imageops import transform_points
    from retrieval.plot import save_figure

    height, width = photo.shape[:2]
    figure, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.0),
                                layout="constrained")
    for ax, (title, matrix, image) in zip(axes, panels, strict=True):
        ax.imshow(image)
        if arrows:
            _axes_arrows(ax, photo.shape)
        if matrix is None:
            _mark(ax, photo.shape, POINT, "x")
        else:
            _mark(ax, photo.shape, transform_points(POINT, matrix), "Mx")
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlim(-0.5, width - 0.5)
        ax.set_ylim(height - 0.5, -0.5)
    return save_figure(figure, path)


def reflections_figure(path: pathlib.Path, photo: np.ndarray) -> pathlib.Path:
    """The photo and its two reflections by the lecture's matrices."""
    from imageops import reflection_matrix, transform_image

    panels = [("original: pixel x = (x1, x2)\n(origin at the centre, x2 up)", None, photo)]
    for axis, effect in (("horizontal", "upside down"), ("vertical", "left-right mirror")):
        matrix = reflection_matrix(axis)
        panels.append((f"M = {_matrix_text(matrix)}\nacross the {axis} axis: {effect}",
                       matrix, transform_image(photo, matrix)))
    return _panels(path, photo, panels, arrows=True)


def general_figure(path: pathlib.Path, photo: np.ndarray) -> pathlib.Path:
    """The photo under a rotation, a shear and a scaling (bilinear, white fill)."""
    from imageops import transform_image

    angle = np.deg2rad(25)
    matrices = {
        "rotation by 25° (counter-clockwise)": [[np.cos(angle), -np.sin(angle)],
                                                 [np.sin(angle), np.cos(angle)]],
        "shear: x1 + 0.5 x2": [[1, 0.5], [0, 1]],
        "scaling: x1 × 0.6, x2 × 1.3": [[0.6, 0], [0, 1.3]],
    }
    panels = [("original: pixel x = (x1, x2)", None, photo)]
    for name, matrix in matrices.items():
        panels.append((f"{name}\nM = {_matrix_text(matrix)}", matrix,
                       transform_image(photo, matrix, order=1, fill=255)))
    return _panels(path, photo, panels, arrows=False)


def make(outdir) -> list[pathlib.Path]:
    """Write the figures of the transforms chapter into ``outdir``; return their paths."""
    from imageops import load_image
    from retrieval.data import sample_photo

    outdir = pathlib.Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    photo = load_image(sample_photo("chelsea"), size=(200, 300))
    return [reflections_figure(outdir / "transforms_reflections.png", photo),
            general_figure(outdir / "transforms_general.png", photo)]
