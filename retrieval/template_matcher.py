"""The fast engine of pixel template matching: one image's transform, reused for every template.

:class:`TemplateMatcher` keeps an image's Fourier transform and its window sums, and scores
templates of any size against it with one FFT correlation each (``match_template(image,
template)`` is ``TemplateMatcher(image).match(template)``). The sums themselves, and why they
stay exact, are in :mod:`retrieval._window_sums`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from . import _window_sums as sums
from ._template_inputs import channels_first, check_method, check_pair, float_image
from .score_maps import ScoreMap

__all__ = ["TemplateMatcher"]

_BACKGROUND_PIXELS = 1 << 16  # images from this size on get their window sums in a thread


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
        ``(H, W)`` gray or ``(H, W, C)`` colour; any real dtype (used as float64), or a path
        or PIL image (read as RGB).

    Examples
    --------
    >>> import numpy as np
    >>> from retrieval import find_matches
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
        array = float_image(image, "TemplateMatcher")
        self.shape: tuple[int, ...] = array.shape
        self._image = channels_first(array)  # (C, H, W)
        self._mean = self._image.mean(axis=(1, 2), keepdims=True)
        self._centred = self._image - self._mean
        self._fft_shape = sums.fft_shape(self.shape[:2])
        self._spectra: dict[str, np.ndarray] = {}
        self._sums: dict[tuple, Any] = {}

    def match(self, template: Any, method: str = "zncc") -> ScoreMap:
        """The score map of ``template`` at every valid position; see :func:`match_template`.

        Examples
        --------
        >>> TemplateMatcher([[0, 1, 0], [1, 0, 1]]).match([[0, 1]], method="ssd")
        ScoreMap([[0., 2.],
                  [2., 0.]], method='ssd')
        """
        check_method(method, "TemplateMatcher.match")
        array = float_image(template, "TemplateMatcher.match", "template")
        check_pair(self.shape, array, "TemplateMatcher.match")
        score = {"zncc": self._zncc, "ncc": self._ncc, "ssd": self._ssd, "sad": self._sad}
        return ScoreMap(score[method](channels_first(array)), method)

    # ------------------------------------------------------------ one method each

    def _zncc(self, t: np.ndarray) -> np.ndarray:
        """``Σ (x − x̄)(t − t̄) / sqrt(Σ (x − x̄)² · Σ (t − t̄)²)``, 0 where undefined."""
        window = t.shape[1:]
        largest = np.abs(t).max()
        t = t - t.mean(axis=(1, 2), keepdims=True)
        t_square = float((t * t).sum())
        if t_square <= t[0].size * (64 * sums.EPS * largest) ** 2:
            return self._zeros(window)  # a constant template: no correlation defined
        now = self._image[0].size < _BACKGROUND_PIXELS or ("spread", window) in self._sums
        with _Background(self._spread, window, now=now) as pending:
            numerator = self._correlate("centred", t)
        spread, flat = pending.result()
        return sums.safe_ratio(numerator, spread, flat, scale=t_square)

    def _ncc(self, t: np.ndarray) -> np.ndarray:
        """``Σ x·t / sqrt(Σ x² · Σ t²)``, 0 where the window or the template is all zeros."""
        t_square = float((t * t).sum())
        if t_square == 0:
            return self._zeros(t.shape[1:])
        numerator = self._correlate("raw", t)
        norms = self._squares("raw", t.shape[1:])
        return sums.safe_ratio(numerator, norms, norms <= 0, scale=t_square)

    def _ssd(self, t: np.ndarray) -> np.ndarray:
        """``Σ(x − t)² = Σx² − 2Σxt + Σt²``, with x and t centred by the image's mean."""
        t = t - self._mean
        cross = self._correlate("centred", t)
        ssd = self._squares("centred", t.shape[1:]) - 2 * cross + float((t * t).sum())
        return np.maximum(ssd, 0.0, out=ssd)

    def _sad(self, t: np.ndarray) -> np.ndarray:
        """``Σ |x − t|``, one pass per template pixel: O(H·W·h·w)."""
        out = self._zeros(t.shape[1:])
        rows, cols = out.shape
        for i in range(t.shape[1]):
            for j in range(t.shape[2]):
                window = self._image[:, i:i + rows, j:j + cols]
                out += np.abs(window - t[:, i, j, None, None]).sum(axis=0)
        return out

    # ------------------------------------------------------------ cached pieces of the image

    def _zeros(self, window: tuple[int, int]) -> np.ndarray:
        return np.zeros((self.shape[0] - window[0] + 1, self.shape[1] - window[1] + 1))

    def _correlate(self, kind: str, t: np.ndarray) -> np.ndarray:
        """``Σ_c Σ x_c·t_c`` at every valid position, ``x`` the centred or the raw image."""
        if kind not in self._spectra:
            data = self._centred if kind == "centred" else self._image
            self._spectra[kind] = sums.spectrum(data, self._fft_shape)
        return sums.correlate_valid(self._spectra[kind], t, self.shape[:2], self._fft_shape)

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
        return self._cached((kind, window), lambda: sums.window_sums(
            sums.sum_channels(data * data), window))

    def _spread(self, window: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """``Σ_c Σ (x_c − x̄_c)²`` over every window (``x̄_c``: the window's mean of channel c),
        and where that spread is within rounding of 0 (a flat window)."""

        def make():
            n = window[0] * window[1]
            squares = self._squares("centred", window)
            spread = None
            for channel in self._centred:
                total = sums.window_sums(channel, window)
                if spread is None:
                    spread = np.multiply(total, total)
                else:
                    spread += total * total
            spread /= -n
            spread += squares  # Σx² − (Σx)²/n per channel, summed over the channels
            return spread, spread <= squares * sums.flat_tolerance(window)

        return self._cached(("spread", window), make)
