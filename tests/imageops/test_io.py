"""imageops.io and imageops.batches: every kind of file and array, batches with failures, saving."""

import gc
import io
import os
import pathlib
import weakref

import numpy as np
import pytest
from PIL import Image

from imageops._inputs import AUTO_PROGRESS
from imageops.batches import (
    IMAGE_EXTENSIONS,
    LoadedImages,
    list_image_files,
    load_images,
    to_image_list,
)
from imageops.io import ImageFileError, load_image, resize_image, save_image

cv2 = pytest.importorskip("cv2")


def _png(path, array, **options):
    Image.fromarray(array).save(path, format="PNG", **options)
    return path


def _round_half_up(values):
    return np.floor(np.asarray(values, dtype=np.float64) + 0.5)


def _photo_files(folder, photo, names):
    """Write crops of ``photo`` as PNG files (lossless) under ``names``; return the crops."""
    crops = {}
    for k, name in enumerate(names):
        crop = np.ascontiguousarray(photo[10 * k:10 * k + 90, 20 * k:20 * k + 130])
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _png(path, crop)
        crops[name] = crop
    return crops


# ---------------------------------------------------------------------------------------
# load_image: sources
# ---------------------------------------------------------------------------------------

def test_png_round_trip_is_exact_from_every_kind_of_source(tmp_path, chelsea):
    path = _png(tmp_path / "cat.png", chelsea)
    from_path = load_image(path)
    assert from_path.dtype == np.uint8 and from_path.shape == chelsea.shape
    np.testing.assert_array_equal(from_path, chelsea)
    np.testing.assert_array_equal(load_image(str(path)), chelsea)
    with open(path, "rb") as file:
        np.testing.assert_array_equal(load_image(file), chelsea)
    np.testing.assert_array_equal(load_image(io.BytesIO(path.read_bytes())), chelsea)
    with Image.open(path) as picture:
        np.testing.assert_array_equal(load_image(picture), chelsea)
    np.testing.assert_array_equal(load_image(chelsea), chelsea)


def test_results_are_writable_arrays_of_their_own(tmp_path, small_photo):
    path = _png(tmp_path / "p.png", small_photo)
    with Image.open(path) as picture:
        results = [load_image(path), load_image(path, size=(9, 9)), load_image(picture),
                   load_image(small_photo), resize_image(small_photo, (9, 9)),
                   resize_image(small_photo[..., 0], (9, 9)), load_images([path]).images]
    for result in results:
        assert result.flags.writeable and not np.shares_memory(result, small_photo)
        result[0, 0] = 0


def test_jpeg_matches_opencv_decoder(tmp_path, coffee):
    path = tmp_path / "coffee.jpg"
    Image.fromarray(coffee).save(path, quality=90)
    reference = cv2.imread(str(path), cv2.IMREAD_COLOR)[:, :, ::-1]
    difference = np.abs(load_image(path).astype(int) - reference)
    assert difference.mean() < 0.5 and difference.max() <= 3   # two IDCT implementations


def test_gray_mode_is_pillow_luma(small_photo):
    gray = load_image(small_photo, mode="L")
    r, g, b = (small_photo[:, :, k].astype(np.float64) for k in range(3))
    luma = (299 * r + 587 * g + 114 * b) / 1000
    assert gray.shape == small_photo.shape[:2]
    assert np.abs(gray - luma).max() <= 0.5 + 1e-9


def test_gray_file_loads_as_three_equal_channels(tmp_path, camera):
    path = _png(tmp_path / "camera.png", camera)
    rgb = load_image(path)
    assert rgb.shape == camera.shape + (3,)
    for k in range(3):
        np.testing.assert_array_equal(rgb[:, :, k], camera)
    np.testing.assert_array_equal(load_image(path, mode="L"), camera)


# ---------------------------------------------------------------------------------------
# load_image: pixel formats
# ---------------------------------------------------------------------------------------

