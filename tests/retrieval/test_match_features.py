"""Template matching on CNN feature maps: the cosine map, the cell-to-pixel mapping, scales,
and a real case where pixel correlation fails and features do not."""

from collections import namedtuple

import numpy as np
import pytest
from PIL import Image

from imageops import resize_image
from retrieval.data import sample_photo
from retrieval.feature_matching import _feature_cosine
from retrieval.template import (
    FeatureMatchResult,
    Match,
    find_matches,
    match_features,
    match_template,
)

Geometry = namedtuple("Geometry", "stride receptive_field offset out_shape")


class BlockModel:
    """A toy network: means and gradient energy over stride×stride blocks, no weights.

    ``shift`` moves the first cell's centre by input size (as "same" padding does) so that the
    template's and the image's offsets differ."""

    def __init__(self, stride=4, shift=False):
        self.stride = stride
        self.shift = shift
        self.calls = []

    def _offset(self, size):
        base = (self.stride - 1) / 2
        return tuple(base + (s % 3 if self.shift else 0) for s in size)

    def feature_maps(self, images, layer=None):
        x = np.asarray(images, dtype=np.float64)
        self.calls.append((x.shape, layer))
        n, h, w, c = x.shape
        s = self.stride
        top, left = (int(o - (s - 1) / 2) for o in self._offset((h, w)))
        x = x[:, top:, left:]
        rows, cols = x.shape[1] // s, x.shape[2] // s
        x = x[:, :rows * s, :cols * s].reshape(n, rows, s, cols, s, c)
        means = x.mean(axis=(2, 4))
        energy = np.abs(np.diff(x, axis=2)).mean(axis=(2, 4))
        return np.concatenate([means, energy], axis=-1).astype(np.float32)

    def feature_geometry(self, input_size, layer=None):
        h, w = input_size
        return Geometry(self.stride, self.stride, self._offset(input_size),
                        (h // self.stride, w // self.stride, 6))


def iou(a, b):
    r0, c0 = max(a[0], b[0]), max(a[1], b[1])
    r1, c1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, r1 - r0) * max(0, c1 - c0)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def photo(name):
    return np.asarray(Image.open(sample_photo(name)).convert("RGB"))


def test_cosine_map_equals_the_double_loop():
    rng = np.random.default_rng(0)
    image_map = rng.normal(size=(9, 12, 7)).astype(np.float32)
    image_map[:3, :4] = 0  # a block of zeros scores 0, not NaN
    template_map = rng.normal(size=(3, 4, 7)).astype(np.float32)
    got = _feature_cosine(image_map, template_map)
    want = np.zeros((7, 9))
    t = template_map.ravel().astype(np.float64)
    for i in range(7):
        for j in range(9):
            block = image_map[i:i + 3, j:j + 4].ravel().astype(np.float64)
            norm = np.linalg.norm(block) * np.linalg.norm(t)
            want[i, j] = block @ t / norm if norm else 0.0
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert got[0, 0] == 0


@pytest.mark.parametrize("shift", [False, True])
def test_best_cell_maps_to_the_true_pixel_box(shift):
    image = photo("coffee")[:200, :280]
    model = BlockModel(stride=4, shift=shift)
    # with the shift, the image's cells start 2 rows and 1 column in and the template's 0 and
    # 2: a box on the image's grid sits at row 2 + 4i, column 1 − 2 + 4j
    places = [(42, 63), (122, 203), (10, 11)] if shift else [(40, 60), (120, 200), (8, 8)]
    for row, col in places:
        found = match_features(image, image[row:row + 48, col:col + 56], model=model)
        assert isinstance(found, FeatureMatchResult)
        assert found.matches[0][:4] == (row, col, 48, 56)
        assert found.matches[0].score == pytest.approx(1.0, abs=1e-6)
        assert found.geometry.stride == 4


def test_scales_pick_the_size_of_the_object():
    image = photo("chelsea")
    row, col, size = 80, 150, 120
    small = resize_image(image[row:row + size, col:col + size], (96, 96))  # 0.8 times
    found = match_features(image, small, model=BlockModel(), scales=(0.8, 1.0, 1.25))
    assert found.scale == 1.25
    assert iou(found.matches[0], (row, col, size, size)) >= 0.8
    assert found.matches[0][2:4] == (120, 120)


def test_several_boxes_and_gray_input():
    rng = np.random.default_rng(1)
    patch = photo("astronaut")[100:132, 200:240]
    image = rng.integers(0, 256, (160, 200, 3)).astype(np.uint8)
    image[16:48, 20:60] = patch
    image[100:132, 140:180] = patch
    found = match_features(image, patch, model=BlockModel(), k=2)
    assert sorted(m[:2] for m in found.matches) == [(16, 20), (100, 140)]
    gray = image.mean(axis=2)
    found = match_features(gray, gray[16:48, 20:60], model=BlockModel(), k=2)
    assert sorted(m[:2] for m in found.matches) == [(16, 20), (100, 140)]


def test_layer_is_passed_to_the_model():
    model = BlockModel()
    image = photo("camera")[:64, :64]
    match_features(image, image[:16, :16], model=model, layer="block3")
    assert {layer for _, layer in model.calls} == {"block3"}


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"template": np.zeros((80, 80, 3))}, "larger than the image"),
    ({"scales": (0.0, 1.0)}, "scales must be positive"),
    ({"scales": ()}, "scales must be positive"),
    ({"image": np.zeros((40, 40, 4))}, "gray or RGB"),
])
def test_bad_input(kwargs, words):
    args = {"image": np.zeros((40, 40, 3)), "template": np.zeros((8, 8, 3)),
            "model": BlockModel()} | kwargs
    with pytest.raises(ValueError, match=words):
        match_features(**args)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"image": np.zeros((40, 40, 3), complex)}, "match_features: image must be an image"),
    ({"template": None}, "template must be an image"),
    ({"k": 1.5}, "match_features: k must be a positive integer"),
])
def test_bad_types(kwargs, words):
    args = {"image": np.zeros((40, 40, 3)), "template": np.zeros((8, 8, 3)),
            "model": BlockModel()} | kwargs
    with pytest.raises(TypeError, match=words):
        match_features(**args)


