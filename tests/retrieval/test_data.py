"""The bundled photos: count, size, format, provenance, and that they are what it says."""

import pathlib
import re

import numpy as np
import pytest
from PIL import Image

from retrieval.data import PHOTO_NAMES, sample_photo, sample_photos

DATA = pathlib.Path(sample_photos()[0]).parent
PROVENANCE = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")


def _provenance_rows():
    rows = {}
    for line in PROVENANCE.splitlines():
        match = re.match(r"\| (\S+\.(?:jpg|png)) \| (\S+) .*?\| `(\w+)\(\)` \|", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_count_and_total_size():
    paths = sample_photos()
    assert 12 <= len(paths) <= 20
    assert sum(p.stat().st_size for p in paths) < 3 * 1024 * 1024
    assert PHOTO_NAMES == tuple(p.stem for p in paths)


@pytest.mark.parametrize("path", sample_photos(), ids=lambda p: p.name)
def test_each_photo_decodes_small_and_plain(path):
    with Image.open(path) as image:
        assert image.format in {"JPEG", "PNG"}
        assert max(image.size) <= 512
        assert min(image.size) >= 128
        assert image.mode in {"RGB", "L"}
        image.load()


def test_mostly_colour():
    modes = [Image.open(p).mode for p in sample_photos()]
    assert modes.count("RGB") >= len(modes) // 2


def test_every_photo_has_a_provenance_row_and_nothing_else():
    rows = _provenance_rows()
    assert sorted(rows) == sorted(p.name for p in sample_photos())


@pytest.mark.parametrize("path", sample_photos(), ids=lambda p: p.name)
def test_photo_matches_its_scikit_image_original(path):
    """The provenance row names the skimage function; its image, resized, is this photo."""
    data = pytest.importorskip("skimage.data")
    _, function = _provenance_rows()[path.name]
    original = Image.fromarray(np.asarray(getattr(data, function)()))
    with Image.open(path) as bundled:
        expected = original.resize(bundled.size, Image.LANCZOS)
        diff = np.abs(np.asarray(bundled, float) - np.asarray(expected, float))
    assert diff.mean() < 5.0  # JPEG quality 90 round trip only (noisy star field: 3.4)


@pytest.mark.parametrize("path", sample_photos(), ids=lambda p: p.name)
def test_licence_words_are_quoted_from_the_docstring(path):
    """The licence column quotes the skimage function's docstring word for word."""
    data = pytest.importorskip("skimage.data")
    row = next(line for line in PROVENANCE.splitlines() if line.startswith(f"| {path.name} |"))
    quoted = re.findall(r'"([^"]+)"', row.split(" | ")[3])
    assert quoted, f"no quoted licence words for {path.name}"
    _, function = _provenance_rows()[path.name]
    doc = getattr(data, function).__doc__
    doc = re.sub(r"`([^`<]+?)\s*<[^>]*>`_+", r"\1", doc)  # `words <link>`_ -> words
    doc = " ".join(doc.split())
    for words in quoted:
        assert words in doc
    licence = " ".join(quoted).lower()
    assert "public domain" in licence or "cc0" in licence, (
        f"{path.name}: expected a public-domain or CC0 statement, got {quoted}")


def test_photos_are_distinct():
    small = [
        np.asarray(Image.open(p).convert("L").resize((32, 32)), float).ravel()
        for p in sample_photos()
    ]
    for i in range(len(small)):
        for j in range(i):
            assert np.abs(small[i] - small[j]).mean() > 5


def test_sample_photo_errors_list_names():
    assert sample_photo("rocket").name == "rocket.jpg"
    with pytest.raises(ValueError, match="astronaut"):
        sample_photo("motorcycle")
