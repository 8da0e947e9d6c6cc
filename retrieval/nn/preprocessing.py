"""How raw pixels become network input: resizing, the classification crop and normalising.

Each network was trained on pixels prepared in one way, and gives its best answers on pixels
prepared the same way. :class:`Preprocessing` records that way for one set of weights:

* ``mean`` and ``std``: the input is ``(pixel - mean) / std`` per channel, pixels on 0..255;
* ``bgr``: reverse the channels first (Keras "caffe" weights);
* ``crop`` and ``resample``: for classification, the centred square of ``crop`` times the short
  side, resized to the training size with Pillow's ``resample`` filter. Each model follows its
  published evaluation: EfficientNet's ``preprocessing.py`` crops ``size / (size + 32)`` of the
  short side and resizes with *bicubic* interpolation; torchvision's MobileNetV2 and VGG
  evaluation (resize to 256, centre 224) is *bilinear*.

Features (:meth:`~retrieval.nn.Model.features`) see the whole image, resized bilinearly to the
``size`` asked for (or as it is): no crop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from imageops._inputs import check_size
from imageops.io import resize_image

__all__ = ["MIN_SIDE", "Preprocessing", "center_crop", "check_input_size", "normalise"]

MIN_SIDE = 32  # the networks shrink images 32 times


@dataclass(frozen=True)
class Preprocessing:
    """How raw 0..255 RGB pixels become network input: ``(pixel - mean) / std``.

    Examples
    --------
    >>> Preprocessing(mean=(127.0,) * 3, std=(128.0,) * 3, resample="bicubic").crop
    0.875
    """

    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    bgr: bool = False  # reverse the channels first (Keras "caffe" weights)
    crop: float = 0.875  # classification: the centred square this fraction of the short side
    resample: str = "bilinear"  # classification: Pillow's filter resizing the crop


def check_input_size(size, caller: str, name: str = "size") -> tuple[int, int]:
    """``size`` as a ``(height, width)`` pair of ints, each at least :data:`MIN_SIDE`.

    Examples
    --------
    >>> check_input_size((86, 128), "demo")
    (86, 128)
    >>> check_input_size((16, 128), "demo")
    Traceback (most recent call last):
    ...
    ValueError: demo: size must be at least 32x32 pixels (the networks shrink images 32 times); got 16x128
    """  # noqa: E501
    height, width = check_size(size, caller, name=name)
    if height < MIN_SIDE or width < MIN_SIDE:
        raise ValueError(f"{caller}: {name} must be at least {MIN_SIDE}x{MIN_SIDE} pixels "
                         f"(the networks shrink images 32 times); got {height}x{width}")
    return height, width


def normalise(pictures: list[np.ndarray], preprocessing: Preprocessing,
              size=None) -> np.ndarray:
    """RGB images (0..255) -> the float32 batch ``(N, H, W, 3)`` of ``(pixel - mean) / std``.

    ``size`` resizes every image to (height, width) first (bilinear); without it the images
    must all have the same size.

    Examples
    --------
    >>> import numpy as np
    >>> how = Preprocessing(mean=(127.0,) * 3, std=(128.0,) * 3)
    >>> normalise([np.full((40, 50, 3), 255, np.uint8)], how).max()   # (255 - 127) / 128
    np.float32(1.0)
    """
    if not pictures:
        raise ValueError("preprocess: no images were given")
    if size is not None:
        size = check_input_size(size, "preprocess")
        pictures = [resize_image(p, size) if p.shape[:2] != size else p for p in pictures]
    shapes = {p.shape[:2] for p in pictures}
    if len(shapes) > 1:
        raise ValueError(f"preprocess: the images have different sizes {sorted(shapes)}; "
                         "pass size=(height, width) to resize them to one size")
    check_input_size(pictures[0].shape[:2], "preprocess", name="image size")
    batch = np.empty((len(pictures), *pictures[0].shape), np.float32)
    for slot, picture in zip(batch, pictures, strict=True):
        slot[...] = picture[:, :, ::-1] if preprocessing.bgr else picture
    batch -= np.asarray(preprocessing.mean, np.float32)
    batch *= (1.0 / np.asarray(preprocessing.std, np.float64)).astype(np.float32)
    return batch


def center_crop(picture: np.ndarray, preprocessing: Preprocessing,
                size: tuple[int, int]) -> np.ndarray:
    """The centred square of ``crop`` times the short side, resized to ``size`` (h, w).

    Examples
    --------
    >>> import numpy as np
    >>> how = Preprocessing(mean=(0.0,) * 3, std=(1.0,) * 3, crop=0.5, resample="bicubic")
    >>> center_crop(np.zeros((100, 80, 3), np.uint8), how, (32, 32)).shape   # 40x40 -> 32x32
    (32, 32, 3)
    """
    h, w = picture.shape[:2]
    side = max(1, int(round(min(h, w) * preprocessing.crop)))
    top, left = (h - side) // 2, (w - side) // 2
    return resize_image(picture[top:top + side, left:left + side], size,
                        resample=preprocessing.resample)
