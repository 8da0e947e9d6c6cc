"""Hostile files: memory bombs, FIFOs and damaged images meet limits and documented errors."""

import contextlib
import io
import os
import random
import threading
import time
import tracemalloc

import numpy as np
import pytest
from PIL import Image

import imageops.frames
from imageops import load_frames, load_image, load_images
from imageops.batches import list_image_files
from imageops.io import ImageFileError

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def _gif(path, count, height=32, width=40, seed=0):
    rng = np.random.default_rng(seed)
    pictures = [Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8))
                for _ in range(count)]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=40)
    return path


# ---------------------------------------------------------------------------------------
# memory bombs: many declared frames, many declared pixels
# ---------------------------------------------------------------------------------------

def test_gif_declaring_too_many_frames_is_refused_before_decoding(tmp_path, monkeypatch):
    path = _gif(tmp_path / "many.gif", 30)
    decoded = []
    real_load_image = imageops.frames.load_image
    monkeypatch.setattr(imageops.frames, "load_image",
                        lambda *args, **kw: decoded.append(1) or real_load_image(*args, **kw))
    frame = 32 * 40 * 3
    with pytest.raises(ImageFileError, match=r"many\.gif.*30 frames.*max_bytes"):
        load_frames(path, max_bytes=10 * frame)
    assert decoded == []                               # refused from the headers alone
    assert load_frames(path, max_bytes=10 * frame, max_frames=10).shape == (10, 32, 40, 3)
    assert load_frames(path, max_bytes=10 * frame, step=3).shape == (10, 32, 40, 3)
    assert load_frames(path, gray=True, max_bytes=10 * frame).shape == (30, 32, 40)
    assert load_frames(path, size=(16, 20), max_bytes=10 * frame).shape == (30, 16, 20, 3)
    monkeypatch.setattr(imageops.frames, "MAX_FRAMES_BYTES", 29 * frame)   # the default
    with pytest.raises(ImageFileError, match="MAX_FRAMES_BYTES"):
        load_frames(path)
    with pytest.raises(ValueError, match="max_bytes must be a positive integer"):
        load_frames(path, max_bytes=0)


def test_a_folder_of_frames_over_the_limit_stops_at_the_first_frame(tmp_path, monkeypatch):
    for k in range(5):
        Image.new("L", (8, 6), 40 * k).save(tmp_path / f"{k}.png")
    assert load_frames(tmp_path, gray=True, max_bytes=5 * 48).shape == (5, 6, 8)
    decoded = []
    real_load_image = imageops.frames.load_image
    monkeypatch.setattr(imageops.frames, "load_image",
                        lambda *args, **kw: decoded.append(1) or real_load_image(*args, **kw))
    with pytest.raises(ValueError, match="5 frames of 48 bytes"):
        load_frames(tmp_path, gray=True, max_bytes=4 * 48)
    assert len(decoded) == 1


def _png16(path, height, width):
    ramp = np.linspace(0, 65535, height * width).reshape(height, width).astype(np.uint16)
    Image.fromarray(ramp).save(path)
    with Image.open(path) as picture:
        assert picture.mode.startswith("I")            # really a 16-bit file
    return ramp


