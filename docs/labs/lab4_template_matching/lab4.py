"""Lab 4: template matching, on pixels and on CNN feature maps.

Slide a small picture (the *template*) over every position of a larger one and score each
position; the best score says where the template is. First on gray pixels with the
correlation coefficient, then on the feature maps of a pretrained CNN with cosine similarity.

Positions are ``(row, col)`` of the window's top-left pixel, as NumPy indexes arrays. An image
of ``H x W`` and a template of ``h x w`` have ``(H - h + 1) x (W - w + 1)`` positions: the
window at ``(r, c)`` is ``image[r:r + h, c:c + w]``.

Use NumPy (and ``math``); not the ``retrieval`` library, which is what you are rebuilding.
Fill in every function below, replacing ``raise NotImplementedError``. Check your work with
``python -m doctest lab4.py -v`` and with the instructor's tests (see README.md).
"""

import math  # noqa: F401

import numpy as np  # noqa: F401  (the examples use it)


def correlation_map(image, template):
    """The correlation coefficient of the template with the window at every position.

    ``out[r, c] = sum(dw * dt) / sqrt(sum(dw**2) * sum(dt**2))`` where ``dw`` is the window
    ``image[r:r + h, c:c + w]`` minus its mean and ``dt`` the template minus its mean. It lies
    in [-1, 1], and it does not change when the window becomes ``a * window + b`` with ``a > 0``
    (a brighter or more contrasted copy matches as well). Where the window or the template is
    flat (all its values equal) the formula is 0 / 0: put 0.0 there.

    Parameters
    ----------
    image : numpy.ndarray, shape (H, W)
        A gray image.
    template : numpy.ndarray, shape (h, w)
        With ``h <= H`` and ``w <= W``.

    Returns
    -------
    numpy.ndarray of float, shape (H - h + 1, W - w + 1)

    >>> image = np.array([[1, 2, 3, 4], [5, 6, 7, 8], [9, 1, 2, 3]])
    >>> correlation_map(image, np.array([[10, 20], [50, 60]])).round(3).tolist()
    [[1.0, 1.0, 1.0], [-0.233, -0.904, -0.904]]
    """
    raise NotImplementedError("correlation_map")


def best_position(score_map):
    """The ``(row, col)`` of the largest score; on ties, the first in row-by-row order.

    >>> best_position(np.array([[0.1, 0.9, 0.2], [0.9, 0.3, 0.0]]))
    (0, 1)
    """
    raise NotImplementedError("best_position")


def find_template(image, template):
    """Where the template is: ``(row, col)`` of the top-left pixel of the best window.

    Use the correlation map. Mind which pixel you report: the top-left corner of the
    window, not its centre.

    >>> image = np.zeros((6, 7)); image[2:4, 3:6] = [[1, 5, 2], [7, 3, 9]]
    >>> find_template(image, image[2:4, 3:6])
    (2, 3)
    """
    raise NotImplementedError("find_template")


def feature_score_map(image_map, template_map):
    """Cosine similarity of the template's feature block with the block at every position.

    A feature map has shape ``(rows, cols, channels)``: at each cell, a vector of channel
    values. At position ``(r, c)`` take the block ``image_map[r:r + h, c:c + w]`` (all its
    channels), flatten it and the template map into two vectors, and compute their cosine
    similarity ``x . t / (||x|| ||t||)``; where the block or the template is all zeros, put 0.0.

    Parameters
    ----------
    image_map : numpy.ndarray, shape (H, W, C)
    template_map : numpy.ndarray, shape (h, w, C)

    Returns
    -------
    numpy.ndarray of float, shape (H - h + 1, W - w + 1)

    >>> image_map = np.zeros((2, 3, 2)); image_map[0, 1] = [3, 4]; image_map[1, 2] = [1, 0]
    >>> feature_score_map(image_map, np.array([[[6, 8]]])).round(2).tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 0.6]]
    """
    raise NotImplementedError("feature_score_map")


def locate_with_features(image, template, model, layer="blocks.10"):
    """Find the template by cosine similarity of CNN feature maps; return its ``(row, col)``.

    1. Feature maps of both pictures: ``model.feature_maps(picture[None], layer=layer)[0]``
       (``picture[None]`` is a batch of one; the result has shape ``(rows, cols, channels)``).
    2. Score every position with :func:`feature_score_map`; take the best cell ``(i, j)``
       with :func:`best_position`.
    3. Back to pixels. ``g = model.feature_geometry(picture.shape[:2], layer=layer)`` tells
       how cells sit on a picture: cell ``i`` is centred on pixel ``g.offset[0] + i * g.stride``
       (rows; ``g.offset[1]`` for columns). The template's cell 0 is centred on its pixel
       ``gt.offset`` (``gt`` the template's geometry), so the template's top-left pixel lands
       on ``row = gi.offset[0] - gt.offset[0] + i * gi.stride`` (``gi`` the image's
       geometry), and likewise for the column. Round to whole pixels.

    Parameters
    ----------
    image : numpy.ndarray of uint8, shape (H, W, 3)
    template : numpy.ndarray of uint8, shape (h, w, 3)
    model : a ``retrieval`` model (from ``retrieval.load_model``)
    layer : str
        The layer whose maps are compared ("blocks.10": 16 pixels between cells).

    Returns
    -------
    tuple of int
        ``(row, col)``: within about half a stride (8 pixels) of the true place.
    """
    raise NotImplementedError("locate_with_features")
