"""VGG16, the lecture's network, from a torchvision ``.pth`` or a Keras ``.h5`` file.

Five blocks of 3x3 convolutions (stride 1, one pixel of zero padding, ReLU), each closed by
a 2x2 max pool that halves the size (rounding down): 64, 128, 256, 512, 512 channels with
2, 2, 3, 3, 3 convolutions. An 86x128 image becomes a 2x4x512 map at ``block5_pool``.
The classifier (when the file has one) flattens the 7x7x512 map of a 224x224 input into
three dense layers (4096, 4096, 1000).

No VGG16 weights come with the library (528 MB). Two sources work:

* torchvision: ``vgg16-397923af.pth`` from ``https://download.pytorch.org/models/``
  (what ``torchvision.models.vgg16(weights="IMAGENET1K_V1")`` downloads); pixels are
  scaled to 0..1 and normalised with the ImageNet mean and standard deviation.
* Keras: ``vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`` from
  ``https://storage.googleapis.com/tensorflow/keras-applications/vgg16/`` (what
  ``keras.applications.VGG16(include_top=False)`` downloads; needs ``h5py``); "caffe"
  preprocessing: RGB -> BGR and the ImageNet channel means subtracted, no scaling.
"""

from __future__ import annotations

import numpy as np

from .convert import take, torch_conv_bn
from .layers import Classifier, Conv, MaxPool
from .mobilenet import IMAGENET_MEAN, IMAGENET_STD
from .model import Model
from .preprocessing import Preprocessing

__all__: list[str] = []

BLOCKS = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]  # channels, convolutions
TORCH = Preprocessing(mean=IMAGENET_MEAN, std=IMAGENET_STD, crop=0.875,  # torchvision: bilinear
                      resample="bilinear")
KERAS = Preprocessing(mean=(103.939, 116.779, 123.68), std=(1.0, 1.0, 1.0), bgr=True, crop=1.0)
WHERE = ("VGG16 needs a weight file: load_model('vgg16', weights=path) with torchvision's "
         "vgg16-397923af.pth (https://download.pytorch.org/models/vgg16-397923af.pth) or "
         "Keras' vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 (https://storage."
         "googleapis.com/tensorflow/keras-applications/vgg16/); none is bundled (528 MB)")


def _keras_conv(state: dict, layer: str, cin: int, cout: int):
    weight = take(state, f"{layer}/kernel", (3, 3, cin, cout))
    return np.ascontiguousarray(weight), take(state, f"{layer}/bias", (cout,))


def build(name: str, state: dict, config: dict) -> Model:
    """A VGG16 :class:`Model` from torchvision (``features.0.weight``...) or Keras
    (``block1_conv1/kernel``...) weights."""
    keras = "block1_conv1/kernel" in state
    if not keras and "features.0.weight" not in state:
        raise ValueError("these weights are neither torchvision's VGG16 (features.0.weight) "
                         "nor Keras' (block1_conv1/kernel); " + WHERE)
    layers, cin, torch_index = [], 3, 0
    for block, (cout, convs) in enumerate(BLOCKS, start=1):
        for number in range(1, convs + 1):
            layer = f"block{block}_conv{number}"
            if keras:
                weight, bias = _keras_conv(state, layer, cin, cout)
            else:
                weight, bias = torch_conv_bn(state, f"features.{torch_index}", None, 0.0,
                                             (cout, cin, 3, 3), bias=True)
                torch_index += 2  # each convolution is followed by a ReLU module
            layers.append(Conv(layer, weight, bias, padding=1, activation="relu"))
            cin = cout
        layers.append(MaxPool(f"block{block}_pool", cout))
        torch_index += 1
    return Model(name, layers, KERAS if keras else TORCH, (224, 224), config,
                 _classifier(state, keras))


def _classifier(state: dict, keras: bool) -> Classifier | None:
    """The three dense layers, taking the 7x7x512 map in (row, column, channel) order."""
    if keras:
        if "fc1/kernel" not in state:
            return None
        names, sizes = ("fc1", "fc2", "predictions"), (25088, 4096, 4096, 1000)
        return Classifier([(take(state, f"{n}/kernel", (a, b)), take(state, f"{n}/bias", (b,)))
                           for n, a, b in zip(names, sizes, sizes[1:], strict=False)], flatten=True)
    if "classifier.0.weight" not in state:
        return None
    # torchvision flattens (channel, row, column); reorder the first matrix's inputs.
    first = take(state, "classifier.0.weight", (4096, 25088)).reshape(4096, 512, 7, 7)
    dense = [(np.ascontiguousarray(first.transpose(2, 3, 1, 0).reshape(25088, 4096)),
              take(state, "classifier.0.bias", (4096,)))]
    for key, (a, b) in (("classifier.3", (4096, 4096)), ("classifier.6", (1000, 4096))):
        dense.append((take(state, key + ".weight", (a, b)).T.copy(),
                      take(state, key + ".bias", (a,))))
    return Classifier(dense, flatten=True)
