"""Q = UΣ, randomized SVD against numpy.linalg.svd, SVD background on a video made of photos."""

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
import skimage.data
import skimage.filters
import skimage.transform
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage as ndi

from imageops import foreground_mask, randomized_svd, split_columns, svd_background, synthetic_video
from imageops.decomposition import _otsu
from linalg_basics import vector_length

# --------------------------------------------------------------------------- split_columns


def test_split_columns_lecture_example():
    U, sigma = split_columns([[3, 2], [4, 0]])
    np.testing.assert_allclose(U, [[0.6, 1.0], [0.8, 0.0]])
    np.testing.assert_allclose(sigma, [5.0, 2.0])


@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)),
              elements=st.floats(-1e3, 1e3).filter(lambda x: abs(x) > 1e-3)))
@settings(max_examples=50, deadline=None)
def test_split_columns_rebuilds_q_and_matches_vector_length(Q):
    U, sigma = split_columns(Q)
    np.testing.assert_allclose(U * sigma, Q, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(U, axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(sigma, [vector_length(c) for c in Q.T.tolist()], rtol=1e-12)
    U2, sigma2 = split_columns(Q, teaching=True)
    np.testing.assert_allclose(U2, U, rtol=1e-12)
    np.testing.assert_allclose(sigma2, sigma, rtol=1e-12)


@pytest.mark.parametrize("bad, match", [
    ([[1, 0], [2, 0]], "column 1 has length 0"), ([1, 2, 3], "2-D"), ([[1, np.nan]], "finite"),
])
def test_split_columns_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        split_columns(bad)


# --------------------------------------------------------------------------- randomized SVD

def matrix_with_spectrum(m, n, s, seed):
    rng = np.random.default_rng(seed)
    U = scipy.linalg.qr(rng.standard_normal((m, len(s))), mode="economic")[0]
    V = scipy.linalg.qr(rng.standard_normal((n, len(s))), mode="economic")[0]
    return (U * s) @ V.T, U, V


def principal_angles(A, B):
    """Largest principal angle between the column spaces of A and B (radians)."""
    return float(scipy.linalg.subspace_angles(A, B).max())


@pytest.mark.parametrize("shape", [(300, 80), (80, 300)])
@pytest.mark.parametrize("decay", ["fast", "slow"])
def test_randomized_svd_against_numpy(shape, decay):
    k = min(shape)
    s = 0.5 ** np.arange(k) if decay == "fast" else 1.0 / (1.0 + np.arange(k))
    A, U_true, V_true = matrix_with_spectrum(*shape, s, seed=1)
    rank = 5
    U, sv, Vt = randomized_svd(A, rank, seed=0)
    reference = np.linalg.svd(A, compute_uv=False)
    np.testing.assert_allclose(sv, reference[:rank], rtol=1e-3 if decay == "slow" else 1e-10)
    np.testing.assert_allclose(U.T @ U, np.eye(rank), atol=1e-10)
    np.testing.assert_allclose(Vt @ Vt.T, np.eye(rank), atol=1e-10)
    # error bound: the spectral error is at most a small multiple of the first value dropped
    error = np.linalg.norm(A - (U * sv) @ Vt, 2)
    assert reference[rank] <= error * (1 + 1e-9) and error <= 1.5 * reference[rank]
    # the subspaces agree with the true singular subspaces
    limit = 1e-6 if decay == "fast" else 0.3
    assert principal_angles(U, U_true[:, :rank]) < limit
    assert principal_angles(Vt.T, V_true[:, :rank]) < limit


def test_randomized_svd_exact_for_low_rank_and_seeded():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((50, 3)) @ rng.standard_normal((3, 70))
    U, s, Vt = randomized_svd(A, 3, n_iter=0, seed=5)
    np.testing.assert_allclose((U * s) @ Vt, A, atol=1e-10)
    again = randomized_svd(A, 3, n_iter=0, seed=5)
    np.testing.assert_array_equal(again[1], s)


def test_randomized_svd_keeps_float32():
    A = np.random.default_rng(0).standard_normal((40, 30)).astype(np.float32)
    assert all(x.dtype == np.float32 for x in randomized_svd(A, 2, seed=0))


@pytest.mark.parametrize("kwargs, match", [
    (dict(rank=0), "rank"), (dict(rank=31), "rank"), (dict(rank=2.5), "rank"),
    (dict(rank=2, n_iter=-1), "n_iter"), (dict(rank=2, n_oversamples=-3), "n_oversamples"),
])
def test_randomized_svd_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        randomized_svd(np.ones((40, 30)), **kwargs)


# --------------------------------------------------------------------------- background

def coin():
    """The largest coin of scikit-image's coins photo, cut out with its mask (Otsu)."""
    photo = skimage.data.coins()
    mask = ndi.binary_opening(ndi.binary_fill_holes(photo > skimage.filters.threshold_otsu(
        photo)), iterations=2)
    labels, _ = ndi.label(mask)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    sizes[[i for i, box in enumerate(ndi.find_objects(labels), 1)
           if box[0].start == 0 or box[1].start == 0]] = 0      # not touching the border
    best = int(np.argmax(sizes))
    box = ndi.find_objects(labels)[best - 1]
    return photo[box], labels[box] == best


def f_measure(mask, truth):
    hits = np.logical_and(mask, truth).sum()
    precision, recall = hits / mask.sum(), hits / truth.sum()
    return 2 * precision * recall / (precision + recall)


@pytest.mark.parametrize("name, gray, expected", [("coffee", False, 0.99),
                                                  ("rocket", True, 0.95)])
def test_svd_background_finds_a_moving_cutout(name, gray, expected):
    photo = skimage.transform.resize(getattr(skimage.data, name)(), (240, 320),
                                     anti_aliasing=True) * 255
    if gray:
        photo = photo @ [0.299, 0.587, 0.114]
    cutout, mask = coin()
    frames, truth = synthetic_video(photo, cutout, mask, n_frames=60, seed=1)
    background, foreground = svd_background(frames, rank=1, progress=False)
    assert background.shape == foreground.shape == frames.shape
    assert np.abs(background + foreground - frames).max() < 1e-3
    # F-measure reached: coffee (colour) 1.000, rocket (gray) 0.985
    assert f_measure(foreground_mask(foreground), truth) >= expected
    if gray:                                               # the full SVD is slow in colour
        full, _ = svd_background(frames, rank=1, method="full", progress=False)
        assert np.linalg.norm(background - full) <= 0.01 * np.linalg.norm(full)   # 2.6e-7


def test_svd_background_rank_two_removes_a_light_change():
    rng = np.random.default_rng(0)
    scene, light = rng.uniform(50, 200, (2, 12, 16))
    frames = np.array([scene + np.sin(t / 3) * light for t in range(20)])
    background, foreground = svd_background(frames, rank=2, method="full", progress=False)
    assert np.abs(foreground).max() < 1e-3


@pytest.mark.parametrize("kwargs, match", [
    (dict(frames=np.zeros((4, 5))), "frames of shape"),
    (dict(frames=np.zeros((4, 5, 6, 2))), "frames of shape"),
    (dict(frames=np.zeros((4, 5, 6)), method="pca"), "method"),
    (dict(frames=np.zeros((4, 5, 6)), rank=5), "rank"),
])
def test_svd_background_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        svd_background(**kwargs)


def test_foreground_mask_colour_uses_the_length_of_the_difference():
    foreground = np.zeros((1, 1, 2, 3))
    foreground[0, 0, 0] = [3, 4, 0]                         # length 5
    np.testing.assert_array_equal(foreground_mask(foreground, threshold=4.9), [[[True, False]]])
    np.testing.assert_array_equal(foreground_mask(foreground, threshold=5.1), [[[False, False]]])


def test_foreground_mask_mad_rule_on_pure_noise_marks_almost_nothing():
    noise = np.random.default_rng(0).normal(0, 3, (10, 50, 50))
    assert foreground_mask(noise).mean() < 0.001


def test_foreground_mask_default_threshold_is_the_documented_mad_rule():
    rng = np.random.default_rng(3)
    foreground = rng.normal(0, 2, (4, 30, 40))
    foreground[:, 10:20, 10:20] += 12                       # a faint moving square
    magnitude = np.abs(foreground)
    mad = scipy.stats.median_abs_deviation(magnitude, axis=None)
    threshold = np.median(magnitude) + 5 * 1.4826 * mad
    expected = magnitude > threshold
    np.testing.assert_array_equal(foreground_mask(foreground), expected)
    np.testing.assert_array_equal(foreground_mask(foreground, threshold="mad"), expected)
    inside = np.zeros(expected.shape, bool)
    inside[:, 10:20, 10:20] = True
    assert expected[inside].mean() > 0.9 and expected[~inside].sum() <= 2
    assert not np.array_equal(foreground_mask(foreground, threshold="otsu"), expected)


def test_otsu_matches_scikit_image():
    values = np.concatenate([np.random.default_rng(0).normal(10, 3, 5000),
                             np.random.default_rng(1).normal(60, 10, 1000)])
    ours = _otsu(values)
    theirs = skimage.filters.threshold_otsu(values)
    half_bin = np.ptp(values) / 256 / 2          # scikit-image gives the bin centre, we its top
    assert ours == pytest.approx(theirs + half_bin, rel=1e-9)


@pytest.mark.parametrize("threshold", ["median", np.nan, [1, 2]])
def test_foreground_mask_errors(threshold):
    with pytest.raises(ValueError, match="threshold"):
        foreground_mask(np.zeros((3, 3)), threshold=threshold)