def test_16_bit_gray_png_is_scaled_not_clipped(tmp_path, camera):
    rng = np.random.default_rng(0)
    deep = (camera.astype(np.uint32) * 257 + rng.integers(-128, 129, camera.shape))
    deep = np.clip(deep, 0, 65535).astype(np.uint16)
    deep[0, :3] = [0, 65535, 128]
    path = _png(tmp_path / "deep.png", deep)
    with Image.open(path) as picture:
        assert picture.mode.startswith("I")          # really a 16-bit file
    loaded = load_image(path, mode="L")
    np.testing.assert_array_equal(loaded, _round_half_up(deep / 257))
    assert loaded[0, :3].tolist() == [0, 255, 0]
    assert np.abs(loaded[1:].astype(int) - camera[1:]).max() <= 1
    assert (loaded == 255).mean() < 0.05              # Pillow's own convert("L") clips to 255


def test_16_bit_colour_png_keeps_the_high_byte(tmp_path, small_photo):
    rng = np.random.default_rng(1)
    deep = (small_photo.astype(np.uint32) * 257 + rng.integers(-128, 129, small_photo.shape))
    deep = np.clip(deep, 0, 65535).astype(np.uint16)
    path = tmp_path / "deep_rgb.png"
    assert cv2.imwrite(str(path), deep[:, :, ::-1])
    loaded = load_image(path)
    np.testing.assert_array_equal(loaded, deep // 256)
    assert np.abs(loaded - _round_half_up(deep / 257)).max() <= 1


def test_uint16_array_is_scaled_like_a_16_bit_file():
    deep = np.array([[0, 128, 129, 32767, 65535]], dtype=np.uint16)
    np.testing.assert_array_equal(load_image(deep, mode="L"), [[0, 0, 1, 127, 255]])


def test_palette_png(tmp_path, small_photo):
    palette = Image.fromarray(small_photo).quantize(colors=32)
    palette.save(tmp_path / "palette.png")
    expected = np.asarray(palette.convert("RGB"))
    np.testing.assert_array_equal(load_image(tmp_path / "palette.png"), expected)
    assert np.abs(expected.astype(int) - small_photo).mean() < 12


def test_palette_transparency_is_composited_on_white(tmp_path):
    picture = Image.new("P", (4, 3), 0)
    picture.putpalette([10, 20, 30, 200, 100, 50] + [0] * 762)
    picture.putpixel((1, 1), 1)
    picture.save(tmp_path / "transparent.png", transparency=0)
    loaded = load_image(tmp_path / "transparent.png")
    assert loaded[0, 0].tolist() == [255, 255, 255]
    assert loaded[1, 1].tolist() == [200, 100, 50]


def test_rgba_and_la_are_composited_on_white(tmp_path, small_photo):
    rng = np.random.default_rng(2)
    alpha = rng.integers(0, 256, small_photo.shape[:2], dtype=np.uint8)
    alpha[0, 0], alpha[0, 1] = 0, 255
    rgba = np.dstack([small_photo, alpha])
    expected = small_photo * (alpha[..., None] / 255) + 255 * (1 - alpha[..., None] / 255)
    for source in (_png(tmp_path / "rgba.png", rgba), rgba):
        loaded = load_image(source)
        assert np.abs(loaded - expected).max() <= 1
        assert loaded[0, 0].tolist() == [255, 255, 255]
        assert loaded[0, 1].tolist() == small_photo[0, 1].tolist()
    gray = small_photo[:, :, 1]
    la = Image.fromarray(np.dstack([gray, alpha]), mode="LA")
    la.save(tmp_path / "la.png")
    expected_gray = gray * (alpha / 255) + 255 * (1 - alpha / 255)
    assert np.abs(load_image(tmp_path / "la.png", mode="L") - expected_gray).max() <= 1


def test_cmyk_jpeg(tmp_path, coffee):
    path = tmp_path / "cmyk.jpg"
    Image.fromarray(coffee).convert("CMYK").save(path, quality=95)
    with Image.open(path) as picture:
        assert picture.mode == "CMYK"
    loaded = load_image(path)
    assert loaded.shape == coffee.shape
    assert np.abs(loaded.astype(int) - coffee).mean() < 3


def test_bilevel_and_float_images(tmp_path, small_gray):
    Image.fromarray(small_gray > 100).save(tmp_path / "bits.png")
    np.testing.assert_array_equal(load_image(tmp_path / "bits.png", mode="L"),
                                  np.where(small_gray > 100, 255, 0))
    values = small_gray.astype(np.float32) + 0.4
    values[0, :4] = [-20, 300, 10.5, 254.5]
    float_image = Image.fromarray(values, mode="F")
    loaded = load_image(float_image, mode="L")
    assert loaded[0, :4].tolist() == [0, 255, 11, 255]
    np.testing.assert_array_equal(loaded[1:], small_gray[1:])


def test_arrays_follow_the_0_255_rule():
    values = np.array([[-3.0, 0.4, 0.5, 127.49, 254.5, 999.0]])
    assert load_image(values, mode="L").tolist() == [[0, 0, 1, 127, 255, 255]]
    assert load_image(np.array([[True, False]]), mode="L").tolist() == [[255, 0]]
    assert load_image(np.array([[0, 200]], dtype=np.int64), mode="L").tolist() == [[0, 200]]
    assert load_image(np.zeros((3, 4, 1), np.uint8)).shape == (3, 4, 3)


ORIENTATIONS = {
    1: lambda a: a,
    2: np.fliplr,
    3: lambda a: np.rot90(a, 2),
    4: np.flipud,
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, 1),
    7: lambda a: np.rot90(a.transpose(1, 0, 2), 2),
    8: lambda a: np.rot90(a, -1),
}


