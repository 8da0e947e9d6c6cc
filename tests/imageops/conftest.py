"""Shared fixtures for the imageops tests: real photos from scikit-image's bundled samples.

Every fixture returns a fresh copy, so a test may change its array freely.
"""

import numpy as np
import pytest

skimage_data = pytest.importorskip("skimage.data")


@pytest.fixture(scope="session")
def _photos():
    return {
        "astronaut": skimage_data.astronaut(),   # 512 x 512 x 3
        "chelsea": skimage_data.chelsea(),       # 300 x 451 x 3
        "coffee": skimage_data.coffee(),         # 400 x 600 x 3
        "camera": skimage_data.camera(),         # 512 x 512, gray
    }


@pytest.fixture
def astronaut(_photos):
    """The astronaut photo, uint8 (512, 512, 3)."""
    return _photos["astronaut"].copy()


@pytest.fixture
def chelsea(_photos):
    """The cat photo, uint8 (300, 451, 3): odd width, not square."""
    return _photos["chelsea"].copy()


@pytest.fixture
def coffee(_photos):
    """The coffee cup photo, uint8 (400, 600, 3)."""
    return _photos["coffee"].copy()


@pytest.fixture
def camera(_photos):
    """The cameraman photo, gray uint8 (512, 512)."""
    return _photos["camera"].copy()


@pytest.fixture
def small_photo(_photos):
    """A small colour crop with odd height and even width, uint8 (61, 80, 3)."""
    return np.ascontiguousarray(_photos["chelsea"][60:121, 150:230])


@pytest.fixture
def small_gray(_photos):
    """A small gray crop with even height and odd width, uint8 (48, 57)."""
    return np.ascontiguousarray(_photos["camera"][80:128, 200:257])
