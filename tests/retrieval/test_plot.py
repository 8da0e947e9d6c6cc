"""Figures of search results and template matches: what they show, not only that they run."""

import sys
from collections import namedtuple

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from PIL import Image  # noqa: E402

from retrieval.plot import plot_matches, plot_results, save_figure  # noqa: E402

Hit = namedtuple("Hit", "rank id score")
Box = namedtuple("Box", "row col height width score")


class FakeResults:
    """What the plots need from a SearchResults: ranked hits and maybe the query picture."""

    def __init__(self, hits, query=None):
        self.hits = [Hit(i + 1, hit_id, score) for i, (hit_id, score) in enumerate(hits)]
        self.query = query


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def pictures():
    rng = np.random.default_rng(0)
    return {f"img{i}": rng.integers(0, 256, (12, 16, 3), dtype=np.uint8) for i in range(5)}


def test_results_grid_titles_scores_and_pixels(pictures):
    results = FakeResults([("img3", 0.97654), ("img1", 0.5), ("img4", -0.25)],
                          query=pictures["img0"])
    figure = plot_results(results, images=pictures)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["query", "#1 img3\n0.977", "#2 img1\n0.500", "#3 img4\n-0.250"]
    shown = [np.asarray(ax.images[0].get_array()) for ax in figure.axes]
    np.testing.assert_array_equal(shown[0], pictures["img0"])
    np.testing.assert_array_equal(shown[1], pictures["img3"])
    np.testing.assert_array_equal(shown[3], pictures["img4"])


def test_explicit_query_k_and_relevant_frames(pictures):
    results = FakeResults([("img1", 3.0), ("img2", 5.0), ("img3", 9.0)])
    figure = plot_results(results, query=pictures["img0"], images=pictures.get,
                          relevant={"img2"}, k=2, title="L1")
    assert len(figure.axes) == 3
    assert figure._suptitle.get_text() == "L1"
    frames = [to_hex(ax.spines["left"].get_edgecolor()) for ax in figure.axes[1:]]
    assert frames == ["#d62728", "#2ca02c"]


def test_without_query_and_missing_pictures():
    figure = plot_results([("x", 1.0), ("y", 0.5)])
    assert [ax.get_title() for ax in figure.axes] == ["#1 x\n1.000", "#2 y\n0.500"]
    assert all(not ax.images for ax in figure.axes)
    assert all(ax.texts[0].get_text() == "no image" for ax in figure.axes)


def test_many_queries_one_row_each(pictures):
    rows = [FakeResults([("img1", 0.9), ("img2", 0.8)], query=pictures["img0"]),
            FakeResults([("img3", 0.7)], query=pictures["img4"])]
    figure = plot_results(rows, images=pictures)
    # 2 rows x 3 columns, the second row has one hit: 3 + 2 axes
    assert [ax.get_title() for ax in figure.axes] == [
        "query", "#1 img1\n0.900", "#2 img2\n0.800", "query", "#1 img3\n0.700"]
    positions = [ax.get_subplotspec().get_geometry() for ax in figure.axes]
    assert positions[3][:3] == (2, 3, 3)


def test_each_row_can_have_its_own_relevant_ids(pictures):
    rows = [FakeResults([("img1", 0.9), ("img3", 0.8)], query=pictures["img0"]),
            FakeResults([("img1", 0.7), ("img3", 0.6)], query=pictures["img4"])]
    figure = plot_results(rows, images=pictures, relevant=[{"img1"}, {"img3"}])
    frames = [to_hex(ax.spines["left"].get_edgecolor()) for ax in figure.axes
              if ax.get_title() != "query"]
    assert frames == ["#2ca02c", "#d62728", "#d62728", "#2ca02c"]
    # a set applies to every row
    figure = plot_results(rows, images=pictures, relevant={"img1"})
    frames = [to_hex(ax.spines["left"].get_edgecolor()) for ax in figure.axes
              if ax.get_title() != "query"]
    assert frames == ["#2ca02c", "#d62728", "#2ca02c", "#d62728"]
    with pytest.raises(ValueError, match="2 results but 1 relevant sets"):
        plot_results(rows, images=pictures, relevant=[{"img1"}])


