"""Feature extractors: pixels against Pillow, CNN wrapper against its model, configs."""

import json

import numpy as np
import pytest
from PIL import Image

from imageops import save_image
from retrieval import CNNFeatures, PixelFeatures, features_from_config


class FakeModel:
    """Stands in for a retrieval.nn model: mean colour per image, records its calls."""

    name = "fake_net"

    def __init__(self):
        self.calls = []

    def features(self, images, pooling="avg", layer=None, size=None, batch_size=32,
                 progress=None):
        from imageops.io import to_image_list

        self.calls.append(dict(pooling=pooling, layer=layer, size=size,
                               batch_size=batch_size, progress=progress))
        batch = to_image_list(images)
        return np.array([np.asarray(image, float).mean(axis=(0, 1)) for image in batch])


def _photo(seed=0, shape=(60, 90, 3)):
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


# ---------------------------------------------------------------- pixels


def test_pixels_are_the_resized_image_flattened():
    image = _photo()
    expected = np.asarray(Image.fromarray(image).resize((128, 86), Image.Resampling.BILINEAR))
    features = PixelFeatures().extract(image)
    assert features.shape == (1, 86 * 128 * 3)
    assert features.dtype == np.float32
    np.testing.assert_array_equal(features[0], expected.reshape(-1).astype(np.float32))


def test_gray_pixels_use_the_luma_of_pillow():
    image = _photo(1)
    features = PixelFeatures(size=None, color=False).extract(image)
    luma = np.asarray(Image.fromarray(image).convert("L"), dtype=np.float32).reshape(-1)
    assert features.shape == (1, 60 * 90)
    np.testing.assert_allclose(features[0], luma, atol=0.51)  # Pillow rounds to uint8


def test_every_kind_of_input_gives_the_same_rows(tmp_path):
    images = [_photo(seed, (30, 40, 3)) for seed in range(3)]
    paths = [save_image(tmp_path / f"p{i}.png", image) for i, image in enumerate(images)]
    extractor = PixelFeatures(size=(15, 20))
    from_batch = extractor.extract(np.stack(images))
    np.testing.assert_array_equal(extractor.extract(images), from_batch)
    np.testing.assert_array_equal(extractor.extract(paths), from_batch)
    np.testing.assert_array_equal(extractor.extract([str(p) for p in paths]), from_batch)
    np.testing.assert_array_equal(
        extractor.extract([Image.open(p) for p in paths]), from_batch)
    floats = extractor.extract([image.astype(np.float32) for image in images])
    np.testing.assert_allclose(floats, from_batch, atol=1.0)  # uint8 path rounds


def test_gray_arrays_become_three_equal_channels():
    gray = _photo(2, (10, 12))
    features = PixelFeatures(size=None).extract(gray).reshape(10, 12, 3)
    for channel in range(3):
        np.testing.assert_array_equal(features[:, :, channel], gray)


def test_size_none_needs_one_size():
    extractor = PixelFeatures(size=None)
    assert extractor.extract(_photo(0, (5, 6, 3))).shape == (1, 90)
    with pytest.raises(ValueError, match="one size"):
        extractor.extract([_photo(0, (5, 6, 3)), _photo(0, (6, 5, 3))])


def test_empty_input_gives_no_rows():
    assert PixelFeatures(size=(2, 3)).extract([]).shape == (0, 18)


@pytest.mark.parametrize(("size", "error"), [
    ((0, 5), ValueError), ((5,), ValueError), ("big", ValueError), ((2.5, 3), TypeError)])
def test_bad_sizes_are_refused(size, error):
    """Not a pair or not positive: ValueError; not whole numbers: TypeError (imageops._inputs)."""
    with pytest.raises(error, match="size must be"):
        PixelFeatures(size=size)


def test_bad_arguments_say_what_was_expected():
    with pytest.raises(TypeError, match="color must be True or False"):
        PixelFeatures(color="yes")
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        PixelFeatures().extract(_photo(), batch_size=0)
    with pytest.raises(TypeError):
        PixelFeatures().extract(42)


# ---------------------------------------------------------------- CNN wrapper


def test_cnn_features_pass_their_settings_to_the_model():
    model = FakeModel()
    extractor = CNNFeatures(model, pooling="max", size=(86, 128), layer="block5")
    images = np.stack([_photo(seed, (8, 8, 3)) for seed in range(4)])
    features = extractor.extract(images, batch_size=3, progress=False)
    assert features.shape == (4, 3)
    assert features.dtype == np.float32
    np.testing.assert_allclose(features, images.mean(axis=(1, 2)), rtol=1e-6)
    # one image at a time (the bar moves per image), each call with the extractor's settings
    assert model.calls == [dict(pooling="max", layer="block5", size=(86, 128), batch_size=1,
                                progress=False)] * 4
    assert extractor.model is model
    assert extractor.config == {"kind": "cnn", "model": "fake_net", "pooling": "max",
                                "size": [86, 128], "layer": "block5", "weights": None}


