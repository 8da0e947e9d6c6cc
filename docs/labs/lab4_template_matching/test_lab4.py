"""Instructor tests for lab 4: template matching on pixels and on CNN feature maps.

Score maps are compared with ``retrieval.match_template`` (``"zncc"`` for the correlation
coefficient, ``"ncc"`` for the cosine similarity of feature blocks) on inputs drawn by
Hypothesis; the last test finds a cut-out of a photo with EfficientNet-Lite0 features. When an
answer is wrong, Hypothesis shrinks the input to the smallest it can find and pytest shows it
("Falsifying example" or "Failing test case"), with the expected and the received answer.
A function that is wrong only because another function of the submission that it calls is
wrong (``find_template`` through ``correlation_map``) says which one to fix first: it is
tried again with the reference versions in ``REFERENCE``.

The submission is the file named by the environment variable ``LAB_SUBMISSION`` (default:
``lab4.py`` next to this file)::

    LAB_SUBMISSION=path/to/alice_lab4.py python -m pytest -p no:cacheprovider test_lab4.py
"""

import pathlib

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import retrieval
from imageops import load_image
from linalg_basics.testing import (
    assert_imports_only,
    assert_same_answer,
    gray_images,
    images_with_windows,
    lab_settings,
    load_submission,
)
from retrieval.data import sample_photo

lab = load_submission(pathlib.Path(__file__).with_name("lab4.py"))


def zncc(image, template):
    return retrieval.match_template(image, template, method="zncc")


def first_maximum(score_map):
    row, col = np.unravel_index(np.argmax(score_map), np.shape(score_map))
    return int(row), int(col)


def reference_find_template(image, template):
    return first_maximum(zncc(image, template))


def cosine_of_blocks(image_map, template_map):
    return retrieval.match_template(image_map, template_map, method="ncc")


def reference_locate_with_features(image, template, model, layer="blocks.10"):
    found = retrieval.match_features(image, template, model=model, layer=layer)
    return tuple(int(x) for x in found.matches[0][:2])


# the reference for each function the student writes, by name
REFERENCE = {
    "correlation_map": zncc,
    "best_position": first_maximum,
    "find_template": reference_find_template,
    "feature_score_map": cosine_of_blocks,
    "locate_with_features": reference_locate_with_features,
}


def same_answer(name, *arguments, **options):
    """The student's function ``name`` answers as the reference does on ``arguments``."""
    __tracebackhide__ = True  # pytest shows the test's line and the message, not this helper
    assert_same_answer(getattr(lab, name), REFERENCE[name], *arguments, helpers=REFERENCE,
                       name=name, **options)


def cut(image, window):
    row, col, height, width = window
    return np.array(image, dtype=np.float64)[row:row + height, col:col + width]


@lab_settings(max_examples=60)
@given(images_with_windows(max_side=6, max_window=3, max_value=20),
       st.sampled_from([1, 2]), st.sampled_from([0, 50]))
def test_correlation_map(drawn, gain, brightness):
    """The template is a piece of the image, possibly brighter or with more contrast."""
    image, window = drawn
    template = gain * cut(image, window) + brightness
    assume(np.ptp(template) > 0)  # a flat template matches nothing (every score is 0)
    same_answer("correlation_map", np.array(image, dtype=np.float64), template, abs_tol=1e-9)


@lab_settings()
@given(gray_images(max_side=4, max_value=3))
def test_best_position(scores):
    same_answer("best_position", np.array(scores, dtype=np.float64))


@lab_settings(max_examples=60)
@given(images_with_windows(max_side=6, min_window=2, max_window=3, max_value=20))
def test_find_template(drawn):
    """The reported (row, col) is a top-left corner where the correlation is highest."""
    image, window = drawn
    image = np.array(image, dtype=np.float64)
    template = cut(image, window)
    scores = zncc(image, template)

    def a_best_corner(received, expected):
        row, col = (int(x) for x in received)
        inside = 0 <= row < scores.shape[0] and 0 <= col < scores.shape[1]
        return inside and scores[row, col] >= scores.max() - 1e-9

    best = [tuple(int(i) for i in p) for p in np.argwhere(scores >= scores.max() - 1e-9)]
    same_answer("find_template", image, template, compare=a_best_corner,
                note=f"any top-left corner with the best correlation {scores.max():.4f}, "
                     f"{best}, is right")


@st.composite
def feature_maps(draw):
    """(image_map, template_map): small maps of 1-3 channels with small ints (zeros too)."""
    channels = draw(st.integers(1, 3))
    first, (_, _, h, w) = draw(images_with_windows(max_side=4, max_window=3, min_value=-2,
                                                   max_value=2))
    rows, cols = len(first), len(first[0])
    image = [first] + [draw(gray_images(rows=rows, cols=cols, min_value=-2, max_value=2))
                       for _ in range(channels - 1)]
    template = [draw(gray_images(rows=h, cols=w, min_value=-2, max_value=2))
                for _ in range(channels)]
    return np.stack(image, axis=-1).astype(float), np.stack(template, axis=-1).astype(float)


@lab_settings(max_examples=60)
@given(feature_maps())
def test_feature_score_map(maps):
    same_answer("feature_score_map", *maps, abs_tol=1e-9)


@pytest.fixture(scope="module")
def model():
    return retrieval.load_model("efficientnet_lite0")


@pytest.mark.parametrize("corner", [(48, 96), (70, 30)])
def test_locate_with_features(model, corner):
    """A 64 x 80 piece of a 160 x 240 photo is found where retrieval.match_features finds it."""
    image = load_image(sample_photo("chelsea"), size=(160, 240))
    row, col = corner
    template = image[row:row + 64, col:col + 80]
    same_answer("locate_with_features", image, template, model,
                compare=lambda received, expected: tuple(int(x) for x in received) == expected,
                note=f"the template was cut at {corner}; the box found is within half a "
                     "feature stride (8 pixels) of it")


def test_own_work():
    """Matching by hand: not with the retrieval library, OpenCV, SciPy or scikit-image."""
    assert_imports_only(lab, {"math", "numpy", "__future__"})