def test_image_over_pillows_pixel_limit_is_refused_before_decoding(tmp_path, monkeypatch):
    path = tmp_path / "deep.png"
    ramp = _png16(path, 40, 50)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 40 * 50 - 1)   # Pillow alone only warns
    with pytest.raises(ImageFileError, match=r"deep\.png.*50 x 40.*MAX_IMAGE_PIXELS"):
        load_image(path)
    with pytest.raises(ImageFileError, match="MAX_IMAGE_PIXELS"):
        load_frames(path)
    assert load_images([path]).failures[0][0] == os.fspath(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 40 * 50)       # raised: it loads
    expected = np.floor(ramp / 257 + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(load_image(path, mode="L"), expected)


def test_16_bit_image_is_converted_without_a_float_copy(tmp_path):
    path = tmp_path / "deep.png"
    ramp = _png16(path, 1000, 1000)
    tracemalloc.start()
    try:
        gray = load_image(path, mode="L")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(gray, np.floor(ramp / 257 + 0.5).astype(np.uint8))
    # the result (1 byte a pixel) and blocks of rows: about 4 bytes a pixel in all, where the
    # float64 conversion took 26; one float64 copy alone is 8
    assert peak < 8 * ramp.size


def test_16_bit_and_float_arrays_convert_like_before():
    values = np.arange(0, 65536, dtype=np.uint16).reshape(256, 256)
    np.testing.assert_array_equal(load_image(values, mode="L"),
                                  np.floor(values / 257 + 0.5).astype(np.uint8))
    floats = np.linspace(-3, 260, 300 * 7).reshape(300, 7)
    np.testing.assert_array_equal(load_image(floats, mode="L"),
                                  np.clip(np.floor(floats + 0.5), 0, 255).astype(np.uint8))
    wide = Image.fromarray(np.array([[-5, 0, 128, 129, 70000, 2**31 - 1]], dtype=np.int32))
    assert wide.mode == "I"
    assert load_image(wide, mode="L").tolist() == [[0, 0, 0, 1, 255, 255]]


# ---------------------------------------------------------------------------------------
# FIFOs and devices: never opened for reading
# ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def _unblocking(fifo):
    """If a reader blocks on ``fifo`` (the defect), open and close its other end after a
    while so the test fails instead of hanging; never blocks itself."""
    done = threading.Event()

    def watch():
        deadline = time.monotonic() + 3.0
        while not done.wait(0.05):
            if time.monotonic() < deadline:
                continue
            with contextlib.suppress(OSError):   # ENXIO: nobody reading, nothing to free
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.png"
    os.mkfifo(path)
    return path


@needs_fifo
def test_load_image_refuses_a_fifo_without_opening_it(fifo):
    with _unblocking(fifo), pytest.raises(ImageFileError, match=r"pipe\.png.*FIFO"):
        load_image(fifo)


@needs_fifo
def test_batches_and_frames_skip_or_refuse_a_fifo(tmp_path, fifo):
    Image.new("RGB", (6, 4), (9, 8, 7)).save(tmp_path / "real.png")
    assert [p.name for p in list_image_files(tmp_path)] == ["real.png"]
    with _unblocking(fifo):
        images, paths, failures = load_images(tmp_path, size=(4, 6))
        assert len(images) == 1 and failures == []
        images, paths, failures = load_images([fifo, tmp_path / "real.png"], size=(4, 6))
        assert len(images) == 1 and "FIFO" in failures[0][1]
        assert load_frames(tmp_path).shape == (1, 4, 6, 3)
        with pytest.raises(ImageFileError, match="FIFO"):
            load_frames([tmp_path / "real.png", fifo])
    for name in ("pipe.gif", "pipe.mp4"):
        os.mkfifo(tmp_path / name)
        with _unblocking(tmp_path / name), pytest.raises(ImageFileError, match="FIFO"):
            load_frames(tmp_path / name)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused():
    with pytest.raises(ImageFileError, match="character device"):
        load_image("/dev/zero")


# ---------------------------------------------------------------------------------------
# damaged files: only ImageFileError, always with a message
# ---------------------------------------------------------------------------------------

def _originals():
    rng = np.random.default_rng(3)
    photo = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)
    files = {}
    for fmt in ("PNG", "JPEG"):
        buffer = io.BytesIO()
        Image.fromarray(photo).save(buffer, format=fmt)
        files[fmt] = buffer.getvalue()
    buffer = io.BytesIO()
    frames = [Image.fromarray(np.roll(photo, k, axis=1)).convert("P") for k in range(3)]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    files["GIF"] = buffer.getvalue()
    return files


def _variants(data, count, seed):
    """Truncations (one in three) and one to four flipped bits of ``data``."""
    chooser = random.Random(seed)
    for k in range(count):
        damaged = bytearray(data)
        if k % 3 == 0:
            damaged = damaged[:chooser.randrange(len(damaged))]
        else:
            for _ in range(chooser.randint(1, 4)):
                damaged[chooser.randrange(len(damaged))] ^= 1 << chooser.randrange(8)
        yield bytes(damaged)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_damaged_files_raise_only_image_file_error(tmp_path, fmt):
    data = _originals()[fmt]
    path = tmp_path / f"damaged.{fmt.lower()}"
    outcomes = {"loaded": 0, "refused": 0}
    for variant in _variants(data, 120, seed=len(fmt)):
        path.write_bytes(variant)
        for source, read in ((io.BytesIO(variant), load_image), (path, load_frames)):
            try:
                read(source)
            except ImageFileError as exc:
                assert str(exc)
                outcomes["refused"] += 1
            else:
                outcomes["loaded"] += 1
    assert outcomes["refused"] > 20   # the damage was met (CRCs refuse most PNG variants)
