"""The teaching path of ``retrieval.similarity``: every score one pair at a time, in plain Python.

Each pair goes through the list-based functions of :mod:`linalg_basics`, so a student can
follow one number from the formula to the result; ``similarity`` checks the shapes first.
"""

from __future__ import annotations

import numpy as np


def pair_score(u: list, v: list, metric: str) -> float:
    """One score through the list-based layer (zero or constant vectors score 0.0)."""
    import linalg_basics as lb

    if metric == "cosine":
        return lb.cosine_similarity(u, v) if any(u) and any(v) else 0.0
    if metric == "correlation":
        varies = min(u) != max(u) and min(v) != max(v)
        return lb.correlation(u, v) if varies else 0.0
    return float(lb.l1_distance(u, v))


def pairwise_scores(q: np.ndarray, x: np.ndarray, metric: str) -> np.ndarray:
    """Every (query, row) score, one pair at a time in plain Python."""
    rows = [[float(value) for value in row] for row in x.tolist()]
    return np.array([[pair_score(one, row, metric) for row in rows] for one in q.tolist()],
                    dtype=np.float64).reshape(len(q), len(rows))
