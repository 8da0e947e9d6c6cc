"""Fixtures of the web explorer's tests: a small pixel index of the bundled photos."""

import pytest

from retrieval import ImageIndex, PixelFeatures
from retrieval.data import sample_photos

pytest.importorskip("starlette", reason="the web extra (starlette) is not installed")


@pytest.fixture(scope="session")
def photos():
    return sample_photos()


@pytest.fixture(scope="session")
def pixel_index(photos):
    """The bundled photos as a pixel index (ids: file names); quick to build and search."""
    index = ImageIndex(PixelFeatures(size=(24, 32)), metric="cosine")
    index.add([str(p) for p in photos], ids=[p.name for p in photos], errors="raise")
    return index


@pytest.fixture(scope="session")
def explorer(pixel_index, photos):
    from retrieval.web import Explorer

    return Explorer(pixel_index, root=photos[0].parent, bases=[photos[0].parent])
