"""Template matching: find a small picture inside a larger one, on pixels or on CNN features.

The lecture slides a template over every position of an image and scores each position with
the correlation coefficient (pixels), then does the same with cosine similarity on VGG16
feature maps and maps the best feature cell back to pixels by the feature stride.

=========================  ================================================================
``match_template``         score map of a template at every position (zncc, ncc, ssd, sad)
``match_template_loop``    the same, as the lecture's double loop over positions (small inputs)
``TemplateMatcher``        one image, many templates: the image's transform is computed once
``find_matches``           the best boxes of a score map, with non-maximum suppression
``match_features``         the template found by cosine similarity of CNN feature maps
``Match``                  a found box: ``(row, col, height, width, score)``
``FeatureMatchResult``     what ``match_features`` returns
=========================  ================================================================

Score maps have the "valid" size ``(H − h + 1, W − w + 1)``; entry ``(r, c)`` scores the
window whose top-left pixel is ``(r, c)``, as in OpenCV's ``matchTemplate``.

>>> import numpy as np
>>> image = np.zeros((6, 8)); image[2:4, 3:6] = [[1, 5, 2], [7, 3, 9]]
>>> scores = match_template(image, image[2:4, 3:6])
>>> scores.shape
(5, 6)
>>> find_matches(scores, (2, 3))
[Match(row=2, col=3, height=2, width=3, score=1.0)]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np

from . import _zncc

__all__ = [
    "FeatureMatchResult",
    "Match",
    "TemplateMatcher",
    "find_matches",
    "match_features",
    "match_template",
    "match_template_loop",
]

METHODS = ("zncc", "ncc", "ssd", "sad")
_BEST = {"zncc": "max", "ncc": "max", "ssd": "min", "sad": "min"}
_BACKGROUND_PIXELS = 1 << 16  # images from this size on get their window sums in a thread


class Match(NamedTuple):
    """A found box in pixels: top-left ``(row, col)``, its ``height`` and ``width``, its score."""

    row: int
    col: int
    height: int
    width: int
    score: float


class FeatureMatchResult(NamedTuple):
    """What :func:`match_features` finds.

    Attributes
    ----------
    score_map : numpy.ndarray
        Cosine similarity at every valid feature position, ``(h_f − t_f + 1, w_f − s_f + 1)``
        for an image map of ``h_f × w_f`` cells and a template map of ``t_f × s_f`` cells, at
        the best scale.
    matches : list of Match
        The best boxes, in image pixels.
    scale : float
        The template scale (from ``scales``) that gave the best score.
    geometry : FeatureGeometry
        Stride, receptive field and offset of the image's feature cells.
    """

    score_map: np.ndarray
    matches: list[Match]
    scale: float
    geometry: Any


# ---------------------------------------------------------------- inputs


def _as_array(image: Any, name: str) -> np.ndarray:
    """An ``(H, W)`` or ``(H, W, C)`` float64 array from an array or anything load_image reads."""
    if isinstance(image, (str, os.PathLike)) or hasattr(image, "read") or (
            hasattr(image, "mode") and hasattr(image, "size")):  # a path, file or PIL image
        from imageops import load_image

        image = load_image(image)
    array = np.asarray(image)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == bool):
        raise TypeError(f"{name} must be a numeric array or an image, got dtype {array.dtype}")
    if array.ndim not in (2, 3):
        raise ValueError(f"{name} must be (H, W) or (H, W, C), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: shape {array.shape}")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _channels_first(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.moveaxis(array, -1, 0) if array.ndim == 3 else array[None])


def _check_pair(image: np.ndarray, template: np.ndarray) -> None:
    if image.ndim != template.ndim or image.shape[2:] != template.shape[2:]:
        raise ValueError(
            f"image and template need the same channels: image {image.shape}, "
            f"template {template.shape}"
        )
    if template.shape[0] > image.shape[0] or template.shape[1] > image.shape[1]:
        raise ValueError(
            f"template {template.shape[:2]} is larger than the image {image.shape[:2]}"
        )


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")


# ---------------------------------------------------------------- pixel matching


class _Background:
    """``with _Background(function, *args) as future:`` runs ``function(*args)`` in a second
    thread while the block runs; ``future.result()`` gives its value. NumPy's array loops and
    SciPy's FFT release the GIL, so the window sums and the FFT share two cores. With
    ``now=True`` (small or cached work) the function runs at once, in this thread."""

    def __init__(self, function: Callable, *args: Any, now: bool = False) -> None:
        self._call = (function, args)
        self._now = now
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> Future:
        function, args = self._call
        if self._now:
            future: Future = Future()
            future.set_result(function(*args))
            return future
        self._pool = ThreadPoolExecutor(max_workers=1)
        return self._pool.submit(function, *args)

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


class TemplateMatcher:
    """Match templates against one image, computing the image's Fourier transform once.

    ``match_template(image, template)`` is ``TemplateMatcher(image).match(template)``; keep the
    matcher to match several templates (of any sizes) against the same image.

    Parameters
    ----------
    image : array_like or image
        ``(H, W)`` gray or ``(H, W, C)`` colour; any numeric dtype (used as float64), or a path
        or PIL image (read as RGB).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> image = rng.integers(0, 256, (40, 50))
    >>> matcher = TemplateMatcher(image)
    >>> for box in [(3, 4, 5, 6), (20, 30, 12, 9)]:
    ...     row, col, h, w = box
    ...     scores = matcher.match(image[row:row + h, col:col + w])
    ...     print(find_matches(scores, (h, w))[0][:2], round(scores.max(), 6))
    (3, 4) 1.0
    (20, 30) 1.0
    """

    def __init__(self, image: Any) -> None:
        array = _as_array(image, "image")
        self.shape: tuple[int, ...] = array.shape
        self._image = _channels_first(array)  # (C, H, W)
        self._mean = self._image.mean(axis=(1, 2), keepdims=True)
        self._centred = self._image - self._mean
        self._fft_shape = _zncc.fft_shape(self.shape[:2])
        self._spectra: dict[str, np.ndarray] = {}
        self._sums: dict[tuple, np.ndarray] = {}

    # Cached pieces: the transforms of the image (centred, or raw for ncc) and window sums.
    def _spectrum(self, kind: str) -> np.ndarray:
        if kind not in self._spectra:
            data = self._centred if kind == "centred" else self._image
            self._spectra[kind] = _zncc.spectrum(data, self._fft_shape)
        return self._spectra[kind]

    def _cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        """``make()``, kept for the next call with the same key (the last six are kept)."""
        if key not in self._sums:
            if len(self._sums) >= 6:
                self._sums.pop(next(iter(self._sums)))
            self._sums[key] = make()
        return self._sums[key]

    def _squares(self, kind: str, window: tuple[int, int]) -> np.ndarray:
        """Exact window sums of the squares summed over the channels, of the centred image
        (``"centred"``) or of the raw one (``"raw"``)."""
        data = self._centred if kind == "centred" else self._image
        return self._cached((kind, window), lambda: _zncc.window_sums(
            _zncc.sum_channels(data * data), window))

    def _spread(self, window: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """``Σ_c Σ (x_c − x̄_c)²`` over every window (``x̄_c``: the window's mean of channel c),
        and where that spread is within rounding of 0 (a flat window)."""

        def make():
            n = window[0] * window[1]
            squares = self._squares("centred", window)
            spread = None
            for channel in self._centred:
                sums = _zncc.window_sums(channel, window)
                if spread is None:
                    spread = np.multiply(sums, sums)
                else:
                    spread += sums * sums
            spread /= -n
            spread += squares  # Σx² − (Σx)²/n per channel, summed over the channels
            return spread, spread <= squares * _zncc.flat_tolerance(window)

        return self._cached(("spread", window), make)

    def match(self, template: Any, method: str = "zncc") -> np.ndarray:
        """The score map of ``template`` at every valid position; see :func:`match_template`.

        Examples
        --------
        >>> TemplateMatcher([[0, 1, 0], [1, 0, 1]]).match([[0, 1]], method="ssd")
        array([[0., 2.],
               [2., 0.]])
        """
        _check_method(method)
        array = _as_array(template, "template")
        _check_pair(np.empty(self.shape, dtype=bool), array)
        t = _channels_first(array)
        window = t.shape[1:]
        n = window[0] * window[1]
        if method == "sad":
            return self._sad(t)
        if method == "zncc":
            t = t - t.mean(axis=(1, 2), keepdims=True)
            t_square = float((t * t).sum())
            if t_square <= n * (64 * _zncc.EPS * np.abs(array).max()) ** 2:
                return self._zeros(window)  # a constant template: no correlation defined
            now = self._image[0].size < _BACKGROUND_PIXELS or ("spread", window) in self._sums
            with _Background(self._spread, window, now=now) as pending:
                numerator = _zncc.correlate_valid(self._spectrum("centred"), t, self.shape[:2],
                                                  self._fft_shape)
            spread, flat = pending.result()
            return _zncc.safe_ratio(numerator, spread, flat, scale=t_square)
        if method == "ncc":
            t_square = float((t * t).sum())
            if t_square == 0:
                return self._zeros(window)
            numerator = _zncc.correlate_valid(self._spectrum("raw"), t, self.shape[:2],
                                              self._fft_shape)
            norms = self._squares("raw", window)
            return _zncc.safe_ratio(numerator, norms, norms <= 0, scale=t_square)
        # ssd: Σ(x − t)² = Σx² − 2Σxt + Σt², with x and t centred by the image's mean
        t = t - self._mean
        cross = _zncc.correlate_valid(self._spectrum("centred"), t, self.shape[:2],
                                      self._fft_shape)
        ssd = self._squares("centred", window) - 2 * cross + float((t * t).sum())
        return np.maximum(ssd, 0.0, out=ssd)

    def _zeros(self, window: tuple[int, int]) -> np.ndarray:
        return np.zeros((self.shape[0] - window[0] + 1, self.shape[1] - window[1] + 1))

    def _sad(self, t: np.ndarray) -> np.ndarray:
        out = self._zeros(t.shape[1:])
        rows, cols = out.shape
        for i in range(t.shape[1]):  # one pass per template pixel: O(H·W·h·w)
            for j in range(t.shape[2]):
                window = self._image[:, i:i + rows, j:j + cols]
                out += np.abs(window - t[:, i, j, None, None]).sum(axis=0)
        return out


def match_template(image: Any, template: Any, method: str = "zncc") -> np.ndarray:
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
        ``(H, W)`` gray or ``(H, W, C)`` colour; any numeric dtype (computed in float64), or a
        path or PIL image (read as RGB).
    template : array_like or image
        ``(h, w)`` or ``(h, w, C)`` with the image's channels, ``h ≤ H`` and ``w ≤ W``.
    method : {"zncc", "ncc", "ssd", "sad"}

    Returns
    -------
    numpy.ndarray
        float64 ``(H − h + 1, W − w + 1)``; ``zncc`` and ``ncc`` within [−1, 1].

    Raises
    ------
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
    template benchmark). :func:`match_template_loop` is the same computation as a double loop.

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
    """
    return TemplateMatcher(image).match(template, method)


def match_template_loop(image: Any, template: Any, method: str = "zncc") -> np.ndarray:
    """:func:`match_template` as the lecture writes it: a double loop over every position.

    Each window is cut out, flattened into a list and compared with the template by the
    list-based functions of :mod:`linalg_basics`: ``correlation`` for gray ``"zncc"`` (colour:
    ``cosine_similarity`` of the windows centred per channel with ``mean``),
    ``cosine_similarity`` for ``"ncc"``. Slow (pure Python): meant for small images, to read
    and to check the fast version against.

    Parameters
    ----------
    image, template, method
        As in :func:`match_template`, with the same value (0.0) where a score is undefined.

    Returns
    -------
    numpy.ndarray
        float64 ``(H − h + 1, W − w + 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.array([[1, 2, 3], [4, 6, 5], [7, 9, 8]])
    >>> slow = match_template_loop(image, [[1, 2], [4, 6]])
    >>> slow.round(4)
    array([[1.    , 0.8234],
           [0.9749, 0.741 ]])
    >>> np.allclose(match_template(image, [[1, 2], [4, 6]]), slow)
    True
    """
    from linalg_basics import correlation, cosine_similarity, mean

    _check_method(method)
    image = _as_array(image, "image")
    template = _as_array(template, "template")
    _check_pair(image, template)
    channels = 1 if template.ndim == 2 else template.shape[2]

    def centred(values: list[float]) -> list[float]:  # subtract each channel's own mean
        means = [mean(values[c::channels]) for c in range(channels)]
        return [v - means[i % channels] for i, v in enumerate(values)]

    def score(x: list[float], t: list[float]) -> float:
        if method == "ssd":
            return sum((a - b) ** 2 for a, b in zip(x, t, strict=True))
        if method == "sad":
            return sum(abs(a - b) for a, b in zip(x, t, strict=True))
        if method == "ncc":
            flat = not any(x) or not any(t)
            return 0.0 if flat else cosine_similarity(x, t)
        if any(all(len(set(v[c::channels])) == 1 for c in range(channels)) for v in (x, t)):
            return 0.0  # a flat window or a constant template
        if channels == 1:
            return correlation(x, t)
        return cosine_similarity(centred(x), centred(t))

    h, w = template.shape[:2]
    t = template.ravel().tolist()
    out = np.zeros((image.shape[0] - h + 1, image.shape[1] - w + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = score(image[r:r + h, c:c + w].ravel().tolist(), t)
    return out if method not in ("zncc", "ncc") else np.clip(out, -1.0, 1.0)


# ---------------------------------------------------------------- finding boxes


def find_matches(
    score_map: Any,
    template_shape: Sequence[int],
    k: int = 1,
    threshold: float | None = None,
    max_overlap: float = 0.25,
    best: str = "max",
) -> list[Match]:
    """The ``k`` best boxes of a score map, best first, with greedy non-maximum suppression.

    The best position is taken, every position whose box overlaps it by more than
    ``max_overlap`` (intersection over union) is dropped, and so on, so that several objects
    are found instead of one object ``k`` times.

    Parameters
    ----------
    score_map : array_like
        2-D scores from :func:`match_template` (or any valid-size map).
    template_shape : sequence of int
        ``(h, w)`` (more entries, such as channels, are ignored): the size of every box.
    k : int, default 1
        At most this many boxes.
    threshold : float, optional
        Keep only scores ``>= threshold`` (``best="max"``) or ``<= threshold`` (``"min"``).
    max_overlap : float, default 0.25
        Largest intersection over union allowed between two returned boxes, in [0, 1].
    best : {"max", "min"}
        ``"max"`` for ``zncc`` and ``ncc``, ``"min"`` for ``ssd`` and ``sad`` (distances).

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
    """
    scores = np.array(score_map, dtype=np.float64)
    if scores.ndim != 2 or scores.size == 0:
        raise ValueError(f"score_map must be a non-empty 2-D array, got shape {scores.shape}")
    if len(template_shape) < 2 or min(int(s) for s in template_shape[:2]) < 1:
        raise ValueError(f"template_shape must be (height, width) >= 1, got {template_shape!r}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if not 0 <= max_overlap <= 1:
        raise ValueError(f"max_overlap must be in [0, 1], got {max_overlap!r}")
    if best not in ("max", "min"):
        raise ValueError(f"best must be 'max' or 'min', got {best!r}")
    h, w = (int(s) for s in template_shape[:2])
    sign = 1.0 if best == "max" else -1.0
    ranked = np.where(np.isnan(scores), -np.inf, sign * scores)
    limit = -np.inf if threshold is None else sign * threshold
    # IoU of two h×w boxes shifted by (dr, dc), for every shift inside one box size
    dr = np.abs(np.arange(-h + 1, h))[:, None]
    dc = np.abs(np.arange(-w + 1, w))[None, :]
    inter = (h - dr) * (w - dc)
    suppress = inter / (2 * h * w - inter) > max_overlap
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


# ---------------------------------------------------------------- feature matching


def _feature_cosine(image_map: np.ndarray, template_map: np.ndarray) -> np.ndarray:
    """Cosine similarity of the flattened template block with every image block.

    ``Σ_c correlate(F_c, G_c) / (‖G‖ · sqrt(window sum of Σ_c F_c²))``: one FFT correlation
    summed over the channels, and exact window sums for the block norms.
    """
    image = np.ascontiguousarray(np.moveaxis(image_map, -1, 0), dtype=np.float64)  # (C, h, w)
    template = np.ascontiguousarray(np.moveaxis(template_map, -1, 0), dtype=np.float64)
    shape = _zncc.fft_shape(image.shape[1:])
    numerator = _zncc.correlate_valid(_zncc.spectrum(image, shape), template, image.shape[1:],
                                      shape)
    norms = _zncc.window_sums((image * image).sum(axis=0), template.shape[1:])
    t_square = float((template * template).sum())
    if t_square == 0:
        return np.zeros_like(numerator)
    return _zncc.safe_ratio(numerator, norms, norms <= 0, scale=t_square)


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
    """An ``(H, W, 3)`` array on the 0–255 scale for the model (gray is repeated)."""
    array = _as_array(image, name)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.shape[2] != 3:
        raise ValueError(f"{name} must be gray or RGB for feature matching, got shape "
                         f"{array.shape}")
    return np.clip(np.rint(array), 0, 255).astype(np.uint8)


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
    >>> found.matches
    [Match(row=16, col=40, height=16, width=20, score=1.0)]
    >>> found.score_map.shape, found.scale
    ((13, 20), 1.0)
    """
    from imageops import resize_image

    picture = _rgb_uint8(image, "image")
    patch = _rgb_uint8(template, "template")
    scales = [float(s) for s in scales]
    if not scales or min(scales) <= 0:
        raise ValueError(f"scales must be positive numbers, got {scales!r}")
    net = model
    if isinstance(model, str):
        from .nn import load_model

        net = load_model(model, weights=weights)
    if layer is None:
        layer = _matching_layer(net, picture.shape[:2], patch.shape[:2])
    image_map = net.feature_maps(picture[None], layer=layer)[0]
    geometry = net.feature_geometry(picture.shape[:2], layer=layer)
    best = None
    for scale in scales:
        size = (max(1, round(patch.shape[0] * scale)), max(1, round(patch.shape[1] * scale)))
        if size[0] > picture.shape[0] or size[1] > picture.shape[1]:
            continue
        scaled = patch if size == patch.shape[:2] else resize_image(patch, size)
        template_map = net.feature_maps(scaled[None], layer=layer)[0]
        if (template_map.shape[0] > image_map.shape[0]
                or template_map.shape[1] > image_map.shape[1]):
            continue
        scores = _feature_cosine(image_map, template_map)
        if best is None or scores.max() > best[0].max():
            best = (scores, scale, size, template_map.shape[:2])
    if best is None:
        raise ValueError(
            f"template {patch.shape[:2]} gives a feature map larger than the image's "
            f"{image_map.shape[:2]} at every scale in {scales}"
        )
    scores, scale, size, cells = best
    template_offset = net.feature_geometry(size, layer=layer).offset
    stride = np.broadcast_to(geometry.stride, 2)
    shift = [geometry.offset[a] - template_offset[a] for a in (0, 1)]
    matches = []
    for cell in find_matches(scores, cells, k=k, max_overlap=max_overlap):
        row = int(round(shift[0] + cell.row * stride[0]))
        col = int(round(shift[1] + cell.col * stride[1]))
        row = min(max(row, 0), picture.shape[0] - size[0])
        col = min(max(col, 0), picture.shape[1] - size[1])
        matches.append(Match(row, col, size[0], size[1], cell.score))
    return FeatureMatchResult(scores, matches, scale, geometry)
