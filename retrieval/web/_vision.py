"""Template matching and classification of uploaded images, for the match and classify pages.

Uploads larger than :data:`MATCH_SIDE` pixels on their long side are shrunk for matching
(the answer gives the ``factor``; boxes are in the shrunk image's pixels), so a phone photo
is matched in about a second instead of a minute.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..similarity import higher_is_better
from . import _uploads
from ._errors import WebError, checked
from ._heatmap import colourise, png_data_url

#: Longest side (pixels) of the image that template matching works on.
MATCH_SIDE = 1024
#: The matching methods the match page offers.
METHODS = ("zncc", "features")
#: Smallest template side (pixels).
MIN_TEMPLATE = 4


def _shrunk(image: np.ndarray, factor: float) -> np.ndarray:
    from imageops import resize_image

    if factor == 1.0:
        return image
    size = (max(1, round(image.shape[0] * factor)), max(1, round(image.shape[1] * factor)))
    return resize_image(image, size)


def parse_box(box: Any, factor: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """``"row,col,height,width"`` in upload pixels -> the box in working pixels, clipped.

    >>> parse_box("10, 20, 30, 40", 0.5, (100, 100, 3))
    (5, 10, 15, 20)
    >>> parse_box("1,2,3", 1.0, (100, 100, 3))
    Traceback (most recent call last):
    ...
    retrieval.web._errors.WebError: box must be four whole numbers ...; got '1,2,3'
    """
    try:
        values = [float(v) for v in str(box).split(",")]
        if len(values) != 4 or not all(np.isfinite(values)):
            raise ValueError
    except ValueError:
        raise WebError(400, 'box must be four whole numbers "row,col,height,width"; '
                       f"got {box!r}") from None
    row, col, height, width = (v * factor for v in values)
    top, left = max(0, round(row)), max(0, round(col))
    bottom = min(shape[0], round(row + height))
    right = min(shape[1], round(col + width))
    if bottom - top < MIN_TEMPLATE or right - left < MIN_TEMPLATE:
        raise WebError(400, f"the box is too small: drag a rectangle of at least "
                       f"{MIN_TEMPLATE}×{MIN_TEMPLATE} pixels inside the image")
    return top, left, bottom - top, right - left


def parse_scales(text: Any) -> tuple[float, ...]:
    """Template scales from text such as ``"0.8 1 1.25"`` (1 to 5 numbers in 0.1..4).

    >>> parse_scales("0.8, 1 1.25")
    (0.8, 1.0, 1.25)
    """
    try:
        scales = tuple(float(v) for v in str(text).replace(",", " ").split())
    except ValueError:
        scales = ()
    if not 1 <= len(scales) <= 5 or not all(0.1 <= s <= 4 for s in scales):
        raise WebError(400, f"scales must be 1 to 5 numbers between 0.1 and 4; got {text!r}")
    return scales


def match(image_data: bytes, template_data: bytes | None, box: Any, method: str,
          scales: Any, k: int, model: str) -> dict[str, Any]:
    """Find the template in the image; the boxes and the score map as a heatmap."""
    from .. import find_matches, match_features, match_template

    if method not in METHODS:
        raise WebError(400, f"method must be one of {', '.join(METHODS)}; got {method!r}")
    image = _uploads.decode(image_data, "image")
    factor = min(1.0, MATCH_SIDE / max(image.shape[:2]))
    work = _shrunk(image, factor)
    if template_data:
        template = _shrunk(_uploads.decode(template_data, "template"), factor)
        origin = None
    elif box not in (None, ""):
        origin = parse_box(box, factor, work.shape)
        row, col, height, width = origin
        template = work[row:row + height, col:col + width]
    else:
        raise WebError(400, "give a template: drag a box on the image or upload a template")
    if template.shape[0] > work.shape[0] or template.shape[1] > work.shape[1]:
        raise WebError(400, f"the template ({template.shape[0]}×{template.shape[1]}) is larger "
                       f"than the image ({work.shape[0]}×{work.shape[1]})")
    best_scale = None
    if method == "features":
        found = checked(match_features, work, template, model=model,
                        scales=parse_scales(scales), k=k)
        score_map, matches, best_scale = found.score_map, found.matches, found.scale
    else:
        score_map = checked(match_template, work, template, method=method)
        matches = find_matches(score_map, template.shape[:2], k=k,
                               best="max" if higher_is_better(method) else "min")
    higher = higher_is_better(method)
    return {
        "method": method, "higher_is_better": higher,
        "direction": "higher is better" if higher else "lower is better",
        "size": list(work.shape[:2]), "factor": factor,
        "box": None if origin is None else list(origin),
        "template_size": list(template.shape[:2]), "scale": best_scale,
        "matches": [{"row": int(m.row), "col": int(m.col), "height": int(m.height),
                     "width": int(m.width), "score": float(m.score)} for m in matches],
        "score_map": {"shape": list(score_map.shape), "min": float(score_map.min()),
                      "max": float(score_map.max()),
                      "png": png_data_url(colourise(score_map, higher))},
    }


def classify(image_data: bytes, k: int, model: str) -> dict[str, Any]:
    """The ``k`` most likely ImageNet classes of the image, most likely first."""
    from .. import load_model

    image = _uploads.decode(image_data, "photo")
    guesses = checked(load_model(model).classify, [image], top=k)[0]
    return {"model": model, "classes": [
        {"class": int(c), "label": str(label), "probability": float(p)}
        for c, label, p in guesses]}
