"""imageops.transforms: the lecture's matrices against NumPy flips and scipy.ndimage."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image
from scipy import ndimage

from imageops.transforms import (
    flip_upside_down,
    mirror_left_right,
    reflection_matrix,
    transform_image,
    transform_points,
)

F = np.array([[0.0, 1.0], [-1.0, 0.0]])   # (row, col) offsets -> lecture (x1, x2)


def _rotation(degrees):
    t = np.deg2rad(degrees)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def _scipy_sources(shape, matrix):
    """SciPy's affine matrix and offset for ``matrix`` about the centre, in (row, col)."""
    affine = np.linalg.inv(F) @ np.linalg.inv(matrix) @ F
    centre = (np.array(shape[:2]) - 1) / 2
    return affine, centre - affine @ centre


def _scipy_transform(image, matrix, order, fill):
    affine, offset = _scipy_sources(image.shape, matrix)
    work = image.astype(np.float64)
    channels = work[..., np.newaxis] if work.ndim == 2 else work
    out = np.stack([ndimage.affine_transform(channels[..., k], affine, offset=offset,
                                             order=order, mode="constant", cval=fill)
                    for k in range(channels.shape[2])], axis=-1)
    return out[..., 0] if image.ndim == 2 else out


def _ambiguous(shape, matrix, order, margin=1e-7):
    """Pixels whose source lies within ``margin`` of a grid edge or (order 0) of a half.

    At those points a last-bit difference in the arithmetic may pick the other neighbour
    (or inside/outside), in SciPy as in ours; everywhere else the results must agree.
    """
    affine, offset = _scipy_sources(shape, matrix)
    grid = np.indices(shape[:2]).reshape(2, -1).astype(np.float64)
    source = affine @ grid + offset[:, np.newaxis]
    near = np.zeros(source.shape[1], bool)
    for axis, size in enumerate(shape[:2]):
        near |= (np.abs(source[axis]) < margin) | (np.abs(source[axis] - (size - 1)) < margin)
        if order == 0:
            near |= np.abs(source[axis] - np.floor(source[axis]) - 0.5) < margin
    return near.reshape(shape[:2])


# ---------------------------------------------------------------------------------------
# reflection_matrix and transform_points
# ---------------------------------------------------------------------------------------

def test_reflection_matrices_are_the_lectures():
    np.testing.assert_array_equal(reflection_matrix("horizontal"), [[1, 0], [0, -1]])
    np.testing.assert_array_equal(reflection_matrix("vertical"), [[-1, 0], [0, 1]])
    with pytest.raises(ValueError, match="'horizontal' or 'vertical'"):
        reflection_matrix("diagonal")


def test_points_move_as_the_lecture_says():
    points = np.array([[3, 1], [-2, 5], [0, 0]])
    np.testing.assert_array_equal(transform_points(points, reflection_matrix("horizontal")),
                                  [[3, -1], [-2, -5], [0, 0]])
    np.testing.assert_array_equal(transform_points(points, reflection_matrix("vertical")),
                                  [[-3, 1], [2, 5], [0, 0]])
    np.testing.assert_allclose(transform_points([1.0, 0.0], _rotation(90)), [0, 1], atol=1e-15)


def test_teaching_path_agrees_exactly_on_integers():
    points = [[3, 1], [-2, 5], [7, -4]]
    for matrix in (reflection_matrix("horizontal"), [[2, -1], [3, 4]]):
        teaching = transform_points(points, matrix, teaching=True)
        np.testing.assert_array_equal(teaching, transform_points(points, matrix))
        assert teaching.dtype.kind == "i"
    assert transform_points([3, 1], [[0, -1], [1, 0]], teaching=True).tolist() == [-1, 3]


def test_teaching_path_goes_through_linalg_basics(monkeypatch):
    import imageops.transforms

    calls = []
    real = imageops.transforms.matrix_vector_product

    def spy(matrix, vector):
        calls.append((matrix, vector))
        return real(matrix, vector)

    monkeypatch.setattr(imageops.transforms, "matrix_vector_product", spy)
    transform_points([[3, 1], [-2, 5]], reflection_matrix("vertical"), teaching=True)
    assert calls == [([[-1, 0], [0, 1]], [3, 1]), ([[-1, 0], [0, 1]], [-2, 5])]
    assert all(type(x) is int for _, vector in calls for x in vector)     # plain lists
    transform_points([[3, 1]], reflection_matrix("vertical"))
    assert len(calls) == 2                                                 # NumPy path


