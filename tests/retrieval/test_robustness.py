"""Indexing a messy folder of real photos, and refusing crafted index files."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from imageops import load_image
from retrieval import ImageIndex, IndexFileError, PixelFeatures

skimage_data = pytest.importorskip("skimage.data")

SIZE = (43, 64)
BAD = ("corrupt.jpg", "text.jpg", "truncated.png")
GOOD = ("plain.jpg", "sixteen.png", "gray.png", "rgba.png", "cmyk.jpg", "rotated.jpg")


def _jpeg_bytes(picture: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=92, **options)
    return buffer.getvalue()


def _png_bytes(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def messy_folder(tmp_path_factory):
    """Every kind of file a real photo folder holds, made from scikit-image's photos."""
    folder = tmp_path_factory.mktemp("messy")
    cat = Image.fromarray(skimage_data.chelsea())
    coffee = Image.fromarray(skimage_data.coffee())
    rocket = Image.fromarray(skimage_data.rocket())
    astronaut = Image.fromarray(skimage_data.astronaut())

    (folder / "plain.jpg").write_bytes(_jpeg_bytes(cat))
    # a JPEG whose header is overwritten with noise after the first 200 bytes
    raw = _jpeg_bytes(coffee)
    noise = np.random.default_rng(0).integers(0, 256, len(raw) - 200, dtype=np.uint8)
    (folder / "corrupt.jpg").write_bytes(raw[:200] + noise.tobytes())
    (folder / "text.jpg").write_text("this is a shopping list, not a photo\n")
    png = _png_bytes(rocket)
    (folder / "truncated.png").write_bytes(png[: len(png) // 2])
    # 16-bit gray PNG, full 0..65535 range
    gray16 = (np.asarray(astronaut.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    Image.fromarray(gray16).save(folder / "sixteen.png")
    rocket.convert("L").save(folder / "gray.png")
    rgba = coffee.convert("RGBA")
    rgba.putalpha(200)
    rgba.save(folder / "rgba.png")
    (folder / "cmyk.jpg").write_bytes(_jpeg_bytes(astronaut.convert("CMYK")))
    # the camera was turned: pixels stored sideways, EXIF orientation 6 turns them upright
    exif = Image.Exif()
    exif[0x0112] = 6
    sideways = cat.transpose(Image.Transpose.ROTATE_90)
    (folder / "rotated.jpg").write_bytes(_jpeg_bytes(sideways, exif=exif.tobytes()))
    (folder / "readme.txt").write_text("not listed: not an image extension")
    return folder


def test_a_messy_folder_is_indexed_saved_and_searched(messy_folder, tmp_path):
    index = ImageIndex(PixelFeatures(size=SIZE))
    report = index.add(messy_folder, progress=False)

    assert sorted(path.split("/")[-1] for path in report.added) == sorted(GOOD)
    failed = {path.split("/")[-1]: reason for path, reason in report.failures}
    assert sorted(failed) == sorted(BAD)
    assert "not an image" in failed["text.jpg"]
    assert "truncated" in failed["truncated.png"]
    assert len(index) == len(GOOD)

    path = index.save(tmp_path / "messy.npz")
    loaded = ImageIndex.load(path, mmap=True)
    for name in GOOD:
        query = load_image(messy_folder / name)
        assert loaded.search(query, k=1)[0].id == str(messy_folder / name)


def test_the_exif_rotated_photo_is_indexed_upright(messy_folder):
    index = ImageIndex(PixelFeatures(size=SIZE), metric="correlation")
    index.add([messy_folder / "rotated.jpg", messy_folder / "gray.png"])
    upright = skimage_data.chelsea()
    best = index.search(upright, k=2)
    assert best[0].id == str(messy_folder / "rotated.jpg")
    assert best[0].score > 0.99
    sideways = np.rot90(upright).copy()
    assert index.search(sideways, k=1)[0].score < 0.5


def test_odd_formats_become_ordinary_rgb_pixels(messy_folder):
    features = PixelFeatures(size=SIZE)
    sixteen, gray = features.extract([messy_folder / "sixteen.png", messy_folder / "gray.png"])
    for row in (sixteen, gray):
        pixels = row.reshape(*SIZE, 3)
        np.testing.assert_array_equal(pixels[..., 0], pixels[..., 2])  # gray in 3 channels
    expected = features.extract(skimage_data.astronaut()).reshape(*SIZE, 3).mean(axis=2)
    assert np.abs(sixteen.reshape(*SIZE, 3)[..., 0] - expected).mean() < 8  # same scene

    # CMYK comes back as the RGB photo (not inverted); alpha 200 is laid over white
    cmyk, rgba = features.extract([messy_folder / "cmyk.jpg", messy_folder / "rgba.png"])
    assert np.abs(cmyk - features.extract(skimage_data.astronaut())).mean() < 3
    coffee = np.asarray(skimage_data.coffee(), dtype=np.float64)
    over_white = (coffee * 200 + 255 * 55) / 255
    assert np.abs(rgba - features.extract(over_white)).mean() < 1.5


def _crafted(path, **changes):
    arrays = {
        "format": np.array("retrieval-lab index"),
        "version": np.array(1),
        "features": np.zeros((1, 3), np.float32),
        "ids": np.array(["a"]),
        "metric": np.array("cosine"),
        "config": np.array(json.dumps(PixelFeatures(size=(1, 1)).config)),
    }
    arrays.update(changes)
    np.savez(path, **arrays)
    return path


class _Alarm:
    """Unpickling this would run code: it must never happen."""

    def __reduce__(self):
        return (pytest.fail, ("a pickle in an index file was executed",))


@pytest.mark.parametrize("key", ["ids", "features", "config", "metric", "version", "format"])
def test_object_arrays_in_an_index_are_refused(tmp_path, key):
    path = _crafted(tmp_path / "evil.npz", **{key: np.array([_Alarm()], dtype=object)})
    for mmap in (False, True):
        with pytest.raises(IndexFileError, match=f"cannot read entry '{key}' safely"):
            ImageIndex.load(path, mmap=mmap)


def test_the_messy_folder_with_the_real_network(messy_folder, tmp_path):
    from retrieval import CNNFeatures

    index = ImageIndex(CNNFeatures("efficientnet_lite0", size=(64, 96)))
    report = index.add(messy_folder, progress=False)
    assert sorted(path.split("/")[-1] for path, _ in report.failures) == sorted(BAD)
    assert index.dimension == 1280 and len(index) == len(GOOD)
    loaded = ImageIndex.load(index.save(tmp_path / "cnn.npz"))
    assert loaded.extractor == index.extractor
    hits = loaded.search(skimage_data.chelsea(), k=2)
    assert {hit.id.split("/")[-1] for hit in hits} == {"plain.jpg", "rotated.jpg"}