@pytest.mark.parametrize("orientation", sorted(ORIENTATIONS))
def test_exif_orientation_is_applied(tmp_path, small_photo, orientation):
    stored = np.ascontiguousarray(ORIENTATIONS[orientation](small_photo))
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = _png(tmp_path / "turned.png", stored, exif=exif.tobytes())
    np.testing.assert_array_equal(load_image(path), small_photo)


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_exif_orientation_with_reduced_jpeg_decoding(tmp_path, astronaut, orientation):
    # 1019 x 765 is no multiple of 8: the reduced decode has a partial last row and column,
    # which must stay on the right side of the picture whatever the orientation.
    photo = np.ascontiguousarray(astronaut[:, 64:448])
    large = np.asarray(Image.fromarray(photo).resize((765, 1019), Image.Resampling.BICUBIC))
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored = np.ascontiguousarray(ORIENTATIONS[orientation](large))
    path = tmp_path / "phone.jpg"
    Image.fromarray(stored).save(path, exif=exif.tobytes(), quality=95)
    with Image.open(path) as picture:
        assert picture.size == (stored.shape[1], stored.shape[0])
    full = load_image(path)                                              # no reduced decode
    loaded = load_image(path, size=(128, 96))
    expected = np.asarray(Image.fromarray(full).resize((96, 128), Image.Resampling.BILINEAR))
    assert loaded.shape == (128, 96, 3)
    assert np.abs(loaded.astype(int) - expected).mean() < 0.5


def test_reduced_jpeg_decoding_is_close_to_full_decoding(tmp_path, astronaut):
    large = np.asarray(Image.fromarray(astronaut).resize((1536, 1024), Image.Resampling.BICUBIC))
    path = tmp_path / "large.jpg"
    Image.fromarray(large).save(path, quality=92)
    with Image.open(path) as picture:
        full = np.asarray(picture.convert("RGB").resize((128, 86), Image.Resampling.BILINEAR))
    fast = load_image(path, size=(86, 128))
    difference = np.abs(fast.astype(int) - full)
    assert difference.mean() < 1.0 and np.percentile(difference, 99) <= 6


@pytest.mark.parametrize("resample", ["bilinear", "lanczos", "nearest"])
def test_size_is_height_width_and_uses_the_filter(small_photo, resample):
    loaded = load_image(small_photo, size=(20, 33), resample=resample)
    filters = {"bilinear": Image.Resampling.BILINEAR, "lanczos": Image.Resampling.LANCZOS,
               "nearest": Image.Resampling.NEAREST}
    expected = Image.fromarray(small_photo).resize((33, 20), filters[resample])
    np.testing.assert_array_equal(loaded, np.asarray(expected))


# ---------------------------------------------------------------------------------------
# load_image: errors
# ---------------------------------------------------------------------------------------

def _truncated(tmp_path, photo, fmt):
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format=fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) * 2 // 3])
    return path


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file.*nowhere.png"):
        load_image(tmp_path / "nowhere.png")
    with pytest.raises(IsADirectoryError, match="folder"):
        load_image(tmp_path)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_truncated_file(tmp_path, small_photo, fmt):
    path = _truncated(tmp_path, small_photo, fmt)
    with pytest.raises(ImageFileError, match=r"cannot decode .*cut\..*truncated"):
        load_image(path)