def test_hits_as_paths_are_loaded_from_disk(tmp_path):
    path = tmp_path / "red.png"
    Image.new("RGB", (10, 6), (255, 0, 0)).save(path)
    figure = plot_results([(str(path), 1.0)])
    shown = np.asarray(figure.axes[0].images[0].get_array())
    assert shown.shape == (6, 10, 3) and (shown[..., 0] == 255).all()
    assert figure.axes[0].get_title() == "#1 red.png\n1.000"


def test_float_and_gray_images_are_shown_on_the_0_255_scale():
    figure = plot_results([("g", 1.0)], query=np.full((4, 4), 300.0),
                          images={"g": np.full((4, 4, 1), 127.6)})
    query, hit = (np.asarray(ax.images[0].get_array()) for ax in figure.axes)
    assert query.dtype == np.uint8 and (query == 255).all()
    assert hit.shape == (4, 4) and (hit == 128).all()


def test_bad_hits_and_bad_images_say_what_was_expected():
    with pytest.raises(TypeError, match="rank, id and score"):
        plot_results([object()])
    with pytest.raises(ValueError, match=r"shape \(H, W\) or \(H, W, 3\)"):
        plot_results([("a", 1.0)], query=np.zeros((3, 4, 5)))


def test_save_figure_png_size(tmp_path, pictures):
    figure = plot_results(FakeResults([("img1", 1.0)], query=pictures["img0"]), images=pictures,
                          panel_size=2.0)
    width, height = figure.get_size_inches()
    path = save_figure(figure, tmp_path / "a" / "grid.png", dpi=40)
    with Image.open(path) as saved:
        assert saved.format == "PNG"
        assert saved.size == (round(width * 40), round(height * 40))
    assert not plt.fignum_exists(figure.number)


def test_plot_matches_boxes_heat_map_and_template():
    image = np.zeros((40, 60, 3), np.uint8)
    template = np.full((10, 12, 3), 255, np.uint8)
    scores = np.random.default_rng(1).random((31, 49))
    matches = [Box(5, 7, 10, 12, 0.99), Box(20, 30, 10, 12, 0.5)]
    figure = plot_matches(image, scores, matches, template=template, title="zncc")
    picture, heat, shown_template, colourbar = figure.axes
    assert picture.get_title() == "2 matches"
    assert sorted(t.get_text() for t in picture.texts) == ["1: 0.990", "2: 0.500"]
    corners = [(p.get_x(), p.get_y(), p.get_width(), p.get_height()) for p in picture.patches][::-1]
    assert corners == [(6.5, 4.5, 12, 10), (29.5, 19.5, 12, 10)]
    np.testing.assert_array_equal(heat.images[0].get_array(), scores)
    markers = [(line.get_xdata()[0], line.get_ydata()[0]) for line in heat.lines]
    assert markers == [(7, 5), (30, 20)]
    assert shown_template.get_title() == "template"
    assert colourbar.get_label() == "<colorbar>"
    assert figure._suptitle.get_text() == "zncc"


def test_plot_matches_feature_map_gets_no_pixel_markers():
    figure = plot_matches(np.zeros((64, 64), np.uint8), np.ones((4, 4)),
                          [(8, 8, 32, 32, 0.8)])
    assert len(figure.axes) == 3  # image, heat map, colour bar
    assert figure.axes[0].get_title() == "1 match"
    assert not figure.axes[1].lines
    with pytest.raises(ValueError, match="2-D score map"):
        plot_matches(np.zeros((8, 8)), np.ones((2, 2, 2)), [])


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "retrieval-lab\[plot\]"'):
        plot_results([("a", 1.0)])
    with pytest.raises(ImportError, match="matplotlib is needed for plots"):
        plot_matches(np.zeros((4, 4)), np.zeros((2, 2)), [])


def test_large_distances_are_written_whole():
    figure = plot_results([("a", 182596.4), ("b", 9999.5)])
    assert [ax.get_title() for ax in figure.axes] == ["#1 a\n182,596", "#2 b\n9999.500"]
