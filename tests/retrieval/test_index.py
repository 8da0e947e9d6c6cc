"""ImageIndex: adding, ranking (against brute force), ties, removal, files."""

import json
import os
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import retrieval.similarity as similarity_module
from imageops import save_image
from retrieval import (
    CNNFeatures,
    ImageIndex,
    IndexFileError,
    PixelFeatures,
    SearchResults,
    correlations,
    cosine_similarities,
    l1_distances,
    l2_distances,
)
from retrieval._top_k import block_top_k as _block_top_k

SCORES = {"cosine": cosine_similarities, "correlation": correlations, "l1": l1_distances,
          "l2": l2_distances}
HIGHER = {"cosine": True, "correlation": True, "l1": False, "l2": False}


def vector_index(vectors, metric="cosine", ids=None):
    """An index whose feature rows are exactly ``vectors`` (D divisible by 3)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    n, d = vectors.shape
    index = ImageIndex(PixelFeatures(size=None), metric=metric)
    index.add(vectors.reshape(n, 1, d // 3, 3), ids=ids)
    np.testing.assert_array_equal(index.vectors, vectors)
    return index


def brute_force(scores, k, higher):
    """Stable ranking: best score first, equal scores in insertion order."""
    key = -scores if higher else scores
    return np.argsort(key, kind="stable")[:k]


def photos(count, size=(12, 16), seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, *size, 3), dtype=np.uint8)


# ---------------------------------------------------------------- adding


def test_in_memory_images_get_numbered_ids():
    index = ImageIndex(PixelFeatures(size=(12, 16)))
    report = index.add(photos(3))
    assert report.added == ["0", "1", "2"] and report.failures == []
    index.add(photos(1)[0])
    assert index.ids == ["0", "1", "2", "3"]
    assert len(index) == 4 and "2" in index and index.dimension == 12 * 16 * 3
    index.remove("1")
    index.add(photos(1))
    assert index.ids == ["0", "2", "3", "4"]


def test_files_get_their_path_as_id_and_folders_are_listed(tmp_path):
    (tmp_path / "sub").mkdir()
    for i, image in enumerate(photos(3)):
        save_image(tmp_path / f"p{i}.png", image)
    save_image(tmp_path / "sub" / "deep.png", photos(1)[0])
    (tmp_path / "notes.txt").write_text("not an image, not listed")
    index = ImageIndex(PixelFeatures(size=(12, 16)), metric="l1")
    report = index.add(tmp_path)
    assert [os.path.basename(i) for i in report.added] == ["p0.png", "p1.png", "p2.png"]
    assert index.ids == [str(tmp_path / f"p{i}.png") for i in range(3)]
    report = index.add(tmp_path / "sub", recursive=True)
    assert report.added == [str(tmp_path / "sub" / "deep.png")]
    # the pixels of a file are those of the image it holds
    np.testing.assert_array_equal(index.vectors[1], photos(3)[1].reshape(-1))
    assert index.search(tmp_path / "p2.png", k=1)[0].id == str(tmp_path / "p2.png")


def test_unreadable_files_are_reported_and_the_rest_kept(tmp_path):
    good = save_image(tmp_path / "good.png", photos(1)[0])
    bad = tmp_path / "bad.jpg"
    bad.write_text("hello")
    missing = tmp_path / "missing.png"
    index = ImageIndex(PixelFeatures(size=(12, 16)))
    report = index.add([good, bad, missing])
    assert report.added == [str(good)]
    assert [path for path, _ in report.failures] == [str(bad), str(missing)]
    assert "not an image" in report.failures[0][1]
    assert "no such file" in report.failures[1][1]
    assert "1 failed" not in str(report) and "2 failed" in str(report)
    with pytest.raises(ValueError, match="not an image"):
        index.add([bad], errors="raise")
    assert len(index) == 1


def test_failures_between_batches_keep_every_good_row_in_order(tmp_path):
    pictures = photos(5)
    paths = [save_image(tmp_path / f"p{i}.png", image) for i, image in enumerate(pictures)]
    bad = [tmp_path / f"bad{i}.png" for i in range(3)]
    for path in bad:
        path.write_text("not a picture")
    order = [bad[0], paths[0], paths[1], tmp_path / "gone.png", paths[2], bad[1], paths[3],
             paths[4]]
    features = PixelFeatures(size=(12, 16))
    index = ImageIndex(features, metric="l1")
    index.add(pictures[:1], ids=["first"])
    report = index.add(order, batch_size=2)
    assert report.added == [str(p) for p in paths] and len(report.failures) == 3
    assert index.ids == ["first", *map(str, paths)]
    np.testing.assert_array_equal(index.vectors, features.extract([pictures[0], *pictures]))
    fresh = ImageIndex(features)
    fresh.add([bad[0], *paths, bad[2]], batch_size=3)
    np.testing.assert_array_equal(fresh.vectors, features.extract(pictures))
    assert fresh.search(pictures[3], k=1)[0].id == str(paths[3])


def test_features_of_one_length_per_index():
    index = ImageIndex(PixelFeatures(size=None))
    with pytest.raises(ValueError, match="48 features per image, then 75"):
        index.add([np.zeros((4, 4, 3)), np.zeros((5, 5, 3))], batch_size=1)
    assert len(index) == 0


def test_errors_raise_adds_nothing(tmp_path):
    good = [save_image(tmp_path / f"g{i}.png", image) for i, image in enumerate(photos(3))]
    (tmp_path / "z.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    index = ImageIndex(PixelFeatures(size=(12, 16)))
    with pytest.raises(ValueError):
        index.add([*good, tmp_path / "z.png"], errors="raise", batch_size=2)
    assert len(index) == 0


def test_ids_are_checked():
    index = ImageIndex(PixelFeatures(size=(12, 16)))
    index.add(photos(2), ids=["a", "b"])
    with pytest.raises(ValueError, match=r"ids must be unique; already used: \['a'\]"):
        index.add(photos(1), ids=["a"])
    with pytest.raises(ValueError, match="unique"):
        index.add(photos(2), ids=["c", "c"])
    with pytest.raises(ValueError, match="got 1 ids for 2 images"):
        index.add(photos(2), ids=["d"])
    assert index.ids == ["a", "b"]


def test_bad_arguments_say_what_was_expected():
    with pytest.raises(ValueError, match="metric must be one of"):
        ImageIndex(PixelFeatures(), metric="hamming")
    with pytest.raises(TypeError, match="extractor with .extract"):
        ImageIndex(features="pixels")
    index = ImageIndex(PixelFeatures(size=(12, 16)))
    with pytest.raises(ValueError, match="errors must be"):
        index.add(photos(1), errors="ignore")
    with pytest.raises(ValueError, match="batch_size"):
        index.add(photos(1), batch_size=0)
    with pytest.raises(ValueError, match="empty index"):
        index.search(photos(1)[0])
    index.add(photos(3))
    with pytest.raises(ValueError, match="k must be a positive integer"):
        index.search(photos(1)[0], k=0)
    with pytest.raises(ValueError, match="query has 5 features, the index 576"):
        index.search_vectors(np.ones(5))
    with pytest.raises(ValueError, match="NaN"):
        index.search_vectors(np.full(576, np.nan))


def test_the_default_extractor_is_the_cnn():
    index = ImageIndex()
    assert isinstance(index.extractor, CNNFeatures)
    assert index.extractor.model_name == "efficientnet_lite0"


def test_features_is_the_older_name_of_the_extractor():
    pixels = PixelFeatures(size=(4, 4))
    index = ImageIndex(features=pixels, metric="l2")
    assert index.extractor is pixels and index.features is pixels
    assert ImageIndex(extractor=pixels).features is pixels
    assert "extractor=PixelFeatures" in repr(index)
    with pytest.raises(TypeError, match="not both"):
        ImageIndex(pixels, features=pixels)


def test_k_may_be_a_numpy_integer():
    index = vector_index(np.eye(3, dtype=np.float32), "l1")
    assert index.search_vectors([1, 0, 0], k=np.int64(2)).ids == ["0", "1"]
    with pytest.raises(TypeError, match="k must be a positive integer"):
        index.search_vectors([1, 0, 0], k=1.5)


# ---------------------------------------------------------------- ranking


@st.composite
def vectors_and_queries(draw):
    n = draw(st.integers(1, 40))
    d = 3 * draw(st.integers(1, 3))
    elements = st.integers(-4, 4).map(float)  # small integers: many exact ties
    database = draw(arrays(np.float32, (n, d), elements=elements))
    queries = draw(arrays(np.float32, (draw(st.integers(1, 3)), d), elements=elements))
    return database, queries, draw(st.integers(1, n + 2))


@pytest.mark.parametrize("metric", ["correlation", "l1", "l2"])
@settings(max_examples=40, deadline=None)
@given(data=vectors_and_queries(), block=st.sampled_from([2, 5, 8192]))
def test_search_is_the_stable_brute_force_ranking(metric, data, block):
    database, queries, k = data
    index = vector_index(database, metric)
    original = similarity_module.SEARCH_ROWS
    similarity_module.SEARCH_ROWS = block
    try:
        results = index.search_vectors(queries, k)
    finally:
        similarity_module.SEARCH_ROWS = original
    scores = SCORES[metric](queries, database)
    for result, row in zip(results, scores, strict=True):
        expected = brute_force(row, k, HIGHER[metric])
        assert result.ids == [str(i) for i in expected]
        np.testing.assert_allclose(result.scores, row[expected], rtol=1e-12)
        assert [hit.rank for hit in result] == list(range(1, len(expected) + 1))


@settings(max_examples=40, deadline=None)
@given(data=vectors_and_queries(), block=st.sampled_from([2, 5, 8192]))
def test_cosine_search_matches_float64_within_its_tolerance(data, block):
    database, queries, k = data
    index = vector_index(database, "cosine")
    original = similarity_module.SEARCH_ROWS
    similarity_module.SEARCH_ROWS = block
    try:
        results = index.search_vectors(queries, k)
    finally:
        similarity_module.SEARCH_ROWS = original
    exact = cosine_similarities(queries, database)
    for result, row in zip(results, exact, strict=True):
        rows = [int(i) for i in result.ids]
        assert len(rows) == min(k, len(database)) == len(set(rows))
        np.testing.assert_allclose(result.scores, row[rows], atol=1e-6)
        assert result.scores == sorted(result.scores, reverse=True)
        left_out = np.setdiff1d(np.arange(len(row)), rows)
        if left_out.size:
            assert row[left_out].max() <= min(result.scores) + 1e-6


@pytest.mark.parametrize("metric", ["cosine", "correlation", "l1", "l2"])
def test_ties_are_broken_by_insertion_order(metric, monkeypatch):
    monkeypatch.setattr(similarity_module, "SEARCH_ROWS", 4)  # ties across blocks too
    base = np.array([1.0, 2.0, 4.0, 3.0, 0.0, 5.0], dtype=np.float32)
    other = np.array([5.0, 0.0, 1.0, 2.0, 4.0, 3.0], dtype=np.float32)
    rows = [other, base, other, base, base, other, other, base, other, base, base]
    index = vector_index(rows, metric, ids=[f"r{i:02d}" for i in range(len(rows))])
    expected = [f"r{i:02d}" for i, row in enumerate(rows) if row is base]
    for k in (1, 2, 3, 6):
        assert index.search_vectors(base, k).ids == expected[:k]


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 1100)),
              elements=st.integers(0, 3).map(float) | st.floats(-1, 1, width=32)),
       st.integers(1, 35), st.booleans())
def test_block_top_k_equals_a_stable_sort(scores_by_query, k, higher):
    # blocks hold database rows down and queries across; beyond GROUP rows the grouped
    # pre-selection runs, and few distinct values make ties cross the k-th place
    rows, scores = _block_top_k(scores_by_query.T, k, higher)
    for q in range(scores_by_query.shape[0]):
        expected = brute_force(scores_by_query[q], k, higher)
        assert rows[q].tolist() == expected.tolist()
        np.testing.assert_array_equal(scores[q], scores_by_query[q, rows[q]])


@pytest.mark.parametrize("values", ["distinct", "ties"])
@pytest.mark.parametrize("k", [1, 5, 17])
def test_block_top_k_on_large_blocks(values, k):
    # thousands of rows: the grouped pre-selection decides which rows are sorted at all
    rng = np.random.default_rng(k)
    shape = (4, 5000)
    if values == "distinct":
        scores_by_query = rng.standard_normal(shape).astype(np.float32)
    else:
        scores_by_query = rng.integers(0, 40, shape).astype(np.float32)
    for higher in (True, False):
        rows, scores = _block_top_k(scores_by_query.T, k, higher)
        for q in range(shape[0]):
            assert rows[q].tolist() == brute_force(scores_by_query[q], k, higher).tolist()


def test_search_many_equals_one_search_at_a_time():
    index = ImageIndex(PixelFeatures(size=(12, 16)), metric="correlation")
    index.add(photos(20))
    queries = photos(4, seed=9)
    many = index.search_many(queries, k=6)
    assert len(many) == 4
    for query, results in zip(queries, many, strict=True):
        one = index.search(query, k=6)
        assert one.ids == results.ids
        np.testing.assert_allclose(one.scores, results.scores, rtol=1e-12)
        np.testing.assert_array_equal(results.query, query)


def test_k_larger_than_the_index_gives_every_image():
    index = ImageIndex(PixelFeatures(size=(12, 16)))
    index.add(photos(3))
    assert len(index.search(photos(1)[0], k=10)) == 3


def test_cosine_scores_follow_removals_and_additions():
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(30, 6)).astype(np.float32)
    index = vector_index(vectors)
    query = rng.normal(size=6)
    first = index.search_vectors(query, k=3)
    index.remove([first[0].id, first[2].id])
    assert index.remove("5") == 1
    kept = [int(i) for i in index.ids]
    expected = brute_force(cosine_similarities(query, vectors[kept]), 3, True)
    after = index.search_vectors(query, k=3)
    assert after.ids == [str(kept[i]) for i in expected]
    assert first[0].id not in after.ids
    index.add((10 * vectors[int(first[0].id)]).reshape(1, 1, 2, 3), ids=["scaled"])
    assert index.search_vectors(vectors[int(first[0].id)], k=1)[0].id == "scaled"


def test_removing_an_unknown_id_removes_nothing():
    index = ImageIndex(PixelFeatures(size=(12, 16)))
    index.add(photos(3), ids=["a", "b", "c"])
    with pytest.raises(KeyError, match="not in the index"):
        index.remove(["a", "zzz"])
    assert index.ids == ["a", "b", "c"]


def test_zero_vectors_score_zero_and_rank_last():
    index = vector_index([[0, 0, 0], [1, 1, 0], [0, 0, 0], [1, 0, 0]])
    results = index.search_vectors([1, 0, 0], k=4)
    assert results.ids == ["3", "1", "0", "2"]
    assert results.scores[2:] == [0.0, 0.0]
    assert index.search_vectors([0, 0, 0], k=2).scores == [0.0, 0.0]


# ---------------------------------------------------------------- results


def test_search_results_read_well():
    results = SearchResults([("cat.jpg", 123456.0), ("dog.jpg", 234567.5)], metric="l1")
    assert not results.higher_is_better
    assert repr(results).splitlines() == [
        "SearchResults: l1 distance (lower is better), 2 hits",
        " rank    score  id",
        "    1 123456.0  cat.jpg",
        "    2 234567.5  dog.jpg",
    ]
    assert list(results) == [results[0], results[1]]
    assert results[1].rank == 2 and results[-1].id == "dog.jpg"
    assert json.loads(results.to_json()) == {
        "metric": "l1", "higher_is_better": False,
        "hits": [{"rank": 1, "id": "cat.jpg", "score": 123456.0},
                 {"rank": 2, "id": "dog.jpg", "score": 234567.5}]}
    assert "<table>" in results._repr_html_() and "dog.jpg" in results._repr_html_()
    assert repr(SearchResults([], metric="cosine")).endswith("0 hits")
    with pytest.raises(ValueError, match="metric must be one of"):
        SearchResults([], metric="l3")


def test_show_draws_the_query_and_the_hits():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = photos(4)
    index = ImageIndex(PixelFeatures(size=(12, 16)))
    index.add(images, ids=list("abcd"))
    figure = index.search(images[2], k=3).show(images=dict(zip("abcd", images, strict=True)))
    assert len(figure.axes) == 4
    assert figure.axes[0].get_title() == "query"
    assert figure.axes[1].get_title().startswith("#1 c")
    plt.close(figure)


def test_jupyter_shows_the_picture_over_the_table(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import base64
    import io
    import re

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    images = photos(3)
    paths = [tmp_path / f"photo{i}.png" for i in range(3)]
    for image, path in zip(images, paths, strict=True):
        save_image(path, image)
    index = ImageIndex(PixelFeatures(size=(12, 16)))
    index.add(paths)
    results = index.search(images[1], k=2)
    figures_before = plt.get_fignums()
    page = results._repr_html_()
    assert plt.get_fignums() == figures_before  # the figure is closed, not left to show twice
    found = re.match(r'<img src="data:image/png;base64,([^"]+)" alt="query and top 2 hits"/>',
                     page)
    assert found and page.endswith("</table>") and "photo1.png" in page
    with Image.open(io.BytesIO(base64.b64decode(found.group(1)))) as picture:
        assert picture.format == "PNG"
        width, height = picture.size
    assert width > 2 * height  # three panels side by side: query and two hits
    assert results.to_png() == base64.b64decode(found.group(1))

    # nothing to draw (ids are not files, no query): the table alone
    bare = SearchResults([("a", 0.9), ("b" * 5000, 0.5)], metric="cosine")
    assert bare.to_png() is None and bare._repr_html_().startswith("<table>")

    # without matplotlib: the table, and to_png says what is missing unless quiet
    monkeypatch.setitem(__import__("sys").modules, "matplotlib.pyplot", None)
    assert results._repr_html_().startswith("<table>")
    with pytest.raises(ImportError, match=r"retrieval-lab\[plot\]"):
        results.to_png()


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("metric", ["cosine", "correlation", "l1", "l2"])
@pytest.mark.parametrize("mmap", [False, True])
def test_save_and_load_give_the_same_index(tmp_path, metric, mmap):
    index = ImageIndex(PixelFeatures(size=(12, 16), color=False), metric=metric)
    index.add(photos(7), ids=[f"photo {i} é" for i in range(7)])
    path = index.save(tmp_path / "photos.npz")
    loaded = ImageIndex.load(path, mmap=mmap)
    assert loaded.ids == index.ids and loaded.metric == metric
    assert loaded.extractor == index.extractor
    np.testing.assert_array_equal(loaded.vectors, index.vectors)
    assert isinstance(loaded._vectors, np.memmap) == mmap
    query = photos(1, seed=3)[0]
    assert loaded.search(query, k=4).to_list() == index.search(query, k=4).to_list()
    loaded.add(photos(1, seed=4))  # a mapped index becomes an in-memory one
    assert len(loaded) == 8


def test_the_file_is_a_plain_npz_with_aligned_features(tmp_path):
    index = vector_index(np.arange(30.0).reshape(5, 6))
    path = index.save(tmp_path / "x")
    assert path.name == "x.npz"
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["config", "features", "format", "ids", "metric",
                                         "version"]
        assert archive["features"].dtype == np.float32
        assert archive["ids"].dtype.kind == "U"
        assert int(archive["version"]) == 1
        assert json.loads(str(archive["config"])) == index.extractor.config
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist())
    mapped = ImageIndex.load(path, mmap=True)._vectors
    assert mapped.ctypes.data % 64 == 0  # aligned: BLAS runs on it at full speed


def test_an_empty_index_round_trips(tmp_path):
    path = ImageIndex(PixelFeatures()).save(tmp_path / "empty.npz")
    for mmap in (False, True):
        loaded = ImageIndex.load(path, mmap=mmap)
        assert len(loaded) == 0 and loaded.extractor == PixelFeatures()


def test_an_interrupted_save_keeps_the_old_index(tmp_path, monkeypatch):
    index = ImageIndex(PixelFeatures(size=(12, 16)))
    index.add(photos(3), ids=["a", "b", "c"])
    path = index.save(tmp_path / "keep.npz")
    before = path.read_bytes()
    index.add(photos(2, seed=1), ids=["d", "e"])

    def fail_half_way(stream, array, **options):
        stream.write(b"\0" * 1000)
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(np.lib.format, "write_array", fail_half_way)
    with pytest.raises(KeyboardInterrupt):
        index.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.npz"]  # no temporary file left
    assert ImageIndex.load(path).ids == ["a", "b", "c"]
    index.save(path)
    assert ImageIndex.load(path).ids == ["a", "b", "c", "d", "e"]


def test_a_saved_file_keeps_the_usual_permissions(tmp_path):
    path = vector_index(np.ones((2, 3))).save(tmp_path / "p.npz")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def _good_arrays():
    return {
        "format": np.array("retrieval-lab index"),
        "version": np.array(1),
        "features": np.zeros((2, 3), np.float32),
        "ids": np.array(["a", "b"]),
        "metric": np.array("cosine"),
        "config": np.array(json.dumps(PixelFeatures(size=(1, 1)).config)),
    }


@pytest.mark.parametrize("change, message", [
    ({"version": np.array(2)}, "version 2 is not supported"),
    ({"version": np.array("1")}, "version must be an integer"),
    ({"format": np.array("something else")}, "format is 'something else'"),
    ({"features": np.zeros((2, 3), np.float64)}, "features must be float32"),
    ({"features": np.zeros((3, 3), np.float32)}, "N = 2 ids"),
    ({"features": np.zeros(6, np.float32)}, "features must be float32"),
    ({"features": np.array([[0, 0, np.nan], [0, 0, 0]], np.float32)}, "NaN"),
    ({"ids": np.array([b"a", b"b"])}, "ids must be a 1-D unicode array"),
    ({"ids": np.array(["a", "a"])}, "ids are not unique"),
    ({"metric": np.array("hamming")}, "unknown metric 'hamming'"),
    ({"metric": np.array(["cosine"])}, "metric must be a unicode string"),
    ({"config": np.array("{not json")}, "bad extractor config"),
    ({"config": np.array('{"kind": "sift"}')}, "unknown feature extractor kind"),
    ({"ids": np.array(["a", {"b": 1}], dtype=object)}, "cannot read entry 'ids' safely"),
    ({"features": np.array([[1, 2]], dtype=object)}, "cannot read entry 'features' safely"),
])
def test_load_says_what_is_wrong_with_a_bad_file(tmp_path, change, message):
    arrays = {**_good_arrays(), **change}
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)  # allow_pickle is on while saving: object arrays get in
    with pytest.raises(IndexFileError, match=message):
        ImageIndex.load(path)


def test_the_good_arrays_load(tmp_path):
    np.savez(tmp_path / "good.npz", **_good_arrays())
    assert ImageIndex.load(tmp_path / "good.npz").ids == ["a", "b"]


@pytest.mark.parametrize("mmap", [False, True])
def test_missing_and_unexpected_entries_are_named(tmp_path, mmap):
    arrays = _good_arrays()
    del arrays["metric"]
    np.savez(tmp_path / "a.npz", **arrays, extra=np.zeros(1))
    with pytest.raises(IndexFileError, match=r"missing entries \['metric'\], unexpected "
                                             r"entries \['extra'\]"):
        ImageIndex.load(tmp_path / "a.npz", mmap=mmap)


def test_a_compressed_archive_loads_but_cannot_be_mapped(tmp_path):
    np.savez_compressed(tmp_path / "c.npz", **_good_arrays())
    assert len(ImageIndex.load(tmp_path / "c.npz")) == 2
    with pytest.raises(IndexFileError, match="compressed and cannot be memory-mapped"):
        ImageIndex.load(tmp_path / "c.npz", mmap=True)


def test_files_that_are_not_indexes(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such index file"):
        ImageIndex.load(tmp_path / "nothing.npz")
    (tmp_path / "text.npz").write_text("just text")
    with pytest.raises(IndexFileError, match="not an index file"):
        ImageIndex.load(tmp_path / "text.npz")
    # a photo given as the index: said plainly, never "load it unsafely with allow_pickle"
    save_image(tmp_path / "photo.jpg", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(IndexFileError, match="not an index file") as caught:
        ImageIndex.load(tmp_path / "photo.jpg")
    assert "pickle" not in str(caught.value)
    np.save(tmp_path / "array.npy", np.zeros(3))
    with pytest.raises(IndexFileError, match="single .npy array"):
        ImageIndex.load(tmp_path / "array.npy")
    good = vector_index(np.ones((2, 3))).save(tmp_path / "good.npz")
    (tmp_path / "cut.npz").write_bytes(good.read_bytes()[:300])
    with pytest.raises(IndexFileError):
        ImageIndex.load(tmp_path / "cut.npz")
