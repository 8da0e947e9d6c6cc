"""Lab 4, a planted wrong solution: two classic mistakes, for checking the tests.

The lab's tests must fail on it, each with a small counterexample:

* correlation_map forgets to subtract the means: it computes the cosine similarity of window
  and template (OpenCV's TM_CCORR_NORMED), which brightness changes fool;
* find_template reports the centre of the best window, ``(row + h // 2, col + w // 2)``,
  instead of its top-left corner: off by the template's half-size.
"""

import numpy as np


def _windows(image, shape):
    """Every window of the given (h, w) shape: an array (H - h + 1, W - w + 1, h, w, ...)."""
    return np.lib.stride_tricks.sliding_window_view(image, shape, axis=(0, 1))


def _cosine(windows, template):
    """Cosine of each window (over its last axes) with the template; 0.0 for zero vectors."""
    axes = tuple(range(2, windows.ndim))
    top = (windows * template).sum(axis=axes)
    bottom = np.sqrt((windows * windows).sum(axis=axes) * (template * template).sum())
    return np.divide(top, bottom, out=np.zeros_like(top), where=bottom > 0)


def correlation_map(image, template):
    """Cosine of window and template at every position (the means never subtracted)."""
    image = np.asarray(image, dtype=np.float64)
    template = np.asarray(template, dtype=np.float64)
    return _cosine(_windows(image, template.shape), template)


def _correct_correlation_map(image, template):
    image = np.asarray(image, dtype=np.float64)
    template = np.asarray(template, dtype=np.float64)
    windows = _windows(image, template.shape)
    centred = windows - windows.mean(axis=(2, 3), keepdims=True)
    # a flat window's deviations are zeros, or rounding noise far below the values' size
    flat = np.ptp(windows, axis=(2, 3)) == 0
    scores = _cosine(centred, template - template.mean())
    scores[flat] = 0.0
    return np.clip(scores, -1.0, 1.0)


def best_position(score_map):
    """(row, col) of the first maximum."""
    row, col = np.unravel_index(np.argmax(score_map), np.shape(score_map))
    return int(row), int(col)


def find_template(image, template):
    """Centre of the best window."""
    row, col = best_position(_correct_correlation_map(image, template))
    h, w = np.shape(template)
    return row + h // 2, col + w // 2


def feature_score_map(image_map, template_map):
    """Cosine similarity of the template block with every block of the image map."""
    image_map = np.asarray(image_map, dtype=np.float64)
    template_map = np.asarray(template_map, dtype=np.float64)
    windows = _windows(image_map, template_map.shape[:2])  # (.., .., C, h, w)
    return _cosine(np.moveaxis(windows, 2, -1), template_map)


def locate_with_features(image, template, model, layer="blocks.10"):
    """Best feature cell, mapped back to the template's top-left pixel."""
    image_map = model.feature_maps(image[None], layer=layer)[0]
    template_map = model.feature_maps(template[None], layer=layer)[0]
    i, j = best_position(feature_score_map(image_map, template_map))
    gi = model.feature_geometry(image.shape[:2], layer=layer)
    gt = model.feature_geometry(template.shape[:2], layer=layer)
    row = gi.offset[0] - gt.offset[0] + i * gi.stride
    col = gi.offset[1] - gt.offset[1] + j * gi.stride
    return round(row), round(col)
