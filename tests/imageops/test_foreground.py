"""foreground_mask: the noise rule against its formula, the clean-up against scipy/scikit-image."""

import numpy as np
import pytest
import scipy.stats
import skimage.filters
import skimage.morphology
from scipy import ndimage as ndi

from imageops import foreground_mask, noise_level
from imageops.foreground import _otsu


def moving_square(noise=2.0, contrast=12.0, seed=3):
    rng = np.random.default_rng(seed)
    foreground = rng.normal(0, noise, (4, 30, 40))
    inside = np.zeros(foreground.shape, bool)
    for t in range(4):
        inside[t, 10:20, 5 + 5 * t:15 + 5 * t] = True
    foreground[inside] += contrast
    return foreground, inside


def test_noise_level_is_the_mad_of_the_background_pixels():
    foreground, inside = moving_square(contrast=40)
    background = foreground[~inside]
    expected = scipy.stats.median_abs_deviation(background, scale="normal")
    assert noise_level(foreground) == pytest.approx(expected, rel=0.02)
    # the MAD of every pixel is pulled up by the square; the measure on background is not
    everything = scipy.stats.median_abs_deviation(foreground, axis=None, scale="normal")
    assert abs(noise_level(foreground) - 2.0) < abs(everything - 2.0)


def test_default_threshold_is_sigmas_noise_deviations():
    foreground, _ = moving_square()
    sigma = noise_level(foreground)
    for sigmas in (3.0, 4.0):
        expected = np.abs(foreground) > sigmas * sigma
        np.testing.assert_array_equal(foreground_mask(foreground, sigmas=sigmas, clean=0),
                                      expected)
        np.testing.assert_array_equal(
            foreground_mask(foreground, threshold="noise", sigmas=sigmas, clean=0), expected)
    # a floor under the measured noise (compressed video): only the floor counts when higher
    np.testing.assert_array_equal(foreground_mask(foreground, clean=0, min_noise=2.5),
                                  np.abs(foreground) > 4 * 2.5)
    np.testing.assert_array_equal(foreground_mask(foreground, clean=0, min_noise=0.5),
                                  np.abs(foreground) > 4 * sigma)


def test_colour_noise_rule_has_the_gray_rate_of_false_alarms():
    rng = np.random.default_rng(0)
    gray = foreground_mask(rng.normal(0, 3, (10, 100, 100)), sigmas=3, clean=0).mean()
    colour = foreground_mask(rng.normal(0, 3, (10, 100, 100, 3)), sigmas=3, clean=0).mean()
    rate = scipy.stats.norm.sf(3) * 2                          # 0.0027
    assert gray == pytest.approx(rate, rel=0.15) and colour == pytest.approx(rate, rel=0.15)


def test_clean_up_is_the_median_filter_of_the_mask():
    foreground, inside = moving_square()
    raw = foreground_mask(foreground, sigmas=2.5, clean=0)     # many noise pixels pass
    for size in (3, 5):
        expected = ndi.median_filter(raw.astype(np.uint8), size=(1, size, size),
                                     mode="nearest").astype(bool)
        np.testing.assert_array_equal(foreground_mask(foreground, sigmas=2.5, clean=size),
                                      expected)
    cleaned = foreground_mask(foreground, sigmas=2.5)
    assert (raw & ~inside).sum() > 20 and (cleaned & ~inside).sum() == 0
    # a number as threshold: no clean-up unless asked for
    np.testing.assert_array_equal(foreground_mask(foreground, threshold=10.0),
                                  np.abs(foreground) > 10.0)


def test_min_size_matches_scikit_image_remove_small_objects():
    foreground, _ = moving_square()
    raw = foreground_mask(foreground, sigmas=2.5, clean=0)
    expected = np.stack([skimage.morphology.remove_small_objects(frame, max_size=6,
                                                                  connectivity=1)
                         for frame in raw])
    ours = foreground_mask(foreground, sigmas=2.5, clean=0, min_size=7)
    np.testing.assert_array_equal(ours, expected)


def test_foreground_mask_colour_uses_the_length_of_the_difference():
    foreground = np.zeros((1, 1, 2, 3))
    foreground[0, 0, 0] = [3, 4, 0]                         # length 5
    np.testing.assert_array_equal(foreground_mask(foreground, threshold=4.9), [[[True, False]]])
    np.testing.assert_array_equal(foreground_mask(foreground, threshold=5.1), [[[False, False]]])


def test_the_first_mad_rule_is_still_there():
    foreground, _ = moving_square()
    magnitude = np.abs(foreground)
    mad = scipy.stats.median_abs_deviation(magnitude, axis=None)
    expected = magnitude > np.median(magnitude) + 5 * 1.4826 * mad
    np.testing.assert_array_equal(foreground_mask(foreground, threshold="mad", clean=0),
                                  expected)


def test_otsu_matches_scikit_image():
    values = np.concatenate([np.random.default_rng(0).normal(10, 3, 5000),
                             np.random.default_rng(1).normal(60, 10, 1000)])
    ours = _otsu(values)
    theirs = skimage.filters.threshold_otsu(values)
    half_bin = np.ptp(values) / 256 / 2          # scikit-image gives the bin centre, we its top
    assert ours == pytest.approx(theirs + half_bin, rel=1e-9)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(threshold="median"), ValueError, "threshold"),
    (dict(threshold=np.nan), ValueError, "threshold"),
    (dict(threshold=[1, 2]), ValueError, "threshold"),
    (dict(clean=-1), ValueError, "clean"),
    (dict(clean=2.5), TypeError, "clean"),
    (dict(min_size=-2), ValueError, "min_size"),
])
def test_foreground_mask_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        foreground_mask(np.zeros((3, 3)), **kwargs)


def test_foreground_mask_needs_numbers_and_a_frame_shape():
    with pytest.raises(TypeError, match="numbers"):
        foreground_mask(np.array([["a"]]))
    with pytest.raises(ValueError, match="shape"):
        foreground_mask(np.zeros(5))
