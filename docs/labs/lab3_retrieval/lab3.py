"""Lab 3: image retrieval with raw pixels and with CNN features, measured by mAP.

A search compares a query image with every image of a database and returns the database
rows best first: a *ranking*. You write two ways to rank (L1 distance and cosine
similarity), the measure of a ranking (average precision, and its mean over queries, mAP),
and then run ``python experiment.py`` to compare raw pixels with CNN features on photos.

Use NumPy (and ``math``); not the ``retrieval`` library, which is what you are rebuilding.
Fill in every function below, replacing ``raise NotImplementedError``. Check your work with
``python -m doctest lab3.py -v`` and with the instructor's tests (see README.md).
"""

import math  # noqa: F401

import numpy as np  # noqa: F401  (the examples use it)


def pixel_features(images):
    """The pixels of each image as one row of float32 numbers.

    Parameters
    ----------
    images : numpy.ndarray of uint8, shape (N, height, width, 3)

    Returns
    -------
    numpy.ndarray of float32, shape (N, height * width * 3)
        Row ``i`` lists image ``i``'s values in the order of ``images[i].ravel()``
        (row by row, and red, green, blue in each pixel).

    >>> pixel_features(np.zeros((2, 4, 5, 3), dtype=np.uint8)).shape
    (2, 60)
    """
    raise NotImplementedError("pixel_features")


def l1_ranking(query, database):
    """Database rows ranked by L1 distance to the query, nearest first.

    The L1 distance (sum of absolute differences) of the query ``q`` and a row ``x`` is
    ``sum(|q_i - x_i|)``. Compute it in float numbers: uint8 ``q - x`` wraps around.

    Parameters
    ----------
    query : array_like, shape (D,)
    database : array_like, shape (N, D)

    Returns
    -------
    list of int
        Every row index ``0 .. N-1`` once, smallest distance first (rows at equal distance
        in any order).

    >>> l1_ranking([0, 0], [[5, 5], [1, 0], [0, 3]])
    [1, 2, 0]
    """
    raise NotImplementedError("l1_ranking")


def cosine_ranking(query, database):
    """Database rows ranked by cosine similarity with the query, most similar first.

    The cosine similarity of ``q`` and a row ``x`` is ``q . x / (||q|| ||x||)``. When ``q`` or
    ``x`` is all zeros the formula divides by zero: count its similarity as 0.

    Parameters
    ----------
    query : array_like, shape (D,)
    database : array_like, shape (N, D)

    Returns
    -------
    list of int
        Every row index ``0 .. N-1`` once, highest similarity first (ties in any order).

    >>> cosine_ranking([1, 1], [[1, 0], [5, 5], [0, 0]])
    [1, 0, 2]
    """
    raise NotImplementedError("cosine_ranking")


def average_precision(ranking, relevant):
    """Average precision (AP) of a ranking.

    Walk down the ranking; at each rank ``k`` (1, 2, ...) where the item is relevant, note the
    precision at ``k``: the number of relevant items among the first ``k``, divided by ``k``.
    AP is the sum of these precisions divided by the number of relevant items ``len(relevant)``
    (so a relevant item that never shows up in the ranking counts as a 0).

    Parameters
    ----------
    ranking : list of int
        Ids, best first.
    relevant : set of int
        The ids a perfect search puts first; at least one.

    Returns
    -------
    float

    >>> average_precision([7, 3, 5], {7, 5})    # (1/1 + 2/3) / 2
    0.8333333333333333
    >>> average_precision([3, 7], {7, 5})       # (1/2) / 2: 5 never found
    0.25
    """
    raise NotImplementedError("average_precision")


def mean_average_precision(rankings, relevant_sets):
    """mAP: the mean of the average precision over several queries.

    ``rankings[i]`` and ``relevant_sets[i]`` belong to query ``i``.

    >>> mean_average_precision([[0, 1], [2, 3]], [{0}, {3}])
    0.75
    """
    raise NotImplementedError("mean_average_precision")


def evaluate(query_features, database_features, relevant_sets, rank):
    """mAP of a search: rank the database for every query with ``rank``, then score it.

    Parameters
    ----------
    query_features : numpy.ndarray, shape (Q, D)
        One row per query.
    database_features : numpy.ndarray, shape (N, D)
    relevant_sets : list of set of int
        The relevant database rows of each query.
    rank : function
        ``l1_ranking`` or ``cosine_ranking``.

    Returns
    -------
    float

    >>> evaluate(np.array([[1, 0], [0, 1]]), np.array([[0, 2], [3, 0]]), [{1}, {0}],
    ...          cosine_ranking)
    1.0
    """
    raise NotImplementedError("evaluate")
