"""The lecture's coordinate matrices: a 2 x 2 matrix moves every pixel of an image.

============================================  ==============================================
``reflection_matrix(axis)``                   the lecture's two mirror matrices
``transform_points(points, matrix)``          ``matrix @ point`` for each (x1, x2) point
``transform_image(image, matrix)``            any invertible 2 x 2 matrix applied to an image
``flip_upside_down(image)``                   ``np.flipud``: across the horizontal axis
``mirror_left_right(image)``                  ``np.fliplr``: across the vertical axis
============================================  ==============================================

Coordinates
-----------
The lecture draws a pixel at ``x = (x1, x2)`` on the usual mathematical axes: ``x1`` is the
horizontal coordinate, growing to the right, ``x2`` the vertical one, growing *upwards*, and
the origin is the centre of the image. A NumPy image is indexed ``image[row, col]`` with rows
growing *downwards* from the top-left corner. For an image of H rows and W columns, with its
centre at ``(row, col) = ((H - 1) / 2, (W - 1) / 2)`` (the middle of the pixel grid)::

    x1 = col - (W - 1) / 2          col = (W - 1) / 2 + x1
    x2 = (H - 1) / 2 - row          row = (H - 1) / 2 - x2

So ``[[1, 0], [0, -1]]`` sends ``(x1, x2)`` to ``(x1, -x2)``: a reflection across the
horizontal axis, row ``r`` goes to row ``H - 1 - r`` and the image is turned upside down; and
``[[-1, 0], [0, 1]]`` sends it to ``(-x1, x2)``: a reflection across the vertical axis, column
``c`` goes to ``W - 1 - c``, the left-right mirror. A positive angle in the rotation
``[[cos t, -sin t], [sin t, cos t]]`` turns the picture counter-clockwise, as on paper.

Images are moved by *inverse mapping*: every output pixel ``y`` looks up the source point
``x = M^-1 y``, so that no output pixel is left as a hole.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from linalg_basics import matrix_vector_product

from ._inputs import as_image

__all__ = [
    "flip_upside_down",
    "mirror_left_right",
    "reflection_matrix",
    "transform_image",
    "transform_points",
]

_REFLECTIONS = {
    "horizontal": [[1, 0], [0, -1]],   # across the horizontal (x1) axis: upside down
    "vertical": [[-1, 0], [0, 1]],     # across the vertical (x2) axis: left-right mirror
}
_EDGE_TOLERANCE = 1e-9   # source points this close outside the pixel grid still count inside


def reflection_matrix(axis: str) -> np.ndarray:
    """Return the lecture's reflection matrix across the ``"horizontal"`` or ``"vertical"`` axis.

    Parameters
    ----------
    axis : {"horizontal", "vertical"}
        ``"horizontal"``: ``[[1, 0], [0, -1]]``, ``(x1, x2) -> (x1, -x2)``, the image turned
        upside down. ``"vertical"``: ``[[-1, 0], [0, 1]]``, ``(x1, x2) -> (-x1, x2)``, the
        left-right mirror. (x1 horizontal, x2 vertical and upwards: see the module docstring.)

    Returns
    -------
    numpy.ndarray
        A 2 x 2 integer matrix.

    Examples
    --------
    >>> reflection_matrix("horizontal").tolist()
    [[1, 0], [0, -1]]
    >>> reflection_matrix("vertical").tolist()
    [[-1, 0], [0, 1]]
    """
    try:
        return np.array(_REFLECTIONS[axis])
    except (KeyError, TypeError):
        raise ValueError(f"reflection_matrix: axis must be 'horizontal' or 'vertical', "
                         f"got {axis!r}") from None


def _as_matrix(matrix: Any, caller: str) -> np.ndarray:
    array = np.asarray(matrix)
    if array.shape != (2, 2) or not (np.issubdtype(array.dtype, np.number)
                                     and np.isfinite(array).all()):
        raise ValueError(f"{caller}: expected a 2 x 2 matrix of finite numbers, got "
                         f"{array.dtype} shape {array.shape}")
    return array


def transform_points(points: Any, matrix: Any, teaching: bool = False) -> np.ndarray:
    """Apply a 2 x 2 matrix to points: ``y = M x`` for every point ``x = (x1, x2)``.

    Parameters
    ----------
    points : array_like
        One point ``(x1, x2)`` or N points, shape (N, 2), in the lecture's coordinates.
    matrix : array_like
        A 2 x 2 matrix.
    teaching : bool
        ``True`` computes point by point with ``linalg_basics.matrix_vector_product`` on
        plain lists, the lecture's way; ``False`` (default) does it in one NumPy product
        ``points @ M.T``. Both give the same numbers (exactly, for integers).

    Returns
    -------
    numpy.ndarray
        The moved points, with the shape of ``points``.

    Examples
    --------
    >>> upside_down = reflection_matrix("horizontal")
    >>> transform_points([[3, 1], [-2, 5]], upside_down).tolist()
    [[3, -1], [-2, -5]]
    >>> transform_points([3, 1], [[0, -1], [1, 0]], teaching=True).tolist()   # a quarter turn
    [-1, 3]
    """
    square = _as_matrix(matrix, "transform_points")
    array = np.asarray(points)
    if array.shape[-1:] != (2,) or array.ndim > 2 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"transform_points: expected a point (x1, x2) or points of shape "
                         f"(N, 2), got {array.dtype} shape {array.shape}")
    if not teaching:   # y1 = a x1 + b x2, y2 = c x1 + d x2, for all points at once
        (a, b), (c, d) = square
        x1, x2 = array[..., 0], array[..., 1]
        return np.stack([a * x1 + b * x2, c * x1 + d * x2], axis=-1)
    rows = square.tolist()
    moved = [matrix_vector_product(rows, point) for point in array.reshape(-1, 2).tolist()]
    return np.array(moved, dtype=np.result_type(array, square)).reshape(array.shape)


def _inverse(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a 2 x 2 matrix, ``[[d, -b], [-c, a]] / det`` (exact for 0/1 entries)."""
    (a, b), (c, d) = matrix.astype(np.float64)
    determinant = a * d - b * c
    if abs(determinant) <= 1e-12 * max(1.0, np.abs(matrix).max()) ** 2:
        raise ValueError(f"transform_image: the matrix {matrix.tolist()} is not invertible "
                         f"(determinant {determinant:g}): it squashes the image onto a line")
    return np.array([[d, -b], [-c, a]]) / determinant


