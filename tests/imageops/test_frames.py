"""imageops.frames.load_frames: folders, animated GIFs and (with the video extra) videos."""

import importlib.util
import sys

import numpy as np
import pytest
from PIL import Image

from imageops.frames import load_frames
from imageops.io import ImageFileError, load_image

HAS_VIDEO = all(importlib.util.find_spec(name) for name in ("imageio", "imageio_ffmpeg"))


def _sliding_crops(photo, count=8, height=48, width=64, shift=9):
    """A camera panning across a real photo: ``count`` crops moving right by ``shift``."""
    return np.stack([photo[100:100 + height, 100 + k * shift:100 + k * shift + width]
                     for k in range(count)])


def _gif(path, frames, **options):
    pictures = [Image.fromarray(frame) for frame in frames]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=80, loop=0,
                     **options)
    return path


# ---------------------------------------------------------------------------------------
# animated GIF
# ---------------------------------------------------------------------------------------

def test_gray_gif_round_trip_is_exact(tmp_path, camera):
    frames = _sliding_crops(camera)
    path = _gif(tmp_path / "pan.gif", frames)
    loaded = load_frames(path, gray=True)
    assert loaded.shape == frames.shape and loaded.dtype == np.uint8
    np.testing.assert_array_equal(loaded, frames)
    colour = load_frames(path)
    assert colour.shape == frames.shape + (3,)
    np.testing.assert_array_equal(colour[..., 0], frames)


def test_colour_gif_matches_the_photo_up_to_its_palette(tmp_path, astronaut):
    frames = _sliding_crops(astronaut)
    loaded = load_frames(_gif(tmp_path / "pan.gif", frames))
    assert loaded.shape == frames.shape
    error = np.abs(loaded.astype(int) - frames).mean(axis=(1, 2, 3))
    assert error.max() < 8                                  # 256-colour palettes per frame
    moved = np.abs(loaded[1:].astype(int) - loaded[:-1]).mean()
    assert moved > 2 * error.max()                          # the frames really differ


def test_step_max_frames_and_size(tmp_path, camera):
    frames = _sliding_crops(camera, count=9)
    path = _gif(tmp_path / "pan.gif", frames)
    np.testing.assert_array_equal(load_frames(path, gray=True, step=3), frames[::3])
    np.testing.assert_array_equal(load_frames(path, gray=True, step=2, max_frames=2),
                                  frames[[0, 2]])
    np.testing.assert_array_equal(load_frames(path, gray=True, max_frames=100), frames)
    small = load_frames(path, size=(24, 32), gray=True)
    assert small.shape == (9, 24, 32)
    np.testing.assert_array_equal(small[4], load_image(frames[4], size=(24, 32), mode="L"))


def test_gif_with_transparency_is_composited_on_white(tmp_path):
    palette = [0, 0, 255, 255, 0, 0, 0, 255, 0] + [0] * 759   # blue (transparent), red, green
    first = Image.new("P", (6, 4), 1)
    first.putpalette(palette)
    first.paste(0, (0, 0, 3, 4))                               # left half transparent
    first.info["transparency"] = 0
    second = Image.new("P", (6, 4), 2)
    second.putpalette(palette)
    first.save(tmp_path / "flag.gif", save_all=True, append_images=[second], duration=50)
    loaded = load_frames(tmp_path / "flag.gif")
    assert loaded[0, 0, [0, 5]].tolist() == [[255, 255, 255], [255, 0, 0]]
    assert loaded[1, 0, [0, 5]].tolist() == [[0, 255, 0], [0, 255, 0]]


def test_a_still_image_is_one_frame(tmp_path, small_photo):
    Image.fromarray(small_photo).save(tmp_path / "still.png")
    np.testing.assert_array_equal(load_frames(tmp_path / "still.png"), small_photo[None])


# ---------------------------------------------------------------------------------------
# folders and lists of paths
# ---------------------------------------------------------------------------------------

def test_folder_of_frames_in_name_order(tmp_path, astronaut):
    frames = _sliding_crops(astronaut, count=6)
    for k in reversed(range(6)):
        Image.fromarray(frames[k]).save(tmp_path / f"frame_{k:03d}.png")
    (tmp_path / "README.txt").write_text("not a frame")
    np.testing.assert_array_equal(load_frames(tmp_path), frames)
    np.testing.assert_array_equal(load_frames(str(tmp_path), step=2, max_frames=2),
                                  frames[[0, 2]])
    gray = load_frames(tmp_path, gray=True)
    np.testing.assert_array_equal(gray[3], load_image(frames[3], mode="L"))
    paths = [tmp_path / "frame_005.png", tmp_path / "frame_001.png"]
    np.testing.assert_array_equal(load_frames(paths), frames[[5, 1]])


