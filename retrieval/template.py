"""Pixel template matching: the score of a template at every position of an image.

The lecture slides a template over every position of an image and scores each position with
the correlation coefficient; :func:`match_template` computes that score map, fast (one FFT
correlation) or, with ``teaching=True``, as the lecture's double loop. The other pieces of
template matching live in their own modules and are importable from here too:

=========================  ================================================================
``match_template``         score map of a template at every position (zncc, ncc, ssd, sad)
``find_matches``           the best boxes of a score map, with non-maximum suppression
                           (:mod:`retrieval.score_maps`)
``Match``                  a found box: ``(row, col, height, width, score)``
``ScoreMap``               the array ``match_template`` returns; it knows its method
``TemplateMatcher``        one image, many templates: the image's transform is computed once
                           (:mod:`retrieval.template_matcher`)
``match_features``         the template found by cosine similarity of CNN feature maps
                           (:mod:`retrieval.feature_matching`)
``FeatureMatchResult``     what ``match_features`` returns
=========================  ================================================================

Score maps have the "valid" size ``(H − h + 1, W − w + 1)``; entry ``(r, c)`` scores the
window whose top-left pixel is ``(r, c)``, as in OpenCV's ``matchTemplate``.

>>> import numpy as np
>>> image = np.zeros((6, 8)); image[2:4, 3:6] = [[1, 5, 2], [7, 3, 9]]
>>> scores = match_template(image, image[2:4, 3:6])
>>> scores.shape, scores.method
((5, 6), 'zncc')
>>> [box[:4] for box in find_matches(scores, (2, 3))]
[(2, 3, 2, 3)]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from linalg_basics import correlation, cosine_similarity, dot_product, mean, subtract_vectors

from ._template_inputs import check_method, check_pair, float_image
from .feature_matching import FeatureMatchResult, match_features
from .score_maps import Match, ScoreMap, find_matches
from .template_matcher import TemplateMatcher

__all__ = [
    "FeatureMatchResult",
    "Match",
    "ScoreMap",
    "TemplateMatcher",
    "find_matches",
    "match_features",
    "match_template",
]


def match_template(image: Any, template: Any, method: str = "zncc",
                   teaching: bool = False) -> ScoreMap:
    """Score a template at every position of an image.

    Entry ``(r, c)`` of the result scores the window ``image[r:r + h, c:c + w]``:

    - ``"zncc"`` (zero-mean normalised cross-correlation, the correlation coefficient):
      ``Σ (x − x̄)(t − t̄) / sqrt(Σ (x − x̄)² · Σ (t − t̄)²)``, in [−1, 1], higher is better.
      Unchanged when the window becomes ``a·x + b`` with ``a > 0`` (brightness and contrast).
      For colour the means ``x̄`` and ``t̄`` are taken per channel and the three sums run over
      all channels, as OpenCV's ``TM_CCOEFF_NORMED`` does (one score per position).
    - ``"ncc"`` (cosine similarity of the window and the template, OpenCV's
      ``TM_CCORR_NORMED``): ``Σ x·t / sqrt(Σ x² · Σ t²)``; higher is better.
    - ``"ssd"``: ``Σ (x − t)²``, lower is better (OpenCV's ``TM_SQDIFF``).
    - ``"sad"``: ``Σ |x − t|``, lower is better. Computed directly, one pass per template pixel:
      fine for small templates, slow for large ones.

    Where the score is undefined it is 0.0, never NaN: for ``"zncc"`` when the window is flat
    (its squared deviations sum to less than the rounding bound of the sums, about 1e-13 of
    ``n·max(x − mean)²``) or the template is constant; for ``"ncc"`` when the window or the
    template is all zeros.

    Parameters
    ----------
    image : array_like or image
        ``(H, W)`` gray or ``(H, W, C)`` colour; any real dtype (computed in float64), or a
        path or PIL image (read as RGB).
    template : array_like or image
        ``(h, w)`` or ``(h, w, C)`` with the image's channels, ``h ≤ H`` and ``w ≤ W``.
    method : {"zncc", "ncc", "ssd", "sad"}
        Which way is better for each: ``retrieval.similarity.higher_is_better(method)``.
    teaching : bool, default False
        Compute the same scores as the lecture writes them: a double loop over the positions,
        each window flattened into a list and compared with the template by
        :mod:`linalg_basics` (``correlation`` for gray ``"zncc"``, ``cosine_similarity`` of the
        windows centred per channel for colour; ``cosine_similarity`` for ``"ncc"``;
        ``subtract_vectors`` and ``dot_product`` for ``"ssd"``). Pure Python: for small inputs,
        to read and to check the fast way against.

    Returns
    -------
    ScoreMap
        A float64 array ``(H − h + 1, W − w + 1)`` with ``.method``, so that
        :func:`find_matches` knows which way is better; ``zncc`` and ``ncc`` within [−1, 1].

    Raises
    ------
    TypeError
        An image or template that is not an image, or of a dtype that is not real numbers.
    ValueError
        Unknown method, empty input, non-finite values, template larger than the image, or
        image and template with different channels.

    Notes
    -----
    The numerator is one FFT cross-correlation (the image centred by its mean, so the zero-mean
    template gives the same sums with smaller numbers); the window sums of ``x`` and ``x²``
    add each window's own values (by doubling, one axis at a time, in float64), never
    differences of running sums. Both stay within about 1e-12 of a
    direct float64 computation on photos wherever the window's standard deviation is at least
    1e-3 of the image's range; scikit-image's and OpenCV's float32 versions do not (see the
    template benchmark and :mod:`retrieval._window_sums`).

    Examples
    --------
    The lecture's case: a brighter (+50) and a contrast-stretched (1.2·x + 10) copy of the
    template still correlate perfectly, while the squared difference sees the change.

    >>> import numpy as np
    >>> image = np.array([[12, 40, 33, 90, 41],
    ...                   [71, 25, 80, 14, 63],
    ...                   [38, 94, 52, 27, 19]])
    >>> template = image[0:2, 2:4]
    >>> match_template(image, template).round(3)
    array([[ 0.717, -0.838,  1.   , -0.74 ],
           [-0.994,  0.79 , -0.296,  0.776]])
    >>> scores = match_template(image, template)
    >>> np.allclose(match_template(image + 50, template), scores)
    True
    >>> np.allclose(match_template(1.2 * image + 10, template), scores)
    True
    >>> match_template(image, template, method="ssd").round(6)
    array([[ 3143., 10679.,     0., 12407.],
           [13833.,  1804.,  8938.,  3924.]])
    >>> match_template(image, template + 50, method="ssd")[0, 2].round(6)
    np.float64(10000.0)

    The double loop gives the same numbers:

    >>> np.allclose(match_template(image, template, teaching=True), scores)
    True
    """
    check_method(method, "match_template")
    image = float_image(image, "match_template")
    template = float_image(template, "match_template", "template")
    check_pair(image.shape, template, "match_template")
    if not teaching:
        return TemplateMatcher(image).match(template, method)
    return ScoreMap(_scores_by_loops(image, template, method), method)


# ---------------------------------------------------------------- the teaching twin


def _window_score(x: list[float], t: list[float], method: str, channels: int) -> float:
    """One window's score, from plain lists (pixels in row order, channels interleaved)."""
    if method in ("ssd", "sad"):
        difference = subtract_vectors(x, t)
        if method == "ssd":
            return dot_product(difference, difference)
        return sum(abs(d) for d in difference)
    if method == "ncc":
        return cosine_similarity(x, t) if any(x) and any(t) else 0.0  # a zero vector: 0
    if any(all(len(set(v[c::channels])) == 1 for c in range(channels)) for v in (x, t)):
        return 0.0  # a flat window or a constant template: no correlation
    if channels == 1:
        return correlation(x, t)

    def centred(values: list[float]) -> list[float]:  # subtract each channel's own mean
        means = [mean(values[c::channels]) for c in range(channels)]
        return [v - means[i % channels] for i, v in enumerate(values)]

    return cosine_similarity(centred(x), centred(t))


def _scores_by_loops(image: np.ndarray, template: np.ndarray, method: str) -> np.ndarray:
    """:func:`match_template` as the lecture writes it: cut out every window, score it."""
    h, w = template.shape[:2]
    channels = 1 if template.ndim == 2 else template.shape[2]
    t = template.ravel().tolist()
    out = np.zeros((image.shape[0] - h + 1, image.shape[1] - w + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            window = image[r:r + h, c:c + w].ravel().tolist()
            out[r, c] = _window_score(window, t, method, channels)
    return out if method in ("ssd", "sad") else np.clip(out, -1.0, 1.0)

