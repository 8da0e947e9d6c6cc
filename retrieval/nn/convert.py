"""Checkpoint conversion: arrays of a state dict become the engine's layers, BN folded.

A checkpoint (what :func:`~retrieval.nn.weights.load_state_dict` reads) maps names such as
``"_conv_stem.weight"`` to arrays in the layout of the framework that wrote it. The network
modules (:mod:`~retrieval.nn.efficientnet`, :mod:`~retrieval.nn.mobilenet`,
:mod:`~retrieval.nn.vgg`) name the keys; the functions here check each array's shape, move
torch's ``(C_out, C_in, kh, kw)`` to the engine's NHWC ``(kh, kw, C_in, C_out)`` and fold
every BatchNorm into the convolution before it.
"""

from __future__ import annotations

import numpy as np

from .functional import fold_batch_norm
from .layers import InvertedResidual

__all__ = ["take", "torch_conv_bn", "torch_inverted_residual"]


def take(state: dict, key: str, shape: tuple | None = None) -> np.ndarray:
    """``state[key]`` as float32, with a clear error when it is missing or misshapen."""
    if key not in state:
        raise ValueError(f"the weights have no {key!r}: not a checkpoint of this network")
    value = np.asarray(state[key], dtype=np.float32)
    if shape is not None and value.shape != tuple(shape):
        raise ValueError(f"weight {key!r} has shape {value.shape}; this network needs "
                         f"{tuple(shape)} (weights of another model variant?)")
    return value


def torch_conv_bn(state: dict, conv: str, bn: str | None, eps: float,
                  shape: tuple | None = None, bias: bool = False):
    """A torch convolution ``(C_out, C_in, kh, kw)`` + BatchNorm, folded, in NHWC layout.

    Returns ``(weight (kh, kw, C_in, C_out), bias (C_out,))``; a depthwise weight
    ``(C, 1, kh, kw)`` comes back as ``(kh, kw, 1, C)``.
    """
    weight = take(state, conv + ".weight", shape).transpose(2, 3, 1, 0)
    conv_bias = take(state, conv + ".bias") if bias else None
    if bn is None:
        zero = np.zeros(weight.shape[3], np.float32)
        return np.ascontiguousarray(weight), conv_bias if bias else zero
    c = weight.shape[3]
    gamma, beta, mean, var = (take(state, f"{bn}.{name}", (c,))
                              for name in ("weight", "bias", "running_mean", "running_var"))
    return fold_batch_norm(weight, gamma, beta, mean, var, eps, conv_bias)


def torch_inverted_residual(state: dict, name: str, convs, eps: float, stride: int,
                            padding: str, shapes) -> InvertedResidual:
    """An inverted residual block from torch keys: ``convs`` lists (conv, bn) key pairs for
    [expand,] depthwise, project, and ``shapes`` their torch weight shapes."""
    parts = [torch_conv_bn(state, conv, bn, eps, shape)
             for (conv, bn), shape in zip(convs, shapes, strict=True)]
    expand = None
    if len(parts) == 3:
        weight, bias = parts.pop(0)
        expand = (np.ascontiguousarray(weight[0, 0]), bias)
    (dw, dw_bias), (project, project_bias) = parts
    return InvertedResidual(name, expand, (np.ascontiguousarray(dw[:, :, 0, :]), dw_bias),
                            (np.ascontiguousarray(project[0, 0]), project_bias), stride, padding)
