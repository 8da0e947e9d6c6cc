"""The :class:`Model`: a pretrained CNN as a list of layers, and what a user asks of it.

A network here is a plain Python list of :mod:`~retrieval.nn.layers` (``Conv``,
``InvertedResidual``, ``MaxPool``), built once from a checkpoint with BatchNorm folded in
(:mod:`~retrieval.nn.convert`); its forward pass, :meth:`Model.forward`, is a loop over them.
Around it :class:`Model` offers preprocessing (:mod:`~retrieval.nn.preprocessing`), pooled
features, feature maps with their pixel geometry, ImageNet classification and a layer table;
:mod:`~retrieval.nn.runtime` runs the images through it in small chunks on worker threads.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np

from imageops._inputs import check_positive_int, progress_bar
from imageops.io import to_image_list

from . import functional as F
from .labels import imagenet_labels
from .preprocessing import Preprocessing, center_crop, check_input_size, normalise
from .runtime import map_images

#: Classifying an image whose shorter side is below this many pixels warns: it is mostly
#: made up by the enlargement to the network's input size.
TINY = 32

__all__ = ["FeatureGeometry", "Model"]


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
        h, w = check_input_size(input_size, "summary", name="input_size")
        shapes = []
        for layer in self.layers:
            for kernel, stride, padding in layer.windows:
                h = F.conv_output_size(h, kernel, stride,
                                       F.padding_amounts(h, kernel, stride, padding))
                w = F.conv_output_size(w, kernel, stride,
                                       F.padding_amounts(w, kernel, stride, padding))
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
        size = check_input_size(input_size, "feature_geometry", name="input_size")
        axes = []
        for axis in (0, 1):
            n, ops = size[axis], []
            for item in self.layers[:stop + 1]:
                for kernel, stride, padding in item.windows:
                    before, after = F.padding_amounts(n, kernel, stride, padding)
                    ops.append((kernel, stride, before))
                    n = F.conv_output_size(n, kernel, stride, (before, after))
            axes.append(F.receptive_field(ops))
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
        >>> import numpy as np
        >>> from retrieval.nn import load_model
        >>> batch = load_model().preprocess(np.full((40, 50, 3), 255, np.uint8))
        >>> batch.shape, batch.dtype, float(batch.max())   # (255 - 127) / 128
        ((1, 40, 50, 3), dtype('float32'), 1.0)
        """
        return normalise(to_image_list(images, mode="RGB"), self.preprocessing, size)

    # -------------------------------------------------------------- running

    def forward(self, x: np.ndarray, stop: int | None = None) -> np.ndarray:
        """Layers ``0..stop`` (default: all) on a preprocessed batch: a plain loop.

        Every layer computes each image apart from the others, so an image's result does
        not depend on the batch; :meth:`features` and the other methods also hold BLAS to
        one thread (:mod:`~retrieval.nn.runtime`): called with BLAS on several threads, this
        may differ from them in the last float32 bits.

        Examples
        --------
        >>> import numpy as np
        >>> from retrieval.nn import load_model
        >>> model = load_model()
        >>> model.forward(model.preprocess(np.zeros((64, 64, 3), np.uint8))).shape
        (1, 2, 2, 1280)
        """
        for layer in self.layers[:len(self.layers) if stop is None else stop + 1]:
            x = layer(x)
        return x

    def _run(self, pictures, size, stop, head, batch_size, progress) -> np.ndarray:
        """``head(forward(batch))`` for every picture, ``batch_size`` preprocessed at a time
        and run in chunks (:func:`~retrieval.nn.runtime.map_images`); an image's result
        never depends on the other images."""
        batch_size = check_positive_int(batch_size, "batch_size", self.name)
        if not pictures:
            raise ValueError(f"{self.name}: no images were given")
        parts = []
        with progress_bar(len(pictures), progress, self.name) as bar:
            for start in range(0, len(pictures), batch_size):
                batch = self.preprocess(pictures[start:start + batch_size], size=size)
                parts.append(map_images(lambda x: head(self.forward(x, stop)), batch))
                bar.update(len(batch))
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

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
            A tqdm bar; None shows it for 50 images or more.

        Examples
        --------
        >>> import numpy as np
        >>> from retrieval.nn import load_model
        >>> maps = load_model().feature_maps(np.zeros((86, 128, 3), np.uint8), layer="blocks.3")
        >>> maps.shape
        (1, 11, 16, 40)
        """
        stop = self._layer_index(layer)
        return self._run(to_image_list(images, mode="RGB"), size, stop, lambda maps: maps,
                         batch_size, progress)

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
        >>> import numpy as np
        >>> from retrieval.nn import load_model
        >>> model = load_model()
        >>> model.features(np.zeros((2, 86, 128, 3), np.uint8)).shape
        (2, 1280)
        >>> model.features(np.zeros((86, 128, 3), np.uint8), pooling="flatten").shape
        (1, 15360)
        """
        if pooling not in F.POOLINGS:
            raise ValueError(f"pooling must be one of {F.POOLINGS}; got {pooling!r}")
        stop = self._layer_index(layer)
        return self._run(to_image_list(images, mode="RGB"), size, stop,
                         lambda maps: F.global_pool(maps, pooling), batch_size, progress)

    def logits(self, images: Any, batch_size: int = 32,
               progress: bool | None = None) -> np.ndarray:
        """The classifier's raw scores (N, 1000), before the softmax.

        Each image is centre-cropped (``preprocessing.crop`` of its short side) and
        resized to :attr:`input_size` with ``preprocessing.resample`` (bicubic for
        EfficientNet-Lite, bilinear for MobileNetV2 and VGG16), as in the model's
        published ImageNet evaluation.
        """
        if self._classifier is None:
            raise ValueError(
                f"the {self.name} weights carry no ImageNet classifier, so the model gives "
                "features only; classify with efficientnet_lite0/1/2 (or weights with one)")
        pictures = to_image_list(images, mode="RGB")
        for number, picture in enumerate(pictures):
            if min(picture.shape[:2]) < TINY:
                warnings.warn(f"{self.name}: image {number} is only {picture.shape[0]}×"
                              f"{picture.shape[1]} pixels; enlarged to {self.input_size[0]}×"
                              f"{self.input_size[1]} for the classifier, so its classes are not "
                              "meaningful", stacklevel=3)
        pictures = [center_crop(picture, self.preprocessing, self.input_size)
                    for picture in pictures]
        return self._run(pictures, None, len(self.layers) - 1, self._classifier,
                         batch_size, progress)

    def classify(self, images: Any, top: int = 5, batch_size: int = 32,
                 progress: bool | None = None) -> list[list[tuple[int, str, float]]]:
        """The ``top`` most likely ImageNet classes of each image.

        Parameters
        ----------
        images : path, PIL image, array, batch, or a list of these
        top : int
            How many classes per image, most likely first (1 to 1000).

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
        top = check_positive_int(top, "top", "classify")
        if top > self._n_classes:
            raise ValueError(f"classify: top must be an integer in 1..{self._n_classes}; "
                             f"got {top!r}")
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
