"""linalg_basics: the lecture's vectors, matrices and statistics in plain Python lists.

Layer 1 of ``retrieval-lab``. Standard library only (no NumPy), exact for ints and
fractions, numerically stable for floats.
"""

from . import errors, matrices, statistics, vectors
from .errors import *  # noqa: F401,F403
from .matrices import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .vectors import *  # noqa: F401,F403

__all__ = vectors.__all__ + matrices.__all__ + statistics.__all__ + errors.__all__
