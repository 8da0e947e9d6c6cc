"""Convolutions of NHWC batches in NumPy: the padding rules, full, 1x1 and depthwise.

Every function works on **NHWC float32** arrays: a batch of ``N`` feature maps, each
``H`` rows by ``W`` columns with ``C`` channels in the last (fastest) axis. Keeping the
channels last turns a 1x1 convolution into one matrix product and lets a depthwise
convolution multiply whole channel vectors at once.

========================  ==========================================================
function                  what it computes
========================  ==========================================================
``same_padding``          TensorFlow "SAME" padding of one axis, from the input size
``symmetric_padding``     ``k // 2`` zeros on both sides (PyTorch ``padding=k // 2``)
``padding_amounts``       the zeros before and after, for a rule name or a fixed count
``conv_output_size``      the cells along one axis after a window slides over it
``pad``                   zeros around the rows and columns of a batch
``conv2d``                a full convolution (im2col + one matrix product)
``pointwise_conv``        a 1x1 convolution: ``x @ W + b`` over the channels
``depthwise_conv``        one k x k filter per channel (strided window view + einsum)
========================  ==========================================================

Convolution here means what deep-learning libraries compute, the *cross-correlation*
``out[i, j, o] = b[o] + sum_{di, dj, c} x[i*s + di, j*s + dj, c] * w[di, dj, c, o]``
(no kernel flip), over the zero-padded input. Pooling, activations and BatchNorm folding
are in :mod:`~retrieval.nn.functional`.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["PADDINGS", "conv2d", "conv_output_size", "depthwise_conv", "pad", "padding_amounts",
           "pointwise_conv", "same_padding", "symmetric_padding"]

_IM2COL_BYTES = 48 * 2**20  # the largest column matrix conv2d builds at once


# ------------------------------------------------------------------ padding


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow "SAME" padding of one axis: ``(before, after)``.

    The output has ``ceil(size / stride)`` cells; the total padding is
    ``max((out - 1) * stride + kernel - size, 0)``, and the smaller half goes
    before (top/left).

    Examples
    --------
    >>> same_padding(224, 3, 2)   # out 112: 111 * 2 + 3 - 224 = 1 -> (0, 1)
    (0, 1)
    >>> same_padding(87, 5, 1)
    (2, 2)
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def symmetric_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """``kernel // 2`` zeros on both sides, whatever the size (PyTorch ``padding=k // 2``).

    Examples
    --------
    >>> symmetric_padding(224, 3, 2)
    (1, 1)
    """
    return kernel // 2, kernel // 2


PADDINGS = {"same": same_padding, "symmetric": symmetric_padding,
            "valid": lambda size, kernel, stride: (0, 0)}


def padding_amounts(size: int, kernel: int, stride: int,
                    padding: str | int) -> tuple[int, int]:
    """``(before, after)`` zeros along one axis for a padding rule name or a fixed count.

    Examples
    --------
    >>> padding_amounts(86, 5, 2, "same"), padding_amounts(86, 3, 1, 1)
    ((1, 2), (1, 1))
    """
    if isinstance(padding, str):
        if padding not in PADDINGS:
            raise ValueError(f"padding must be one of {tuple(PADDINGS)} or an int; "
                             f"got {padding!r}")
        return PADDINGS[padding](size, kernel, stride)
    return int(padding), int(padding)


def conv_output_size(size: int, kernel: int, stride: int, padding: tuple[int, int]) -> int:
    """Cells along one axis: ``floor((size + before + after - kernel) / stride) + 1``.

    Examples
    --------
    >>> conv_output_size(224, 3, 2, (1, 1))
    112
    """
    return (size + padding[0] + padding[1] - kernel) // stride + 1


def pad(x: np.ndarray, rows: tuple[int, int], cols: tuple[int, int]) -> np.ndarray:
    """Zeros around the rows and columns of an NHWC batch (a new array; no copy if no pad).

    Examples
    --------
    >>> pad(np.ones((1, 2, 2, 1), np.float32), (1, 0), (0, 1))[0, :, :, 0]
    array([[0., 0., 0.],
           [1., 1., 0.],
           [1., 1., 0.]], dtype=float32)
    """
    if rows == (0, 0) and cols == (0, 0):
        return x
    n, h, w, c = x.shape
    out = np.zeros((n, h + rows[0] + rows[1], w + cols[0] + cols[1], c), dtype=x.dtype)
    out[:, rows[0]:rows[0] + h, cols[0]:cols[0] + w] = x
    return out


def _windows(xp: np.ndarray, kernel: tuple[int, int], stride: int,
             out_hw: tuple[int, int]) -> np.ndarray:
    """A read-only view (N, Ho, Wo, kh, kw, C) of every window of the padded batch."""
    n, _, _, c = xp.shape
    s0, s1, s2, s3 = xp.strides
    return as_strided(xp, (n, out_hw[0], out_hw[1], kernel[0], kernel[1], c),
                      (s0, s1 * stride, s2 * stride, s1, s2, s3), writeable=False)


def _check_batch(x: np.ndarray, channels: int, caller: str) -> None:
    if not isinstance(x, np.ndarray) or x.ndim != 4:
        raise ValueError(f"{caller}: expected an NHWC batch (N, H, W, C); "
                         f"got {getattr(x, 'shape', type(x).__name__)}")
    if x.shape[3] != channels:
        raise ValueError(f"{caller}: the weights expect {channels} input channels; "
                         f"the batch has {x.shape[3]}")


def _padded(x, kernel, stride, padding):
    """The padded batch and the output size for a convolution or pooling window."""
    rows = padding_amounts(x.shape[1], kernel[0], stride, padding)
    cols = padding_amounts(x.shape[2], kernel[1], stride, padding)
    ho = conv_output_size(x.shape[1], kernel[0], stride, rows)
    wo = conv_output_size(x.shape[2], kernel[1], stride, cols)
    if ho < 1 or wo < 1:
        raise ValueError(f"a {kernel[0]}x{kernel[1]} window does not fit a "
                         f"{x.shape[1]}x{x.shape[2]} map; use a larger image")
    return pad(x, rows, cols), (ho, wo)


# ------------------------------------------------------------------ convolutions


def conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
           stride: int = 1, padding: str | int = "same") -> np.ndarray:
    """A 2-D convolution of an NHWC batch, as im2col + matrix product.

    Every k x k x C window becomes one row of a "column matrix"; multiplying it by the
    weights reshaped to ``(k*k*C, C_out)`` gives all outputs at once. Long images are
    done in bands of rows so that the column matrix stays small. Each image gets its own
    matrix product (a stack of products, one ``np.matmul`` call) with bands set by its own
    size, so that an image's result never depends on the other images in the batch (BLAS
    sums in an order that depends on the matrix's shape).

    Parameters
    ----------
    x : ndarray, shape (N, H, W, C), float32
    weight : ndarray, shape (kh, kw, C, C_out)
    bias : ndarray, shape (C_out,), optional
    stride : int
    padding : {"same", "symmetric", "valid"} or int
        "same" is TensorFlow's rule (see :func:`same_padding`); an int pads that many
        zeros on every side.

    Returns
    -------
    ndarray, shape (N, Ho, Wo, C_out), float32

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    >>> w = np.ones((3, 3, 1, 1), np.float32)       # sums each 3x3 window
    >>> conv2d(x, w, padding="valid")[0, :, :, 0]
    array([[45., 54.],
           [81., 90.]], dtype=float32)
    """
    kh, kw, cin, cout = weight.shape
    _check_batch(x, cin, "conv2d")
    xp, (ho, wo) = _padded(x, (kh, kw), stride, padding)
    n = x.shape[0]
    matrix = weight.reshape(kh * kw * cin, cout)
    out = np.empty((n, ho, wo, cout), dtype=np.float32)
    band = max(1, _IM2COL_BYTES // (4 * wo * kh * kw * cin))  # rows of one image
    for top in range(0, ho, band):
        rows = min(band, ho - top)
        view = _windows(xp[:, top * stride:], (kh, kw), stride, (rows, wo))
        columns = view.reshape(n, rows * wo, kh * kw * cin)  # the im2col copy
        # (a band of a batch is not contiguous in ``out``: write the product back into it)
        out[:, top:top + rows] = np.matmul(columns, matrix).reshape(n, rows, wo, cout)
    if bias is not None:
        out += bias
    return out


def pointwise_conv(x: np.ndarray, weight: np.ndarray,
                   bias: np.ndarray | None = None) -> np.ndarray:
    """A 1x1 convolution: each pixel's channel vector times a (C, C_out) matrix.

    In NHWC each image reshaped to ``(H*W, C)`` is already the column matrix, so this is
    one stack of matrix products (one per image, as in :func:`conv2d`) with no copy.

    Examples
    --------
    >>> x = np.ones((1, 2, 2, 3), np.float32)
    >>> pointwise_conv(x, np.full((3, 2), 0.5, np.float32), np.array([0, 1], np.float32))[0, 0, 0]
    array([1.5, 2.5], dtype=float32)
    """
    cin, cout = weight.shape
    _check_batch(x, cin, "pointwise_conv")
    n, h, w, _ = x.shape
    out = np.matmul(x.reshape(n, h * w, cin), weight)
    if bias is not None:
        out += bias
    return out.reshape(n, h, w, cout)


def depthwise_conv(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
                   stride: int = 1, padding: str | int = "same",
                   padded: bool = False, out_hw: tuple[int, int] | None = None) -> np.ndarray:
    """One k x k filter per channel (a convolution with ``groups = C``).

    ``out[n, i, j, c] = b[c] + sum_{di, dj} x[n, i*s + di, j*s + dj, c] * w[di, dj, c]``.
    A strided *view* lists every window without copying, and :func:`numpy.einsum` sums
    the products over the window for all channels at once.

    Parameters
    ----------
    x : ndarray, shape (N, H, W, C), float32
    weight : ndarray, shape (kh, kw, C)
    bias : ndarray, shape (C,), optional
    stride : int
    padding : {"same", "symmetric", "valid"} or int
    padded, out_hw :
        When ``padded`` is true, ``x`` is already padded and ``out_hw`` gives the output
        size (the network blocks pad while applying the previous activation).

    Returns
    -------
    ndarray, shape (N, Ho, Wo, C), float32

    Examples
    --------
    >>> x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1).repeat(2, axis=3)
    >>> w = np.stack([np.ones((3, 3)), np.zeros((3, 3))], axis=2).astype(np.float32)
    >>> depthwise_conv(x, w, padding="valid")[0, 0, 0]   # channel 0 sums, channel 1 zeros
    array([36.,  0.], dtype=float32)
    """
    kh, kw, c = weight.shape
    _check_batch(x, c, "depthwise_conv")
    if padded:
        xp = x
    else:
        xp, out_hw = _padded(x, (kh, kw), stride, padding)
    if stride == 1:
        out = _depthwise_rows(xp, weight, out_hw)
    else:
        view = _windows(xp, (kh, kw), stride, out_hw)
        out = np.einsum("nhwijc,ijc->nhwc", view, weight, optimize=False)
    if bias is not None:
        out += bias
    return out


def _depthwise_rows(xp: np.ndarray, weight: np.ndarray, out_hw: tuple[int, int]) -> np.ndarray:
    """Stride-1 depthwise convolution with whole output rows as the inner loop.

    With stride 1, the ``Wo * C`` values a window row reads are contiguous in the padded
    input (columns ``dj .. dj + Wo - 1``, all channels), so the view can merge the column
    and channel axes into one long axis ``q``; the weights are repeated ``Wo`` times along
    it. :func:`numpy.einsum` then multiplies rows of ``Wo * C`` numbers at a time instead of
    ``C``, about 1.5x faster than the (N, Ho, Wo, kh, kw, C) window view.
    """
    kh, kw, c = weight.shape
    n = xp.shape[0]
    ho, wo = out_hw
    if xp.strides[3] != xp.itemsize or xp.strides[2] != c * xp.itemsize:
        xp = np.ascontiguousarray(xp)  # columns and channels must follow each other
    s0, s1, s2, s3 = xp.strides
    rows = as_strided(xp, (n, ho, kh, kw, wo * c), (s0, s1, s1, s2, s3), writeable=False)
    tiled = np.tile(weight, (1, 1, wo))  # (kh, kw, Wo * C): weight[i, j, c] at q = w * C + c
    out = np.einsum("nhijq,ijq->nhq", rows, tiled, optimize=False)
    return out.reshape(n, ho, wo, c)
