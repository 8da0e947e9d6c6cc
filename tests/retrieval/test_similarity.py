"""Similarity and distance rows: against the list-based twins, SciPy and the pitfalls."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import cdist
from scipy.stats import pearsonr

import retrieval.similarity as similarity
from linalg_basics import correlation, cosine_similarity
from linalg_basics.errors import StatisticsError
from retrieval import correlations, cosine_similarities, l1_distances, l2_distances
from retrieval.similarity import higher_is_better, top_k

FUNCTIONS = [cosine_similarities, correlations, l1_distances, l2_distances]

values = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_subnormal=False)


@st.composite
def query_and_database(draw, min_length=1):
    length = draw(st.integers(min_length, 6))
    queries = draw(arrays(np.float64, (draw(st.integers(1, 3)), length), elements=values))
    database = draw(arrays(np.float64, (draw(st.integers(1, 5)), length), elements=values))
    return queries, database


def _tiny(vector):
    """Norm so small that squares underflow: out of scope for the comparison."""
    return 0 < np.abs(vector).max() < 1e-100


# ---------------------------------------------------------------- against the twins and SciPy


@settings(max_examples=60, deadline=None)
@given(query_and_database())
def test_cosine_agrees_with_the_list_twin_and_scipy(data):
    queries, database = data
    got = cosine_similarities(queries, database)
    assert got.shape == (len(queries), len(database))
    for i, q in enumerate(queries):
        for j, x in enumerate(database):
            assume(not _tiny(q) and not _tiny(x))
            if not q.any() or not x.any():
                assert got[i, j] == 0.0  # documented value for a zero vector
                continue
            assert got[i, j] == pytest.approx(cosine_similarity(q.tolist(), x.tolist()),
                                              abs=1e-12)
            reference = 1.0 - cdist(q[None], x[None], "cosine")[0, 0]
            assert got[i, j] == pytest.approx(reference, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(query_and_database(min_length=2))
def test_correlation_agrees_with_the_list_twin_and_pearsonr(data):
    queries, database = data
    got = correlations(queries, database)
    for i, q in enumerate(queries):
        for j, x in enumerate(database):
            if np.ptp(q) == 0 or np.ptp(x) == 0:
                with pytest.raises(StatisticsError):
                    correlation(q.tolist(), x.tolist())
                assert got[i, j] == 0.0  # documented value for a constant vector
                continue
            # r is ill-conditioned when the spread is tiny next to the values themselves
            assume(np.std(q) > 1e-6 * np.abs(q).max() and np.std(x) > 1e-6 * np.abs(x).max())
            twin = correlation(q.tolist(), x.tolist())
            assert got[i, j] == pytest.approx(twin, abs=1e-9)
            assert got[i, j] == pytest.approx(pearsonr(q, x).statistic, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(query_and_database())
def test_l1_and_l2_agree_with_cdist(data):
    queries, database = data
    np.testing.assert_allclose(l1_distances(queries, database),
                               cdist(queries, database, "cityblock"), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(l2_distances(queries, database),
                               cdist(queries, database, "euclidean"), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_one_query_gives_one_row(function):
    rng = np.random.default_rng(0)
    database = rng.normal(size=(7, 5))
    query = rng.normal(size=5)
    single = function(query, database)
    assert single.shape == (7,)
    assert single.dtype == np.float64
    np.testing.assert_array_equal(single, function(query[None], database)[0])


@pytest.mark.parametrize("function", FUNCTIONS)
def test_blocks_give_the_same_answer_as_one_pass(function, monkeypatch):
    rng = np.random.default_rng(1)
    database = rng.normal(size=(103, 9)).astype(np.float32)
    queries = rng.normal(size=(4, 9))
    whole = function(queries, database)
    monkeypatch.setattr(similarity, "CHUNK_BYTES", 8 * 9 * 10)  # 10 rows per block
    np.testing.assert_array_equal(function(queries, database), whole)


small_integers = st.integers(-4, 4).map(float)  # many exact ties, e.g. correlations of 0


@pytest.mark.parametrize("function", FUNCTIONS)
@settings(max_examples=40, deadline=None)
@given(database=arrays(np.float32, st.tuples(st.integers(1, 12), st.sampled_from([2, 3, 5, 9])),
                       elements=small_integers),
       rows_per_block=st.integers(1, 13))
def test_a_score_does_not_depend_on_the_other_rows(function, database, rows_per_block):
    # bit for bit: whatever block a row falls in, alone or with any others (so ties stay ties)
    queries = np.flip(database, axis=1)[:3]
    whole = function(queries, database)
    original = similarity.CHUNK_BYTES
    similarity.CHUNK_BYTES = 8 * database.shape[1] * rows_per_block
    try:
        np.testing.assert_array_equal(function(queries, database), whole)
    finally:
        similarity.CHUNK_BYTES = original
    for row in range(len(database)):
        np.testing.assert_array_equal(function(queries, database[row:row + 1])[:, 0],
                                      whole[:, row])
        np.testing.assert_array_equal(function(queries[-1], database[row:row + 1])[0],
                                      whole[-1, row])


# ---------------------------------------------------------------- the lecture's points


def test_cosine_ignores_scaling_but_not_shifting():
    rng = np.random.default_rng(2)
    database = rng.integers(0, 200, size=(20, 30)).astype(np.float32)
    query = database[3].copy()
    base = cosine_similarities(query, database)
    np.testing.assert_allclose(cosine_similarities(2 * query, database), base, atol=1e-14)
    assert np.argmax(base) == 3
    shifted = cosine_similarities(query + 50, database)
    assert np.abs(shifted - base).max() > 1e-3


def test_correlation_ignores_brightness_and_contrast():
    rng = np.random.default_rng(3)
    database = rng.normal(size=(10, 40))
    query = database[4]
    np.testing.assert_allclose(correlations(3 * query + 50, database),
                               correlations(query, database), atol=1e-12)
    np.testing.assert_allclose(correlations(-query, database), -correlations(query, database),
                               atol=1e-12)


def test_correlation_has_no_cancellation_for_large_values():
    x = [1e8 + a for a in [1, 2, 3, 4, 5]]
    y = [[1e8 + b for b in [2, 4, 5, 4, 5]]]
    assert correlations(x, y)[0] == pytest.approx(0.7745966692414834, abs=1e-12)


def test_l1_of_uint8_pixels_does_not_wrap_around():
    a = np.array([0, 255, 10], dtype=np.uint8)
    b = np.array([[255, 0, 20]], dtype=np.uint8)
    assert l1_distances(a, b)[0] == 520.0


def test_identical_vectors_score_exactly_best():
    rng = np.random.default_rng(4)
    database = rng.normal(size=(5, 64)) * 1e4 + 1e6
    assert np.all(l2_distances(database, database).diagonal() == 0.0)
    assert np.all(l1_distances(database, database).diagonal() == 0.0)
    np.testing.assert_allclose(cosine_similarities(database, database).diagonal(), 1.0,
                               atol=1e-15)


# ---------------------------------------------------------------- undefined cases and bad input


def test_zero_vectors_and_constant_rows_have_documented_values():
    database = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [0.1, 0.1, 0.1]])
    assert cosine_similarities([0, 0, 0], database).tolist() == [0.0, 0.0, 0.0]
    assert cosine_similarities([1, 2, 3], database)[0] == 0.0
    np.testing.assert_allclose(correlations([1, 2, 3], database), [0.0, 1.0, 0.0], atol=1e-15)
    assert correlations([1, 2, 3], database)[[0, 2]].tolist() == [0.0, 0.0]
    assert correlations([7, 7, 7], database).tolist() == [0.0, 0.0, 0.0]


def test_results_stay_within_minus_one_and_one():
    v = np.full(1000, 0.1)
    assert cosine_similarities(v, v[None])[0] <= 1.0
    assert correlations(np.arange(10.0), -np.arange(10.0)[None])[0] >= -1.0


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_infinity_are_refused(function, bad):
    database = np.ones((3, 4))
    query = np.array([1.0, 2.0, bad, 4.0])
    with pytest.raises(ValueError, match="NaN or infinity"):
        function(query, database)
    database[1, 2] = bad
    with pytest.raises(ValueError, match="database contains NaN"):
        function(np.ones(4), database)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_shapes_are_checked(function):
    with pytest.raises(ValueError, match="same length: query has 3 values, database rows have 4"):
        function(np.ones(3), np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"database of shape \(N, D\)"):
        function(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"query of shape \(D,\) or \(Q, D\)"):
        function(np.ones((2, 2, 3)), np.ones((2, 3)))
    with pytest.raises(TypeError, match="numeric"):
        function(["a", "b"], [["c", "d"]])


def test_correlation_needs_two_values():
    with pytest.raises(ValueError, match="at least 2"):
        correlations([1.0], [[2.0]])


@pytest.mark.parametrize("function", FUNCTIONS)
def test_an_empty_database_gives_empty_scores(function):
    assert function(np.ones(3), np.empty((0, 3))).shape == (0,)
    assert function(np.ones((2, 3)), np.empty((0, 3))).shape == (2, 0)


# ---------------------------------------------------------------- teaching twins and top_k


@pytest.mark.parametrize("function", [cosine_similarities, correlations, l1_distances])
def test_the_teaching_path_equals_the_fast_path(function):
    rng = np.random.default_rng(3)
    database = rng.integers(-5, 6, size=(7, 4)).astype(float)
    database[0] = 0.0  # a zero (and constant) row: defined as 0 for cosine and correlation
    queries = rng.standard_normal((3, 4))
    np.testing.assert_allclose(function(queries, database, teaching=True),
                               function(queries, database), rtol=1e-12, atol=1e-12)
    assert function(queries[0], database, teaching=True).shape == (7,)


def _brute_force(scores: np.ndarray, k: int, higher: bool) -> np.ndarray:
    """Best k by a stable argsort: equal scores in row order."""
    return np.argsort(-scores if higher else scores, kind="stable")[:k]


@pytest.mark.parametrize("metric", ["cosine", "correlation", "l1", "l2"])
@pytest.mark.parametrize("rows_per_block", [3, 1000])
def test_top_k_is_the_stable_argsort(metric, rows_per_block, monkeypatch):
    monkeypatch.setattr(similarity, "SEARCH_ROWS", rows_per_block)
    rng = np.random.default_rng(5)
    database = rng.integers(-2, 3, size=(300, 3)).astype(np.float64)  # many exact ties
    queries = rng.integers(-2, 3, size=(4, 3)).astype(np.float64)
    function = {"cosine": cosine_similarities, "correlation": correlations,
                "l1": l1_distances, "l2": l2_distances}[metric]
    scores = function(queries, database)
    for k in (1, 7, np.int64(40), 500):
        rows, found = similarity.top_k(queries, database, k, metric)
        for q in range(len(queries)):
            expected = _brute_force(scores[q], min(int(k), 300), higher_is_better(metric))
            assert rows[q].tolist() == expected.tolist()
            np.testing.assert_array_equal(found[q], scores[q, expected])


def test_top_k_float32_cosine_is_close_to_float64():
    rng = np.random.default_rng(8)
    database = np.abs(rng.standard_normal((2000, 16))).astype(np.float32)
    query = np.abs(rng.standard_normal(16))
    rows, scores = top_k(query, database, 5, "cosine")
    exact = cosine_similarities(query, database)
    np.testing.assert_allclose(scores, exact[rows], atol=1e-6)
    assert np.sort(exact)[-5] <= scores.min() + 1e-6


def test_top_k_checks_its_arguments():
    with pytest.raises(ValueError, match="k must be a positive integer"):
        top_k([1.0], [[1.0]], 0, "l1")
    with pytest.raises(ValueError, match="unknown metric"):
        top_k([1.0], [[1.0]], 1, "hamming")
    with pytest.raises(ValueError, match="NaN"):
        top_k([1.0], [[np.nan]], 1, "l2")