def test_a_model_name_is_loaded_only_when_needed():
    extractor = CNNFeatures("efficientnet_lite0")
    assert extractor._model is None
    assert extractor.model_name == "efficientnet_lite0"


def test_cnn_features_check_their_arguments():
    with pytest.raises(ValueError, match="pooling must be one of"):
        CNNFeatures(pooling="mean")
    with pytest.raises(TypeError, match="model name or a model object"):
        CNNFeatures(model=3)
    with pytest.raises(TypeError, match="layer must be"):
        CNNFeatures(layer=5)
    with pytest.raises(TypeError, match="weights must be a file path"):
        CNNFeatures(weights=5)


def test_a_model_with_the_wrong_output_is_reported():
    class Broken(FakeModel):
        def features(self, images, **options):
            return np.zeros((1, 2, 3))

    with pytest.raises(ValueError, match=r"expected \(N, D\)"):
        CNNFeatures(Broken()).extract(_photo())


# ---------------------------------------------------------------- configs


@pytest.mark.parametrize("extractor", [
    PixelFeatures(), PixelFeatures(size=None, color=False),
    CNNFeatures(), CNNFeatures("mobilenet_v2", pooling="flatten", size=(86, 128),
                               layer="features.10", weights="/tmp/w.npz"),
])
def test_configs_are_json_and_rebuild_an_equal_extractor(extractor):
    text = json.dumps(extractor.config)
    rebuilt = features_from_config(json.loads(text))
    assert rebuilt == extractor
    assert type(rebuilt) is type(extractor)
    assert rebuilt.config == extractor.config


@pytest.mark.parametrize("config, message", [
    ({"kind": "sift"}, "unknown feature extractor kind"),
    ({"size": [2, 2], "color": True}, "unknown feature extractor kind"),
    ({"kind": "pixels", "size": [2, 2]}, r"missing keys \['color'\]"),
    ({"kind": "pixels", "size": [2, 2], "color": True, "x": 1}, r"unexpected keys \['x'\]"),
    ({"kind": "pixels", "size": [0, 2], "color": True}, "size must be"),
    ({"kind": "cnn", "model": {"name": "x"}, "pooling": "avg", "size": None, "layer": None,
      "weights": None}, "model must be a name"),
])
def test_bad_configs_are_refused(config, message):
    with pytest.raises(ValueError, match=message):
        features_from_config(config)
    with pytest.raises(TypeError, match="needs a dict"):
        features_from_config("pixels")


# ---------------------------------------------------------------- the real network


@pytest.fixture(scope="module")
def lite0():
    from retrieval import load_model

    return load_model("efficientnet_lite0")


def test_cnn_features_are_the_models_own(lite0, tmp_path):
    images = np.stack([_photo(seed, (40, 56, 3)) for seed in range(3)])
    extractor = CNNFeatures(size=(32, 48))
    features = extractor.extract(images)
    assert features.shape == (3, 1280) and features.dtype == np.float32
    np.testing.assert_array_equal(features, lite0.features(images, size=(32, 48)))
    paths = [save_image(tmp_path / f"{i}.png", image) for i, image in enumerate(images)]
    np.testing.assert_array_equal(extractor.extract(paths), features)
    rebuilt = features_from_config(json.loads(json.dumps(extractor.config)))
    np.testing.assert_array_equal(rebuilt.extract(images), features)


def test_a_loaded_model_object_can_be_wrapped(lite0):
    extractor = CNNFeatures(lite0, pooling="flatten", size=(32, 48))
    assert extractor.config["model"] == "efficientnet_lite0"
    assert extractor.config["weights"] is None
    h, w, c = lite0.feature_geometry((32, 48)).out_shape
    assert extractor.extract(_photo(0, (32, 48, 3))).shape == (1, h * w * c)


def test_flatten_is_the_feature_map_read_row_by_row(lite0):
    # the lecture: the feature map (h, w, C) flattened; avg pooling is its mean over cells
    images = np.stack([_photo(seed, (32, 48, 3)) for seed in range(2)])
    maps = lite0.feature_maps(images, layer="blocks.3")
    flat = CNNFeatures(lite0, pooling="flatten", layer="blocks.3").extract(images)
    np.testing.assert_array_equal(flat, maps.reshape(len(images), -1))
    mean = CNNFeatures(lite0, pooling="avg", layer="blocks.3").extract(images)
    np.testing.assert_allclose(mean, maps.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)


def test_without_a_size_each_image_keeps_its_own(lite0):
    small, large = _photo(0, (32, 32, 3)), _photo(1, (64, 96, 3))
    features = CNNFeatures(lite0).extract([small, large, small])
    # float32 sums in another batch order: equal to about 1e-5
    np.testing.assert_allclose(features[0], lite0.features(small)[0], rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(features[1], lite0.features(large)[0], rtol=1e-3, atol=1e-5)
    np.testing.assert_array_equal(features[0], features[2])
    with pytest.raises(ValueError, match="pass size"):
        CNNFeatures(lite0, pooling="flatten").extract([small, large])
