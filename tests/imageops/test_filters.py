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
from imageops._median_network import (
    MEDIAN9,
    NETWORKS,
    batcher_pairs,
    run_network,
    selection_network,
)
from linalg_basics import mean, median

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

@pytest.mark.parametrize("pairs, n", [(MEDIAN9, 9), (batcher_pairs(32), 25)])
def test_selection_network_gives_the_median_of_every_0_1_input(pairs, n):
    # 0-1 principle: a comparator network that selects the median of every 0/1 input
    # selects it for all inputs. All 2**9 inputs for 9; 20 000 random ones for 25.
    network = selection_network(pairs, n)
    if n == 9:
        inputs = np.array(list(itertools.product([0, 1], repeat=9)), dtype=np.uint8).T
    else:
        inputs = np.random.default_rng(0).integers(0, 2, (n, 20000), dtype=np.uint8)
    np.testing.assert_array_equal(run_network(list(inputs), network),
                                  np.median(inputs, axis=0))


def test_the_classic_3x3_network_has_19_exchanges():
    assert sum(step[0] == "exchange" for step in NETWORKS[3]) == 19


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
@pytest.mark.parametrize("size", [1, 3, 5, 7])
def test_fast_and_teaching_paths_agree(mode, size):
    image = np.random.default_rng(size).integers(0, 256, (6, 7, 3), dtype=np.uint8)
    for function, kwargs, exact in [(mean_filter, {}, False), (median_filter, {}, True),
                                    (local_std, {}, False), (local_std, {"ddof": 1}, False)]:
        if kwargs.get("ddof") == 1 and size == 1:
            continue
        fast = function(image, size, mode, cval=9, **kwargs)
        slow = function(image, size, mode, cval=9, teaching=True, **kwargs)
        assert slow.dtype == fast.dtype and slow.shape == image.shape
        if exact:
            np.testing.assert_array_equal(slow, fast)
        else:
            np.testing.assert_allclose(slow, fast, rtol=1e-9, atol=1e-9)


@given(image=small_images(np.float64, max_side=5), size=st.sampled_from([1, 3]),
       mode=st.sampled_from(MODES))
@settings(max_examples=25, deadline=None)
def test_teaching_paths_agree_on_floats(image, size, mode):
    np.testing.assert_allclose(mean_filter(image, size, mode, teaching=True),
                               mean_filter(image, size, mode), rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(median_filter(image, size, mode, teaching=True),
                                  median_filter(image, size, mode))
    spread = max(1.0, float(np.ptp(image)))
    np.testing.assert_allclose(local_std(image, size, mode, teaching=True),
                               local_std(image, size, mode), rtol=1e-6, atol=1e-7 * spread)


@pytest.mark.parametrize("function, name", [(mean_filter, "mean"), (median_filter, "median"),
                                            (local_std, "std_dev")])
def test_teaching_path_goes_through_linalg_basics(monkeypatch, function, name):
    import imageops.filters

    windows = []
    real = getattr(imageops.filters, name)

    def spy(values, **kwargs):
        windows.append(values)
        return real(values, **kwargs)

    monkeypatch.setattr(imageops.filters, name, spy)
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    function(image, teaching=True)
    assert len(windows) == 12                                        # one call per pixel
    assert windows[0] == [0, 0, 1, 0, 0, 1, 4, 4, 5]                # "reflect" at the corner
    assert all(type(v) is int for values in windows for v in values)  # plain Python lists
    function(image)
    assert len(windows) == 12                                        # the NumPy path


def test_window_filter_is_the_generic_tool():
    image = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 90]], dtype=np.uint8)
    np.testing.assert_array_equal(window_filter(image, max),
                                  ndi.maximum_filter(image, 3).astype(float))
    np.testing.assert_array_equal(window_filter(image, median), median_filter(image))
    np.testing.assert_allclose(window_filter(image, mean), mean_filter(image))


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


@pytest.mark.parametrize("bad, error, match", [
    (dict(size=4), ValueError, "size must be odd"),
    (dict(size=0), ValueError, "size must be a positive integer, got 0"),
    (dict(size=2.5), TypeError, "size must be a positive integer, got 2.5"),
    (dict(mode="edge"), ValueError, "mode must be one of"),
    (dict(image=np.zeros((2, 2, 2, 2))), ValueError, "got a batch"),
    (dict(image=np.array([[np.nan]])), ValueError, "NaN or infinite"),
    (dict(image=np.zeros((0, 3))), ValueError, "empty"),
    (dict(image=np.zeros((3, 3), bool)), TypeError, "got dtype bool"),
    (dict(image=np.zeros((3, 3), complex)), TypeError, "got dtype complex128"),
    (dict(image=None), TypeError, "must be an image .*got a NoneType"),
])
@pytest.mark.parametrize("function", [mean_filter, median_filter, local_std])
def test_bad_input_gives_one_error_kind_per_mistake(function, bad, error, match):
    kwargs = dict(image=np.zeros((4, 4)), size=3, mode="reflect") | bad
    with pytest.raises(error, match=f"{function.__name__}: .*{match}"):
        function(**kwargs)


def test_every_filter_takes_a_path_or_a_pil_image(tmp_path):
    """A path and a PIL image are decoded by load_image: the same result as its array."""
    from PIL import Image

    from imageops import load_image, save_image

    photo = skimage.data.chelsea()[100:130, 200:240]
    path = save_image(tmp_path / "cat.png", photo)
    def maximum_filter(image):
        return window_filter(image, max)

    for function in (mean_filter, median_filter, local_std, maximum_filter):
        expected = function(load_image(path))
        np.testing.assert_array_equal(function(path), expected)
        np.testing.assert_array_equal(function(str(path)), expected)
        np.testing.assert_array_equal(function(Image.open(path)), expected)
    assert median_filter(str(path)).shape == (30, 40, 3)


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
