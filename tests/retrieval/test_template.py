"""Pixel template matching: against a float64 direct computation, the teaching twin,
scikit-image and OpenCV, on real photos, with the pitfalls (flat windows, cancellation), and
the direction of the best boxes following the method."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image
from scipy.ndimage import uniform_filter

from retrieval.data import sample_photo
from retrieval.similarity import higher_is_better
from retrieval.template import (
    Match,
    ScoreMap,
    TemplateMatcher,
    find_matches,
    match_template,
)

METHODS = ["zncc", "ncc", "ssd", "sad"]


def photo(name, gray=False):
    picture = Image.open(sample_photo(name))
    return np.asarray(picture.convert("L" if gray else "RGB"))


def direct(image, template, method="zncc", positions=None):
    """float64, one window at a time, each window centred by its own (per-channel) means.

    Returns the scores and the windows' standard deviations (root of the per-channel
    variances summed) at ``positions`` (default: every valid position), in blocks of windows."""
    image = np.asarray(image, dtype=np.float64)
    template = np.asarray(template, dtype=np.float64)
    if image.ndim == 2:
        image, template = image[..., None], template[..., None]
    windows = sliding_window_view(image, template.shape)[:, :, 0]  # (H', W', h, w, C)
    if positions is None:
        positions = np.argwhere(np.ones(windows.shape[:2], dtype=bool))
    t = template[None]
    if method == "zncc":
        t = t - t.mean(axis=(1, 2), keepdims=True)
    out, std = np.empty(len(positions)), np.empty(len(positions))
    block = max(1, 2**22 // template.size)
    for start in range(0, len(positions), block):
        rows, cols = positions[start:start + block].T
        x = windows[rows, cols]  # (P, h, w, C)
        part = slice(start, start + len(x))
        std[part] = np.sqrt(x.reshape(len(x), -1, x.shape[-1]).var(axis=1).sum(axis=1))
        if method == "zncc":
            x = x - x.mean(axis=(1, 2), keepdims=True)
        if method in ("zncc", "ncc"):
            num = (x * t).sum(axis=(1, 2, 3))
            den = np.sqrt((x * x).sum(axis=(1, 2, 3)) * (t * t).sum())
            with np.errstate(invalid="ignore", divide="ignore"):
                out[part] = np.where(den > 0, num / den, 0.0)
        elif method == "ssd":
            out[part] = ((x - t) ** 2).sum(axis=(1, 2, 3))
        else:
            out[part] = np.abs(x - t).sum(axis=(1, 2, 3))
    return out, std


def full_direct(image, template, method="zncc"):
    out, _ = direct(image, template, method)
    h, w = np.shape(template)[:2]
    return out.reshape(np.shape(image)[0] - h + 1, np.shape(image)[1] - w + 1)


# ---------------------------------------------------------------- small exact cases


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("channels", [None, 3])
def test_agrees_with_direct_float64(method, channels):
    rng = np.random.default_rng(1)
    shape = (17, 23) if channels is None else (17, 23, channels)
    image = rng.integers(0, 256, shape).astype(np.float64)
    image[2:9, 3:12] = 77  # a flat patch
    template = image[5:10, 6:13].copy() + rng.normal(0, 3, image[5:10, 6:13].shape)
    got = match_template(image, template, method)
    want = full_direct(image, template, method)
    assert got.shape == (13, 17)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("channels", [None, 3])
def test_fast_equals_the_teaching_twin(method, channels):
    rng = np.random.default_rng(2)
    shape = (9, 11) if channels is None else (9, 11, channels)
    image = rng.integers(0, 50, shape)
    image[0:4, 0:5] = 9  # flat windows score 0 in both
    template = image[3:7, 2:6]
    slow = match_template(image, template, method, teaching=True)
    assert isinstance(slow, ScoreMap) and slow.method == method
    np.testing.assert_allclose(match_template(image, template, method), slow,
                               rtol=1e-9, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(2, 6), st.integers(2, 6)),
              elements=st.integers(0, 9)),
       st.integers(1, 2), st.integers(1, 2), st.sampled_from(METHODS))
def test_teaching_twin_property(image, h, w, method):
    """Small integer images (flat windows and constant templates included): both ways agree."""
    template = image[:h, :w]
    np.testing.assert_allclose(match_template(image, template, method, teaching=True),
                               match_template(image, template, method), atol=1e-9)


def test_teaching_twin_gives_zero_for_a_constant_template():
    image = np.arange(20.0).reshape(4, 5)
    assert not match_template(image, np.full((2, 2), 3.0), teaching=True).any()


def test_teaching_twin_checks_its_input_like_the_fast_way():
    with pytest.raises(ValueError, match="larger than the image"):
        match_template(np.zeros((3, 3)), np.zeros((4, 1)), teaching=True)
    with pytest.raises(TypeError, match="real numbers"):
        match_template(np.array([["a"]]), np.zeros((1, 1)), teaching=True)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(3, 12), st.integers(3, 12)),
              elements=st.sampled_from([0.0, 1.0, 2.5, 7.0, 200.0, 255.0])),
       st.integers(1, 3), st.integers(1, 3), st.data())
def test_zncc_property_against_direct(image, h, w, data):
    row = data.draw(st.integers(0, image.shape[0] - h))
    col = data.draw(st.integers(0, image.shape[1] - w))
    template = image[row:row + h, col:col + w]
    got = match_template(image, template)
    want = full_direct(image, template)
    assert np.isfinite(got).all()
    assert (np.abs(got) <= 1).all()
    np.testing.assert_allclose(got, want, atol=1e-9)
    if template.std() > 0:
        assert got[row, col] == pytest.approx(1.0)


def test_flat_windows_and_constant_templates_score_zero():
    image = np.full((20, 30), 100.0)
    image[:, 15:] = np.arange(15) * 3.0
    template = image[2:6, 16:20]
    scores = match_template(image, template)
    assert (scores[:, :12] == 0).all()  # windows inside the flat left half
    assert scores[0, 16] == pytest.approx(1.0)
    assert not match_template(image, np.full((4, 4), 5.0)).any()
    assert not match_template(np.zeros((8, 8)), np.ones((3, 3)), "ncc").any()
    assert not match_template(np.ones((8, 8)), np.zeros((3, 3)), "ncc").any()


def test_colour_constant_template_and_flat_windows():
    """Colour: a template constant in each channel (a different constant per channel) has no
    correlation; a window is flat only when every channel is flat (sums run over channels)."""
    rng = np.random.default_rng(5)
    image = rng.uniform(0, 255, (30, 40, 3))
    image[:12, :12] = [10.0, 200.0, 90.0]  # flat in every channel
    image[:12, 20:32, 0] = 50.0  # flat in red only
    constant = np.broadcast_to(np.array([3.0, 7.0, 1.0]), (5, 5, 3))
    assert not match_template(image, constant).any()
    scores = match_template(image, image[15:20, 5:10])
    assert np.isfinite(scores).all() and (np.abs(scores) <= 1).all()
    assert (scores[:8, :8] == 0).all()
    assert (scores[:8, 20:28] != 0).all()
    np.testing.assert_allclose(scores, full_direct(image, image[15:20, 5:10]), atol=1e-12)


def test_flat_window_far_from_the_mean_is_still_exactly_zero():
    rng = np.random.default_rng(3)
    image = rng.uniform(0, 1, (64, 64))
    image[:32, :32] = 1e6 + 0.1  # huge offset, no variance: cancellation would show here
    scores = match_template(image, image[40:48, 40:48])
    assert (scores[:25, :25] == 0).all()


# ---------------------------------------------------------------- real photos


@pytest.mark.parametrize(("name", "gray"), [("camera", True), ("chelsea", False)])
def test_crop_of_a_photo_is_found_at_its_true_position(name, gray):
    image = photo(name, gray)
    template = image[120:160, 200:260]
    scores = match_template(image, template)
    assert find_matches(scores, template.shape) == [Match(120, 200, 40, 60, pytest.approx(1.0))]


def test_brightness_and_contrast_change_keep_rho_one():
    """The lecture's P2 = P1 + 50 and P3 = 1.2·P1 + 10: correlation 1, squared difference not 0."""
    p1 = photo("coffee", gray=True)[100:164, 200:264].astype(np.float64)
    for changed in (p1 + 50, 1.2 * p1 + 10):
        assert match_template(changed, p1)[0, 0] == pytest.approx(1.0, abs=1e-12)
        assert match_template(changed, p1, "ssd")[0, 0] > 1000
    image = photo("coffee", gray=True).astype(np.float64)
    brighter = 1.2 * image + 10
    scores = match_template(brighter, p1)
    assert find_matches(scores, p1.shape)[0][:2] == (100, 200)


