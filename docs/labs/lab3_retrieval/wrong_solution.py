"""Lab 3, a planted wrong solution: three classic mistakes, for checking the tests.

The lab's tests must fail on it, each with a small counterexample:

* pixel_features keeps the images' uint8 type (``astype(np.float32)`` forgotten), so sums
  and differences of pixels wrap around at 256;
* cosine_ranking ranks by L1 distance (the first method of the lecture, copied and never
  changed), so a query twice as bright no longer finds its own image first;
* average_precision divides by the number of relevant items *found* instead of all relevant
  items, so a search that misses some is not penalised. mean_average_precision is right,
  but fails through it.
"""

import numpy as np


def pixel_features(images):
    """Each image flattened to one float32 row."""
    images = np.asarray(images)
    return images.reshape(len(images), -1)


def l1_ranking(query, database):
    """Rows by ``sum |q - x|``, nearest first."""
    query = np.asarray(query, dtype=np.float64)
    database = np.asarray(database, dtype=np.float64)
    distances = np.abs(database - query).sum(axis=1)
    return np.argsort(distances, kind="stable").tolist()


def _unit(rows):
    lengths = np.linalg.norm(rows, axis=-1, keepdims=True)
    return np.divide(rows, lengths, out=np.zeros_like(rows), where=lengths > 0)


def cosine_ranking(query, database):
    """Rows by ``q . x / (||q|| ||x||)``, most similar first; a zero vector scores 0."""
    query = np.asarray(query, dtype=np.float64)
    database = np.asarray(database, dtype=np.float64)
    distances = np.abs(database - query).sum(axis=1)
    return np.argsort(distances, kind="stable").tolist()


def average_precision(ranking, relevant):
    """Sum of precision@k at the relevant ranks, divided by the number of relevant ids."""
    hits = 0
    total = 0.0
    for k, item in enumerate(ranking, start=1):
        if item in relevant:
            hits += 1
            total += hits / k
    return total / hits if hits else 0.0


def mean_average_precision(rankings, relevant_sets):
    """Mean of the average precisions."""
    scores = [average_precision(r, s) for r, s in zip(rankings, relevant_sets, strict=True)]
    return sum(scores) / len(scores)


def evaluate(query_features, database_features, relevant_sets, rank):
    """mAP of ``rank`` over the queries."""
    rankings = [rank(query, database_features) for query in query_features]
    return mean_average_precision(rankings, relevant_sets)