@settings(max_examples=60, deadline=None)
@given(points=hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.just(2)),
                         elements=st.floats(-1e3, 1e3)),
       matrix=hnp.arrays(np.float64, (2, 2), elements=st.floats(-10, 10)))
def test_teaching_path_agrees_with_numpy(points, matrix):
    # Both compute a*x1 + b*x2 with two rounded products and one rounded sum (a correctly
    # rounded sum of two numbers, fsum's, is the plain float sum), so they agree exactly.
    teaching = transform_points(points, matrix, teaching=True)
    np.testing.assert_array_equal(teaching, transform_points(points, matrix))
    np.testing.assert_allclose(transform_points(points, matrix), points @ matrix.T,
                               rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("points, matrix, message", [
    ([1, 2, 3], np.eye(2), r"points of shape \(N, 2\)"),
    (np.zeros((2, 2, 2)), np.eye(2), r"points of shape \(N, 2\)"),
    ([[1, 2]], np.eye(3), r"2 x 2 matrix"),
    ([[1, 2]], [[1, np.nan], [0, 1]], r"2 x 2 matrix of finite numbers"),
])
def test_transform_points_errors(points, matrix, message):
    with pytest.raises(ValueError, match=message):
        transform_points(points, matrix)


# ---------------------------------------------------------------------------------------
# flips: exactly NumPy's
# ---------------------------------------------------------------------------------------

SHAPES = [(61, 80), (48, 57), (61, 80, 3), (48, 57, 3), (1, 1), (2, 5, 4)]


def _crop(photo, shape):
    image = photo[: shape[0], : shape[1]]
    if len(shape) == 2:
        return np.ascontiguousarray(image[..., 0])
    return np.ascontiguousarray(np.resize(image, shape))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.int16])
def test_flips_equal_numpy_and_the_reflection_matrices(astronaut, shape, dtype):
    image = _crop(astronaut, shape).astype(dtype)
    upside_down, mirrored = flip_upside_down(image), mirror_left_right(image)
    np.testing.assert_array_equal(upside_down, np.flipud(image))
    np.testing.assert_array_equal(mirrored, np.fliplr(image))
    assert upside_down.dtype == dtype and not np.shares_memory(upside_down, image)
    for order in (0, 1):
        moved = transform_image(image, reflection_matrix("horizontal"), order=order)
        assert moved.dtype == dtype
        np.testing.assert_array_equal(moved, np.flipud(image))
        moved = transform_image(image, reflection_matrix("vertical"), order=order)
        np.testing.assert_array_equal(moved, np.fliplr(image))


@pytest.mark.parametrize("shape", [(61, 61, 3), (48, 48)])
def test_integer_rotations_equal_rot90(astronaut, shape):
    image = _crop(astronaut, shape)
    for order in (0, 1):
        np.testing.assert_array_equal(transform_image(image, [[0, -1], [1, 0]], order=order),
                                      np.rot90(image, 1))
        np.testing.assert_array_equal(transform_image(image, [[0, 1], [-1, 0]], order=order),
                                      np.rot90(image, -1))
        both = reflection_matrix("horizontal") @ reflection_matrix("vertical")
        np.testing.assert_array_equal(transform_image(image, both, order=order),
                                      np.rot90(image, 2))
    # rounding noise of cos(90 degrees) = 6e-17 must not cost the border pixels
    np.testing.assert_array_equal(transform_image(image, _rotation(90)), np.rot90(image, 1))


def test_images_from_files_and_pil(tmp_path, small_photo):
    Image.fromarray(small_photo).save(tmp_path / "p.png")
    np.testing.assert_array_equal(flip_upside_down(tmp_path / "p.png"), small_photo[::-1])
    np.testing.assert_array_equal(mirror_left_right(Image.fromarray(small_photo)),
                                  small_photo[:, ::-1])


# ---------------------------------------------------------------------------------------
# general matrices: scipy.ndimage.affine_transform
# ---------------------------------------------------------------------------------------

MATRICES = {
    "rotation 30": _rotation(30),
    "rotation -115": _rotation(-115),
    "scale 1.7 x 0.6": np.array([[1.7, 0.0], [0.0, 0.6]]),
    "shrink by 2": np.array([[0.5, 0.0], [0.0, 0.5]]),
    "enlarge by 2": np.array([[2.0, 0.0], [0.0, 2.0]]),
    "shear": np.array([[1.0, 0.4], [0.0, 1.0]]),
    "shear and rotation": _rotation(20) @ np.array([[1.0, 0.0], [-0.3, 1.2]]),
}