def test_a_missing_file():
    with pytest.raises(OSError, match="no such file: 'not a file.png'"):
        match_features(np.zeros((40, 40, 3)), "not a file.png", model=BlockModel())


def test_score_map_knows_it_is_a_similarity():
    """The feature score map is a cosine: find_matches takes its largest values by itself."""
    image = photo("coffee")[:120, :160]
    found = match_features(sample_photo("coffee"), image[40:72, 60:100], model=BlockModel(),
                           k=np.int64(2))
    assert found.score_map.method == "features"
    cells = find_matches(found.score_map, (8, 10))
    assert cells[0].score == found.score_map.max() == found.matches[0].score
    assert len(found.matches) == 2


def test_real_network_finds_a_rescaled_noisy_crop_where_pixels_fail():
    """Hubble deep field: a 128-pixel crop, shrunk to 0.8 and noised (sigma 25).

    The faint galaxies drown in the noise, so pixel correlation peaks elsewhere; EfficientNet
    features (blocks.4, stride 8, chosen for a 102-pixel template), tried at three scales, find
    the crop."""
    from retrieval.nn import load_model

    image = photo("hubble_deep_field")
    row, col, size = 111, 170, 128
    truth = (row, col, size, size)
    small = resize_image(image[row:row + size, col:col + size], (102, 102)).astype(float)
    noisy = np.clip(small + np.random.default_rng(0).normal(0, 25, small.shape), 0, 255)
    noisy = noisy.astype(np.uint8)

    pixel = find_matches(match_template(image, noisy), noisy.shape)[0]
    assert iou(pixel, truth) < 0.5

    found = match_features(image, noisy, model=load_model(), scales=(0.8, 1.0, 1.25))
    assert found.scale == 1.25
    assert iou(found.matches[0], truth) >= 0.5
    assert found.matches[0] == Match(*found.matches[0])


