"""Anyone's photo folder (issue 13): one bad image never kills the batch, and the rough edges
of indexing, updating and searching a real folder from anywhere."""

import json
import os
import shutil
import warnings

import matplotlib
import numpy as np
import pytest
from PIL import Image

import retrieval.features
import retrieval.index
from retrieval import CNNFeatures, ImageIndex, PixelFeatures
from retrieval.cli import main
from retrieval.data import sample_photo
from retrieval.index_file import read_index, write_index
from retrieval.results import SearchResults

matplotlib.use("Agg")

NAMES = ("astronaut", "chelsea", "coffee", "camera", "rocket")


def _write(path, name, size=(96, 64)):
    with Image.open(sample_photo(name)) as image:
        image.convert("RGB").resize(size).save(path, quality=95)


@pytest.fixture
def photos(tmp_path):
    """A folder ``photos`` of five small real photos inside the test's own folder."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in NAMES:
        _write(folder / f"{name}.jpg", name)
    return folder


def _err_lines(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


class RecordingBar:
    """Stands in for the tqdm bar: records each update."""

    def __init__(self, total, *args, **kwargs):
        self.total, self.updates = total, []
        BARS.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1):
        self.updates.append(n)


BARS: list[RecordingBar] = []


# ---------------------------------------------------------------- 1. progress per image


def test_add_moves_the_bar_once_per_image(photos, monkeypatch):
    BARS.clear()
    monkeypatch.setattr(retrieval.index, "progress_bar", RecordingBar)
    ImageIndex(PixelFeatures(size=(8, 8))).add(photos, batch_size=64)
    (bar,) = BARS
    assert bar.total == 5 and bar.updates == [1] * 5


def test_cnn_extract_moves_the_bar_once_per_image(monkeypatch):
    BARS.clear()
    monkeypatch.setattr(retrieval.features, "progress_bar", RecordingBar)
    small = []
    for name in ("coffee", "chelsea", "rocket"):
        with Image.open(sample_photo(name)) as image:
            small.append(np.asarray(image.convert("RGB").resize((48, 40))))
    extractor = CNNFeatures()
    one_by_one = extractor.extract(small, progress=True)
    assert BARS[0].updates == [1, 1, 1]
    together = extractor.model.features(small, batch_size=3, progress=False)
    np.testing.assert_array_equal(one_by_one, together)  # one at a time changes no bit


# ---------------------------------------------------------------- 2. one bad image


def test_too_small_files_are_listed_failures_and_the_rest_is_added(photos):
    Image.new("RGB", (1, 1)).save(photos / "dot.png")
    Image.new("RGB", (40, 30)).save(photos / "strip.png")
    (photos / "notes.jpg").write_text("not an image")
    index = ImageIndex(CNNFeatures(size=None))
    report = index.add(photos)
    assert len(report.added) == 5 and len(index) == 5
    failed = dict(report.failures)
    assert set(failed) == {str(photos / name) for name in ("dot.png", "strip.png", "notes.jpg")}
    assert "at least 32x32" in failed[str(photos / "dot.png")]
    assert "got 30x40" in failed[str(photos / "strip.png")]
    with pytest.raises(ValueError, match="at least 32x32"):
        ImageIndex(CNNFeatures(size=None)).add(photos, errors="raise")


def test_cli_index_lists_too_small_files_and_writes_the_rest(photos, tmp_path, capsys):
    Image.new("RGB", (1, 1)).save(photos / "dot.png")
    (photos / "notes.jpg").write_text("not an image")
    out = tmp_path / "cnn.npz"
    assert main(["index", str(photos), "-o", str(out), "-q"]) == 0
    captured = capsys.readouterr()
    assert "indexed 5 images" in captured.out and "2 skipped" in captured.out
    assert f"skipped {photos / 'dot.png'}: " in captured.err
    assert f"skipped {photos / 'notes.jpg'}: " in captured.err
    assert len(ImageIndex.load(out)) == 5


def test_cli_classify_one_missing_file_among_many(photos, capsys):
    files = [str(photos / "coffee.jpg"), str(photos / "gone.jpg"), str(photos / "rocket.jpg")]
    assert main(["classify", *files, "-k", "1", "--json"]) == 0
    captured = capsys.readouterr()
    answers = json.loads(captured.out)
    assert [entry["image"] for entry in answers] == files
    assert "top" in answers[0] and "top" in answers[2]
    assert "not found" in answers[1]["error"]
    assert f"skipped {files[1]}" in captured.err
    # exit code 1 only when nothing could be classified
    assert main(["classify", str(photos / "gone.jpg"), str(photos / "nope.png")]) == 1
    assert "no readable images (2 failed)" in _err_lines(capsys)


def test_classifying_a_tiny_image_warns(photos, capsys):
    Image.new("RGB", (1, 1), (120, 20, 200)).save(photos / "dot.png")
    assert main(["classify", str(photos / "dot.png"), "-k", "1"]) == 0
    err = _err_lines(capsys)
    assert f"{photos / 'dot.png'} is only 1×1 pixels" in err and "not meaningful" in err
    model = retrieval.load_model()
    with pytest.warns(UserWarning, match="only 1×1 pixels.*not meaningful"):
        model.classify(np.zeros((1, 1, 3), np.uint8), top=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.classify(sample_photo("coffee"), top=1)  # a real photo: no warning


# ---------------------------------------------------------------- 3. missing and empty


def test_add_of_a_missing_path_raises_and_an_empty_folder_warns(tmp_path):
    index = ImageIndex(PixelFeatures(size=(8, 8)))
    with pytest.raises(FileNotFoundError, match="missing_folder"):
        index.add(tmp_path / "missing_folder")
    (tmp_path / "empty").mkdir()
    with pytest.warns(UserWarning, match=r"no image files in .*empty"):
        report = index.add(tmp_path / "empty")
    assert report.added == [] and report.failures == []
    # inside a list, a missing file is one more failure
    report = index.add([tmp_path / "gone.png"])
    assert [path for path, _ in report.failures] == [str(tmp_path / "gone.png")]


# ---------------------------------------------------------------- 4. bad output path


def test_cli_bad_output_path_is_found_before_any_work(photos, tmp_path, capsys, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("extraction started before the output path was checked")

    monkeypatch.setattr(ImageIndex, "add", no_work)
    given = str(tmp_path / "nodir" / "x.npz")
    assert main(["index", str(photos), "-o", given]) == 1
    err = _err_lines(capsys)
    assert given in err and "does not exist" in err and ".tmp" not in err
    assert main(["index", str(photos), "-o", str(tmp_path)]) == 1
    assert "is a folder" in _err_lines(capsys)


def test_save_names_the_path_given(tmp_path):
    index = ImageIndex(PixelFeatures(size=(4, 4)))
    index.add(np.zeros((1, 4, 4, 3)))
    given = tmp_path / "nodir" / "x.npz"
    with pytest.raises(FileNotFoundError) as error:
        index.save(given)
    assert str(given) in str(error.value) and ".tmp" not in str(error.value)


# ---------------------------------------------------------------- 5. results from anywhere


def test_results_resolve_from_another_folder(photos, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    index = ImageIndex(PixelFeatures(size=(16, 24)))
    index.add("photos")
    assert index.ids[0] == os.path.join("photos", "astronaut.jpg")  # ids stay relative
    assert index.root == str(tmp_path)
    saved = index.save("photos.npz")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    loaded = ImageIndex.load(tmp_path / saved)
    assert loaded.root == str(tmp_path) and loaded.ids == index.ids
    assert loaded.locate(os.path.join("photos", "chelsea.jpg")) == photos / "chelsea.jpg"
    results = loaded.search(photos / "coffee.jpg", k=2)
    figure = results.show()
    texts = [text.get_text() for ax in figure.axes for text in ax.texts]
    assert texts == [] and all(ax.images for ax in figure.axes)  # every picture drawn
    # ids added later, from another folder, are still relative to the root
    _write(elsewhere / "extra.jpg", "camera")
    loaded.add("extra.jpg")  # relative to the working folder, elsewhere
    assert loaded.ids[-1] == os.path.join("elsewhere", "extra.jpg")


def test_cli_search_from_another_folder_and_a_moved_file(photos, tmp_path, capsys,
                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["index", "photos", "-o", "photos.npz", "--features", "pixels", "-q"]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    figures = []
    monkeypatch.setattr(retrieval.cli.search, "save_plot",
                        lambda figure, path: figures.append(figure) or path)
    query = str(photos / "coffee.jpg")
    assert main(["search", "../photos.npz", query, "-k", "2", "--plot", "hits.png"]) == 0
    assert "not where the index says" not in capsys.readouterr().err
    assert all(ax.images for ax in figures[0].axes)
    assert figures[0]._suptitle.get_text() == "cosine search, pixel features"
    shutil.move(photos / "coffee.jpg", tmp_path / "coffee.jpg")
    _write(elsewhere / "query.jpg", "coffee")
    assert main(["search", "../photos.npz", "query.jpg", "-k", "1", "--plot", "h.png"]) == 0
    err = capsys.readouterr().err
    assert "1 indexed file(s) are not where the index says" in err and "coffee.jpg" in err
    texts = [text.get_text() for ax in figures[1].axes for text in ax.texts]
    assert texts == ["file not found\n(moved?)"]
    results = ImageIndex.load(tmp_path / "photos.npz").search("query.jpg", k=1)
    with pytest.warns(UserWarning, match="1 hit file.*not found"):  # the library says it too
        results.show()


def test_an_index_file_without_a_root_still_loads(tmp_path):
    path = write_index(tmp_path / "old.npz", np.ones((1, 3), np.float32), ["a.jpg"], "l2",
                       PixelFeatures(size=(1, 1)).config)
    assert read_index(path).root is None
    index = ImageIndex.load(path)
    assert index.root is None and index.locate("a.jpg").as_posix() == "a.jpg"


# ---------------------------------------------------------------- 6. update


def test_update_skips_adds_and_drops(photos):
    index = ImageIndex(PixelFeatures(size=(8, 8)))
    index.add(photos)
    with pytest.raises(ValueError, match=r"ids must be unique.*ImageIndex.update"):
        index.add(photos)
    before = index.vectors[index.ids.index(str(photos / "camera.jpg"))].copy()
    (photos / "rocket.jpg").unlink()
    _write(photos / "new.jpg", "rocket", (50, 70))
    report = index.update(photos)
    assert report.added == [str(photos / "new.jpg")]
    assert report.removed == [str(photos / "rocket.jpg")]
    assert len(report.skipped) == 4 and report.failures == []
    assert repr(report) == "AddReport(added=1, failures=0, skipped=4, removed=1)"
    assert sorted(index.ids) == sorted(str(p) for p in photos.iterdir())
    np.testing.assert_array_equal(index.vectors[index.ids.index(str(photos / "camera.jpg"))],
                                  before)
    assert repr(index.update(photos)) == "AddReport(added=0, failures=0, skipped=5, removed=0)"


def test_cli_index_update(photos, tmp_path, capsys):
    out = tmp_path / "photos.npz"
    argv = ["index", str(photos), "-o", str(out), "--features", "pixels", "-q"]
    assert main(argv) == 0
    _write(photos / "new.jpg", "rocket", (50, 70))
    (photos / "camera.jpg").unlink()
    assert main([*argv, "--update"]) == 0
    assert "1 added, 4 already indexed, 1 removed" in capsys.readouterr().out
    assert sorted(ImageIndex.load(out).ids) == sorted(str(p) for p in photos.iterdir())


# ---------------------------------------------------------------- 7. lists, folders, files


def test_search_of_several_images_points_to_search_many():
    index = ImageIndex(PixelFeatures(size=(4, 4)))
    index.add(np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match=r"got 2 .*use search_many"):
        index.search([np.zeros((4, 4, 3)), np.ones((4, 4, 3))])
    with pytest.raises(ValueError, match=r"got 3 .*use search_many"):
        index.search(np.zeros((3, 4, 4, 3)))


def test_cli_search_with_a_folder_searches_each_image(photos, tmp_path, capsys):
    out = tmp_path / "photos.npz"
    assert main(["index", str(photos), "-o", str(out), "--features", "pixels", "-q"]) == 0
    capsys.readouterr()
    assert main(["search", str(out), str(photos), "-k", "1", "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)
    assert [a["query"] for a in answers] == [str(photos / f"{n}.jpg") for n in sorted(NAMES)]
    assert all(a["hits"][0]["id"] == a["query"] for a in answers)


def test_cli_index_of_a_file_says_it_is_a_file(photos, tmp_path, capsys):
    assert main(["index", str(photos / "coffee.jpg"), "-o", str(tmp_path / "x.npz")]) == 1
    assert "is a file, not a folder" in _err_lines(capsys)


# ---------------------------------------------------------------- 8. small ones


def test_json_keeps_non_ascii_names(tmp_path, capsys):
    folder = tmp_path / "ảnh"
    folder.mkdir()
    _write(folder / "cà phê.jpg", "coffee")
    out = tmp_path / "x.npz"
    assert main(["index", str(folder), "-o", str(out), "--features", "pixels", "-q"]) == 0
    capsys.readouterr()
    assert main(["search", str(out), str(folder / "cà phê.jpg"), "--json"]) == 0
    text = capsys.readouterr().out
    assert "cà phê.jpg" in text and "\\u" not in text


def test_distance_grids_say_lower_is_better():
    from retrieval.plot import plot_results

    images = {"a": np.zeros((4, 4, 3), np.uint8)}
    figure = plot_results(SearchResults([("a", 3.0)], "l1"), images=images,
                          title="l1 search, pixel features")
    assert figure._suptitle.get_text() == ("l1 search, pixel features "
                                           "(l1 distance: lower is better)")
    figure = plot_results(SearchResults([("a", 0.9)], "cosine"), images=images)
    assert figure._suptitle is None  # similarities: higher is better, as usual


def test_a_failed_save_names_the_path_given_not_the_temporary_file(tmp_path, monkeypatch):
    import retrieval._folders

    def refuse(path, *args):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".x.npz.1a2b.tmp"))

    monkeypatch.setattr(retrieval._folders, "write_index", refuse)
    index = ImageIndex(PixelFeatures(size=(4, 4)))
    index.add(np.zeros((1, 4, 4, 3)))
    with pytest.raises(PermissionError) as error:
        index.save(tmp_path / "x.npz")
    assert str(tmp_path / "x.npz") in str(error.value) and ".tmp" not in str(error.value)
