"""How good is a ranking? Precision, recall and (mean) average precision.

A search returns a ranked list of ids; a query's *relevant* ids are the ones a perfect search
would put first (for example: every variant of the query photo).

==========================  =======================================================
``precision_at_k``          relevant among the first k, divided by k
``recall_at_k``             relevant among the first k, divided by all relevant
``average_precision``       mean of precision@i over the ranks i of relevant hits
``mean_average_precision``  average precision averaged over queries (mAP)
``evaluate_index``          all of them for an index and queries with known answers
==========================  =======================================================

Rankings are sequences of ids, best first, or :class:`retrieval.SearchResults`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from imageops._inputs import check_positive_int

__all__ = ["precision_at_k", "recall_at_k", "average_precision", "mean_average_precision",
           "evaluate_index"]


def _ranking(retrieved: Any, caller: str) -> list:
    ids = list(getattr(retrieved, "ids", retrieved))
    if len(set(ids)) != len(ids):
        raise ValueError(f"{caller}: the ranking lists an id more than once")
    return ids


def _relevant(relevant: Any, caller: str, allow_empty: bool = True) -> set:
    if isinstance(relevant, str):
        relevant = [relevant]
    found = set(relevant)
    if not found and not allow_empty:
        raise ValueError(f"{caller} is undefined without relevant ids; got an empty set")
    return found


def _check_k(k: Any, caller: str) -> int:
    return check_positive_int(k, "k", caller)


def precision_at_k(retrieved: Sequence | Any, relevant: Collection, k: int) -> float:
    """Fraction of the first ``k`` retrieved ids that are relevant.

    Parameters
    ----------
    retrieved : sequence of ids or SearchResults
        The ranking, best first.
    relevant : collection of ids
    k : int
        A ranking shorter than ``k`` counts its missing places as misses (the divisor
        stays ``k``).

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> precision_at_k(["a", "x", "b", "y"], {"a", "b", "c"}, k=2)
    0.5
    >>> precision_at_k(["a"], {"a"}, k=4)
    0.25
    """
    k = _check_k(k, "precision_at_k")
    wanted = _relevant(relevant, "precision_at_k")
    top = _ranking(retrieved, "precision_at_k")[:k]
    return sum(item in wanted for item in top) / k


def recall_at_k(retrieved: Sequence | Any, relevant: Collection, k: int) -> float:
    """Fraction of the relevant ids found among the first ``k`` retrieved.

    Examples
    --------
    >>> recall_at_k(["a", "x", "b", "y"], {"a", "b", "c", "d"}, k=3)
    0.5

    Raises ``ValueError`` when there are no relevant ids (recall would be 0/0).
    """
    k = _check_k(k, "recall_at_k")
    wanted = _relevant(relevant, "recall_at_k", allow_empty=False)
    top = _ranking(retrieved, "recall_at_k")[:k]
    return sum(item in wanted for item in top) / len(wanted)


def average_precision(retrieved: Sequence | Any, relevant: Collection,
                      k: int | None = None) -> float:
    """Average of precision@i over the ranks ``i`` where a relevant id appears.

    ``AP = (1/|R|) Σ_i P@i · [retrieved[i] ∈ R]`` over the first ``k`` ranks (all when
    ``k`` is None). The divisor is the number of relevant ids ``|R|``, so a relevant image
    that is never retrieved lowers AP (non-interpolated AP, as in TREC; it equals
    scikit-learn's ``average_precision_score`` for a complete ranking without ties).

    Examples
    --------
    >>> average_precision(["a", "x", "b"], {"a", "b"})   # (1/1 + 2/3) / 2
    0.8333333333333333
    >>> average_precision(["x", "a"], {"a", "b"})        # (1/2) / 2: "b" never found
    0.25

    Raises ``ValueError`` when there are no relevant ids.
    """
    if k is not None:
        _check_k(k, "average_precision")
    wanted = _relevant(relevant, "average_precision", allow_empty=False)
    ranking = _ranking(retrieved, "average_precision")[:k]
    hits = 0
    total = 0.0
    for rank, item in enumerate(ranking, start=1):
        if item in wanted:
            hits += 1
            total += hits / rank
    return total / len(wanted)


def mean_average_precision(rankings: Iterable, relevant: Iterable[Collection],
                           k: int | None = None) -> float:
    """Mean of :func:`average_precision` over queries (mAP).

    Parameters
    ----------
    rankings : iterable of rankings (sequences of ids or SearchResults), one per query
    relevant : iterable of collections of ids, one per query
    k : int, optional
        Cut every ranking at ``k``.

    Examples
    --------
    >>> mean_average_precision([["a", "b"], ["x", "c"]], [{"a"}, {"c"}])
    0.75
    """
    rankings = list(rankings)
    relevant = list(relevant)
    if len(rankings) != len(relevant):
        raise ValueError(f"mean_average_precision needs one relevant set per ranking; got "
                         f"{len(rankings)} rankings and {len(relevant)} relevant sets")
    if not rankings:
        raise ValueError("mean_average_precision needs at least one query")
    pairs = zip(rankings, relevant, strict=True)
    return sum(average_precision(r, s, k) for r, s in pairs) / len(rankings)


def evaluate_index(index: Any, queries: Any, relevant: Sequence[Collection],
                   ks: Iterable[int] = (1, 5, 10), exclude: Sequence[Collection] | None = None,
                   progress: bool | None = None, *, k: Iterable[int] | None = None
                   ) -> dict[str, float]:
    """Precision@k, recall@k and mAP of an index on queries with known relevant ids.

    Every query ranks the whole index (``search_many`` with ``k = len(index)``), so mAP is
    computed over complete rankings.

    Parameters
    ----------
    index : ImageIndex
    queries : list of images or a batch (Q, H, W, 3)
    relevant : sequence of collections of ids
        The relevant ids of each query.
    ks : iterable of int
        The cut-offs for precision and recall: several values of ``k`` (each one count of
        results), hence the plural name. ``k=`` is accepted as its older name.
    exclude : sequence of collections of ids, optional
        Ids to drop from each query's ranking before scoring (for example the query's own
        id when the queries are in the index too).
    progress : bool or None
        Passed to the feature extraction of the queries.

    Returns
    -------
    dict
        ``{"P@1": ..., "P@5": ..., "R@1": ..., "R@5": ..., "mAP": ...}`` (means over the
        queries), in that order.

    Examples
    --------
    >>> import numpy as np
    >>> from retrieval import ImageIndex, PixelFeatures
    >>> levels = np.array([0, 10, 200, 210], dtype=np.uint8)
    >>> index = ImageIndex(PixelFeatures(size=(2, 2)), metric="l1")
    >>> _ = index.add(np.ones((4, 2, 2, 3), np.uint8) * levels[:, None, None, None],
    ...               ids=["dark", "dark2", "light", "light2"])
    >>> queries = np.stack([np.full((2, 2, 3), 5, np.uint8), np.full((2, 2, 3), 205, np.uint8)])
    >>> evaluate_index(index, queries, [{"dark", "dark2"}, {"light", "light2"}], ks=(1, 2))
    {'P@1': 1.0, 'P@2': 1.0, 'R@1': 0.5, 'R@2': 1.0, 'mAP': 1.0}
    """
    if k is not None:
        ks = k
    if isinstance(ks, (int, float)) or not hasattr(ks, "__iter__"):
        ks = (ks,)  # one cut-off given on its own
    cutoffs = [_check_k(value, "evaluate_index") for value in ks]
    relevant = list(relevant)
    results = index.search_many(queries, k=len(index), progress=progress)
    if len(results) != len(relevant):
        raise ValueError(f"evaluate_index needs one relevant set per query; got "
                         f"{len(results)} queries and {len(relevant)} relevant sets")
    if exclude is None:
        exclude = [()] * len(results)
    elif len(exclude) != len(results):
        raise ValueError(f"evaluate_index needs one exclude set per query; got "
                         f"{len(exclude)} for {len(results)} queries")
    if not results:
        raise ValueError("evaluate_index needs at least one query")
    rankings = []
    for result, dropped in zip(results, exclude, strict=True):
        skip = _relevant(dropped, "exclude")
        rankings.append([hit_id for hit_id in result.ids if hit_id not in skip])
    count = len(rankings)

    def mean(measure, cutoff: int) -> float:
        pairs = zip(rankings, relevant, strict=True)
        return sum(measure(r, s, cutoff) for r, s in pairs) / count

    report = {f"P@{c}": mean(precision_at_k, c) for c in cutoffs}
    report.update({f"R@{c}": mean(recall_at_k, c) for c in cutoffs})
    report["mAP"] = mean_average_precision(rankings, relevant)
    return report
