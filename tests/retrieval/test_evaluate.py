"""Ranking quality: hand-computed cases, properties, and scikit-learn where it applies."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval import (
    ImageIndex,
    PixelFeatures,
    average_precision,
    evaluate_index,
    mean_average_precision,
    precision_at_k,
    recall_at_k,
)
from retrieval.index import SearchResults


@st.composite
def ranking_and_relevant(draw):
    n = draw(st.integers(1, 12))
    ranking = draw(st.permutations(range(n)))
    relevant = draw(st.sets(st.integers(0, n + 3), min_size=1))  # some never retrieved
    return list(ranking), relevant


# ---------------------------------------------------------------- hand-computed


def test_a_worked_example():
    ranking = ["r", "x", "r2", "y", "z", "r3"]
    relevant = {"r", "r2", "r3", "r4"}
    assert precision_at_k(ranking, relevant, 1) == 1.0
    assert precision_at_k(ranking, relevant, 3) == pytest.approx(2 / 3)
    assert precision_at_k(ranking, relevant, 6) == 0.5
    assert recall_at_k(ranking, relevant, 3) == 0.5
    assert recall_at_k(ranking, relevant, 6) == 0.75
    # precision at the relevant ranks 1, 3, 6: 1, 2/3, 3/6; r4 never found counts 0
    assert average_precision(ranking, relevant) == pytest.approx((1 + 2 / 3 + 1 / 2) / 4)
    assert average_precision(ranking, relevant, k=3) == pytest.approx((1 + 2 / 3) / 4)


def test_mean_average_precision_averages_the_queries():
    rankings = [["a", "b", "c"], ["c", "b", "a"]]
    relevant = [{"a"}, {"a"}]
    assert mean_average_precision(rankings, relevant) == pytest.approx((1 + 1 / 3) / 2)


def test_search_results_work_as_rankings():
    results = SearchResults([("a", 0.9), ("b", 0.8)], metric="cosine")
    assert precision_at_k(results, {"b"}, 2) == 0.5
    assert average_precision(results, {"b"}) == 0.5


def test_short_rankings_count_missing_places_as_misses():
    assert precision_at_k(["a"], {"a", "b"}, 5) == 0.2
    assert recall_at_k([], {"a"}, 5) == 0.0
    assert average_precision([], {"a"}) == 0.0


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match="k must be a positive integer"):
        precision_at_k(["a"], {"a"}, 0)
    with pytest.raises(ValueError, match="without relevant ids"):
        recall_at_k(["a"], set(), 1)
    with pytest.raises(ValueError, match="without relevant ids"):
        average_precision(["a"], [])
    with pytest.raises(ValueError, match="more than once"):
        precision_at_k(["a", "a"], {"a"}, 2)
    with pytest.raises(ValueError, match="one relevant set per ranking"):
        mean_average_precision([["a"]], [{"a"}, {"b"}])
    with pytest.raises(ValueError, match="at least one query"):
        mean_average_precision([], [])


# ---------------------------------------------------------------- properties and sklearn


@settings(max_examples=100, deadline=None)
@given(ranking_and_relevant())
def test_properties_of_the_measures(data):
    ranking, relevant = data
    found = [item for item in ranking if item in relevant]
    for k in range(1, len(ranking) + 2):
        p = precision_at_k(ranking, relevant, k)
        r = recall_at_k(ranking, relevant, k)
        assert 0 <= p <= 1 and 0 <= r <= 1
        assert p * k == pytest.approx(r * len(relevant))  # both count the same hits
        assert recall_at_k(ranking, relevant, k + 1) >= r
    ap = average_precision(ranking, relevant)
    assert 0 <= ap <= 1
    # AP is 1 exactly when every relevant id is retrieved before any other
    perfect = set(ranking[: len(relevant)]) == relevant
    assert (ap == pytest.approx(1.0)) == perfect
    # AP is at most recall (each term is at most 1)
    assert ap <= len(found) / len(relevant) + 1e-12


@settings(max_examples=50, deadline=None)
@given(ranking_and_relevant())
def test_average_precision_equals_scikit_learn_on_complete_rankings(data):
    metrics = pytest.importorskip("sklearn.metrics")
    ranking, relevant = data
    relevant = {item for item in relevant if item in ranking}
    if not relevant:
        return
    y_true = [item in relevant for item in ranking]
    y_score = -np.arange(len(ranking), dtype=float)  # best first, no ties
    expected = metrics.average_precision_score(y_true, y_score)
    assert average_precision(ranking, relevant) == pytest.approx(expected, abs=1e-12)


# ---------------------------------------------------------------- on an index


def _groups():
    """Three groups of near-identical images; queries are other members of each group."""
    rng = np.random.default_rng(0)
    centres = rng.integers(40, 216, size=(3, 6, 8, 3))
    members = [np.clip(c + rng.integers(-8, 9, size=(4, 6, 8, 3)), 0, 255).astype(np.uint8)
               for c in centres]
    return members


def test_evaluate_index_on_known_groups():
    members = _groups()
    index = ImageIndex(PixelFeatures(size=(6, 8)), metric="l1")
    for g, group in enumerate(members):
        index.add(group[:3], ids=[f"g{g}-{i}" for i in range(3)])
    queries = [group[3] for group in members]
    relevant = [{f"g{g}-{i}" for i in range(3)} for g in range(3)]
    report = evaluate_index(index, queries, relevant, k=(1, 3, 9))
    assert list(report) == ["P@1", "P@3", "P@9", "R@1", "R@3", "R@9", "mAP"]
    assert report["P@1"] == report["P@3"] == report["mAP"] == 1.0
    assert report["P@9"] == pytest.approx(1 / 3)
    assert report["R@1"] == pytest.approx(1 / 3) and report["R@3"] == 1.0


def test_evaluate_index_can_leave_out_the_query_itself():
    members = _groups()
    index = ImageIndex(PixelFeatures(size=(6, 8)), metric="l2")
    ids = [f"g{g}-{i}" for g in range(3) for i in range(4)]
    index.add(np.concatenate(members), ids=ids)
    queries = [group[0] for group in members]
    relevant = [{f"g{g}-{i}" for i in range(1, 4)} for g in range(3)]
    with_self = evaluate_index(index, queries, relevant, ks=(1,))
    assert with_self["P@1"] == 0.0  # each query finds itself first
    without = evaluate_index(index, queries, relevant, ks=(1,),
                             exclude=[{f"g{g}-0"} for g in range(3)])
    assert without["P@1"] == 1.0 and without["mAP"] == 1.0
    with pytest.raises(ValueError, match="one relevant set per query"):
        evaluate_index(index, queries, relevant[:2])
    with pytest.raises(ValueError, match="one exclude set per query"):
        evaluate_index(index, queries, relevant, exclude=[{"x"}])


def test_numpy_integers_are_counts_too():
    assert precision_at_k(["a", "b"], {"a"}, k=np.int64(1)) == 1.0
    assert recall_at_k(["a", "b"], {"a", "b"}, k=np.int64(1)) == 0.5
    with pytest.raises(TypeError, match="k must be a positive integer"):
        precision_at_k(["a"], {"a"}, k=1.5)


def test_evaluate_index_takes_ks_and_its_older_name_k():
    members = _groups()
    index = ImageIndex(PixelFeatures(size=(6, 8)), metric="l1")
    index.add(np.concatenate(members), ids=[f"g{g}-{i}" for g in range(3) for i in range(4)])
    relevant = [{f"g{g}-{i}" for i in range(4)} for g in range(3)]
    queries = [group[0] for group in members]
    new = evaluate_index(index, queries, relevant, ks=(np.int64(1), 2))
    assert new == evaluate_index(index, queries, relevant, k=(1, 2))
    assert list(new) == ["P@1", "P@2", "R@1", "R@2", "mAP"]