def test_text_file_named_jpg_and_empty_file(tmp_path):
    (tmp_path / "notes.jpg").write_text("these are my holiday notes\n")
    with pytest.raises(ImageFileError, match="notes.jpg.* not an image"):
        load_image(tmp_path / "notes.jpg")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ImageFileError, match="not an image"):
        load_image(tmp_path / "empty.png")
    with pytest.raises(ImageFileError, match="not an image"):
        load_image(io.BytesIO(b"GIF89a but not really"))


def test_jpeg_with_a_damaged_header(tmp_path, small_photo):
    buffer = io.BytesIO()
    Image.fromarray(small_photo).save(buffer, format="JPEG")
    data = bytearray(buffer.getvalue())
    data[2:400] = np.random.default_rng(3).integers(0, 256, 398, dtype=np.uint8).tobytes()
    (tmp_path / "damaged.jpg").write_bytes(bytes(data))
    with pytest.raises(ImageFileError, match="damaged.jpg"):
        load_image(tmp_path / "damaged.jpg")


@pytest.mark.parametrize("kwargs, error, message", [
    ({"mode": "RGBA"}, ValueError, "mode must be 'RGB' or 'L'"),
    ({"size": (0, 10)}, ValueError, r"size must be \(height, width\)"),
    ({"size": 64}, ValueError, r"size must be \(height, width\)"),
    ({"size": (10.5, 10)}, TypeError, r"size must be \(height, width\)"),
    ({"resample": "cubic"}, ValueError, "resample must be one of"),
])
def test_bad_arguments(small_photo, kwargs, error, message):
    """A size that is not whole numbers is a TypeError; every other bad value a ValueError."""
    with pytest.raises(error, match=message):
        load_image(small_photo, **kwargs)


@pytest.mark.parametrize("array, error, message", [
    (np.zeros((2, 8, 8, 3), np.uint8), ValueError, "batch"),
    (np.zeros((8, 8, 2), np.uint8), ValueError, r"expected an image of shape"),
    (np.zeros((0, 8), np.uint8), ValueError, "empty"),
    (np.array([[0, 256]]), ValueError, r"0\.\.255, got 0\.\.256"),
    (np.array([[np.nan, 1.0]]), ValueError, "NaN"),
    (np.array([["a", "b"]]), TypeError, r"array of real numbers or booleans\), got dtype <U1"),
    (np.zeros((4, 4), complex), TypeError, "got dtype complex128"),
])
def test_bad_arrays(array, error, message):
    with pytest.raises(error, match=message):
        load_image(array)


def test_bad_source_type():
    with pytest.raises(TypeError, match="expected a path, a file object, a PIL image"):
        load_image(42)


# ---------------------------------------------------------------------------------------
# resize_image
# ---------------------------------------------------------------------------------------

def test_resize_float_agrees_with_uint8_and_keeps_dtype(small_photo):
    as_uint8 = resize_image(small_photo, (37, 53))
    for dtype in (np.float32, np.float64):
        as_float = resize_image(small_photo.astype(dtype), (37, 53))
        assert as_float.dtype == dtype and as_float.shape == (37, 53, 3)
        assert np.abs(as_float - as_uint8).max() < 1.0    # Pillow rounds between its 2 passes


def test_resize_any_channel_count_matches_per_channel(small_photo):
    four = np.dstack([small_photo, small_photo[:, :, 0]])
    resized = resize_image(four, (20, 30), resample="lanczos")
    np.testing.assert_array_equal(resized[:, :, :3],
                                  resize_image(small_photo, (20, 30), resample="lanczos"))
    np.testing.assert_array_equal(resized[:, :, 3],
                                  resize_image(small_photo[:, :, 0], (20, 30), "lanczos"))


def test_resize_constant_stays_constant_and_errors():
    assert np.all(resize_image(np.full((5, 7), 3.25), (11, 2)) == 3.25)
    with pytest.raises(TypeError, match="uint8 or float"):
        resize_image(np.zeros((4, 4), np.int32), (2, 2))
    with pytest.raises(ValueError, match="resize_image: image must be one image .* batch"):
        resize_image(np.zeros((2, 4, 4, 3)), (2, 2))
    with pytest.raises(TypeError, match="resize_image: image must be an image .*got dtype bool"):
        resize_image(np.zeros((4, 4), bool), (2, 2))


