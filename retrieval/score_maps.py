"""Reading a score map: the best boxes in it, best first, in the direction its method says.

``match_template`` and ``match_features`` return a :class:`ScoreMap`, an array that carries
the method it was made with; :func:`find_matches` reads the direction from that method through
:func:`retrieval.similarity.higher_is_better` (the one table of directions), so that the best
boxes are the highest correlations but the smallest squared differences.

=================  ====================================================================
``ScoreMap``       a NumPy array of scores that knows its method (``.method``)
``Match``          a found box: ``(row, col, height, width, score)``
``find_matches``   the ``k`` best boxes of a score map, with non-maximum suppression
=================  ====================================================================

>>> import numpy as np
>>> distances = ScoreMap([[4.0, 0.0, 9.0]], "ssd")
>>> find_matches(distances, (1, 1))
[Match(row=0, col=1, height=1, width=1, score=0.0)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from imageops._inputs import check_positive_int, check_size

from .similarity import higher_is_better

__all__ = ["Match", "ScoreMap", "find_matches"]


class ScoreMap(np.ndarray):
    """A float64 array of scores that remembers the method which made it.

    It is a NumPy array in every other way (indexing, ``.max()``, plotting). ``.method`` (such
    as ``"zncc"`` or ``"ssd"``) tells :func:`find_matches` which way is better. Arithmetic on
    it gives a plain array, since ``-scores`` or ``scores / 2`` are no longer scores of that
    method; slices and copies keep the method.

    Parameters
    ----------
    scores : array_like
        The scores.
    method : str
        A name known to :func:`retrieval.similarity.higher_is_better`.

    Examples
    --------
    >>> scores = ScoreMap([[0.5, 2.0]], "ssd")
    >>> scores
    ScoreMap([[0.5, 2. ]], method='ssd')
    >>> scores.method, scores.max(), type(-scores).__name__
    ('ssd', np.float64(2.0), 'ndarray')
    """

    method: str | None

    def __new__(cls, scores: Any, method: str) -> ScoreMap:
        higher_is_better(method)  # an unknown method is a ValueError here, not later
        array = np.asarray(scores, dtype=np.float64).view(cls)
        array.method = method
        return array

    def __array_finalize__(self, source: Any) -> None:
        self.method = getattr(source, "method", None)

    def __array_wrap__(self, array: np.ndarray, context: Any = None,
                       return_scalar: bool = False) -> Any:
        if return_scalar:  # reductions such as .max() give NumPy scalars
            return array[()]
        return array.view(np.ndarray)  # results of arithmetic are plain arrays

    def __reduce__(self) -> tuple:
        return ScoreMap, (np.asarray(self), self.method)

    def __repr__(self) -> str:
        if self.method is None:  # an array derived in place; say what it is
            return repr(np.asarray(self))
        body = np.array2string(np.asarray(self), separator=", ", prefix="ScoreMap(")
        return f"ScoreMap({body}, method={self.method!r})"


class Match(NamedTuple):
    """A found box in pixels: top-left ``(row, col)``, its ``height`` and ``width``, its score."""

    row: int
    col: int
    height: int
    width: int
    score: float


def _direction(score_map: Any, best: str | None) -> str:
    """``best`` as given, else the direction of the map's method ("max" for a plain array)."""
    if best is None:
        method = score_map.method if isinstance(score_map, ScoreMap) else None
        return "max" if method is None or higher_is_better(method) else "min"
    if best not in ("max", "min"):
        raise ValueError(f"find_matches: best must be 'max', 'min' or None, got {best!r}")
    return best


def _box_shape(template_shape: Any) -> tuple[int, int]:
    """``(h, w)`` from a template's shape (extra entries such as channels are ignored)."""
    try:
        size = tuple(template_shape)[:2]
    except TypeError:
        size = template_shape  # not a sequence: check_size says what was expected
    return check_size(size, "find_matches", name="template_shape")


def _overlapping(h: int, w: int, max_overlap: float) -> np.ndarray:
    """For every shift ``(dr, dc)`` within one box size, centred at index ``(h − 1, w − 1)``:
    True where two ``h × w`` boxes that far apart overlap by more than ``max_overlap``."""
    dr = np.abs(np.arange(-h + 1, h))[:, None]
    dc = np.abs(np.arange(-w + 1, w))[None, :]
    inter = (h - dr) * (w - dc)
    return inter / (2 * h * w - inter) > max_overlap