def _source_coordinates(shape: tuple[int, int], inverse: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) in the input that every output pixel takes its value from."""
    height, width = shape
    centre_row, centre_col = (height - 1) / 2, (width - 1) / 2
    rows, cols = np.indices(shape, dtype=np.float64)
    outputs = np.stack([cols - centre_col, centre_row - rows], axis=-1)   # lecture (x1, x2)
    sources = transform_points(outputs.reshape(-1, 2), inverse)
    return centre_row - sources[:, 1], centre_col + sources[:, 0]


def _sample(image: np.ndarray, rows: np.ndarray, cols: np.ndarray, order: int) -> np.ndarray:
    """Values (N, C) of ``image`` at N real (row, col) positions, nearest or bilinear.

    Positions are first clipped into the pixel grid; the caller fills those outside.
    """
    height, width = image.shape[:2]
    pixels = image.reshape(height * width, -1)          # pixel (r, c) is row r * width + c
    rows = np.clip(rows, 0, height - 1)
    cols = np.clip(cols, 0, width - 1)
    if order == 0:   # the nearest pixel; a half rounds up, floor(x + 0.5), as SciPy
        nearest_row = np.floor(rows + 0.5).astype(np.intp)
        nearest_col = np.floor(cols + 0.5).astype(np.intp)
        return pixels[nearest_row * width + nearest_col]
    top, left = np.floor(rows).astype(np.intp), np.floor(cols).astype(np.intp)
    bottom, right = np.minimum(top + 1, height - 1), np.minimum(left + 1, width - 1)
    down, across = (rows - top)[:, np.newaxis], (cols - left)[:, np.newaxis]

    def at(r: np.ndarray, c: np.ndarray) -> np.ndarray:
        return pixels[r * width + c].astype(np.float64, copy=False)

    upper = at(top, left) * (1 - across) + at(top, right) * across
    lower = at(bottom, left) * (1 - across) + at(bottom, right) * across
    return upper * (1 - down) + lower * down


def transform_image(image: Any, matrix: Any, order: int = 0, fill: Any = 0) -> np.ndarray:
    """Move the pixels of an image by a 2 x 2 matrix about the image centre.

    Output pixel ``y`` (in the lecture's (x1, x2) coordinates, see the module docstring) takes
    the value at ``x = M^-1 y`` of the input (inverse mapping), nearest (``order=0``) or
    bilinear (``order=1``). This equals ``scipy.ndimage.affine_transform`` with
    ``mode="constant"``, ``cval=fill`` and, in (row, col), ``matrix = F^-1 M^-1 F`` with
    ``F = [[0, 1], [-1, 0]]`` and ``offset = c - matrix @ c`` for the centre
    ``c = ((H - 1) / 2, (W - 1) / 2)``.

    Parameters
    ----------
    image : numpy.ndarray or image source
        (H, W) or (H, W, C) of any numeric dtype (channels move together); a path or PIL
        image is loaded with ``load_image`` (uint8 RGB).
    matrix : array_like
        An invertible 2 x 2 matrix: a reflection, rotation, scaling, shear, ...
    order : {0, 1}
        0: the nearest input pixel (a source exactly half-way between two pixels takes the
        one below/right: ``floor(x + 0.5)``, as SciPy). 1: bilinear interpolation of the 4
        nearest pixels.
    fill : float or sequence of float
        The value of output pixels whose source point falls outside the input's pixel grid,
        ``0 <= row <= H - 1`` and ``0 <= col <= W - 1`` (SciPy's "constant" rule; a point
        less than 1e-9 pixels outside, rounding noise, counts as inside). One value per
        channel is allowed.

    Returns
    -------
    numpy.ndarray
        The same shape and dtype as ``image``. Integer images are rounded half up and
        clipped to the dtype's range after bilinear interpolation. Reflection matrices
        give exactly ``flip_upside_down`` / ``mirror_left_right`` (with either order).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.arange(6).reshape(2, 3)
    >>> transform_image(image, reflection_matrix("horizontal")).tolist()
    [[3, 4, 5], [0, 1, 2]]
    >>> quarter_turn = [[0, -1], [1, 0]]           # 90 degrees counter-clockwise
    >>> transform_image(np.arange(9).reshape(3, 3), quarter_turn).tolist()
    [[2, 5, 8], [1, 4, 7], [0, 3, 6]]
    >>> half_width = [[0.5, 0], [0, 1]]
    >>> transform_image(np.full((2, 4), 9.0), half_width, fill=-1).tolist()
    [[-1.0, 9.0, 9.0, -1.0], [-1.0, 9.0, 9.0, -1.0]]
    """
    array = as_image(image, "transform_image", allow_bool=True)
    if order not in (0, 1) or isinstance(order, bool):
        raise ValueError(f"transform_image: order must be 0 (nearest) or 1 (bilinear), "
                         f"got {order!r}")
    inverse = _inverse(_as_matrix(matrix, "transform_image"))
    fill_values = _fill_values(fill, array)
    height, width = array.shape[:2]
    rows, cols = _source_coordinates((height, width), inverse)
    inside = ((rows >= -_EDGE_TOLERANCE) & (rows <= height - 1 + _EDGE_TOLERANCE)
              & (cols >= -_EDGE_TOLERANCE) & (cols <= width - 1 + _EDGE_TOLERANCE))
    values = _sample(array, rows, cols, order)
    if order == 1 and not np.issubdtype(array.dtype, np.floating):
        low, high = _integer_range(array.dtype)
        values = np.clip(np.floor(values + 0.5), low, high)
    out = values.astype(array.dtype, copy=False)
    out[~inside] = fill_values
    return out.reshape(array.shape)


def _integer_range(dtype: np.dtype) -> tuple[int, int]:
    if dtype == np.bool_:
        return 0, 1
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def _fill_values(fill: Any, image: np.ndarray) -> np.ndarray:
    """``fill`` as one value or one per channel, checked to fit the image's dtype."""
    values = np.asarray(fill, dtype=np.float64)
    channels = image.shape[2] if image.ndim == 3 else None
    if values.ndim > 1 or (values.ndim == 1 and values.shape[0] != channels):
        raise ValueError(f"transform_image: fill must be one number or one per channel "
                         f"({channels or 1}), got {fill!r}")
    if not np.issubdtype(image.dtype, np.floating):
        low, high = _integer_range(image.dtype)
        if (values < low).any() or (values > high).any() or (values % 1).any():
            raise ValueError(f"transform_image: fill {fill!r} is not a value of the image's "
                             f"dtype {image.dtype}")
    return values.astype(image.dtype)


def flip_upside_down(image: Any) -> np.ndarray:
    """Turn an image upside down: the lecture's reflection across the horizontal axis.

    The same as ``np.flipud(image)`` (a new array, not a view) and as
    ``transform_image(image, reflection_matrix("horizontal"))``: row ``r`` becomes row
    ``H - 1 - r``.

    Parameters
    ----------
    image : numpy.ndarray or image source
        (H, W) or (H, W, C); a path or PIL image is loaded with ``load_image`` (uint8 RGB).

    Returns
    -------
    numpy.ndarray
        The flipped image, same shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> flip_upside_down(np.array([[1, 2], [3, 4]])).tolist()
    [[3, 4], [1, 2]]
    """
    return as_image(image, "flip_upside_down", allow_bool=True)[::-1].copy()


def mirror_left_right(image: Any) -> np.ndarray:
    """Mirror an image left to right: the lecture's reflection across the vertical axis.

    The same as ``np.fliplr(image)`` (a new array, not a view) and as
    ``transform_image(image, reflection_matrix("vertical"))``: column ``c`` becomes column
    ``W - 1 - c``.

    Parameters
    ----------
    image : numpy.ndarray or image source
        (H, W) or (H, W, C); a path or PIL image is loaded with ``load_image`` (uint8 RGB).

    Returns
    -------
    numpy.ndarray
        The mirrored image, same shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> mirror_left_right(np.array([[1, 2], [3, 4]])).tolist()
    [[2, 1], [4, 3]]
    """
    return as_image(image, "mirror_left_right", allow_bool=True)[:, ::-1].copy()
