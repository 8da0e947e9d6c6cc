"""The operations of a CNN besides convolution: pooling, activations, BatchNorm folding.

Like :mod:`~retrieval.nn.convolution`, whose functions this module also offers (so that
``from retrieval.nn import functional as F`` gives every operation, as ``torch.nn.functional``
does), everything works on NHWC float32 batches.

========================  ==========================================================
function                  what it computes
========================  ==========================================================
``max_pool``              the largest value of each k x k window
``relu`` / ``relu6``      ``max(x, 0)`` / ``min(max(x, 0), 6)``, in place
``global_pool``           one vector per map: average, maximum, GeM, or flatten
``fold_batch_norm``       BatchNorm folded into the preceding convolution's weights
``receptive_field``       stride, first centre and field size through a chain of windows
========================  ==========================================================
"""

from __future__ import annotations

import numpy as np

from .convolution import *  # noqa: F403 (re-exported: F.conv2d, F.same_padding, ...)
from .convolution import __all__ as _convolution_names
from .convolution import _check_batch, _padded, _windows

__all__ = [*_convolution_names, "ACTIVATIONS", "POOLINGS", "fold_batch_norm", "global_pool",
           "max_pool", "receptive_field", "relu", "relu6"]


# ------------------------------------------------------------------ pooling, activations


def max_pool(x: np.ndarray, kernel: int = 2, stride: int | None = None,
             padding: str | int = "valid") -> np.ndarray:
    """The largest value of each kernel x kernel window (VGG's 2x2, stride 2, floor size).

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    >>> max_pool(x)[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """
    stride = kernel if stride is None else stride
    _check_batch(x, x.shape[-1] if x.ndim == 4 else -1, "max_pool")
    if padding != "valid" and padding != 0:  # pad with -inf so that padding never wins
        raise ValueError(f"max_pool supports padding='valid' only; got {padding!r}")
    xp, out_hw = _padded(x, (kernel, kernel), stride, "valid")
    return _windows(xp, (kernel, kernel), stride, out_hw).max(axis=(3, 4))


def relu(x: np.ndarray) -> np.ndarray:
    """``max(x, 0)``, written into ``x`` (returned).

    Examples
    --------
    >>> relu(np.array([-1.0, 2.0], np.float32))
    array([0., 2.], dtype=float32)
    """
    return np.clip(x, 0, np.inf, out=x)  # clip: one fast pass (np.maximum is slower here)


def relu6(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``min(max(x, 0), 6)``, written into ``out`` (default: ``x`` itself).

    Examples
    --------
    >>> relu6(np.array([-1.0, 2.0, 9.0], np.float32))
    array([0., 2., 6.], dtype=float32)
    """
    return np.clip(x, 0, 6, out=x if out is None else out)


ACTIVATIONS = {"relu": relu, "relu6": relu6, None: lambda x: x}

POOLINGS = ("avg", "max", "gem", "flatten")


def global_pool(maps: np.ndarray, pooling: str = "avg", p: float = 3.0,
                eps: float = 1e-6) -> np.ndarray:
    """One vector per feature map (N, H, W, C) -> (N, D).

    * ``"avg"``: the mean over all cells, ``D = C``.
    * ``"max"``: the largest value over all cells, ``D = C``.
    * ``"gem"``: generalised mean ``(mean(max(x, eps) ** p)) ** (1/p)``, between the two
      (``p = 1`` is the average, large ``p`` tends to the maximum); ``D = C``. Values
      below ``eps`` count as ``eps`` (GeM is defined for positive activations).
    * ``"flatten"``: every value in (row, column, channel) order, ``D = H * W * C``.

    Examples
    --------
    >>> maps = np.array([1, 2, 3, 4], np.float32).reshape(1, 2, 2, 1)
    >>> [global_pool(maps, how).round(3).tolist() for how in ("avg", "max", "gem")]
    [[[2.5]], [[4.0]], [[2.924]]]
    >>> global_pool(maps, "flatten").shape
    (1, 4)
    """
    if pooling == "avg":
        return maps.mean(axis=(1, 2), dtype=np.float32)
    if pooling == "max":
        return maps.max(axis=(1, 2))
    if pooling == "gem":
        # Divided by each channel's maximum first, so that x ** p cannot overflow.
        clipped = np.maximum(maps, np.float32(eps), dtype=np.float32)
        top = clipped.max(axis=(1, 2), keepdims=True)
        powered = (clipped / top) ** np.float32(p)
        mean = powered.mean(axis=(1, 2), dtype=np.float32)
        return (top[:, 0, 0] * mean ** np.float32(1.0 / p)).astype(np.float32)
    if pooling == "flatten":
        return np.ascontiguousarray(maps).reshape(len(maps), -1)
    raise ValueError(f"pooling must be one of {POOLINGS}; got {pooling!r}")


# ------------------------------------------------------------------ batch norm


def fold_batch_norm(weight: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                    mean: np.ndarray, var: np.ndarray, eps: float,
                    bias: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fold an inference-time BatchNorm into the convolution before it.

    BN computes ``gamma * (y - mean) / sqrt(var + eps) + beta`` on the convolution output
    ``y = x * w + b``. With ``scale = gamma / sqrt(var + eps)`` that is the convolution
    with weights ``w * scale`` (per output channel, the *last* axis of ``weight``) and bias
    ``(b - mean) * scale + beta``: one layer instead of two, computed once at load.

    Returns
    -------
    (weight, bias) : float32 arrays

    Examples
    --------
    >>> w, b = fold_batch_norm(np.ones((1, 1, 1, 2)), gamma=np.array([1.0, 2.0]),
    ...                        beta=np.array([0.0, 1.0]), mean=np.array([1.0, 1.0]),
    ...                        var=np.array([3.0, 3.0]), eps=1.0)
    >>> w.ravel().tolist(), b.tolist()
    ([0.5, 1.0], [-0.5, 0.0])
    """
    scale = np.asarray(gamma, np.float64) / np.sqrt(np.asarray(var, np.float64) + eps)
    shift = -np.asarray(mean, np.float64) if bias is None else bias - np.asarray(mean)
    folded_w = (np.asarray(weight, np.float64) * scale).astype(np.float32)
    folded_b = (shift * scale + np.asarray(beta, np.float64)).astype(np.float32)
    return np.ascontiguousarray(folded_w), folded_b


def receptive_field(ops) -> tuple[int, float, int]:
    """Stride, centre of the first cell and receptive field through a chain of windows.

    ``ops`` lists ``(kernel, stride, pad_before)`` along one axis, first layer first.
    Coordinates are input pixel indices (the first pixel's centre is 0). Each window
    widens the field by ``(kernel - 1) * jump`` and moves the first centre by
    ``((kernel - 1) / 2 - pad_before) * jump``, where ``jump`` is the product of the
    strides before it.

    Examples
    --------
    >>> receptive_field([(3, 2, 0), (3, 2, 1)])   # two 3x3 stride-2 windows
    (4, 1.0, 7)
    """
    jump, centre, field = 1, 0.0, 1
    for kernel, stride, before in ops:
        centre += ((kernel - 1) / 2 - before) * jump
        field += (kernel - 1) * jump
        jump *= stride
    return jump, centre, field
