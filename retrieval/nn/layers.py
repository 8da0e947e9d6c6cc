"""The layers of a network: small callables that each turn one NHWC batch into the next.

Every layer is a :class:`Layer`: calling it on a float32 batch ``(N, H, W, C)`` returns the
next batch, and it can say how many numbers it learned (:attr:`~Layer.n_params`) and which
windows it slides over its input (:attr:`~Layer.windows`, from which :attr:`~Layer.stride`
and :attr:`~Layer.receptive_field` follow). A network is a plain list of them; BatchNorm is
already folded into the convolutions (:func:`~retrieval.nn.functional.fold_batch_norm`).

=====================  ===============================================================
layer                  what it computes
=====================  ===============================================================
``Conv``               convolution + bias + activation (full k x k, or a 1x1 product)
``InvertedResidual``   MobileNetV2 / EfficientNet-Lite block: expand, depthwise, project
``MaxPool``            the largest value of each k x k window (VGG)
``Classifier``         global average (or flatten), then dense layers: ImageNet scores
=====================  ===============================================================

>>> import numpy as np
>>> conv = Conv("demo", np.ones((3, 3, 1, 2), np.float32), np.zeros(2, np.float32),
...             stride=2, activation="relu")
>>> conv(np.ones((1, 4, 4, 1), np.float32)).shape, conv.n_params, conv.stride
((1, 2, 2, 2), 20, 2)
"""

from __future__ import annotations

import numpy as np

from . import functional as F

__all__ = ["Classifier", "Conv", "InvertedResidual", "Layer", "MaxPool"]

_ACTIVATION_NAMES = {"relu": "ReLU", "relu6": "ReLU6"}


class Layer:
    """What every layer has: a ``name``, a call on a batch, parameters and sliding windows.

    A subclass sets ``name`` and ``out_channels``, implements ``__call__`` and
    ``describe``, and lists its learned arrays in ``parameters`` and its windows in
    ``windows``.
    """

    name: str = ""
    out_channels: int = 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @property
    def parameters(self) -> list[np.ndarray]:
        """The learned arrays (weights and biases after BN folding)."""
        return []

    @property
    def n_params(self) -> int:
        """How many numbers the layer learned."""
        return sum(array.size for array in self.parameters)

    @property
    def windows(self) -> list[tuple[int, int, str | int]]:
        """``(kernel, stride, padding)`` of each window the layer slides, in order."""
        return []

    @property
    def stride(self) -> int:
        """How many input pixels one step of the output moves (the product of the strides)."""
        return int(np.prod([stride for _, stride, _ in self.windows], dtype=np.int64))

    @property
    def receptive_field(self) -> int:
        """How many input pixels (along one axis) one output cell sees through this layer."""
        return F.receptive_field([(kernel, stride, 0) for kernel, stride, _ in self.windows])[2]

    def describe(self) -> str:
        """A short description for the layer table, e.g. ``"conv 3x3/2, ReLU6"``."""
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}: {self.describe()}>"


class Conv(Layer):
    """Convolution (+ folded BN) + activation. ``weight`` is (kh, kw, C_in, C_out)."""

    def __init__(self, name: str, weight, bias, stride: int = 1, padding: str | int = "same",
                 activation: str | None = None):
        self.name, self.weight, self.bias = name, weight, bias
        self.conv_stride, self.padding, self.activation = stride, padding, activation
        self.kernel = weight.shape[0]
        self.out_channels = weight.shape[3]
        self.pointwise = self.kernel == 1 and stride == 1
        self._matrix = weight.reshape(weight.shape[2], -1) if self.pointwise else None

    def __call__(self, x):
        if self.pointwise:
            x = F.pointwise_conv(x, self._matrix, self.bias)
        else:
            x = F.conv2d(x, self.weight, self.bias, self.conv_stride, self.padding)
        return F.ACTIVATIONS[self.activation](x)

    parameters = property(lambda self: [self.weight, self.bias])
    windows = property(lambda self: [(self.kernel, self.conv_stride, self.padding)])

    def describe(self) -> str:
        act = f", {_ACTIVATION_NAMES[self.activation]}" if self.activation else ""
        return f"conv {self.kernel}x{self.kernel}/{self.conv_stride}{act}"


