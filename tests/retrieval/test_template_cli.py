"""``retrieval match``: real image files in, boxes out (table, JSON, picture), clear errors."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from retrieval.cli import main
from retrieval.data import sample_photo


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("match")
    # several similar objects: scikit-image's sample photo of coins (test data only)
    coins = pytest.importorskip("skimage.data").coins()  # gray, 303×384
    paths = {
        "coins": folder / "coins.png",
        "coin": folder / "coin.png",
        "cat": folder / "cat.jpg",
        "big": folder / "big.png",
        "empty": folder / "empty.png",
        "text": folder / "notes.png",
        "plain": folder / "plain.png",
    }
    Image.fromarray(coins).save(paths["coins"])
    Image.fromarray(coins[90:140, 30:80]).save(paths["coin"])
    Image.open(sample_photo("chelsea")).save(paths["cat"])
    Image.fromarray(np.zeros((400, 400), np.uint8)).save(paths["big"])
    paths["empty"].write_bytes(b"")
    paths["text"].write_text("not an image")
    Image.new("RGBA", (20, 20), (10, 20, 30, 128)).save(paths["plain"])
    return {name: str(path) for name, path in paths.items()}


def run(capsys, *argv):
    code = main(["match", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_of_the_best_boxes(files, capsys):
    code, out, err = run(capsys, files["coins"], files["coin"], "-k", "3")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("zncc matches of") and len(lines) == 4
    assert lines[1].split() == ["1", "90", "30", "50", "50", "1.0000"]
    scores = [float(line.split()[-1]) for line in lines[1:]]
    assert scores == sorted(scores, reverse=True) and scores[2] > 0.8  # three coins


def test_json_agrees_with_the_library(files, capsys):
    from imageops import load_image
    from retrieval import find_matches, match_template

    code, out, _ = run(capsys, files["coins"], files["coin"], "-k", "2", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["method"] == "zncc" and report["image"] == files["coins"]
    image, template = load_image(files["coins"]), load_image(files["coin"])
    want = find_matches(match_template(image, template), template.shape, k=2)
    assert [[b["row"], b["col"], b["height"], b["width"]] for b in report["matches"]] == \
        [list(m[:4]) for m in want]
    assert [b["score"] for b in report["matches"]] == pytest.approx([m.score for m in want])


@pytest.mark.parametrize("method", ["ssd", "sad"])
def test_distances_are_ranked_smallest_first(files, capsys, method):
    code, out, _ = run(capsys, files["coins"], files["coin"], "--method", method, "-k", "2",
                       "--json")
    boxes = json.loads(out)["matches"]
    assert code == 0 and 0 <= boxes[0]["score"] < 1e-9 * boxes[1]["score"]  # 0 up to rounding
    assert (boxes[0]["row"], boxes[0]["col"]) == (90, 30)


def test_gray_template_in_a_colour_image(files, capsys):
    """Files are read as RGB, so a gray template and a colour photo have the same channels."""
    code, out, _ = run(capsys, files["cat"], files["coin"], "--json")
    assert code == 0 and len(json.loads(out)["matches"]) == 1


def test_a_constant_template_gets_a_note(files, capsys):
    """An RGBA file is read as RGB; one colour everywhere has no correlation: scores are 0."""
    code, out, err = run(capsys, files["cat"], files["plain"], "--json")
    assert code == 0 and json.loads(out)["matches"][0]["score"] == 0
    assert "note: every score is 0" in err


def test_features_method(files, capsys):
    code, out, _ = run(capsys, files["coins"], files["coin"], "--method", "features",
                       "--json")
    box = json.loads(out)["matches"][0]
    assert code == 0 and abs(box["row"] - 90) <= 8 and abs(box["col"] - 30) <= 8


def test_plot_writes_the_picture(files, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "found.png"
    code, out, err = run(capsys, files["coins"], files["coin"], "--top", "3", "--plot",
                         str(target))  # --top: the old name of -k, still accepted
    assert code == 0 and f"wrote {target}" in err
    with Image.open(target) as picture:
        assert picture.size[0] > 600 and picture.size[1] > 200


@pytest.mark.parametrize(("image", "template", "extra", "words"), [
    ("coins", "big", [], "template (400×400) is larger than the image (303×384)"),
    ("coins", "empty", [], "cannot read template"),
    ("coins", "text", [], "cannot read template"),
    ("empty", "coin", [], "cannot read image"),
    ("coins", "missing", [], "template not found"),
])
def test_errors_are_one_line_with_exit_code_1(files, capsys, image, template, extra, words):
    code, out, err = run(capsys, files.get(image, image), files.get(template, "nowhere.png"),
                         *extra)
    assert code == 1 and out == ""
    assert err.startswith("retrieval match: error: ") and words in err
    assert len(err.strip().splitlines()) == 1


def test_a_real_run_of_the_command(files):
    result = subprocess.run(
        [sys.executable, "-m", "retrieval.cli", "match", files["coins"], files["big"]],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "larger than the image" in result.stderr and result.stdout == ""


def test_unknown_method_is_a_usage_error(files, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["match", files["coins"], files["coin"], "--method", "cosine"])
    assert stop.value.code == 2 and "invalid choice: 'cosine'" in capsys.readouterr().err
