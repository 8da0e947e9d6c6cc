"""Template matching on CNN feature maps: cosine similarity of feature blocks, boxes in pixels.

The lecture's second method. Pixel correlation forgives brightness and contrast and nothing
else; a CNN's feature maps also forgive some noise, blur and change of size. The template's
block of feature cells slides over the image's map, each position scores the cosine similarity
of the two blocks, and the best cell is mapped back to pixels by the layer's geometry.

=========================  ================================================================
``match_features``         the template found by cosine similarity of CNN feature maps
``FeatureMatchResult``     what ``match_features`` returns
=========================  ================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from imageops._inputs import as_image, check_positive_int

from . import _window_sums as sums
from .score_maps import Match, ScoreMap, find_matches

__all__ = ["FeatureMatchResult", "match_features"]


class FeatureMatchResult(NamedTuple):
    """What :func:`match_features` finds.

    Attributes
    ----------
    score_map : ScoreMap
        Cosine similarity at every valid feature position, ``(h_f − t_f + 1, w_f − s_f + 1)``
        for an image map of ``h_f × w_f`` cells and a template map of ``t_f × s_f`` cells, at
        the best scale (method ``"features"``: higher is better).
    matches : list of Match
        The best boxes, in image pixels.
    scale : float
        The template scale (from ``scales``) that gave the best score.
    geometry : FeatureGeometry
        Stride, receptive field and offset of the image's feature cells.
    """

    score_map: ScoreMap
    matches: list[Match]
    scale: float
    geometry: Any


def _feature_cosine(image_map: np.ndarray, template_map: np.ndarray) -> np.ndarray:
    """Cosine similarity of the flattened template block with every image block.

    ``Σ_c correlate(F_c, G_c) / (‖G‖ · sqrt(window sum of Σ_c F_c²))``: one FFT correlation
    summed over the channels, and exact window sums for the block norms.
    """
    image = np.ascontiguousarray(np.moveaxis(image_map, -1, 0), dtype=np.float64)  # (C, h, w)
    template = np.ascontiguousarray(np.moveaxis(template_map, -1, 0), dtype=np.float64)
    shape = sums.fft_shape(image.shape[1:])
    numerator = sums.correlate_valid(sums.spectrum(image, shape), template, image.shape[1:],
                                     shape)
    norms = sums.window_sums((image * image).sum(axis=0), template.shape[1:])
    t_square = float((template * template).sum())
    if t_square == 0:
        return np.zeros_like(numerator)
    return sums.safe_ratio(numerator, norms, norms <= 0, scale=t_square)


def _matching_layer(net: Any, size: tuple[int, int], template: tuple[int, int]) -> str | None:
    """The deepest layer whose stride is at most 16 pixels and at most 1/8 of the template's
    shorter side, so that the template spans 8 cells or more (None: the model's default)."""
    names = list(getattr(net, "layer_names", []))
    if not names:
        return None
    strides = [int(np.max(net.feature_geometry(size, layer=name).stride)) for name in names]
    limit = max(min(strides), min(16, min(template) / 8))
    return [name for name, stride in zip(names, strides, strict=True) if stride <= limit][-1]


def _rgb_uint8(image: Any, name: str) -> np.ndarray:
    """An ``(H, W, 3)`` uint8 array on the 0–255 scale for the model (gray is repeated)."""
    array = as_image(image, "match_features", name=name, allow_bool=True)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.shape[2] != 3:
        raise ValueError(f"match_features: {name} must be gray or RGB, got shape {array.shape}")
    if array.dtype == np.uint8:
        return array
    return np.clip(np.rint(array.astype(np.float64)), 0, 255).astype(np.uint8)


def _best_scale(net: Any, layer: str | None, image_map: np.ndarray, patch: np.ndarray,
                picture_shape: tuple[int, ...], scales: list[float]) -> tuple | None:
    """``(scores, scale, size in pixels, size in cells)`` of the scale whose best score is
    highest, or None when the template's map is larger than the image's at every scale."""
    from imageops import resize_image

    best = None
    for scale in scales:
        size = (max(1, round(patch.shape[0] * scale)), max(1, round(patch.shape[1] * scale)))
        if size[0] > picture_shape[0] or size[1] > picture_shape[1]:
            continue
        scaled = patch if size == patch.shape[:2] else resize_image(patch, size)
        template_map = net.feature_maps(scaled[None], layer=layer)[0]
        if (template_map.shape[0] > image_map.shape[0]
                or template_map.shape[1] > image_map.shape[1]):
            continue
        scores = _feature_cosine(image_map, template_map)
        if best is None or scores.max() > best[0].max():
            best = (scores, scale, size, template_map.shape[:2])
    return best


def _cell_to_pixels(cell: Match, shift: list[float], stride: np.ndarray,
                    size: tuple[int, int], picture_shape: tuple[int, ...]) -> Match:
    """The pixel box of a found feature cell: ``shift + cell·stride``, kept inside the image."""
    row = int(round(shift[0] + cell.row * stride[0]))
    col = int(round(shift[1] + cell.col * stride[1]))
    row = min(max(row, 0), picture_shape[0] - size[0])
    col = min(max(col, 0), picture_shape[1] - size[1])
    return Match(row, col, size[0], size[1], cell.score)


def match_features(
    image: Any,
    template: Any,
    model: Any = "efficientnet_lite0",
    layer: str | None = None,
    scales: Iterable[float] = (1.0,),
    k: int = 1,
    weights: Any = None,
    max_overlap: float = 0.25,
) -> FeatureMatchResult:
    """Find a template by cosine similarity of CNN feature maps (the lecture's second method).

    The image and the template go through the same network, giving maps ``F`` (``h_f × w_f``
    cells of ``C`` channels) and ``G`` (``t_f × s_f`` cells). The template's block slides over
    the image's map; at each cell position the score is the cosine similarity of the two
    flattened blocks, ``Σ F·G / (‖F_block‖ ‖G‖)``. The best cell ``(i, j)`` becomes a pixel box
    through the layer's geometry: image cell ``i`` is centred on pixel
    ``offset_image + i·stride`` and template cell 0 on template pixel ``offset_template``, so the
    template's top-left pixel lands on ``offset_image − offset_template + i·stride``.

    Parameters
    ----------
    image, template : image or array_like
        RGB or gray (repeated to RGB), on the 0–255 scale; a path or PIL image works too.
    model : str or model object, default "efficientnet_lite0"
        A name for :func:`retrieval.load_model`, or an object with ``feature_maps(images,
        layer=...)`` and ``feature_geometry(input_size, layer)`` (a loaded model).
    layer : str, optional
        The layer whose maps are compared (``model.layer_names``). By default the deepest
        layer whose stride is at most 16 pixels and at most 1/8 of the template's shorter
        side, so the template spans 8 cells or more (EfficientNet-Lite0: ``"blocks.4"``,
        stride 8, for a 64–127 pixel template; ``"blocks.10"``, stride 16, from 128 pixels):
        the last layer's 32-pixel grid is too coarse to place a box of a few cells, and a
        template of two or three cells is mostly border.
    scales : iterable of float, default (1.0,)
        Template sizes to try, as factors of its size; the best score wins. Use several
        (``(0.8, 1.0, 1.25)``) when the object may appear larger or smaller than the template.
    k : int, default 1
        Number of boxes (non-maximum suppression on the cells, as in :func:`find_matches`).
    weights : path, optional
        A weight file for ``load_model(model, weights=...)`` (``"vgg16"`` needs one).
    max_overlap : float, default 0.25
        Largest overlap allowed between two boxes, in cells (intersection over union).

    Returns
    -------
    FeatureMatchResult
        ``(score_map, matches, scale, geometry)``; the boxes have the scaled template's size.

    Raises
    ------
    TypeError
        An image or template that is not an image (or of a dtype that is not real numbers),
        or a ``k`` that is not an integer.
    ValueError
        A template whose feature map is larger than the image's at every scale, a
        non-positive scale, or an image that is not gray or RGB.

    Notes
    -----
    The lecture maps the best cell back to pixels with ``800 // 25`` and ``1000 // 31``
    (image size over feature-map size) as the stride, and cell ``(i, j)`` to pixel
    ``(i·32, j·32)``. With VGG16 at those sizes that happens to be right: its pooling floors
    (800 → 25 cells, 1000 → 31 cells), both quotients are 32, and the template's cells sit
    like the image's, so the offsets cancel. With "same" padding (EfficientNet, MobileNet) the
    map has ``ceil(size / 32)`` cells: 1000 columns give 32 cells and ``1000 // 32 = 31``, so
    cell ``j`` lands ``j`` pixels too early (31 at the far edge); and the first cell's centre
    moves with the input size (EfficientNet-Lite0's last layer: 7 pixels for a 1000-pixel
    side, 31 for a 128-pixel template), a further error the shortcut never sees. Here the
    stride and both offsets come from the network's layers (``model.feature_geometry``). A
    box is still only as precise as the grid: up to half a stride off.

    Examples
    --------
    A toy "network" (4×4 block means of the colours) shows the mapping without weights:

    >>> import numpy as np
    >>> from collections import namedtuple
    >>> Geometry = namedtuple("Geometry", "stride receptive_field offset out_shape")
    >>> class BlockMeans:
    ...     def feature_maps(self, images, layer=None):
    ...         x = np.asarray(images, dtype=np.float32)
    ...         n, h, w, c = x.shape
    ...         return x.reshape(n, h // 4, 4, w // 4, 4, c).mean(axis=(2, 4))
    ...     def feature_geometry(self, input_size, layer=None):
    ...         h, w = input_size
    ...         return Geometry(4, 4, (1.5, 1.5), (h // 4, w // 4, 3))
    >>> rng = np.random.default_rng(0)
    >>> image = rng.integers(0, 256, (64, 96, 3)).astype(np.uint8)
    >>> found = match_features(image, image[16:32, 40:60], model=BlockMeans())
    >>> [box[:4] for box in found.matches], round(found.matches[0].score, 9)
    ([(16, 40, 16, 20)], 1.0)
    >>> found.score_map.shape, found.score_map.method, found.scale
    ((13, 20), 'features', 1.0)
    """
    picture = _rgb_uint8(image, "image")
    patch = _rgb_uint8(template, "template")
    k = check_positive_int(k, "k", "match_features")
    scales = [float(s) for s in scales]
    if not scales or min(scales) <= 0:
        raise ValueError(f"match_features: scales must be positive numbers, got {scales!r}")
    net = model
    if isinstance(model, str):
        from .nn import load_model

        net = load_model(model, weights=weights)
    if layer is None:
        layer = _matching_layer(net, picture.shape[:2], patch.shape[:2])
    image_map = net.feature_maps(picture[None], layer=layer)[0]
    best = _best_scale(net, layer, image_map, patch, picture.shape, scales)
    if best is None:
        raise ValueError(
            f"match_features: template {patch.shape[:2]} gives a feature map larger than the "
            f"image's {image_map.shape[:2]} at every scale in {scales}")
    scores, scale, size, cells = best
    geometry = net.feature_geometry(picture.shape[:2], layer=layer)
    template_offset = net.feature_geometry(size, layer=layer).offset
    stride = np.broadcast_to(geometry.stride, 2)
    shift = [geometry.offset[a] - template_offset[a] for a in (0, 1)]
    score_map = ScoreMap(scores, "features")
    matches = [_cell_to_pixels(cell, shift, stride, size, picture.shape)
               for cell in find_matches(score_map, cells, k=k, max_overlap=max_overlap)]
    return FeatureMatchResult(score_map, matches, scale, geometry)