def test_frames_of_different_sizes(tmp_path, astronaut):
    Image.fromarray(astronaut[:40, :50]).save(tmp_path / "a.png")
    Image.fromarray(astronaut[:30, :50]).save(tmp_path / "b.png")
    with pytest.raises(ValueError, match=r"frame 1 has shape \(30, 50, 3\).*pass size="):
        load_frames(tmp_path)
    assert load_frames(tmp_path, size=(20, 25)).shape == (2, 20, 25, 3)


# ---------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------

def test_errors(tmp_path, small_photo):
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        load_frames(tmp_path / "missing.gif")
    with pytest.raises(ValueError, match="no image files in the folder"):
        load_frames(tmp_path)
    (tmp_path / "notes.gif").write_text("not an animation")
    with pytest.raises(ImageFileError, match="notes.gif.*neither an image"):
        load_frames(tmp_path / "notes.gif")
    for kwargs, error, message in [
            ({"step": 0}, ValueError, "step must be a positive integer, got 0"),
            ({"step": 1.5}, TypeError, "step must be a positive integer, got 1.5"),
            ({"max_frames": 0}, ValueError, "max_frames must be a positive integer, got 0"),
            ({"size": (0, 3)}, ValueError, r"size must be \(height, width\)")]:
        with pytest.raises(error, match=f"load_frames: {message}"):
            load_frames(tmp_path / "notes.gif", **kwargs)
    with pytest.raises(TypeError, match="expected a folder"):
        load_frames(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="empty"):
        load_frames([])


def test_truncated_gif(tmp_path, astronaut):
    path = _gif(tmp_path / "pan.gif", _sliding_crops(astronaut))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageFileError, match="pan.gif.*truncated"):
        load_frames(path)


@pytest.mark.parametrize("missing", ["imageio", "imageio_ffmpeg"])
def test_video_without_the_extra_names_the_install(tmp_path, monkeypatch, missing):
    (tmp_path / "clip.mp4").write_bytes(b"\x00" * 64)
    monkeypatch.setitem(sys.modules, missing, None)             # import now fails
    if missing == "imageio":
        monkeypatch.setitem(sys.modules, "imageio.v3", None)
    with pytest.raises(ImportError, match=r'pip install "retrieval-lab\[video\]"'):
        load_frames(tmp_path / "clip.mp4")


# ---------------------------------------------------------------------------------------
# video (only with the video extra)
# ---------------------------------------------------------------------------------------

needs_video = pytest.mark.skipif(not HAS_VIDEO,
                                 reason="the video extra (imageio, imageio-ffmpeg) is missing")
# imageio-ffmpeg leaves the pipes of a finished ffmpeg process to the garbage collector,
# which reports them as ResourceWarnings: harmless, and outside this project.
ffmpeg_pipes = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@needs_video
@ffmpeg_pipes
def test_video_round_trip(tmp_path, astronaut):
    import imageio.v3 as iio

    frames = _sliding_crops(astronaut, count=12, height=96, width=128, shift=6)
    path = tmp_path / "pan.mp4"
    iio.imwrite(path, frames, plugin="FFMPEG", fps=10, quality=9)
    loaded = load_frames(path)
    assert loaded.shape == frames.shape and loaded.dtype == np.uint8
    error = np.abs(loaded.astype(int) - frames).mean(axis=(1, 2, 3))
    assert error.max() < 6                                  # lossy H.264, 4:2:0 colour
    np.testing.assert_array_equal(load_frames(path, step=4), loaded[::4])
    gray = load_frames(path, gray=True, size=(48, 64), max_frames=3)
    assert gray.shape == (3, 48, 64)
    np.testing.assert_array_equal(gray[2], load_image(loaded[2], size=(48, 64), mode="L"))


@needs_video
@ffmpeg_pipes
def test_broken_video(tmp_path):
    (tmp_path / "broken.mp4").write_bytes(b"this is not a video at all" * 10)
    with pytest.raises(ImageFileError, match="broken.mp4"):
        load_frames(tmp_path / "broken.mp4")