def test_matches_scikit_image_on_float64():
    skimage_feature = pytest.importorskip("skimage.feature")
    image = photo("camera", gray=True)[250:420, 180:400].astype(np.float64)
    template = image[50:82, 70:102]
    theirs = skimage_feature.match_template(image, template)
    ours = match_template(image, template)
    _, std = direct(image, template, positions=np.argwhere(np.ones(ours.shape, dtype=bool)))
    textured = std.reshape(ours.shape) >= 1e-3 * np.ptp(image)
    np.testing.assert_allclose(ours[textured], theirs[textured], atol=1e-7)


@pytest.mark.parametrize(("method", "flag"), [("zncc", "TM_CCOEFF_NORMED"),
                                              ("ncc", "TM_CCORR_NORMED"),
                                              ("ssd", "TM_SQDIFF")])
def test_matches_opencv_in_colour(method, flag):
    """OpenCV works in float32: agreement to its precision, on textured windows."""
    cv2 = pytest.importorskip("cv2")
    image = photo("chelsea")[:200, :240].astype(np.float32)
    template = image[80:112, 100:140].copy()
    theirs = cv2.matchTemplate(image, template, getattr(cv2, flag)).astype(np.float64)
    ours = match_template(image, template, method)
    if method == "ssd":
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-3 * theirs.max())
    else:
        np.testing.assert_allclose(ours, theirs, atol=2e-3)


