"""SVD background of videos made of real photos: plain and robust fits, ghosts, one picture."""

import numpy as np
import pytest
import skimage.data
import skimage.filters
import skimage.transform
from scipy import ndimage as ndi

from imageops import BackgroundSplit, foreground_mask, svd_background, synthetic_video


def coin(scale=1.0):
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
    piece, inside = photo[box].astype(float), labels[box] == best
    if scale != 1.0:
        piece = skimage.transform.rescale(piece, scale, preserve_range=True)
        inside = skimage.transform.rescale(inside * 1.0, scale) > 0.5
    return piece, inside


def f_measure(mask, truth):
    hits = np.logical_and(mask, truth).sum()
    precision, recall = hits / mask.sum(), hits / truth.sum()
    return 2 * precision * recall / (precision + recall)


def photo(name, shape, gray):
    image = skimage.transform.resize(getattr(skimage.data, name)(), shape,
                                     anti_aliasing=True) * 255
    return image @ [0.299, 0.587, 0.114] if gray and image.ndim == 3 else image


@pytest.mark.parametrize("name, gray, expected", [("coffee", False, 0.99),
                                                  ("rocket", True, 0.97)])
def test_default_pipeline_finds_a_moving_cutout(name, gray, expected):
    cutout, mask = coin(0.5)
    frames, truth = synthetic_video(photo(name, (96, 128), gray), cutout, mask, n_frames=40,
                                    seed=1)
    background, foreground = svd_background(frames, progress=False)
    assert background.shape == foreground.shape == frames.shape
    assert np.abs(background + foreground - frames).max() < 1e-3
    # F-measure reached: coffee (colour) 0.995, rocket (gray) 0.987
    assert f_measure(foreground_mask(foreground), truth) >= expected


def test_randomized_agrees_with_the_full_svd():
    cutout, mask = coin(0.5)
    frames, _ = synthetic_video(photo("rocket", (96, 128), True), cutout, mask, n_frames=40,
                                seed=1)
    fast, _ = svd_background(frames, method="randomized", progress=False)
    full, _ = svd_background(frames, method="full", progress=False)
    assert np.linalg.norm(fast - full) <= 1e-4 * np.linalg.norm(full)       # 2e-5


def slow_coin_video(noise=2.0):
    """A coin that stays still for a third of the video, then crosses it, over a photo."""
    scene = photo("camera", (60, 160), gray=True)
    cutout, mask = coin(0.3)
    cols = np.concatenate([np.full(15, 5), np.linspace(30, 160 - mask.shape[1] - 2, 30)])
    positions = np.stack([np.full(45, 15), np.rint(cols)], axis=1).astype(int)
    frames, truth = synthetic_video(scene, cutout, mask, n_frames=45, noise=noise, drift=0.0,
                                    positions=positions, seed=2)
    return frames, truth, scene


def test_robust_background_removes_the_ghost():
    frames, truth, scene = slow_coin_video()
    path = truth.any(axis=0)
    plain = svd_background(frames, method="randomized", progress=False)
    robust = svd_background(frames, progress=False)
    ghost = np.abs(plain.image.astype(float) - scene)[path]
    left = np.abs(robust.image.astype(float) - scene)[path]
    assert ghost.max() > 40 and left.max() < 3                   # measured: 54 and 2.1
    assert np.abs(robust.image.astype(float) - scene).mean() < 0.5
    # with the ghost gone, the default mask keeps the coin and little else
    assert f_measure(foreground_mask(plain.foreground), truth) < 0.8        # 0.48
    assert f_measure(foreground_mask(robust.foreground), truth) > 0.95       # 0.97


def test_robust_agrees_with_plain_when_nothing_moves():
    rng = np.random.default_rng(4)
    scene = photo("camera", (40, 50), gray=True)
    light = 1 + 0.03 * np.linspace(-1, 1, 30)
    frames = np.clip(np.rint(light[:, None, None] * scene + rng.normal(0, 2, (30, 40, 50))),
                     0, 255).astype(np.uint8)
    plain, _ = svd_background(frames, method="full", progress=False)
    robust, _ = svd_background(frames, progress=False)
    # only noise beyond 3 deviations is left out: a small part of the noise (σ = 2) moves
    assert np.linalg.norm(robust - plain) <= 1e-3 * np.linalg.norm(plain)   # 4.8e-4
    assert np.abs(robust - plain).mean() < 0.05                  # gray levels; 0.027
    assert np.abs(robust - plain).max() < 1.0                    # 0.48
    still = np.repeat(scene[None], 5, axis=0)                    # no noise at all: identical
    np.testing.assert_allclose(svd_background(still, progress=False)[0], still, atol=1e-3)


def test_robust_rank_two_follows_a_light_change():
    rng = np.random.default_rng(0)
    scene, light = rng.uniform(50, 200, (2, 12, 16))
    frames = np.array([scene + np.sin(t / 3) * light for t in range(20)])
    for method in ("full", "robust"):
        _, foreground = svd_background(frames, rank=2, method=method, progress=False)
        assert np.abs(foreground).max() < 1e-3


def test_background_split_unpacks_and_gives_one_picture():
    frames, _, _ = slow_coin_video()
    split = svd_background(frames, progress=False)
    assert isinstance(split, BackgroundSplit) and isinstance(split, tuple) and len(split) == 2
    background, foreground = split
    assert background is split.background and foreground is split.foreground
    expected = np.clip(np.rint(background.mean(axis=0)), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(split.image, expected)
    floats = svd_background(frames / 255.0, progress=False).image
    assert floats.dtype == np.float64 and floats.shape == frames.shape[1:]
    assert 0 <= floats.min() and floats.max() <= frames.max() / 255.0
    colour = svd_background(np.stack([frames] * 3, axis=-1)[:6], progress=False).image
    assert colour.shape == frames.shape[1:] + (3,) and colour.dtype == np.uint8


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(frames=np.zeros((4, 5))), ValueError, "frames of shape"),
    (dict(frames=np.zeros((4, 5, 6, 2))), ValueError, "frames of shape"),
    (dict(frames=np.array([[["a"]]])), TypeError, "numeric"),
    (dict(frames=np.full((2, 3, 3), np.nan)), ValueError, "NaN"),
    (dict(frames=np.zeros((4, 5, 6)), method="pca"), ValueError, "method"),
    (dict(frames=np.zeros((4, 5, 6)), rank=5), ValueError, "rank"),
    (dict(frames=np.zeros((4, 5, 6)), rank=1.5), TypeError, "rank"),
    (dict(frames=np.zeros((4, 5, 6)), rounds=0), ValueError, "rounds"),
])
def test_svd_background_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        svd_background(**kwargs)


def test_synthetic_video_positions_and_partly_outside():
    scene = np.full((10, 12), 50.0)
    piece, inside = np.full((4, 4), 200.0), np.ones((4, 4), bool)
    positions = np.array([[0, 0], [8, 10], [-2, -2], [20, 20]])
    frames, truth = synthetic_video(scene, piece, inside, n_frames=4, noise=0, drift=0,
                                    positions=positions)
    assert truth.sum(axis=(1, 2)).tolist() == [16, 4, 4, 0]
    np.testing.assert_array_equal(frames[truth], 200)
    np.testing.assert_array_equal(frames[~truth], 50)
    with pytest.raises(ValueError, match="positions"):
        synthetic_video(scene, piece, inside, n_frames=3, positions=positions)
