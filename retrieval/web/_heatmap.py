"""Score maps as heatmap pictures: the best scores bright, the worst dark, as PNG bytes.

Colours run through a short dark-blue → purple → orange → yellow table (like matplotlib's
"inferno"), interpolated linearly, so no plotting library is needed to draw one.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

#: (position in 0..1, RGB): the colour table, dark to bright.
COLOURS = (
    (0.00, (0, 0, 4)),
    (0.25, (87, 16, 110)),
    (0.50, (188, 55, 84)),
    (0.75, (249, 142, 9)),
    (1.00, (252, 255, 164)),
)


def colourise(score_map: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """A ``(H, W, 3)`` uint8 picture of a score map, the best scores brightest.

    Scores are scaled from the map's worst to its best value; a flat map is dark.

    >>> picture = colourise(np.array([[0.0, 0.5, 1.0]]))
    >>> picture.shape, picture[0, 0].tolist(), picture[0, 2].tolist()
    ((1, 3, 3), [0, 0, 4], [252, 255, 164])
    >>> colourise(np.array([[0.0, 1.0]]), higher_is_better=False)[0, 0].tolist()
    [252, 255, 164]
    """
    scores = np.asarray(score_map, dtype=np.float64)
    low, high = float(scores.min()), float(scores.max())
    span = high - low
    level = (scores - low) / span if span > 0 else np.zeros_like(scores)
    if not higher_is_better:
        level = 1.0 - level if span > 0 else level
    stops = np.array([stop for stop, _ in COLOURS])
    table = np.array([colour for _, colour in COLOURS], dtype=np.float64)
    channels = [np.interp(level, stops, table[:, c]) for c in range(3)]
    return np.rint(np.stack(channels, axis=-1)).astype(np.uint8)


def png_data_url(picture: np.ndarray) -> str:
    """A uint8 picture as a ``data:image/png;base64,...`` URL for an ``<img>``.

    >>> png_data_url(np.zeros((2, 2, 3), dtype=np.uint8))[:22]
    'data:image/png;base64,'
    """
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
