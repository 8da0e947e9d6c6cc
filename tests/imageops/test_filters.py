"""Window filters: fast == teaching twin (linalg_basics) == scipy.ndimage; noise; real photos."""

import itertools

import numpy as np
import pytest
import scipy.ndimage as ndi
import skimage.data
import skimage.metrics
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from imageops import (
    add_gaussian_noise,
    add_salt_and_pepper,
    local_std,
    mean_filter,
    median_filter,
    psnr,
    window_filter,
)
from imageops.filters import (
    _MEDIAN9,
    _NETWORKS,
    _batcher_pairs,
    _run_network,
    _selection_network,
)
from linalg_basics import mean, median, std_dev

MODES = ["reflect", "mirror", "nearest", "wrap", "constant"]


def footprint(image, size):
    return (size, size) if image.ndim == 2 else (size, size, 1)


def small_images(dtype=np.uint8, max_side=7):
    shapes = st.tuples(st.integers(1, max_side), st.integers(1, max_side),
                       st.sampled_from([(), (3,)])).map(lambda t: t[:2] + t[2])
    if np.dtype(dtype).kind == "f":
        elements = st.floats(-1000, 1000, allow_nan=False, width=64)
    else:
        info = np.iinfo(dtype)
        elements = st.integers(int(info.min), int(info.max))
    return arrays(dtype, shapes, elements=elements)


# --------------------------------------------------------------------------- networks

@pytest.mark.parametrize("pairs, n", [(_MEDIAN9, 9), (_batcher_pairs(32), 25)])
def test_selection_network_gives_the_median_of_every_0_1_input(pairs, n):
    # 0-1 principle: a comparator network that selects the median of every 0/1 input
    # selects it for all inputs. All 2**9 inputs for 9; 20 000 random ones for 25.
    network = _selection_network(pairs, n)
    if n == 9:
        inputs = np.array(list(itertools.product([0, 1], repeat=9)), dtype=np.uint8).T
    else:
        inputs = np.random.default_rng(0).integers(0, 2, (n, 20000), dtype=np.uint8)
    np.testing.assert_array_equal(_run_network(list(inputs), network),
                                  np.median(inputs, axis=0))


def test_the_classic_3x3_network_has_19_exchanges():
    assert sum(step[0] == "exchange" for step in _NETWORKS[3]) == 19


# --------------------------------------------------------------------------- vs scipy, vs twin

@pytest.mark.parametrize("size", [3, 5, 7])
@pytest.mark.parametrize("mode", MODES)
@given(image=small_images())
@settings(max_examples=15, deadline=None)
def test_median_filter_equals_scipy(image, size, mode):
    expected = ndi.median_filter(image, footprint(image, size), mode=mode, cval=7)
    got = median_filter(image, size, mode=mode, cval=7)
    assert got.dtype == image.dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", [np.int16, np.uint16, np.float32, np.float64])
@given(data=st.data())
@settings(max_examples=20, deadline=None)
def test_median_filter_other_dtypes_equal_scipy(dtype, data):
    image = data.draw(small_images(dtype))
    size = data.draw(st.sampled_from([3, 5]))
    np.testing.assert_array_equal(median_filter(image, size),
                                  ndi.median_filter(image, footprint(image, size)))


@pytest.mark.parametrize("mode", MODES)
@given(image=small_images(np.float64), size=st.sampled_from([1, 3, 5]))
@settings(max_examples=20, deadline=None)
def test_mean_filter_and_local_std_equal_scipy(image, size, mode):
    fp = footprint(image, size)
    np.testing.assert_allclose(mean_filter(image, size, mode=mode, cval=3.0),
                               ndi.uniform_filter(image, fp, mode=mode, cval=3.0),
                               rtol=1e-9, atol=1e-9)
    expected = ndi.generic_filter(image, np.std, footprint=np.ones(fp), mode=mode, cval=3.0)
    # mean(x²) - mean(x)² loses about sqrt(eps) of the value range in near-flat windows
    spread = max(1.0, float(np.ptp(image)), abs(3.0 - float(image.mean())))
    np.testing.assert_allclose(local_std(image, size, mode=mode, cval=3.0), expected,
                               rtol=1e-6, atol=1e-7 * spread)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [3, 5])