def find_matches(
    score_map: Any,
    template_shape: Sequence[int],
    k: int = 1,
    threshold: float | None = None,
    max_overlap: float = 0.25,
    best: str | None = None,
) -> list[Match]:
    """The ``k`` best boxes of a score map, best first, with greedy non-maximum suppression.

    The best position is taken, every position whose box overlaps it by more than
    ``max_overlap`` (intersection over union) is dropped, and so on, so that several objects
    are found instead of one object ``k`` times.

    Parameters
    ----------
    score_map : ScoreMap or array_like
        2-D scores from :func:`match_template` (or any valid-size map).
    template_shape : sequence of int
        ``(h, w)`` (more entries, such as channels, are ignored): the size of every box.
    k : int, default 1
        At most this many boxes.
    threshold : float, optional
        Keep only scores at least as good: ``>= threshold`` where higher is better,
        ``<= threshold`` where lower is.
    max_overlap : float, default 0.25
        Largest intersection over union allowed between two returned boxes, in [0, 1].
    best : {None, "max", "min"}
        Which way is better. By default the direction of the map's method
        (``higher_is_better(score_map.method)``: the largest ``zncc``, ``ncc`` and feature
        scores, the smallest ``ssd`` and ``sad``), and ``"max"`` for a plain array.

    Returns
    -------
    list of Match
        ``Match(row, col, height, width, score)``, best first; fewer than ``k`` when the map or
        the threshold runs out. NaN scores are never chosen.

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.array([[0.1, 0.9, 0.8, 0.0],
    ...                    [0.2, 0.3, 0.1, 0.7]])
    >>> find_matches(scores, (2, 2), k=2)
    [Match(row=0, col=1, height=2, width=2, score=0.9),
     Match(row=1, col=3, height=2, width=2, score=0.7)]
    >>> find_matches(scores, (2, 2), k=2, max_overlap=0.5)[1]
    Match(row=0, col=2, height=2, width=2, score=0.8)
    >>> find_matches(scores, (2, 2), best="min")
    [Match(row=0, col=3, height=2, width=2, score=0.0)]

    A squared difference is best where it is smallest, and its score map says so:

    >>> from retrieval import match_template
    >>> image = np.array([[12, 40, 33, 90], [71, 25, 80, 14], [38, 94, 52, 27]])
    >>> best = find_matches(match_template(image, image[1:3, 1:3], "ssd"), (2, 2))[0]
    >>> best[:4], round(best.score, 6)   # 0 up to the rounding of the FFT
    ((1, 1, 2, 2), 0.0)
    """
    direction = _direction(score_map, best)
    scores = np.array(score_map, dtype=np.float64)
    if scores.ndim != 2 or scores.size == 0:
        raise ValueError(f"find_matches: score_map must be a non-empty 2-D array, got shape "
                         f"{scores.shape}")
    h, w = _box_shape(template_shape)
    k = check_positive_int(k, "k", "find_matches")
    if not 0 <= max_overlap <= 1:
        raise ValueError(f"find_matches: max_overlap must be in [0, 1], got {max_overlap!r}")
    sign = 1.0 if direction == "max" else -1.0
    ranked = np.where(np.isnan(scores), -np.inf, sign * scores)
    limit = -np.inf if threshold is None else sign * threshold
    suppress = _overlapping(h, w, max_overlap)
    matches: list[Match] = []
    while len(matches) < k:
        index = int(np.argmax(ranked))
        row, col = divmod(index, ranked.shape[1])
        value = ranked[row, col]
        if value == -np.inf or value < limit:
            break
        matches.append(Match(row, col, h, w, float(scores[row, col])))
        r0, c0 = max(row - h + 1, 0), max(col - w + 1, 0)
        r1, c1 = min(row + h, ranked.shape[0]), min(col + w, ranked.shape[1])
        region = suppress[r0 - row + h - 1:r1 - row + h - 1, c0 - col + w - 1:c1 - col + w - 1]
        ranked[r0:r1, c0:c1][region] = -np.inf
        ranked[row, col] = -np.inf
    return matches