class InvertedResidual(Layer):
    """MobileNetV2 / EfficientNet-Lite block: expand 1x1 -> depthwise kxk -> project 1x1.

    ``expand`` and ``project`` are ``(matrix (C_in, C_out), bias)`` pairs (``expand`` may be
    None), ``depthwise`` is ``(weight (k, k, C), bias)``. ReLU6 follows the first two
    convolutions, nothing follows the projection; the input is added back when the block
    keeps the size and the channels.
    """

    def __init__(self, name: str, expand, depthwise, project, stride: int, padding: str):
        self.name, self.expand, self.depthwise, self.project = name, expand, depthwise, project
        self.conv_stride, self.padding = stride, padding
        self.kernel = depthwise[0].shape[0]
        self.in_channels = (expand or project)[0].shape[0]
        self.out_channels = project[0].shape[1]
        self.residual = stride == 1 and self.in_channels == self.out_channels

    def __call__(self, x):
        n, h, w, c = x.shape
        k, s = self.kernel, self.conv_stride
        rule = F.PADDINGS[self.padding]
        rows, cols = rule(h, k, s), rule(w, k, s)
        out_hw = (F.conv_output_size(h, k, s, rows), F.conv_output_size(w, k, s, cols))
        dw_weight, dw_bias = self.depthwise
        hidden = dw_weight.shape[2]
        # The expansion's ReLU6 writes straight into the zero-padded buffer the
        # depthwise convolution reads: the padding costs no extra copy.
        padded = np.zeros((n, h + sum(rows), w + sum(cols), hidden), np.float32)
        inner = padded[:, rows[0]:rows[0] + h, cols[0]:cols[0] + w]
        if self.expand is None:
            inner[...] = x
        else:
            expanded = np.matmul(x.reshape(n, h * w, c), self.expand[0]).reshape(n, h, w, hidden)
            np.add(expanded, self.expand[1], out=expanded)
            F.relu6(expanded, out=inner)
        y = F.depthwise_conv(padded, dw_weight, dw_bias, s, padded=True, out_hw=out_hw)
        F.relu6(y)
        out = np.matmul(y.reshape(n, -1, hidden), self.project[0])  # one product per image
        out += self.project[1]
        out = out.reshape(n, out_hw[0], out_hw[1], self.out_channels)
        if self.residual:
            out += x
        return out

    @property
    def parameters(self) -> list[np.ndarray]:
        parts = [self.depthwise, self.project] + ([self.expand] if self.expand else [])
        return [array for pair in parts for array in pair]

    windows = property(lambda self: [(self.kernel, self.conv_stride, self.padding)])

    def describe(self) -> str:
        hidden = self.depthwise[0].shape[2]
        ratio = hidden // self.in_channels
        skip = " +skip" if self.residual else ""
        return f"MBConv{ratio} {self.kernel}x{self.kernel}/{self.conv_stride}{skip}"


class MaxPool(Layer):
    """Max pooling over ``kernel`` x ``kernel`` windows with the same stride (VGG: 2, floor)."""

    def __init__(self, name: str, channels: int, kernel: int = 2):
        self.name, self.out_channels, self.kernel = name, channels, kernel

    def __call__(self, x):
        return F.max_pool(x, self.kernel)

    windows = property(lambda self: [(self.kernel, self.kernel, "valid")])

    def describe(self) -> str:
        return f"max pool {self.kernel}x{self.kernel}/{self.kernel}"


class Classifier(Layer):
    """ImageNet head: global average (or flatten) then dense layers with ReLU between.

    ``dense`` lists ``(matrix (D_in, D_out), bias)`` pairs. It takes a batch of maps
    ``(N, h, w, C)`` and returns the scores ``(N, D_out)``.
    """

    name = "classifier"

    def __init__(self, dense, flatten: bool = False):
        self.dense, self.flatten = dense, flatten
        self.out_channels = dense[-1][0].shape[1]

    def __call__(self, maps):
        if self.flatten:
            x = np.ascontiguousarray(maps).reshape(len(maps), -1)
        else:
            x = maps.mean(axis=(1, 2), dtype=np.float32)
        x = x[:, np.newaxis]  # (N, 1, D): one product per image, whatever the batch
        for number, (matrix, bias) in enumerate(self.dense):
            x = x @ matrix + bias
            if number < len(self.dense) - 1:
                F.relu(x)
        return x[:, 0]

    parameters = property(lambda self: [array for pair in self.dense for array in pair])

    def describe(self) -> str:
        pooled = "flatten" if self.flatten else "global avg"
        return f"{pooled}, {len(self.dense)} dense"
