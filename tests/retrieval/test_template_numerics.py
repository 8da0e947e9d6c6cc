"""Template matching at numeric extremes: huge, tiny and offset pixels; complex input refused."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval import find_matches, match_template
from retrieval.score_maps import ScoreMap
from retrieval.template_matcher import TemplateMatcher

_RNG = np.random.default_rng(12)
IMAGE = _RNG.integers(0, 256, (24, 30)).astype(np.float64)   # no flat windows
BOX = (5, 7, 6, 9)                                            # row, col, height, width


def _template(image):
    row, col, h, w = BOX
    return image[row:row + h, col:col + w]


@pytest.fixture(autouse=True)
def _no_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)    # overflow, invalid: never
        yield


@pytest.mark.parametrize("factor", [1e155, 1e-170, 1e300, 1e-300, 2.0**-1060])
def test_zncc_of_scaled_pixels_finds_the_perfect_match(factor):
    image = IMAGE * factor
    scores = match_template(image, _template(image))
    assert not np.isnan(scores).any()
    assert scores[BOX[:2]] == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(scores, match_template(IMAGE, _template(IMAGE)), atol=1e-9)


@pytest.mark.parametrize("dtype, offset", [(np.int64, 2**60), (np.int64, -2**62),
                                           (np.uint64, 2**63 + 12345)])
def test_zncc_of_large_integers_is_exact(dtype, offset):
    image = (IMAGE.astype(np.int64).astype(dtype) + dtype(offset))
    scores = match_template(image, _template(image))
    assert scores[BOX[:2]] == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(scores, match_template(IMAGE, _template(IMAGE)), atol=1e-9)
    ssd = match_template(image, _template(image) + dtype(3), method="ssd")
    np.testing.assert_allclose(ssd, match_template(IMAGE, _template(IMAGE) + 3, method="ssd"),
                               rtol=1e-12, atol=1e-6)


@pytest.mark.parametrize("method", ["ncc", "ssd", "sad"])
@pytest.mark.parametrize("factor", [1e150, 1e-150])
def test_other_methods_never_give_nan_and_scale_back(method, factor):
    scores = match_template(IMAGE * factor, _template(IMAGE) * factor, method=method)
    assert not np.isnan(scores).any()
    power = {"ncc": 0, "ssd": 2, "sad": 1}[method]
    expected = match_template(IMAGE, _template(IMAGE), method=method)
    np.testing.assert_allclose(scores / factor**power, expected, rtol=1e-9, atol=1e-9)
    assert find_matches(scores, BOX[2:])[0][:2] == BOX[:2]


def test_ssd_beyond_float64_is_inf_not_nan():
    scores = match_template(IMAGE * 1e160, _template(IMAGE) * 1e160, method="ssd")
    assert np.isinf(scores).any() and not np.isnan(scores).any()


@settings(max_examples=40, deadline=None)
@given(exponent=st.floats(-150, 150), offset_exponent=st.floats(-150, 150),
       seed=st.integers(0, 2**16))
def test_zncc_is_invariant_to_scale(exponent, offset_exponent, seed):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (12, 15)).astype(np.float64)
    template = image[3:8, 4:10]
    expected = match_template(image, template)
    a = 10.0**exponent
    scaled = match_template(image * a, template * a)
    np.testing.assert_allclose(scaled, expected, atol=1e-9)
    assert scaled[3, 4] == pytest.approx(1.0, abs=1e-9)
    b = 10.0**offset_exponent   # a different positive scale for the template alone
    np.testing.assert_allclose(match_template(image * a, template * b), expected, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(offset=st.integers(-2**62, 2**62), template_offset=st.integers(-2**62, 2**62),
       seed=st.integers(0, 2**16))
def test_zncc_is_invariant_to_offset(offset, template_offset, seed):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (12, 15))
    template = image[3:8, 4:10]
    expected = match_template(image, template)
    shifted = match_template(image + offset, template + template_offset)   # int64, exact
    np.testing.assert_allclose(shifted, expected, atol=1e-9)
    floats = float(offset % 2**40)   # float64 holds 0..255 + 2**40 exactly
    np.testing.assert_allclose(match_template(image + floats, template - floats), expected,
                               atol=1e-9)


def test_complex_input_is_refused_not_cut_to_its_real_part():
    complex_image = IMAGE + 1j
    for call in (lambda: match_template(complex_image, _template(IMAGE)),
                 lambda: match_template(IMAGE, _template(complex_image)),
                 lambda: TemplateMatcher(IMAGE).match(_template(complex_image)),
                 lambda: match_template(IMAGE, _template(complex_image), teaching=True)):
        with pytest.raises(TypeError, match="real numbers"):
            call()
    with pytest.raises(TypeError, match="find_matches: scores must be real numbers"):
        find_matches(np.array([[0.5 + 2j, 0.9]]), (1, 1))
    with pytest.raises(TypeError, match="ScoreMap: scores must be real numbers"):
        ScoreMap([[1j]], "zncc")
