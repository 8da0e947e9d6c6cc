"""Figure of docs/05-pretrained-models.md: what a CNN's feature maps look like.

``make(outdir)`` writes ``models_feature_maps.png``: a bundled photo (scikit-image's
*chelsea*, 300 x 451) and four channels of EfficientNet-Lite0's feature maps at two depths:
the stem (the first convolution, stride 2: edges and colours) and the head (the last layer,
stride 32: the maps that pooling turns into the feature vector). The channels shown are the
four that vary most over the photo. Both layers end in ReLU6, so every value is in 0..6 and
one colour scale serves all panels. The photo on the second row carries the grid of the
head's cells.
"""

from __future__ import annotations

import pathlib

import numpy as np

PHOTO = "chelsea"
LAYERS = {"stem": "first conv 3x3/2", "head": "last conv 1x1"}
CHANNELS = 4


def _strongest_channels(maps: np.ndarray, count: int) -> list[int]:
    """The ``count`` channels of one map (h, w, C) with the largest spatial deviation."""
    return [int(c) for c in np.argsort(-maps.std(axis=(0, 1)), kind="stable")[:count]]


def make(outdir: pathlib.Path) -> list[pathlib.Path]:
    import matplotlib.pyplot as plt

    from imageops import load_image
    from retrieval.data import sample_photo
    from retrieval.nn import load_model

    model = load_model("efficientnet_lite0")
    photo = load_image(sample_photo(PHOTO))
    height, width = photo.shape[:2]
    figure, axes = plt.subplots(len(LAYERS), CHANNELS + 1, figsize=(15, 5.2))
    for row, (layer, operation) in zip(axes, LAYERS.items(), strict=True):
        maps = model.feature_maps(photo, layer=layer)[0]
        geometry = model.feature_geometry((height, width), layer)
        rows, cols = geometry.out_shape[:2]
        row[0].imshow(photo)
        if layer == "stem":
            row[0].set_title(f"{PHOTO}, {height}x{width} pixels", fontsize=10)
        else:  # the cell grid: cell (i, j) is centred at offset + (i, j) * stride
            for k in range(rows + 1):
                row[0].axhline(geometry.offset[0] + (k - 0.5) * geometry.stride,
                               color="white", lw=0.7)
            for k in range(cols + 1):
                row[0].axvline(geometry.offset[1] + (k - 0.5) * geometry.stride,
                               color="white", lw=0.7)
            row[0].set_xlim(-0.5, width - 0.5)
            row[0].set_ylim(height - 0.5, -0.5)
            row[0].set_title(f"{layer} cells: one per {geometry.stride}x{geometry.stride} px",
                             fontsize=10)
        for ax, channel in zip(row[1:], _strongest_channels(maps, CHANNELS), strict=True):
            shown = ax.imshow(maps[:, :, channel], cmap="magma", vmin=0, vmax=6,
                              interpolation="nearest")
            ax.set_title(f"{layer} ({operation}), channel {channel}\n"
                         f"{rows}x{cols} cells, stride {geometry.stride}", fontsize=9)
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
    figure.suptitle("EfficientNet-Lite0 feature maps: the first layer sees edges and colours, "
                    "the last sees parts of the cat", fontsize=11)
    figure.tight_layout(rect=(0, 0, 0.95, 1))
    bar = figure.add_axes((0.955, 0.12, 0.01, 0.72))
    figure.colorbar(shown, cax=bar).set_label("activation (ReLU6: 0..6)", fontsize=9)
    path = pathlib.Path(outdir) / "models_feature_maps.png"
    figure.savefig(path, dpi=80)
    plt.close(figure)
    _to_palette(path)
    return [path]


def _to_palette(path: pathlib.Path) -> None:
    """Rewrite a PNG with 256 colours (about 3x smaller, no visible change here)."""
    from PIL import Image

    with Image.open(path) as picture:
        palette = picture.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette.save(path, optimize=True)
