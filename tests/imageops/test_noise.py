"""imageops.noise: seeded noises that keep the dtype, and PSNR against scikit-image."""

import numpy as np
import pytest
import skimage.metrics
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from imageops import add_gaussian_noise, add_salt_and_pepper, load_image, psnr, save_image


def test_gaussian_noise_is_seeded_clipped_and_has_the_asked_spread():
    image = np.full((300, 300), 128, dtype=np.uint8)
    noisy = add_gaussian_noise(image, 20, seed=1)
    assert noisy.dtype == np.uint8
    np.testing.assert_array_equal(noisy, add_gaussian_noise(image, 20, seed=1))
    assert abs(noisy.astype(float).std() - 20) < 0.5
    assert add_gaussian_noise(np.full((9, 9), 250, np.uint8), 50, seed=0).max() == 255
    floats = add_gaussian_noise(np.zeros((100, 100), np.float32), 5, seed=0)
    assert floats.dtype == np.float32 and floats.min() < 0      # floats are not clipped
    with pytest.raises(ValueError, match="sigma"):
        add_gaussian_noise(image, -1)


@given(amount=st.floats(0, 1), height=st.integers(1, 20), width=st.integers(1, 20))
@settings(max_examples=30, deadline=None)
def test_salt_and_pepper_hits_exactly_the_amount(amount, height, width):
    image = np.full((height, width, 3), 128, dtype=np.uint8)
    noisy = add_salt_and_pepper(image, amount, seed=0)
    hit = (noisy != 128).any(axis=2)
    assert hit.sum() == round(amount * height * width)
    assert set(np.unique(noisy[hit])) <= {0, 255}
    assert (noisy[hit] == noisy[hit][:, :1]).all()      # whole pixels


def test_salt_and_pepper_rejects_bad_amounts():
    with pytest.raises(ValueError, match="between 0 and 1"):
        add_salt_and_pepper(np.zeros((3, 3)), 1.5)


def test_psnr_equals_scikit_image():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (30, 30, 3), dtype=np.uint8)
    b = add_gaussian_noise(a, 10, seed=1)
    assert psnr(a, b) == pytest.approx(skimage.metrics.peak_signal_noise_ratio(a, b))
    assert psnr(a, a) == float("inf")


def test_noise_and_psnr_take_a_path_or_a_pil_image(tmp_path):
    photo = np.random.default_rng(2).integers(0, 256, (12, 16, 3), dtype=np.uint8)
    path = save_image(tmp_path / "noise.png", photo)
    np.testing.assert_array_equal(add_gaussian_noise(path, 5, seed=3),
                                  add_gaussian_noise(photo, 5, seed=3))
    np.testing.assert_array_equal(add_salt_and_pepper(str(path), 0.2, seed=3),
                                  add_salt_and_pepper(photo, 0.2, seed=3))
    assert psnr(path, Image.open(path)) == float("inf")
    assert psnr(load_image(path), np.zeros_like(photo)) == pytest.approx(
        skimage.metrics.peak_signal_noise_ratio(photo, np.zeros_like(photo)))


@pytest.mark.parametrize("call, error, match", [
    (lambda: add_gaussian_noise(np.zeros((3, 3), bool), 1), TypeError, "got dtype bool"),
    (lambda: add_salt_and_pepper(np.zeros((2, 3, 3, 3)), 0.1), ValueError, "batch"),
    (lambda: psnr(np.zeros((3, 3)), np.zeros((3, 4))), ValueError, "same shape"),
    (lambda: psnr(np.zeros((3, 3)), [[np.nan]]), ValueError, "psnr: image holds NaN"),
    (lambda: psnr(np.zeros((3, 3), complex), np.zeros((3, 3))), TypeError,
     "psnr: reference must be an image"),
])
def test_noise_errors_follow_the_table_of_error_kinds(call, error, match):
    with pytest.raises(error, match=match):
        call()
