"""The bundled photos are exactly what PROVENANCE.md says: files, sizes, colours, licences.

PROVENANCE.md is the record a user relies on to reuse the photos: each test compares one of its
statements with the files, so a photo added, removed, resized or recoloured without the record
(or the other way round) fails here with the row that is wrong.
"""

import pathlib
import re

import numpy as np
import pytest
from PIL import Image

from retrieval.data import PHOTO_NAMES, sample_photo, sample_photos

DATA = pathlib.Path(sample_photos()[0]).parent
PROVENANCE = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
_NUMBERS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_ROW = re.compile(r"^\| (?P<file>\S+\.(?:jpg|png)) \| (?P<original>[^|]+?), "
                  r"(?P<width>\d+)×(?P<height>\d+) (?P<mode>RGB|gray) \| `(?P<function>\w+)\(\)` "
                  r"\| (?P<licence>[^|]+) \| (?P<source>[^|]+) \| (?P<changes>[^|]+) \|$", re.M)


def _rows():
    return {match["file"]: match for match in _ROW.finditer(PROVENANCE)}


def _stated_size(row):
    """(width, height) of the bundled file by its row: the resized size, or the original."""
    resized = re.search(r"resized to (\d+)×(\d+)", row["changes"])
    return tuple(map(int, resized.groups())) if resized else (int(row["width"]),
                                                              int(row["height"]))


def test_the_files_are_exactly_the_rows_of_provenance():
    rows = _rows()
    table_lines = [line for line in PROVENANCE.splitlines()
                   if re.match(r"^\| \S+\.(jpg|png) \|", line)]
    assert len(rows) == len(table_lines), "a table row does not follow the row format"
    assert sorted(rows) == [p.name for p in sample_photos()]
    assert PHOTO_NAMES == tuple(pathlib.Path(name).stem for name in sorted(rows))


def test_the_stated_counts_and_total_size_are_right():
    total, colour, gray = (_NUMBERS[word.lower()] for word in re.search(
        r"(\w+) photos \((\w+) colour, (\w+) gray\)", PROVENANCE).groups())
    modes = [Image.open(p).mode for p in sample_photos()]
    assert (len(modes), modes.count("RGB"), modes.count("L")) == (total, colour, gray)
    stated_mb = float(re.search(r"Total size about ([\d.]+) MB", PROVENANCE).group(1))
    actual = sum(p.stat().st_size for p in sample_photos())
    assert round(actual / 1e6, 1) == stated_mb, f"{actual} bytes, the record says {stated_mb} MB"


@pytest.mark.parametrize("path", sample_photos(), ids=lambda p: p.name)
def test_each_photo_decodes_with_its_stated_size_mode_and_format(path):
    row = _rows()[path.name]
    with Image.open(path) as image:
        assert image.format == "JPEG"                     # "saved as JPEG" for every file
        assert image.size == _stated_size(row), f"{path.name}: size differs from its row"
        assert image.mode == {"RGB": "RGB", "gray": "L"}[row["mode"]]
        assert max(image.size) <= 512                     # "the long side is at most 512"
        image.load()


@pytest.mark.parametrize("path", sample_photos(), ids=lambda p: p.name)
def test_each_licence_is_public_domain_or_cc0(path):
    quoted = re.findall(r'"([^"]+)"', _rows()[path.name]["licence"])
    assert quoted, f"no quoted licence words for {path.name}"
    licence = " ".join(quoted).lower()
    assert "public domain" in licence or "cc0" in licence, (
        f"{path.name}: expected a public-domain or CC0 statement, got {quoted}")


@pytest.mark.parametrize("path", sample_photos(), ids=lambda p: p.name)
def test_licence_words_are_quoted_from_the_docstring(path):
    """The licence column quotes the skimage function's docstring word for word."""
    data = pytest.importorskip("skimage.data")
    row = _rows()[path.name]
    doc = getattr(data, row["function"]).__doc__
    doc = re.sub(r"`([^`<]+?)\s*<[^>]*>`_+", r"\1", doc)  # `words <link>`_ -> words
    doc = " ".join(doc.split())
    for words in re.findall(r'"([^"]+)"', row["licence"]):
        assert words in doc, f"{path.name}: {words!r} is not in {row['function']}'s docstring"


@pytest.mark.parametrize("path", sample_photos(), ids=lambda p: p.name)
def test_photo_matches_its_scikit_image_original(path):
    """The row's skimage function gives the original: its stated size, and resized, this photo."""
    data = pytest.importorskip("skimage.data")
    row = _rows()[path.name]
    original = Image.fromarray(np.asarray(getattr(data, row["function"])()))
    assert original.size == (int(row["width"]), int(row["height"]))
    with Image.open(path) as bundled:
        expected = original.resize(bundled.size, Image.LANCZOS)
        diff = np.abs(np.asarray(bundled, float) - np.asarray(expected, float))
    assert diff.mean() < 5.0  # JPEG quality 90 round trip only (noisy star field: 3.4)


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
