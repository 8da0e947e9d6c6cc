"""``retrieval background``: one real run on frames made of photos, and its errors."""

import sys

import numpy as np
import pytest
from PIL import Image

from imageops import load_image, svd_background, synthetic_video
from retrieval.cli import main
from retrieval.data import sample_photo


@pytest.fixture
def video_folder(tmp_path):
    """12 frames of 48 x 64: a piece of the cell photo moving over the coffee photo."""
    scene = np.asarray(Image.open(sample_photo("coffee")).convert("L").resize((64, 48)))
    cell = load_image(sample_photo("cell"), size=(14, 14), mode="L")
    rows, cols = np.ogrid[:14, :14]
    frames, truth = synthetic_video(scene, cell, (rows - 6.5) ** 2 + (cols - 6.5) ** 2 <= 42,
                                    n_frames=12, seed=0)
    folder = tmp_path / "frames"
    folder.mkdir()
    for t, frame in enumerate(frames):
        Image.fromarray(frame).save(folder / f"frame{t:03d}.png")
    return folder, frames, truth


def test_background_writes_picture_mask_and_figure(video_folder, tmp_path, capsys):
    folder, frames, truth = video_folder
    out = tmp_path / "out"
    assert main(["background", str(folder), "-o", str(out), "--gray", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "12 frames of 48x64" in printed and "wrote" in printed
    picture = np.asarray(Image.open(out / "background.png"))
    np.testing.assert_array_equal(picture, svd_background(frames, progress=False).image)
    with Image.open(out / "mask.gif") as gif:
        assert gif.n_frames == 12 and gif.size == (64, 48)
        masks = []
        for t in range(gif.n_frames):
            gif.seek(t)
            masks.append(np.asarray(gif.convert("L")) > 127)
    hits = (np.array(masks) & truth).sum()
    assert 2 * hits / (np.sum(masks) + truth.sum()) > 0.8        # F-measure of the GIF's masks
    with Image.open(out / "figure.png") as figure:
        assert figure.size[0] > 500


def run_error(argv, capsys):
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    return error


def test_background_missing_source(tmp_path, capsys):
    error = run_error(["background", str(tmp_path / "nothing"), "-o", str(tmp_path)], capsys)
    assert "not found" in error


def test_background_too_few_frames(tmp_path, capsys):
    for t in range(2):
        Image.new("L", (8, 6), 40 * t).save(tmp_path / f"f{t}.png")
    error = run_error(["background", str(tmp_path), "-o", str(tmp_path / "out")], capsys)
    assert "at least 3 frames" in error and "gave 2" in error


def test_background_mixed_frame_sizes(tmp_path, capsys):
    for t, size in enumerate([(8, 6), (8, 6), (9, 6)]):
        Image.new("L", size).save(tmp_path / f"f{t}.png")
    error = run_error(["background", str(tmp_path), "-o", str(tmp_path / "out")], capsys)
    assert "--size HEIGHT WIDTH" in error and "frame 2" in error
    out = tmp_path / "out"
    assert main(["background", str(tmp_path), "-o", str(out), "--size", "6", "8", "-q",
                 "--no-figure"]) == 0
    assert (out / "background.png").exists() and not (out / "figure.png").exists()


def test_background_unreadable_video_names_the_extra(tmp_path, capsys, monkeypatch):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not a video")
    monkeypatch.setitem(sys.modules, "imageio.v3", None)         # the video extra is missing
    error = run_error(["background", str(video), "-o", str(tmp_path / "out")], capsys)
    assert 'pip install "retrieval-lab[video]"' in error


def test_background_undecodable_video(tmp_path, capsys):
    pytest.importorskip("imageio_ffmpeg")
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not a video")
    error = run_error(["background", str(video), "-o", str(tmp_path / "out")], capsys)
    assert "clip.mp4" in error