# ---------------------------------------------------------------------------------------
# list_image_files and load_images
# ---------------------------------------------------------------------------------------

def test_list_image_files(tmp_path):
    for name in ["b.JPG", "a.png", "c.tiff", "notes.txt", ".hidden.png", "sub/d.jpg",
                 "sub/deeper/e.webp", ".cache/f.png"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "folder.png").mkdir()
    assert [p.name for p in list_image_files(tmp_path)] == ["a.png", "b.JPG", "c.tiff"]
    found = list_image_files(str(tmp_path), recursive=True)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.png", "b.JPG", "c.tiff", "sub/d.jpg", "sub/deeper/e.webp"]
    assert all(isinstance(p, pathlib.Path) for p in found)
    assert ".jpg" in IMAGE_EXTENSIONS and ".png" in IMAGE_EXTENSIONS
    with pytest.raises(FileNotFoundError, match="no such folder"):
        list_image_files(tmp_path / "missing")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        list_image_files(tmp_path / "a.png")


def test_load_images_reports_every_bad_file_and_keeps_going(tmp_path, astronaut, small_photo):
    crops = _photo_files(tmp_path, astronaut, ["a.png", "c.png", "e.png"])
    (tmp_path / "b.jpg").write_text("a text file with a photo's name")
    _truncated(tmp_path, small_photo, "PNG").rename(tmp_path / "d.png")
    (tmp_path / "f.gif").write_bytes(b"")
    result = load_images(tmp_path, size=(43, 64))
    assert isinstance(result, LoadedImages)
    images, paths, failures = result
    assert images.shape == (3, 43, 64, 3) and images.dtype == np.uint8
    assert [pathlib.Path(p).name for p in paths] == ["a.png", "c.png", "e.png"]
    for image, name in zip(images, ["a.png", "c.png", "e.png"], strict=True):
        np.testing.assert_array_equal(image, load_image(crops[name], size=(43, 64)))
    reasons = {pathlib.Path(p).name: reason for p, reason in failures}
    assert sorted(reasons) == ["b.jpg", "d.png", "f.gif"]
    assert "not an image" in reasons["b.jpg"] and "truncated" in reasons["d.png"]
    assert all(isinstance(p, str) for p, _ in failures)


def test_the_content_decides_the_format_not_the_extension(tmp_path, small_photo):
    _png(tmp_path / "really_a_png.jpg", small_photo)
    images, paths, failures = load_images(tmp_path, size=None)
    np.testing.assert_array_equal(images[0], small_photo)
    assert failures == []


def test_load_images_holds_one_decoded_image_at_a_time(tmp_path, astronaut, monkeypatch):
    names = [f"{k}.png" for k in range(5)]
    _photo_files(tmp_path, astronaut, names)
    opened = []
    real_open = Image.open

    def spying_open(*args, **kwargs):
        gc.collect()
        alive = [ref for ref in opened if ref() is not None]
        assert not alive, "an earlier decoded image is still in memory"
        picture = real_open(*args, **kwargs)
        opened.append(weakref.ref(picture))
        return picture

    monkeypatch.setattr(Image, "open", spying_open)
    images, paths, _ = load_images(tmp_path, size=(20, 30))
    assert len(opened) == 5 and images.shape == (5, 20, 30, 3)


def test_load_images_raise_stops_at_the_first_bad_file(tmp_path, astronaut):
    _photo_files(tmp_path, astronaut, ["a.png", "c.png"])
    (tmp_path / "b.jpg").write_text("not a photo")
    with pytest.raises(ImageFileError, match="b.jpg"):
        load_images(tmp_path, errors="raise")
    with pytest.raises(ValueError, match="errors must be"):
        load_images(tmp_path, errors="ignore")


def test_load_images_list_of_paths_keeps_order_and_reports_missing(tmp_path, astronaut):
    _photo_files(tmp_path, astronaut, ["a.png", "b.png"])
    paths = [tmp_path / "b.png", str(tmp_path / "missing.png"), tmp_path / "a.png"]
    images, loaded, failures = load_images(paths, size=(30, 40), mode="L")
    assert images.shape == (2, 30, 40)
    assert [pathlib.Path(p).name for p in loaded] == ["b.png", "a.png"]
    assert failures[0][0].endswith("missing.png") and "no such file" in failures[0][1]