# ---------------------------------------------------------------- layer choice and geometry


def test_default_layer_lets_the_template_span_eight_cells():
    from retrieval.feature_matching import _matching_layer
    from retrieval.nn import load_model

    model = load_model()
    chosen = {side: _matching_layer(model, (512, 512), (side, side + 20))
              for side in (32, 64, 127, 128, 400)}
    assert chosen == {32: "blocks.2", 64: "blocks.4", 127: "blocks.4", 128: "blocks.10",
                      400: "blocks.10"}
    assert _matching_layer(BlockModel(), (64, 64), (16, 16)) is None  # no layer names


def test_exact_crop_of_a_coin_is_found_on_features():
    """A 50-pixel crop: on the stride-16 grid it is three cells, mostly border, and is lost."""
    from retrieval.nn import load_model

    coins = pytest.importorskip("skimage.data").coins()   # several similar objects (test data)
    image = np.stack([coins] * 3, axis=-1)
    found = match_features(image, image[90:140, 30:80], model=load_model())
    assert found.geometry.stride == 4
    assert iou(found.matches[0], (90, 30, 50, 50)) >= 0.8


@pytest.fixture(scope="module")
def vgg_weights(tmp_path_factory):
    """A VGG16 weight file in torchvision's layout with seeded random weights (He scaling)."""
    rng = np.random.default_rng(16)
    state, cin, index = {}, 3, 0
    for item in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                 512, 512, 512, "M"]:
        if item == "M":
            index += 1
            continue
        scale = np.float32(np.sqrt(2.0 / (9 * cin)))
        state[f"features.{index}.weight"] = rng.standard_normal(
            (item, cin, 3, 3), dtype=np.float32) * scale
        state[f"features.{index}.bias"] = rng.standard_normal(item, dtype=np.float32) / 10
        cin, index = item, index + 2
    path = tmp_path_factory.mktemp("vgg16") / "vgg16_random.npz"
    np.savez(path, **state)
    return path


def test_the_lecture_stride_shortcut_against_the_real_geometry(vgg_weights):
    """800 // 25 = 1000 // 31 = 32 is VGG16's stride, and its offsets cancel; EfficientNet's
    "same" padding gives 32 cells for 1000 pixels and offsets that depend on the size."""
    from retrieval.nn import load_model

    vgg = load_model("vgg16", weights=vgg_weights)
    image, template = (vgg.feature_geometry(s, "block5_pool") for s in [(800, 1000), (300, 300)])
    assert image.out_shape[:2] == (25, 31) and template.out_shape[:2] == (9, 9)
    assert image.stride == 800 // 25 == 1000 // 31
    assert image.offset == template.offset  # top-left of cell (i, j) is (32 i, 32 j)
    lite0 = load_model()
    image, template = (lite0.feature_geometry(s) for s in [(800, 1000), (128, 128)])
    assert image.out_shape[:2] == (25, 32) and 1000 // 32 == 31 != image.stride
    assert image.offset == (31, 7) and template.offset == (31, 31)


def test_vgg16_with_supplied_weights(vgg_weights):
    """The lecture's network from a weight file. Random weights say nothing about how well
    VGG16 matches, but they run the whole path: the file, the layer names, the geometry of
    unpadded pooling, and the cell-to-pixel mapping (exact for a crop on the cell grid)."""
    from retrieval.feature_matching import _matching_layer
    from retrieval.nn import load_model

    vgg = load_model("vgg16", weights=vgg_weights)
    image = photo("astronaut")[40:168, 60:220]
    assert _matching_layer(vgg, image.shape[:2], (64, 64)) == "block4_conv3"  # stride 8
    found = match_features(image, image[32:96, 48:112], model="vgg16",
                           weights=vgg_weights, layer="block2_conv2")
    assert found.geometry.stride == 2
    assert found.score_map.shape == (128 // 2 - 64 // 2 + 1, 160 // 2 - 64 // 2 + 1)
    assert found.matches[0][:4] == (32, 48, 64, 64)
    assert found.matches[0].score == pytest.approx(1.0, abs=0.05)
