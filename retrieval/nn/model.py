"""A CNN as a list of named layers, and the :class:`Model` that runs it on images.

A network here is a plain Python list of layer objects (``Conv``, ``InvertedResidual``,
``MaxPool``) built once from a checkpoint, with BatchNorm already folded into the
convolutions. :class:`Model` adds what a user needs around it: preprocessing, batching
with a progress bar, pooled features, feature maps with their pixel geometry, ImageNet
classification and a layer table.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from tqdm.auto import tqdm

try:  # optional: lets the worker threads keep BLAS to one thread each
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - depends on the environment
    threadpool_limits = None

from imageops.io import resize_image, to_image_list

from . import layers as L
from .labels import imagenet_labels

__all__ = ["FeatureGeometry", "Model"]

_CHUNK = 4  # at most this many images per forward pass ...
_CHUNK_PIXELS = 65_536  # ... and about this many pixels: the activations stay in cache
_WORKERS = min(2, os.cpu_count() or 1)  # threads running chunks side by side
_AUTO_PROGRESS = 64  # progress=None shows a bar from this many images on
_MIN_SIDE = 32


# ------------------------------------------------------------------ layer objects

_ACTIVATION_NAMES = {"relu": "ReLU", "relu6": "ReLU6"}


class Conv:
    """Convolution (+ folded BN) + activation. ``weight`` is (kh, kw, C_in, C_out)."""

    def __init__(self, name: str, weight, bias, stride: int = 1, padding: str = "same",
                 activation: str | None = None):
        self.name, self.weight, self.bias = name, weight, bias
        self.stride, self.padding, self.activation = stride, padding, activation
        self.kernel = weight.shape[0]
        self.out_channels = weight.shape[3]
        self.pointwise = self.kernel == 1 and stride == 1
        self._matrix = weight.reshape(weight.shape[2], -1) if self.pointwise else None

    def __call__(self, x):
        if self.pointwise:
            x = L.pointwise_conv(x, self._matrix, self.bias)
        else:
            x = L.conv2d(x, self.weight, self.bias, self.stride, self.padding)
        return L.ACTIVATIONS[self.activation](x)

    @property
    def windows(self):
        return [(self.kernel, self.stride, self.padding)]

    @property
    def n_params(self) -> int:
        return self.weight.size + self.bias.size

    def describe(self) -> str:
        act = f", {_ACTIVATION_NAMES[self.activation]}" if self.activation else ""
        return f"conv {self.kernel}x{self.kernel}/{self.stride}{act}"


class InvertedResidual:
    """MobileNetV2 / EfficientNet-Lite block: expand 1x1 -> depthwise kxk -> project 1x1.

    ``expand`` and ``project`` are ``(matrix (C_in, C_out), bias)`` pairs (``expand`` may be
    None), ``depthwise`` is ``(weight (k, k, C), bias)``. ReLU6 follows the first two
    convolutions, nothing follows the projection; the input is added back when the block
    keeps the size and the channels.
    """

    def __init__(self, name: str, expand, depthwise, project, stride: int, padding: str):
        self.name, self.expand, self.depthwise, self.project = name, expand, depthwise, project
        self.stride, self.padding = stride, padding
        self.kernel = depthwise[0].shape[0]
        self.in_channels = (expand or project)[0].shape[0]
        self.out_channels = project[0].shape[1]
        self.residual = stride == 1 and self.in_channels == self.out_channels

    def __call__(self, x):
        n, h, w, c = x.shape
        k, s = self.kernel, self.stride
        rule = L.PADDINGS[self.padding]
        rows, cols = rule(h, k, s), rule(w, k, s)
        out_hw = (L.conv_output_size(h, k, s, rows), L.conv_output_size(w, k, s, cols))
        dw_weight, dw_bias = self.depthwise
        hidden = dw_weight.shape[2]
        # The expansion's ReLU6 writes straight into the zero-padded buffer the
        # depthwise convolution reads: the padding costs no extra copy.
        padded = np.zeros((n, h + sum(rows), w + sum(cols), hidden), np.float32)
        inner = padded[:, rows[0]:rows[0] + h, cols[0]:cols[0] + w]
        if self.expand is None:
            inner[...] = x
        else:
            expanded = np.matmul(x.reshape(-1, c), self.expand[0]).reshape(n, h, w, hidden)
            np.add(expanded, self.expand[1], out=expanded)
            L.relu6(expanded, out=inner)
        y = L.depthwise_conv(padded, dw_weight, dw_bias, s, padded=True, out_hw=out_hw)
        L.relu6(y)
        out = np.matmul(y.reshape(-1, hidden), self.project[0])
        out += self.project[1]
        out = out.reshape(n, out_hw[0], out_hw[1], self.out_channels)
        if self.residual:
            out += x
        return out

    @property
    def windows(self):
        return [(self.kernel, self.stride, self.padding)]

    @property
    def n_params(self) -> int:
        parts = [self.depthwise, self.project] + ([self.expand] if self.expand else [])
        return sum(weight.size + bias.size for weight, bias in parts)

    def describe(self) -> str:
        hidden = self.depthwise[0].shape[2]
        ratio = hidden // self.in_channels
        skip = " +skip" if self.residual else ""
        return f"MBConv{ratio} {self.kernel}x{self.kernel}/{self.stride}{skip}"


class MaxPool:
    """2x2 max pooling with stride 2 (sizes rounded down, as in VGG)."""

    def __init__(self, name: str, channels: int, kernel: int = 2):
        self.name, self.out_channels, self.kernel = name, channels, kernel

    def __call__(self, x):
        return L.max_pool(x, self.kernel)

    windows = property(lambda self: [(self.kernel, self.kernel, "valid")])
    n_params = 0

    def describe(self) -> str:
        return f"max pool {self.kernel}x{self.kernel}/{self.kernel}"


class Classifier:
    """ImageNet head: global average (or flatten) then dense layers with ReLU between.

    ``dense`` lists ``(matrix (D_in, D_out), bias)`` pairs.
    """

    def __init__(self, dense, flatten: bool = False):
        self.dense, self.flatten = dense, flatten

    def __call__(self, maps):
        if self.flatten:
            x = np.ascontiguousarray(maps).reshape(len(maps), -1)
        else:
            x = maps.mean(axis=(1, 2), dtype=np.float32)
        for number, (matrix, bias) in enumerate(self.dense):
            x = x @ matrix + bias
            if number < len(self.dense) - 1:
                L.relu(x)
        return x

    @property
    def n_params(self) -> int:
        return sum(matrix.size + bias.size for matrix, bias in self.dense)

    def describe(self) -> str:
        pooled = "flatten" if self.flatten else "global avg"
        return f"{pooled}, {len(self.dense)} dense"


# ------------------------------------------------------------------ the model


@dataclass(frozen=True)
class Preprocessing:
    """How raw 0..255 RGB pixels become network input: ``(pixel - mean) / std``."""

    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    bgr: bool = False  # reverse the channels first (Keras "caffe" weights)
    crop: float = 0.875  # classification: the centred square this fraction of the short side


class FeatureGeometry(NamedTuple):
    """Where the cells of a feature map sit in the input image.

    The centre of cell ``(i, j)`` is at input pixel ``(offset[0] + i * stride,
    offset[1] + j * stride)`` (row, column; pixel centres at whole numbers), and the cell
    sees a ``receptive_field`` x ``receptive_field`` square around it (partly padding at
    the borders). ``out_shape`` is the map's ``(rows, columns, channels)``.
    """

    stride: int
    receptive_field: int
    offset: tuple[float, float]
    out_shape: tuple[int, int, int]


class Model:
    """A pretrained CNN running in NumPy; made by :func:`retrieval.load_model`.

    Attributes
    ----------
    name : str
        The model's name, e.g. ``"efficientnet_lite0"``.
    input_size : (int, int)
        The (height, width) it was trained on; :meth:`classify` resizes to it.
    config : dict
        JSON-able settings: ``load_model(**model.config)`` rebuilds the model.
    layer_names : list of str
        Names accepted by ``layer=`` (in order; the default is the last).
    """

    def __init__(self, name: str, layers: list, preprocessing: Preprocessing,
                 input_size: tuple[int, int], config: dict, classifier=None,
                 n_classes: int = 1000):
        self.name = name
        self.layers = layers
        self.preprocessing = preprocessing
        self.input_size = tuple(input_size)
        self.config = dict(config)
        self._classifier = classifier
        self._n_classes = n_classes
        self._mean = np.asarray(preprocessing.mean, np.float32)
        self._inv_std = (1.0 / np.asarray(preprocessing.std, np.float64)).astype(np.float32)

    # -------------------------------------------------------------- description

    @property
    def layer_names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    @property
    def has_classifier(self) -> bool:
        """True when the weights include the ImageNet classifier (:meth:`classify` works).

        Examples
        --------
        >>> from retrieval.nn import load_model
        >>> load_model().has_classifier
        True
        """
        return self._classifier is not None

    @property
    def n_params(self) -> int:
        """Learned numbers after BN folding (convolutions, and the classifier if any)."""
        head = 0 if self._classifier is None else self._classifier.n_params
        return sum(layer.n_params for layer in self.layers) + head

    def _layer_index(self, layer: str | None) -> int:
        if layer is None:
            return len(self.layers) - 1
        names = self.layer_names
        if layer not in names:
            raise ValueError(f"{self.name} has no layer {layer!r}; choose one of "
                             f"{names[0]!r} ... {names[-1]!r} (see model.layer_names)")
        return names.index(layer)

    def _shapes(self, input_size) -> list[tuple[int, int, int]]:
        h, w = _check_size(input_size, "input_size")
        shapes = []
        for layer in self.layers:
            for kernel, stride, padding in layer.windows:
                h = L.conv_output_size(h, kernel, stride,
                                       L.padding_amounts(h, kernel, stride, padding))
                w = L.conv_output_size(w, kernel, stride,
                                       L.padding_amounts(w, kernel, stride, padding))
            shapes.append((h, w, layer.out_channels))
        return shapes

    def summary(self, input_size=(86, 128)) -> str:
        """The layer table for an input of ``input_size`` (height, width).

        Examples
        --------
        >>> from retrieval.nn import load_model
        >>> print(load_model().summary((86, 128)))           # doctest: +ELLIPSIS
        efficientnet_lite0 on 86x128x3 input
        layer      operation                 output          params
        stem       conv 3x3/2, ReLU6         43x64x32           896
        blocks.0   MBConv1 3x3/1             43x64x16           848
        ...
        head       conv 1x1/1, ReLU6         3x4x1280       410,880
        classifier global avg, 1 dense       1000         1,281,000
        total                                             4,631,000
        """
        rows = [(layer.name, layer.describe(), "x".join(map(str, shape)), f"{layer.n_params:,}")
                for layer, shape in zip(self.layers, self._shapes(input_size), strict=True)]
        total = sum(layer.n_params for layer in self.layers)
        n = max(len("classifier"), *(len(row[0]) for row in rows))     # name column width
        lines = [f"{self.name} on {input_size[0]}x{input_size[1]}x3 input",
                 f"{'layer':<{n}} {'operation':<25} {'output':<12} {'params':>9}"]
        lines += [f"{a:<{n}} {b:<25} {c:<12} {d:>9}" for a, b, c, d in rows]
        if self._classifier is not None:
            lines.append(f"{'classifier':<{n}} {self._classifier.describe():<25} "
                         f"{self._n_classes:<12} {self._classifier.n_params:>9,}")
            total += self._classifier.n_params
        lines.append(f"{'total':<{n}} {'':<25} {'':<12} {total:>9,}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        h, w = self.input_size
        return (f"<Model {self.name}, trained at {h}x{w}; the table is for the lecture's "
                f"86x128 input, model.summary((height, width)) gives others>\n" + self.summary())

    def feature_geometry(self, input_size, layer: str | None = None) -> FeatureGeometry:
        """Stride, receptive field and offset of a layer's cells, in input pixels.

        Padding depends on the input size ("SAME" padding), so the offset does too.

        Parameters
        ----------
        input_size : (int, int)
            The input's (height, width).
        layer : str, optional
            A name from :attr:`layer_names`; the last layer by default.

        Examples
        --------
        >>> from retrieval.nn import load_model
        >>> load_model().feature_geometry((224, 224))
        FeatureGeometry(stride=32, receptive_field=..., offset=(..., ...), out_shape=(7, 7, 1280))
        """
        stop = self._layer_index(layer)
        size = _check_size(input_size, "input_size")
        axes = []
        for axis in (0, 1):
            n, ops = size[axis], []
            for item in self.layers[:stop + 1]:
                for kernel, stride, padding in item.windows:
                    before, after = L.padding_amounts(n, kernel, stride, padding)
                    ops.append((kernel, stride, before))
                    n = L.conv_output_size(n, kernel, stride, (before, after))
            axes.append(L.receptive_field(ops))
        return FeatureGeometry(stride=axes[0][0], receptive_field=axes[0][2],
                               offset=(axes[0][1], axes[1][1]),
                               out_shape=self._shapes(size)[stop])

    # -------------------------------------------------------------- images in

    def preprocess(self, images: Any, size=None) -> np.ndarray:
        """Images -> the normalised float32 batch (N, H, W, 3) the network reads.

        Parameters
        ----------
        images : path, PIL image, array (H, W, 3) / (N, H, W, 3), or a list of these
            Pixels on the 0..255 scale (uint8 or float).
        size : (int, int), optional
            Resize every image to (height, width) first (bilinear). Without it the
            images must all have the same size, at least 32x32.

        Examples
        --------
        >>> from retrieval.nn import load_model
        >>> batch = load_model().preprocess(np.full((40, 50, 3), 255, np.uint8))
        >>> batch.shape, batch.dtype, float(batch.max())   # (255 - 127) / 128
        ((1, 40, 50, 3), dtype('float32'), 1.0)
        """
        pictures = to_image_list(images, mode="RGB")
        if not pictures:
            raise ValueError("preprocess: no images were given")
        if size is not None:
            size = _check_size(size, "size")
            pictures = [resize_image(p, size) if p.shape[:2] != size else p for p in pictures]
        shapes = {p.shape[:2] for p in pictures}
        if len(shapes) > 1:
            raise ValueError(f"preprocess: the images have different sizes {sorted(shapes)}; "
                             "pass size=(height, width) to resize them to one size")
        _check_size(pictures[0].shape[:2], "image size")
        batch = np.empty((len(pictures), *pictures[0].shape), np.float32)
        for slot, picture in zip(batch, pictures, strict=True):
            slot[...] = picture[:, :, ::-1] if self.preprocessing.bgr else picture
        batch -= self._mean
        batch *= self._inv_std
        return batch

    def _crop_for_classification(self, picture: np.ndarray) -> np.ndarray:
        """The centred square of ``crop`` times the short side, resized to ``input_size``."""
        h, w = picture.shape[:2]
        side = max(1, int(round(min(h, w) * self.preprocessing.crop)))
        top, left = (h - side) // 2, (w - side) // 2
        return resize_image(picture[top:top + side, left:left + side], self.input_size)

    # -------------------------------------------------------------- running

    def _forward(self, batch: np.ndarray, stop: int) -> np.ndarray:
        """Run layers 0..stop on a preprocessed batch, a chunk of images at a time.

        A chunk holds up to ``_CHUNK`` images and about ``_CHUNK_PIXELS`` pixels (4 images
        at 86x128 or 128x128, 1 at 224x224): small enough for a layer's activations to
        stay in the processor's cache between one operation and the next (measured: about
        1.25x faster than chunks of 8 at 86x128 and 128x128).

        Chunks run on ``_WORKERS`` threads side by side: NumPy releases the GIL inside
        matrix products, ``einsum`` and element-wise operations, so the depthwise
        convolutions and activations use every core, not only the BLAS calls. Each chunk
        is computed exactly as it would be alone, so the result does not depend on it.
        """
        layers = self.layers[:stop + 1]

        def run(x):
            for layer in layers:
                x = layer(x)
            return x

        size = max(1, min(_CHUNK, _CHUNK_PIXELS // (batch.shape[1] * batch.shape[2])))
        chunks = [batch[start:start + size] for start in range(0, len(batch), size)]
        if len(chunks) == 1 or _WORKERS == 1 or not _blas_can_be_one_thread():
            outputs = [run(chunk) for chunk in chunks]
        else:
            with _one_blas_thread(), ThreadPoolExecutor(min(_WORKERS, len(chunks))) as pool:
                outputs = list(pool.map(run, chunks))
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)

    def _batches(self, images, size, batch_size, progress):
        """Yield preprocessed batches of ``batch_size`` images, with a progress bar."""
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
        pictures = to_image_list(images, mode="RGB")
        if not pictures:
            raise ValueError("no images were given")
        show = len(pictures) >= _AUTO_PROGRESS if progress is None else bool(progress)
        with tqdm(total=len(pictures), desc=self.name, unit="img", disable=not show) as bar:
            for start in range(0, len(pictures), batch_size):
                part = pictures[start:start + batch_size]
                yield self.preprocess(part, size=size)
                bar.update(len(part))

    def feature_maps(self, images: Any, layer: str | None = None, size=None,
                     batch_size: int = 32, progress: bool | None = None) -> np.ndarray:
        """The activations of one layer: (N, h, w, C) float32.

        Parameters
        ----------
        images : path, PIL image, array, batch, or a list of these
        layer : str, optional
            A name from :attr:`layer_names` (default: the last, e.g. ``"head"``).
        size : (int, int), optional
            Resize every image to (height, width) first; needed when sizes differ.
        batch_size : int
            Images preprocessed at a time (memory), run in chunks of up to 4.
        progress : bool or None
            A tqdm bar; None shows it for 64 images or more.

        Examples
        --------
        >>> from retrieval.nn import load_model
        >>> maps = load_model().feature_maps(np.zeros((86, 128, 3), np.uint8), layer="blocks.3")
        >>> maps.shape
        (1, 11, 16, 40)
        """
        stop = self._layer_index(layer)
        parts = [self._forward(batch, stop)
                 for batch in self._batches(images, size, batch_size, progress)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def features(self, images: Any, pooling: str = "avg", layer: str | None = None,
                 size=None, batch_size: int = 32, progress: bool | None = None) -> np.ndarray:
        """One feature vector per image: a layer's maps pooled to (N, D) float32.

        Parameters
        ----------
        images : path, PIL image, array, batch, or a list of these
        pooling : {"avg", "max", "gem", "flatten"}
            How a map (h, w, C) becomes a vector: mean, maximum or generalised mean
            (p = 3) over the cells (``D = C``), or every value (``D = h * w * C``).
        layer, size, batch_size, progress :
            As in :meth:`feature_maps`. Images of different sizes need ``size``.

        Examples
        --------
        >>> from retrieval.nn import load_model
        >>> model = load_model()
        >>> model.features(np.zeros((2, 86, 128, 3), np.uint8)).shape
        (2, 1280)
        >>> model.features(np.zeros((86, 128, 3), np.uint8), pooling="flatten").shape
        (1, 15360)
        """
        if pooling not in L.POOLINGS:
            raise ValueError(f"pooling must be one of {L.POOLINGS}; got {pooling!r}")
        stop = self._layer_index(layer)
        parts = [L.global_pool(self._forward(batch, stop), pooling)
                 for batch in self._batches(images, size, batch_size, progress)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def logits(self, images: Any, batch_size: int = 32,
               progress: bool | None = None) -> np.ndarray:
        """The classifier's raw scores (N, 1000), before the softmax.

        Each image is centre-cropped (``preprocessing.crop`` of its short side) and
        resized to :attr:`input_size`, as in the model's ImageNet evaluation.
        """
        if self._classifier is None:
            raise ValueError(
                f"the {self.name} weights carry no ImageNet classifier, so the model gives "
                "features only; classify with efficientnet_lite0/1/2 (or weights with one)")
        pictures = [self._crop_for_classification(p) for p in to_image_list(images)]
        maps = self.feature_maps(pictures, batch_size=batch_size, progress=progress)
        return self._classifier(maps)

    def classify(self, images: Any, top: int = 5, batch_size: int = 32,
                 progress: bool | None = None) -> list[list[tuple[int, str, float]]]:
        """The ``top`` most likely ImageNet classes of each image.

        Parameters
        ----------
        images : path, PIL image, array, batch, or a list of these
        top : int
            How many classes per image, most likely first.

        Returns
        -------
        list (one per image) of lists of ``(class_index, label, probability)``
            Probabilities are the softmax of :meth:`logits`.

        Examples
        --------
        >>> from retrieval.data import sample_photo
        >>> from retrieval.nn import load_model
        >>> best = load_model().classify(sample_photo("coffee"), top=1)[0]
        >>> [(index, label) for index, label, probability in best]
        [(967, 'espresso')]
        """
        if not isinstance(top, (int, np.integer)) or not 1 <= top <= self._n_classes:
            raise ValueError(f"top must be an integer in 1..{self._n_classes}; got {top!r}")
        logits = self.logits(images, batch_size=batch_size, progress=progress)
        logits = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        labels = imagenet_labels()
        results = []
        for row in probabilities:
            best = np.argsort(-row, kind="stable")[:top]
            results.append([(int(k), labels[k], float(row[k])) for k in best])
        return results


_BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _blas_can_be_one_thread() -> bool:
    """Worker threads only pay off when each one's matrix products stay on one core.

    Two workers that each start a multi-threaded BLAS fight over the same cores.
    threadpoolctl can set one BLAS thread for the call; without it, only the
    environment can (``OPENBLAS_NUM_THREADS=1`` and the like); otherwise chunks run
    one after the other, with BLAS using the cores.
    """
    return threadpool_limits is not None or any(
        os.environ.get(name) == "1" for name in _BLAS_THREAD_VARIABLES)


def _one_blas_thread():
    """A context keeping BLAS to one thread (threadpoolctl), or doing nothing."""
    if threadpool_limits is not None:
        return threadpool_limits(1, user_api="blas")
    return contextlib.nullcontext()


def _check_size(size, what: str) -> tuple[int, int]:
    """A (height, width) pair of ints, each at least 32."""
    try:
        h, w = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be (height, width); got {size!r}") from None
    if h < _MIN_SIDE or w < _MIN_SIDE:
        raise ValueError(f"{what} must be at least {_MIN_SIDE}x{_MIN_SIDE} pixels "
                         f"(the networks shrink images 32 times); got {h}x{w}")
    return h, w


# ------------------------------------------------------------------ reading checkpoints


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
    return L.fold_batch_norm(weight, gamma, beta, mean, var, eps, conv_bias)


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