def test_load_images_recursive_and_natural_size(tmp_path, astronaut):
    _photo_files(tmp_path, astronaut, ["a.png", "sub/b.png"])
    assert len(load_images(tmp_path).paths) == 1
    images, paths, failures = load_images(tmp_path, size=None, recursive=True)
    assert images.shape == (2, 90, 130, 3) and not failures
    _png(tmp_path / "sub" / "c.png", astronaut[:50, :50])
    images, paths, failures = load_images(tmp_path, size=None, recursive=True)
    assert images.shape == (2, 90, 130, 3)
    assert failures[0][0].endswith("c.png") and "pass size=" in failures[0][1]


def test_load_images_empty_folder_and_bad_inputs(tmp_path):
    images, paths, failures = load_images(tmp_path)
    assert images.shape == (0, 86, 128, 3) and paths == [] and failures == []
    assert load_images(tmp_path, size=None).images.shape == (0, 0, 0, 3)
    with pytest.raises(FileNotFoundError):
        load_images(tmp_path / "missing")
    (tmp_path / "one.png").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="load_image reads one"):
        load_images(tmp_path / "one.png")
    with pytest.raises(TypeError, match="folder or a list of paths"):
        load_images([np.zeros((4, 4))])


def test_load_images_progress_bar(tmp_path, astronaut, capsys):
    _photo_files(tmp_path, astronaut, ["a.png", "b.png"])
    load_images(tmp_path)
    assert "loading images" not in capsys.readouterr().err     # auto: from AUTO_PROGRESS on
    load_images(tmp_path, progress=True)
    assert "loading images" in capsys.readouterr().err
    load_images([tmp_path / "a.png"] * (AUTO_PROGRESS - 1), size=(8, 8))
    assert "loading images" not in capsys.readouterr().err
    load_images([tmp_path / "a.png"] * AUTO_PROGRESS, size=(8, 8))
    assert "loading images" in capsys.readouterr().err
    load_images([tmp_path / "a.png"] * AUTO_PROGRESS, size=(8, 8), progress=False)
    assert "loading images" not in capsys.readouterr().err


# ---------------------------------------------------------------------------------------
# save_image
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tif", ".PNG"])
def test_save_uint8_round_trip(tmp_path, small_photo, small_gray, suffix):
    assert save_image(tmp_path / f"colour{suffix}", small_photo) == tmp_path / f"colour{suffix}"
    np.testing.assert_array_equal(load_image(tmp_path / f"colour{suffix}"), small_photo)
    save_image(tmp_path / f"gray{suffix}", small_gray)
    with Image.open(tmp_path / f"gray{suffix}") as picture:
        assert picture.mode == "L"
    np.testing.assert_array_equal(load_image(tmp_path / f"gray{suffix}", mode="L"), small_gray)


def test_save_float_rule(tmp_path, small_photo):
    unit = small_photo / 255.0
    save_image(tmp_path / "unit.png", unit)
    np.testing.assert_array_equal(load_image(tmp_path / "unit.png"), small_photo)
    save_image(tmp_path / "wide.png", small_photo.astype(np.float32) + 0.3)
    np.testing.assert_array_equal(load_image(tmp_path / "wide.png"), small_photo)
    save_image(tmp_path / "clipped.png", np.array([[-5.0, 0.2, 300.0]]))   # max > 1: 0..255
    assert load_image(tmp_path / "clipped.png", mode="L").tolist() == [[0, 0, 255]]
    save_image(tmp_path / "unit_clip.png", np.array([[-0.5, 0.5, 1.0]]))   # max <= 1: [0, 1]
    assert load_image(tmp_path / "unit_clip.png", mode="L").tolist() == [[0, 128, 255]]
    save_image(tmp_path / "deep.png", np.array([[0, 128, 129, 65535]], dtype=np.uint16))
    assert load_image(tmp_path / "deep.png", mode="L").tolist() == [[0, 0, 1, 255]]