@pytest.fixture(scope="module")
def retina_1024():
    """A 1024² float32 photo with a dark, nearly flat background: the bundled retina (512²,
    from scikit-image's 1411² sample) enlarged, scaled to 0..1 so no value is an integer."""
    picture = Image.open(sample_photo("retina")).convert("L").resize((1024, 1024), Image.BICUBIC)
    return np.asarray(picture).astype(np.float32) / 255


@pytest.mark.parametrize(("size", "count", "hard"), [(32, 20000, 300), (128, 3000, 20)])
def test_exact_on_a_1024_float32_photo(retina_1024, size, count, hard):
    """Within 1e-6 of float64 direct wherever std >= 1e-3 of the range; in [-1, 1] everywhere.

    Checked at random positions and at the textured windows of lowest spread (just above
    the 1e-3 line), where cancellation in integral images and float32 FFTs shows first."""
    image = retina_1024
    template = image[600 - size // 2:600 + size // 2, 640 - size // 2:640 + size // 2].copy()
    scores = match_template(image, template)
    assert scores.shape == (1025 - size, 1025 - size)
    assert np.isfinite(scores).all() and (np.abs(scores) <= 1).all()
    # rough window standard deviations (scipy's running means), only to pick positions
    spread = np.ptp(image)
    x = image.astype(np.float64)
    valid = (slice(size // 2, size // 2 + scores.shape[0]),) * 2  # window (r, c) at (r, c) + s/2
    mean = uniform_filter(x, size)[valid]
    rough_std = np.sqrt(np.maximum(uniform_filter(x * x, size)[valid] - mean**2, 0)) / spread
    rng = np.random.default_rng(0)
    near_line = np.argwhere((rough_std >= 1e-3) & (rough_std < 4e-3))
    anywhere = np.argwhere(np.ones(scores.shape, dtype=bool))
    positions = np.concatenate([
        anywhere[rng.choice(len(anywhere), count, replace=False)],
        near_line[rng.choice(len(near_line), min(len(near_line), count // 4), replace=False)]])
    want, std = direct(image, template, positions=positions)
    textured = std >= 1e-3 * spread
    assert (textured & (std < 4e-3 * spread)).sum() >= hard  # the hard windows are checked
    assert (~textured).sum() > 10  # (below the line, only the range [-1, 1] is promised)
    error = np.abs(scores[positions[:, 0], positions[:, 1]] - want)
    assert error[textured].max() <= 1e-6


def test_background_sums_give_the_same_scores(monkeypatch):
    """Large images compute the window sums in a second thread: the numbers are the same."""
    import retrieval.template_matcher as template_module

    image = photo("astronaut")[:300, :280]
    template = image[100:140, 60:90]
    monkeypatch.setattr(template_module, "_BACKGROUND_PIXELS", 1)
    threaded = match_template(image, template)
    monkeypatch.setattr(template_module, "_BACKGROUND_PIXELS", 1 << 40)
    np.testing.assert_array_equal(threaded, match_template(image, template))


def test_matcher_reuses_the_image_for_several_templates():
    image = photo("astronaut")
    matcher = TemplateMatcher(image)
    for box, method in [((10, 20, 30, 40), "zncc"), ((200, 100, 16, 16), "ncc"),
                        ((300, 300, 20, 10), "zncc"), ((50, 60, 8, 9), "ssd")]:
        row, col, h, w = box
        template = image[row:row + h, col:col + w]
        np.testing.assert_array_equal(matcher.match(template, method),
                                      match_template(image, template, method))


def test_accepts_paths_and_pil_images():
    path = sample_photo("camera")
    image = photo("camera")
    template = image[150:170, 230:260]  # the photographer's coat and arm
    np.testing.assert_allclose(match_template(path, template),
                               match_template(image, template))
    np.testing.assert_allclose(match_template(Image.open(path), Image.fromarray(template)),
                               match_template(image, template))


@pytest.mark.parametrize(("image", "template", "error", "words"), [
    (np.zeros((5, 5)), np.zeros((6, 2)), ValueError, "larger than the image"),
    (np.zeros((5, 5)), np.zeros((0, 2)), ValueError, "empty"),
    (np.zeros((5, 5, 3)), np.zeros((2, 2)), ValueError, "same channels"),
    (np.zeros((5, 5, 3)), np.zeros((2, 2, 4)), ValueError, "same channels"),
    (np.zeros((5,)), np.zeros((2,)), ValueError, "(H, W) or (H, W, C)"),
    (np.full((5, 5), np.nan), np.zeros((2, 2)), ValueError, "NaN"),
    (np.array([["a"]]), np.zeros((1, 1)), TypeError, "match_template: image must be an image"),
    (np.zeros((5, 5)), np.zeros((2, 2), complex), TypeError, "booleans), got dtype complex128"),
    (None, np.zeros((2, 2)), TypeError, "got a NoneType"),
])
def test_bad_input_raises_a_clear_error(image, template, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        match_template(image, template)


def test_unknown_method():
    with pytest.raises(ValueError, match="one of zncc, ncc, ssd, sad; got 'cosine'"):
        match_template(np.zeros((4, 4)), np.zeros((2, 2)), "cosine")
    with pytest.raises(ValueError, match="one of zncc, ncc, ssd, sad; got 'cosine'"):
        match_template(np.zeros((4, 4)), np.zeros((2, 2)), "cosine", teaching=True)


# ---------------------------------------------------------------- find_matches


def greedy_nms(scores, shape, k, max_overlap):
    """Reference: sort every position, keep a box unless it overlaps a kept one too much."""
    h, w = shape
    kept = []
    for index in np.argsort(-scores, axis=None, kind="stable"):
        r, c = np.unravel_index(index, scores.shape)
        ok = True
        for kr, kc in kept:
            inter = max(0, h - abs(r - kr)) * max(0, w - abs(c - kc))
            if inter / (2 * h * w - inter) > max_overlap:
                ok = False
                break
        if ok:
            kept.append((r, c))
        if len(kept) == k:
            break
    return kept


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 9), st.integers(1, 9)),
              elements=st.floats(-1, 1).map(lambda v: round(v, 2))),
       st.integers(1, 4), st.integers(1, 4), st.integers(1, 6), st.sampled_from([0, 0.25, 0.5]))
def test_find_matches_is_greedy_nms(scores, h, w, k, max_overlap):
    found = find_matches(scores, (h, w), k=k, max_overlap=max_overlap)
    want = greedy_nms(scores, (h, w), k, max_overlap)
    assert [m.score for m in found] == [scores[r, c] for r, c in want]
    assert len(found) == len(want)


def test_several_objects_are_found():
    rng = np.random.default_rng(4)
    object_ = photo("camera", gray=True)[150:180, 230:260].astype(np.float64)
    image = rng.normal(128, 20, (200, 300))
    places = [(10, 20), (120, 40), (80, 200)]
    for r, c in places:
        image[r:r + 30, c:c + 30] = object_
    found = find_matches(match_template(image, object_), object_.shape, k=3)
    assert sorted(m[:2] for m in found) == sorted(places)
    assert all(m.score == pytest.approx(1.0) for m in found)
    found = find_matches(match_template(image, object_, "sad"), object_.shape, k=3)
    assert sorted(m[:2] for m in found) == sorted(places)
    assert all(m.score == 0 for m in found)


def test_threshold_and_best_min():
    scores = np.array([[5.0, 1.0, 3.0, 0.5, 9.0]])
    assert [m.col for m in find_matches(scores, (1, 1), k=5, threshold=3)] == [4, 0, 2]
    assert [m.col for m in find_matches(scores, (1, 1), k=5, threshold=3, best="min")] == [3, 1, 2]
    assert find_matches(scores, (1, 1), threshold=10) == []
    with_nan = np.array([[np.nan, 0.2]])
    assert find_matches(with_nan, (1, 1), k=2) == [Match(0, 1, 1, 1, 0.2)]


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"score_map": np.zeros(3)}, ValueError, "2-D"),
    ({"template_shape": (0, 2)}, ValueError, "template_shape"),
    ({"template_shape": 5}, ValueError, "template_shape"),
    ({"k": 0}, ValueError, "k must be"),
    ({"k": 1.5}, TypeError, "k must be"),
    ({"max_overlap": 1.5}, ValueError, "max_overlap"),
    ({"best": "maximum"}, ValueError, "best must be"),
])
def test_find_matches_bad_input(kwargs, error, words):
    args = {"score_map": np.zeros((3, 3)), "template_shape": (2, 2)} | kwargs
    with pytest.raises(error, match=words):
        find_matches(**args)


def test_k_may_be_a_numpy_integer():
    scores = np.array([[0.1, 0.9, 0.8]])
    assert len(find_matches(scores, (1, 1), k=np.int64(2))) == 2


# ---------------------------------------------------------------- the direction of the method


@pytest.fixture(scope="module")
def camera():
    return photo("camera", gray=True).astype(np.float64)


@pytest.mark.parametrize("method", METHODS)
def test_find_matches_follows_the_method(camera, method):
    """The issue's example: a crop of the photo is found where it was cut, for every method,
    without saying which way is better (the squared and absolute differences are 0 there)."""
    scores = match_template(camera, camera[10:50, 10:50], method)
    found = find_matches(scores, (40, 40))
    assert found[0][:4] == (10, 10, 40, 40)
    if higher_is_better(method):
        assert found[0].score == pytest.approx(1.0, abs=1e-12)
    else:
        assert found[0].score == pytest.approx(0.0, abs=1e-6 * scores.max())
        # the plain array of the same numbers is read as "higher is better": the worst box
        worst = find_matches(np.asarray(scores), (40, 40))[0]
        assert worst.score == scores.max() and worst[:2] != (10, 10)


def test_an_explicit_best_still_wins(camera):
    scores = match_template(camera, camera[10:50, 10:50], "ssd")
    worst = find_matches(scores, (40, 40), best="max")[0]
    assert worst.score == scores.max()
    correlation = match_template(camera, camera[10:50, 10:50])
    assert find_matches(correlation, (40, 40), best="min")[0].score == correlation.min()


def test_threshold_follows_the_method():
    scores = ScoreMap([[5.0, 1.0, 3.0, 0.5, 9.0]], "sad")
    assert [m.col for m in find_matches(scores, (1, 1), k=5, threshold=3)] == [3, 1, 2]


def test_a_score_map_is_an_array_that_knows_its_method():
    scores = match_template(np.arange(30.0).reshape(5, 6) % 7, [[1.0, 2.0], [3.0, 5.0]], "ssd")
    assert isinstance(scores, np.ndarray) and scores.dtype == np.float64
    assert scores.method == "ssd"
    assert scores[1:, 2:].method == "ssd" and scores.copy().method == "ssd"
    assert pickle.loads(pickle.dumps(scores)).method == "ssd"
    for derived in (-scores, scores / 2, scores.round(1), np.sqrt(scores), scores > 3):
        assert type(derived) is np.ndarray  # no longer that method's scores
    assert type(scores.max()) is np.float64
    np.testing.assert_array_equal(-scores, -np.asarray(scores))
    assert repr(scores).startswith("ScoreMap([[") and repr(scores).endswith("method='ssd')")
    with pytest.raises(ValueError, match="unknown metric or method 'best'"):
        ScoreMap([[1.0]], "best")
