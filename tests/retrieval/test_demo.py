"""The demo: the variants are what they claim, and the scores follow the lecture's maths."""

import io

import numpy as np
import pytest
from PIL import Image

from retrieval.cli import main
from retrieval.data import sample_photo, sample_photos
from retrieval.demo import VARIANTS, build_database, make_variants, run_demo


@pytest.fixture(scope="module")
def photo():
    with Image.open(sample_photo("chelsea")) as image:
        return np.asarray(image.convert("RGB").resize((64, 43)))


def _cosine(a, b):
    a, b = np.ravel(a).astype(float), np.ravel(b).astype(float)
    return a @ b / np.sqrt((a @ a) * (b @ b))


def test_variants_are_the_lecture_operations(photo):
    variants = make_variants(photo, seed=3)
    assert tuple(variants) == VARIANTS
    np.testing.assert_array_equal(variants["x2"], photo.astype(np.float32) * 2)
    np.testing.assert_array_equal(variants["plus50"], photo.astype(np.float32) + 50)
    np.testing.assert_array_equal(variants["mirror"], photo[:, ::-1])
    np.testing.assert_array_equal(variants["upside-down"], photo[::-1])
    assert _cosine(variants["x2"], photo) == pytest.approx(1.0, abs=1e-12)
    assert _cosine(variants["plus50"], photo) < 0.999
    for name in ("crop", "rotate", "noise", "jpeg"):
        variant = variants[name]
        assert variant.shape == photo.shape and variant.dtype == np.uint8
        assert 0 < np.abs(variant.astype(float) - photo).mean() < 60, name
    noise = variants["noise"].astype(float) - photo
    assert 15 < noise[(photo > 60) & (photo < 190)].std() < 30  # σ = 25 before clipping
    # the JPEG variant is exactly a Pillow round trip at quality 10
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG", quality=10)
    np.testing.assert_array_equal(variants["jpeg"], np.asarray(Image.open(buffer)))


def test_variants_are_reproducible(photo):
    a, b = make_variants(photo, seed=1), make_variants(photo, seed=1)
    assert all(np.array_equal(a[name], b[name]) for name in VARIANTS)
    assert not np.array_equal(a["noise"], make_variants(photo, seed=2)["noise"])


def test_build_database_ids_and_relevant_sets():
    db = build_database(sample_photos()[:3], size=(20, 30), progress=False)
    assert db.query_ids == [p.stem for p in sample_photos()[:3]]
    assert len(db.ids) == len(db.images) == 3 * len(VARIANTS)
    assert db.relevant("brick") == {f"brick/{v}" for v in VARIANTS}
    assert {image.shape for image in db.images} == {(20, 30, 3)}
    np.testing.assert_array_equal(db.image("brick/mirror"), db.queries[1][:, ::-1])


@pytest.fixture(scope="module")
def pixel_report():
    return run_demo(out=None, k=4, cnn=False, photos=sample_photos()[:8], size=(43, 64),
                    progress=False, echo=None)


def test_pixel_methods_follow_the_maths(pixel_report):
    scores = {s.method.key: s for s in pixel_report.scores}
    assert list(scores) == ["pixels-l1", "pixels-cosine", "pixels-correlation"]
    # cosine is blind to x2, correlation to x2 and +50: the exact copies rank first
    assert scores["pixels-cosine"].found["x2"] == 1.0
    assert scores["pixels-correlation"].found["x2"] == 1.0
    assert scores["pixels-correlation"].found["plus50"] == 1.0
    for ranking in scores["pixels-correlation"].rankings:
        assert ranking[0][1] > 0.999  # not exactly 1: resizing the uint8 original rounds
    # L1 pays for every changed pixel: the x2 copy is the farthest kind of variant
    assert scores["pixels-l1"].found["x2"] < 1.0
    assert scores["pixels-l1"].found["mirror"] <= scores["pixels-l1"].found["jpeg"]
    for s in scores.values():
        assert 0 <= s.precision <= 1 and 0 <= s.map <= 1
        assert len(s.rankings) == 8 and len(s.rankings[0]) == 8 * len(VARIANTS)