def test_fast_filters_equal_the_teaching_twin(mode, size):
    image = np.random.default_rng(size).integers(0, 256, (6, 7, 3), dtype=np.uint8)
    np.testing.assert_allclose(mean_filter(image, size, mode),
                               window_filter(image, mean, size, mode), rtol=1e-12)
    np.testing.assert_array_equal(median_filter(image, size, mode),
                                  window_filter(image, median, size, mode))
    np.testing.assert_allclose(local_std(image, size, mode),
                               window_filter(image, std_dev, size, mode), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(local_std(image, size, mode, ddof=1),
                               window_filter(image, lambda v: std_dev(v, ddof=1), size, mode),
                               rtol=1e-9, atol=1e-9)


def test_uint8_sums_do_not_overflow():
    image = np.full((5, 5), 255, dtype=np.uint8)
    assert mean_filter(image).dtype == np.float64
    np.testing.assert_array_equal(mean_filter(image, 5), 255.0)


def test_local_std_flat_is_exactly_zero_and_never_nan():
    assert (local_std(np.full((8, 9), 0.1)) == 0).all()
    # a flat patch at large values inside noisy data: the one-pass formula cancels there
    image = np.random.default_rng(0).normal(1e6, 1000.0, (20, 20))
    image[5:12, 5:12] = 1e6 + 0.1
    out = local_std(image, 3)
    assert not np.isnan(out).any()
    assert (out[6:11, 6:11] == 0).all()
    tiny = np.array([[1.0, 1.0 + 1e-12], [1.0, 1.0]])
    assert np.isfinite(local_std(tiny)).all() and (local_std(tiny) >= 0).all()


def test_local_std_is_large_on_texture():
    brick = skimage.data.brick()[:64, :64].astype(float)
    image = np.hstack([np.full((64, 64), brick.mean()), brick])
    texture = local_std(image, 5)
    assert texture[:, 5:58].max() == 0 and texture[:, 70:].mean() > 5


@pytest.mark.parametrize("bad, match", [
    (dict(size=4), "odd window size"), (dict(size=0), "odd window size"),
    (dict(mode="edge"), "mode must be one of"), (dict(image=np.zeros((2, 2, 2, 2))), "gray"),
    (dict(image=np.array([[np.nan]])), "finite"), (dict(image=np.zeros((0, 3))), "gray"),
])
def test_bad_input_gives_clear_errors(bad, match):
    kwargs = dict(image=np.zeros((4, 4)), size=3, mode="reflect") | bad
    for function in (mean_filter, median_filter, local_std):
        with pytest.raises(ValueError, match=match):
            function(**kwargs)


# --------------------------------------------------------------------------- noise

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


# --------------------------------------------------------------------------- the lecture's claim

@pytest.fixture(scope="module")
def photo():
    return skimage.data.chelsea()                      # a real photo, 300 x 451 x 3 uint8


def test_median_beats_mean_on_salt_and_pepper(photo):
    noisy = add_salt_and_pepper(photo, 0.10, seed=0)
    by_median = psnr(photo, median_filter(noisy, 3))
    by_mean = psnr(photo, np.clip(np.rint(mean_filter(noisy, 3)), 0, 255))
    assert by_median > by_mean + 6                     # 33.1 dB against 24.1 dB


def test_mean_beats_median_on_gaussian_noise(photo):
    noisy = add_gaussian_noise(photo, 20, seed=0)
    by_median = psnr(photo, median_filter(noisy, 3))
    by_mean = psnr(photo, np.clip(np.rint(mean_filter(noisy, 3)), 0, 255))
    assert by_mean > by_median + 0.5                   # 29.5 dB against 28.2 dB


# --------------------------------------------------------------------------- real photos, fast path

@pytest.mark.parametrize("size", [3, 5])
def test_median_filter_on_real_photos_equals_opencv_and_scipy(size):
    # Photos large enough for several row blocks of the network. OpenCV's medianBlur repeats
    # the edge pixel at the border: our mode="nearest", equal everywhere.
    cv2 = pytest.importorskip("cv2")
    colour, gray = skimage.data.chelsea(), skimage.data.camera()
    np.testing.assert_array_equal(median_filter(colour, size, mode="nearest"),
                                  cv2.medianBlur(colour, size))
    np.testing.assert_array_equal(median_filter(gray, size, mode="nearest"),
                                  cv2.medianBlur(gray, size))
    crop = np.ascontiguousarray(colour[:150, :300])
    np.testing.assert_array_equal(median_filter(crop, size),
                                  ndi.median_filter(crop, (size, size, 1)))
