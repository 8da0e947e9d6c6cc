"""Instructor tests for lab 3: retrieval with pixels and CNN features, measured by mAP.

Rankings are checked against the scores of ``retrieval`` (``l1_distances``,
``cosine_similarities``), average precision and mAP against ``retrieval``'s own, on inputs
drawn by Hypothesis; the last test runs the whole experiment on the bundled photos. When an
answer is wrong, Hypothesis shrinks the input to the smallest it can find and pytest shows it
("Falsifying example" or "Failing test case"), with the expected and the received answer. A
function that is wrong only because another function of the submission that it calls is wrong
(``mean_average_precision`` through ``average_precision``) says which one to fix first: it is
tried again with the reference versions in ``REFERENCE``.

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


def ranked(scores, higher_first):
    """Row indices by score, best first; equal scores in row order."""
    scores = np.asarray(scores, dtype=np.float64)
    return np.argsort(-scores if higher_first else scores, kind="stable").tolist()


def reference_pixel_features(images):
    return retrieval.PixelFeatures(size=None).extract(images, progress=False)


def reference_l1_ranking(query, database):
    return ranked(retrieval.l1_distances(query, database), higher_first=False)


def reference_cosine_ranking(query, database):
    return ranked(retrieval.cosine_similarities(query, database), higher_first=True)


def reference_evaluate(query_features, database_features, relevant_sets, rank):
    rankings = [rank(query, database_features) for query in query_features]
    return retrieval.mean_average_precision(rankings, relevant_sets)


# the reference for each function the student writes, by name
REFERENCE = {
    "pixel_features": reference_pixel_features,
    "l1_ranking": reference_l1_ranking,
    "cosine_ranking": reference_cosine_ranking,
    "average_precision": retrieval.average_precision,
    "mean_average_precision": retrieval.mean_average_precision,
    "evaluate": reference_evaluate,
}


def same_answer(name, *arguments, **options):
    """The student's function ``name`` answers as the reference does on ``arguments``."""
    __tracebackhide__ = True  # pytest shows the test's line and the message, not this helper
    assert_same_answer(getattr(lab, name), REFERENCE[name], *arguments, helpers=REFERENCE,
                       name=name, **options)


def test_pixel_features():
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(2, 1, 2, 3), dtype=np.uint8)  # two 1 x 2 photos

    def same_values_and_type(received, expected):
        received = np.asarray(received)
        return received.dtype == expected.dtype and np.array_equal(received, expected)

    same_answer("pixel_features", images, compare=same_values_and_type,
                note="one float32 row per image")


def check_ranking(name, query, database, scores, higher_first, what):
    """The ranking lists every row once, in an order where the scores never get better."""
    __tracebackhide__ = True
    scores = [float(score) for score in scores]

    def in_order(ranking, expected):
        ranking = [int(i) for i in ranking]
        ordered = [scores[i] for i in ranking]
        steps = zip(ordered, ordered[1:], strict=False)
        return sorted(ranking) == sorted(expected) and all(
            (b <= a + 1e-9) if higher_first else (b >= a - 1e-9) for a, b in steps)

    rounded = [round(score, 6) for score in scores]
    same_answer(name, np.array(query, np.uint8), np.array(database, np.uint8),
                compare=in_order,
                note=f"rows with equal {what} may come in either order; the {what} of rows "
                     f"0, 1, ...: {rounded}")


@lab_settings(max_examples=60)
@given(queries_and_databases())
def test_l1_ranking(qd):
    query, database = qd
    check_ranking("l1_ranking", query, database, retrieval.l1_distances(query, database),
                  False, "L1 distance")


@lab_settings(max_examples=60)
@given(queries_and_databases())
def test_cosine_ranking(qd):
    query, database = qd
    check_ranking("cosine_ranking", query, database,
                  retrieval.cosine_similarities(query, database), True, "cosine similarity")


@lab_settings(max_examples=100)
@given(rankings())
def test_average_precision(ranking_relevant):
    same_answer("average_precision", *ranking_relevant)


@lab_settings()
@given(st.lists(rankings(), min_size=1, max_size=4))
def test_mean_average_precision(queries):
    ranked_ids = [ranking for ranking, _ in queries]
    relevant = [relevant for _, relevant in queries]
    same_answer("mean_average_precision", ranked_ids, relevant)


@pytest.fixture(scope="module")
def photos():
    queries, database, relevant = photo_database()
    pixels = reference_pixel_features(queries), reference_pixel_features(database)
    cnn = cnn_features(queries), cnn_features(database)
    return {"pixels": pixels, "cnn": cnn, "relevant": relevant}


@pytest.mark.parametrize(("features", "rank"), [("pixels", reference_l1_ranking),
                                                 ("pixels", reference_cosine_ranking),
                                                 ("cnn", reference_cosine_ranking)],
                         ids=["pixels-L1", "pixels-cosine", "CNN-cosine"])
def test_experiment_on_photos(photos, features, rank):
    """The lab's experiment, with the reference rankings: evaluate gives the search's mAP."""
    same_answer("evaluate", *photos[features], photos["relevant"], rank, abs_tol=1e-9,
                note=f"the mAP of {features} ranked by {rank.__name__} on the photos")


def test_own_work():
    """Rankings and mAP by hand: not with the retrieval library, SciPy or scikit-learn."""
    assert_imports_only(lab, {"math", "numpy", "__future__"})