def test_precision_and_map_agree_with_the_rankings(pixel_report):
    for s in pixel_report.scores:
        precisions, aps = [], []
        names = [p.stem for p in sample_photos()[:8]]
        for query_id, ranking in zip(names, s.rankings, strict=True):
            relevant = [hit_id.split("/")[0] == query_id for hit_id, _ in ranking]
            precisions.append(np.mean(relevant[:4]))
            hits = np.cumsum(relevant)
            aps.append(np.mean([hits[i] / (i + 1) for i in range(len(relevant)) if relevant[i]]))
        assert s.precision == pytest.approx(np.mean(precisions))
        assert s.map == pytest.approx(np.mean(aps))


def test_tables(pixel_report):
    table = pixel_report.table().splitlines()
    assert table[0] == "| method | precision@4 | mAP | seconds |"
    assert len(table) == 2 + 3
    variants = pixel_report.variant_table().splitlines()
    assert len(variants) == 2 + len(VARIANTS)
    assert variants[2].startswith("| brightness ×2 |")


def test_demo_writes_pictures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    report = run_demo(out=tmp_path, k=3, cnn=False, photos=sample_photos()[:5], size=(43, 64),
                      progress=False)
    names = sorted(p.name for p in report.files)
    assert names == ["grid_pixels-correlation.png", "grid_pixels-cosine.png",
                     "grid_pixels-l1.png", "results.md", "summary.png"]
    for path in report.files:
        assert path.is_file() and path.parent == tmp_path
    with Image.open(tmp_path / "summary.png") as image:
        assert image.format == "PNG" and image.size == (1300, 460)
    out = capsys.readouterr().out
    assert "| pixels · cosine |" in out and "precision@3" in out
    assert (tmp_path / "results.md").read_text(encoding="utf-8").startswith("| method |")


def test_demo_bad_k():
    with pytest.raises(ValueError, match="k must be a positive integer"):
        run_demo(out=None, k=0, cnn=False, echo=None)
    with pytest.raises(TypeError, match="k must be a positive integer"):
        run_demo(out=None, k=2.5, cnn=False, echo=None)


def test_cli_demo_pixels_only(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.colors import to_hex

    import retrieval.plot
    from retrieval.demo import GRID_QUERIES

    drawn, save = [], retrieval.plot.save_figure
    monkeypatch.setattr(retrieval.plot, "save_figure",
                        lambda figure, path: drawn.append(figure) or save(figure, path))
    assert main(["demo", "--out", str(tmp_path), "--no-cnn", "--k", "3", "-q"]) == 0
    out = capsys.readouterr().out
    count = len(sample_photos())  # 12 bundled photos, 8 variants each
    assert f"{count} queries" in out and f"{count * len(VARIANTS)} database images" in out
    assert (tmp_path / "summary.png").is_file()
    assert len(list(tmp_path.glob("grid_*.png"))) == 3

    # in the grids, green frames only the variants of the row's own query
    frames = {"#2ca02c": set(), "#d62728": set()}
    for figure in drawn[:3]:  # the grids of L1, cosine, correlation
        row = -1
        for ax in figure.axes:
            title = ax.get_title()
            if title == "query":
                row += 1
                continue
            photo = title.split()[1].split("/")[0]
            colour = to_hex(ax.spines["left"].get_edgecolor())
            assert colour == ("#2ca02c" if photo == GRID_QUERIES[row] else "#d62728"), title
            frames[colour].add(photo in GRID_QUERIES)
        assert row == len(GRID_QUERIES) - 1
    # red frames include photos that are another row's query (L1 finds chelsea for coffee)
    assert frames["#d62728"] == {True, False}


def test_cnn_features_see_past_flips_and_crops():
    report = run_demo(out=None, k=3, photos=[sample_photo(n) for n in ("chelsea", "coffee",
                      "rocket", "camera")], size=(64, 96), progress=False, echo=None)
    cnn = report.scores[-1]
    assert cnn.method.label == "efficientnet_lite0 · cosine"
    assert cnn.map > report.scores[0].map  # better than L1 on pixels
    for name in ("mirror", "upside-down", "crop"):
        assert cnn.found[name] >= report.scores[1].found[name]  # at least pixel cosine


@pytest.mark.slow
def test_full_demo_with_cnn(tmp_path):
    report = run_demo(out=tmp_path, progress=False, echo=None)
    cnn = report.scores[-1]
    assert cnn.method.key == "efficientnet_lite0-cosine"
    # the lecture's progression: each step's mAP at least the one before, the CNN the best
    maps = [s.map for s in report.scores]
    assert maps == sorted(maps) and cnn.map > max(maps[:-1]) and cnn.precision == 1.0
    assert len(list(tmp_path.glob("grid_*.png"))) == 4