def test_save_jpeg_default_quality_and_rgba(tmp_path, coffee):
    save_image(tmp_path / "coffee.jpg", coffee)
    Image.fromarray(coffee).save(tmp_path / "pillow_default.jpg")          # quality 75
    ours = np.abs(load_image(tmp_path / "coffee.jpg").astype(int) - coffee).mean()
    default = np.abs(load_image(tmp_path / "pillow_default.jpg").astype(int) - coffee).mean()
    assert ours < 3 and ours < 0.8 * default
    rgba = np.dstack([coffee, np.full(coffee.shape[:2], 255, np.uint8)])
    save_image(tmp_path / "rgba.jpg", rgba)                  # alpha composited, then JPEG
    assert load_image(tmp_path / "rgba.jpg").shape == coffee.shape
    save_image(tmp_path / "rgba.png", rgba)
    with Image.open(tmp_path / "rgba.png") as picture:
        assert picture.mode == "RGBA"


def test_save_is_atomic_and_errors_are_clear(tmp_path, small_photo):
    target = tmp_path / "kept.png"
    save_image(target, small_photo)
    before = target.read_bytes()
    with pytest.raises(OSError):
        save_image(target, Image.fromarray(small_photo[:, :, 0].astype(np.float32), mode="F"))
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.png"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask     # not a temporary file's 0600
    with pytest.raises(ValueError, match="extension"):
        save_image(tmp_path / "picture.xyz", small_photo)
    with pytest.raises(ValueError, match="NaN"):
        save_image(tmp_path / "nan.png", np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match=r"0\.\.255"):
        save_image(tmp_path / "big.png", np.array([[1000]]))


# ---------------------------------------------------------------------------------------
# to_image_list
# ---------------------------------------------------------------------------------------

def test_to_image_list_every_kind_of_input(tmp_path, small_photo):
    path = _png(tmp_path / "p.png", small_photo)
    batch = np.stack([small_photo, small_photo[::-1]])
    with Image.open(path) as picture:
        images = to_image_list([path, str(path), picture, batch, small_photo.astype(np.float64)])
    assert len(images) == 6
    for image in images[:4]:
        assert image.dtype == np.uint8
        np.testing.assert_array_equal(image, small_photo)
    np.testing.assert_array_equal(images[4], small_photo[::-1])
    assert images[5].dtype == np.float32
    np.testing.assert_array_equal(images[5], small_photo)
    assert to_image_list([]) == []
    assert len(to_image_list(batch)) == 2 and len(to_image_list((path, path))) == 2


def test_to_image_list_modes(small_photo, small_gray):
    rgb = to_image_list(small_gray.astype(np.float32))[0]
    assert rgb.shape == small_gray.shape + (3,) and rgb.dtype == np.float32
    assert all(np.array_equal(rgb[:, :, k], small_gray) for k in range(3))
    np.testing.assert_array_equal(to_image_list(small_gray)[0][:, :, 1], small_gray)
    gray = to_image_list(small_photo, mode="L")[0]
    np.testing.assert_array_equal(gray, load_image(small_photo, mode="L"))
    gray_float = to_image_list(small_photo.astype(np.float32), mode="L")[0]
    assert gray_float.shape == small_gray.shape[:0] + small_photo.shape[:2]
    assert np.abs(gray_float - gray).max() <= 0.5 + 1e-4
    rgba = np.dstack([small_photo, np.zeros(small_photo.shape[:2], np.uint8)])
    assert np.all(to_image_list(rgba)[0] == 255)                 # transparent -> white
    assert to_image_list(small_photo.astype(np.int64))[0].dtype == np.uint8


@pytest.mark.parametrize("images, error, message", [
    (42, TypeError, "expected a path, a file object"),
    ({"a": 1}, TypeError, "got dict"),
    (np.zeros((5, 86, 128)), ValueError, r"expected an image of shape"),
    (np.full((4, 4, 3), np.inf), ValueError, "NaN or infinite"),
])
def test_to_image_list_errors(images, error, message):
    with pytest.raises(error, match=message):
        to_image_list(images)


def test_batch_names_are_still_importable_from_io():
    import imageops.batches
    import imageops.io

    for name in ("IMAGE_EXTENSIONS", "LoadedImages", "list_image_files", "load_images",
                 "to_image_list"):
        assert getattr(imageops.io, name) is getattr(imageops.batches, name)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        imageops.io.nothing  # noqa: B018
