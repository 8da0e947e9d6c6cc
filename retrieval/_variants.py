"""The demo's database: variants of every bundled photo, each original its query.

The lecture's brightness ×2 and +50, a mirror, an upside-down flip, a crop, a small rotation,
noise and a JPEG re-encoding of each photo; :mod:`retrieval.demo` searches them.
"""

from __future__ import annotations

import dataclasses
import io
import pathlib
from collections.abc import Sequence

import numpy as np
from PIL import Image

from imageops import flip_upside_down, load_image, mirror_left_right, resize_image, transform_image
from imageops._inputs import check_size, progress_bar

from .data import sample_photos

#: The size every photo is brought to, (height, width): twice the lecture's 86×128.
WORKING_SIZE = (172, 256)

VARIANTS = ("x2", "plus50", "mirror", "upside-down", "crop", "rotate", "noise", "jpeg")

VARIANT_LABELS = {
    "x2": "brightness ×2",
    "plus50": "brightness +50",
    "mirror": "left-right mirror",
    "upside-down": "upside down",
    "crop": "centre crop 70%",
    "rotate": "rotation 10°",
    "noise": "Gaussian noise σ=25",
    "jpeg": "JPEG quality 10",
}

#: Queries drawn in the result grids: two colour photos and a gray texture.
GRID_QUERIES = ("chelsea", "coffee", "gravel")


# ---------------------------------------------------------------- the database


def _crop(image: np.ndarray, keep: float = 0.7) -> np.ndarray:
    height, width = image.shape[:2]
    h, w = round(height * keep), round(width * keep)
    top, left = (height - h) // 2, (width - w) // 2
    return resize_image(image[top : top + h, left : left + w], (height, width))


def _rotate(image: np.ndarray, degrees: float = 10.0) -> np.ndarray:
    # The lecture's coordinate matrices: a rotation about the centre, bilinear; the corners
    # that come from outside the photo take its mean colour.
    t = np.radians(degrees)
    rotation = [[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]
    fill = np.rint(image.reshape(-1, image.shape[-1]).mean(axis=0))
    return transform_image(image, rotation, order=1, fill=fill)


def _noise(image: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    noisy = image + np.random.default_rng(seed).normal(0.0, sigma, image.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def _jpeg(image: np.ndarray, quality: int = 10) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    return load_image(buffer)


def make_variants(image: np.ndarray, seed: int = 0) -> dict[str, np.ndarray]:
    """Return the demo's variants of one photo, keyed by the names in ``VARIANTS``.

    The brightness variants follow the lecture: the image is converted to float32 and then
    multiplied by 2 or shifted by 50, without clipping, so ``x2`` really is the same vector
    scaled (values up to 510) — the case where cosine similarity cannot tell the difference.
    The other variants are uint8 images of the same size.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
        The photo.
    seed : int
        Seed of the noise, so the database is the same on every run.

    Returns
    -------
    dict of str -> (H, W, 3) array

    Examples
    --------
    >>> import numpy as np
    >>> image = np.random.default_rng(0).integers(0, 200, (40, 60, 3), dtype=np.uint8)
    >>> variants = make_variants(image)
    >>> list(variants) == list(VARIANTS)
    True
    >>> variants["x2"].dtype, float(variants["x2"].max()) == 2 * float(image.max())
    (dtype('float32'), True)
    >>> np.array_equal(variants["mirror"], image[:, ::-1])
    True
    >>> {v.shape for v in variants.values()}
    {(40, 60, 3)}
    """
    pixels = image.astype(np.float32)
    return {
        "x2": pixels * 2,
        "plus50": pixels + 50,
        "mirror": mirror_left_right(image),
        "upside-down": flip_upside_down(image),
        "crop": _crop(image),
        "rotate": _rotate(image),
        "noise": _noise(image, sigma=25, seed=seed),
        "jpeg": _jpeg(image),
    }


@dataclasses.dataclass
class Database:
    """The demo's queries (the original photos) and database (their variants)."""

    query_ids: list[str]
    queries: list[np.ndarray]
    ids: list[str]
    images: list[np.ndarray]

    def relevant(self, query_id: str) -> set[str]:
        """The ids of the query's variants."""
        return {f"{query_id}/{name}" for name in VARIANTS}

    def image(self, image_id: str) -> np.ndarray:
        """The picture of a query or database id."""
        if image_id in self.query_ids:
            return self.queries[self.query_ids.index(image_id)]
        return self.images[self.ids.index(image_id)]


def build_database(
    photos: Sequence[str | pathlib.Path] | None = None,
    size: tuple[int, int] = WORKING_SIZE,
    progress: bool | None = None,
) -> Database:
    """Load the photos at ``size`` and make the variants of each.

    Parameters
    ----------
    photos : sequence of paths, optional
        Defaults to every bundled photo (``retrieval.data.sample_photos()``).
    size : (height, width)
        Every photo is resized to this size first (gray photos become RGB).
    progress : bool or None
        Show a progress bar (None: for 50 photos or more, the library's one rule).

    Returns
    -------
    Database
        ``query_ids`` are the photo names, ``ids`` are ``"name/variant"``.

    Examples
    --------
    >>> from retrieval.data import sample_photo
    >>> db = build_database([sample_photo("camera"), sample_photo("rocket")], size=(43, 64),
    ...                     progress=False)
    >>> db.query_ids, len(db.ids), db.ids[:2]
    (['camera', 'rocket'], 16, ['camera/x2', 'camera/plus50'])
    >>> db.queries[0].shape
    (43, 64, 3)
    """
    size = check_size(size, "build_database")
    paths = [pathlib.Path(p) for p in (sample_photos() if photos is None else photos)]
    database = Database([], [], [], [])
    with progress_bar(len(paths), progress, "making variants", unit="photo") as bar:
        for seed, path in enumerate(paths):
            _add_photo(database, path, size, seed)
            bar.update(1)
    return database


def _add_photo(database: Database, path: pathlib.Path, size: tuple[int, int],
               seed: int) -> None:
    """One photo as a query and its variants in the database."""
    original = load_image(path, size=size)
    database.query_ids.append(path.stem)
    database.queries.append(original)
    for name, variant in make_variants(original, seed=seed).items():
        database.ids.append(f"{path.stem}/{name}")
        database.images.append(variant)