@pytest.mark.parametrize("name", sorted(MATRICES))
@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("colour", [False, True])
def test_general_matrices_agree_with_scipy(small_photo, name, order, colour):
    image = small_photo.astype(np.float64) if colour else small_photo[..., 1].astype(float)
    matrix = MATRICES[name]
    ours = transform_image(image, matrix, order=order, fill=17.0)
    reference = _scipy_transform(image, matrix, order, 17.0)
    # These matrices agree everywhere, even at the exact half ties of the scalings by 2
    # (dyadic arithmetic is exact in both, and both round a half up).
    if order == 0:
        np.testing.assert_array_equal(ours, reference)
    else:
        np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-9)
    assert (ours == 17.0).any() or name == "enlarge by 2"


@pytest.mark.parametrize("order", [0, 1])
def test_uint8_rounds_half_up_like_scipy(chelsea, order):
    image = np.ascontiguousarray(chelsea[::3, ::3])
    matrix = MATRICES["shear and rotation"]
    ours = transform_image(image, matrix, order=order, fill=255)
    assert ours.dtype == np.uint8
    exact = _scipy_transform(image, matrix, order, 255)
    rounded = np.floor(exact + 0.5)
    clear = ~_ambiguous(image.shape, matrix, order)[..., np.newaxis] & (
        np.abs(exact - np.floor(exact) - 0.5) > 1e-6)
    np.testing.assert_array_equal(ours[np.broadcast_to(clear, ours.shape)],
                                  rounded[np.broadcast_to(clear, ours.shape)])


def test_exact_half_ties_round_up():
    # Enlarging a 7 x 7 image by 2 about its centre (3, 3): output row r reads source row
    # 3 + (r - 3) / 2, an exact half for even r. Half up (SciPy's rule) takes the next row;
    # NumPy's round-half-to-even would take row 2 for r = 2 (source 2.5).
    image = np.arange(49.0).reshape(7, 7)
    enlarged = transform_image(image, [[2, 0], [0, 2]], order=0)
    for r, source in [(0, 2), (2, 3), (4, 4), (6, 5), (1, 2), (5, 4)]:
        assert enlarged[r, r] == image[source, source]
    np.testing.assert_array_equal(enlarged, _scipy_transform(image, np.eye(2) * 2, 0, 0.0))


@settings(max_examples=40, deadline=None)
@given(image=hnp.arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(2, 12)),
                        elements=st.floats(0, 255, allow_subnormal=False)),
       matrix=hnp.arrays(np.float64, (2, 2), elements=st.floats(-3, 3)).filter(
           lambda m: abs(np.linalg.det(m)) > 0.05),
       order=st.sampled_from([0, 1]))
def test_any_invertible_matrix_agrees_with_scipy(image, matrix, order):
    ours = transform_image(image, matrix, order=order, fill=-1.0)
    reference = _scipy_transform(image, matrix, order, -1.0)
    clear = ~_ambiguous(image.shape, matrix, order, margin=1e-6)
    np.testing.assert_allclose(ours[clear], reference[clear], rtol=0, atol=1e-6)


def test_fill_per_channel_and_dtype(small_photo):
    moved = transform_image(small_photo, [[0.5, 0], [0, 0.5]], fill=(255, 0, 10))
    assert moved[0, 0].tolist() == [255, 0, 10]
    with pytest.raises(ValueError, match="not a value of the image's dtype uint8"):
        transform_image(small_photo, np.eye(2), fill=300)
    with pytest.raises(ValueError, match="one per channel"):
        transform_image(small_photo, np.eye(2), fill=(1, 2))


@pytest.mark.parametrize("image, matrix, kwargs, error, message", [
    (np.zeros((4, 4)), [[1, 2], [2, 4]], {}, ValueError, "not invertible"),
    (np.zeros((4, 4)), np.zeros((2, 2)), {}, ValueError, "not invertible"),
    (np.zeros((4, 4)), np.eye(3), {}, ValueError, "2 x 2 matrix"),
    (np.zeros((4, 4)), np.eye(2), {"order": 3}, ValueError, "order must be 0"),
    (np.zeros((2, 4, 4, 3)), np.eye(2), {}, ValueError, "batch .* one at a time"),
    (np.zeros((0, 4)), np.eye(2), {}, ValueError, "image is empty"),
    (np.array([["a"]]), np.eye(2), {}, TypeError, r"real numbers or booleans\), got dtype"),
    (np.array([[np.nan]]), np.eye(2), {}, ValueError, "NaN or infinite"),
])
def test_transform_image_errors(image, matrix, kwargs, error, message):
    with pytest.raises(error, match=message):
        transform_image(image, matrix, **kwargs)
