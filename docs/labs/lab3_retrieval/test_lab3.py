"""Instructor tests for lab 3: retrieval with pixels and CNN features, measured by mAP.

Rankings are checked against the scores of ``retrieval`` (``l1_distances``,
``cosine_similarities``), average precision and mAP against ``retrieval``'s own, on inputs
drawn by Hypothesis; the last test runs the whole experiment on the bundled photos. When an
answer is wrong, Hypothesis shrinks the input to the smallest it can find and pytest shows it
("Falsifying example" or "Failing test case"), with the expected and the received answer.

The submission is the file named by the environment variable ``LAB_SUBMISSION`` (default:
``lab3.py`` next to this file)::

    LAB_SUBMISSION=path/to/alice_lab3.py python -m pytest -p no:cacheprovider test_lab3.py
"""

import pathlib

import numpy as np
import pytest
from experiment import cnn_features, photo_database
from hypothesis import given
from hypothesis import strategies as st

import retrieval
from linalg_basics.testing import (
    assert_imports_only,
    assert_same_answer,
    lab_settings,
    load_submission,
    queries_and_databases,
    rankings,
)

lab = load_submission(pathlib.Path(__file__).with_name("lab3.py"))


def check_ranking(ranking, scores, higher_first, what):
    """``ranking`` lists every row once, in an order where ``scores`` never get better."""
    ranking = [int(i) for i in ranking]
    if sorted(ranking) != list(range(len(scores))):
        raise AssertionError(
            f"a ranking must list every database row 0..{len(scores) - 1} once, got {ranking}"
        )
    ordered = [float(scores[i]) for i in ranking]
    for place, (a, b) in enumerate(zip(ordered, ordered[1:], strict=False)):
        if (b > a + 1e-9) if higher_first else (b < a - 1e-9):
            raise AssertionError(
                f"the ranking {ranking} puts row {ranking[place]} ({what} {a:.6g}) before row "
                f"{ranking[place + 1]} ({what} {b:.6g}); the {what} of rows 0, 1, ...: "
                f"{[round(float(s), 6) for s in scores]}"
            )


def test_pixel_features():
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(3, 4, 5, 3), dtype=np.uint8)
    expected = retrieval.PixelFeatures(size=None).extract(images, progress=False)
    assert_same_answer(lab.pixel_features, lambda images: expected, images)
    assert lab.pixel_features(images).dtype == np.float32


@lab_settings(max_examples=60)
@given(queries_and_databases())
def test_l1_ranking(qd):
    query, database = qd
    ranking = lab.l1_ranking(np.array(query, np.uint8), np.array(database, np.uint8))
    check_ranking(ranking, retrieval.l1_distances(query, database), False, "L1 distance")


@lab_settings(max_examples=60)
@given(queries_and_databases())
def test_cosine_ranking(qd):
    query, database = qd
    ranking = lab.cosine_ranking(np.array(query, np.uint8), np.array(database, np.uint8))
    check_ranking(ranking, retrieval.cosine_similarities(query, database), True,
                  "cosine similarity")


@lab_settings(max_examples=100)
@given(rankings())
def test_average_precision(ranking_relevant):
    assert_same_answer(lab.average_precision, retrieval.average_precision, *ranking_relevant)


@lab_settings()
@given(st.lists(rankings(), min_size=1, max_size=4))
def test_mean_average_precision(queries):
    ranked = [ranking for ranking, _ in queries]
    relevant = [relevant for _, relevant in queries]
    assert_same_answer(lab.mean_average_precision, retrieval.mean_average_precision, ranked,
                       relevant)


@pytest.fixture(scope="module")
def photos():
    queries, database, relevant = photo_database()
    pixels = (retrieval.PixelFeatures(size=None).extract(queries, progress=False),
              retrieval.PixelFeatures(size=None).extract(database, progress=False))
    cnn = cnn_features(queries), cnn_features(database)
    return {"pixels": pixels, "cnn": cnn, "relevant": relevant}


def reference_map(features, relevant, scores, higher_first):
    query, database = features
    rankings = [np.argsort(-s if higher_first else s, kind="stable") for s in scores(query,
                                                                                      database)]
    return retrieval.mean_average_precision([r.tolist() for r in rankings], relevant)


def test_experiment_on_photos(photos):
    """The lab's experiment: CNN features find the changed copies, raw pixels much less."""
    relevant = photos["relevant"]
    found = {
        "pixels, L1": lab.evaluate(*photos["pixels"], relevant, lab.l1_ranking),
        "pixels, cosine": lab.evaluate(*photos["pixels"], relevant, lab.cosine_ranking),
        "CNN, cosine": lab.evaluate(*photos["cnn"], relevant, lab.cosine_ranking),
    }
    expected = {
        "pixels, L1": reference_map(photos["pixels"], relevant, retrieval.l1_distances, False),
        "pixels, cosine": reference_map(photos["pixels"], relevant,
                                        retrieval.cosine_similarities, True),
        "CNN, cosine": reference_map(photos["cnn"], relevant, retrieval.cosine_similarities,
                                     True),
    }
    for name in expected:
        assert found[name] == pytest.approx(expected[name], abs=1e-9), (
            f"mAP of {name}: expected {expected[name]:.4f}, got {found[name]:.4f}"
        )
    assert found["CNN, cosine"] > found["pixels, cosine"] > found["pixels, L1"]


def test_own_work():
    """Rankings and mAP by hand: not with the retrieval library, SciPy or scikit-learn."""
    assert_imports_only(lab, {"math", "numpy", "__future__"})
