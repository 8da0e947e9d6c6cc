"""imageops: images as NumPy arrays, with the lecture's image applications.

I/O (Pillow) of one image and of folders and batches, mirror transforms as coordinate
matrices, the UΣ column split and SVD foreground removal, mean/median filters and
local-deviation texture, noise to test them, frames of a video.
"""

from .background import *  # noqa: F401,F403
from .batches import *  # noqa: F401,F403
from .decomposition import *  # noqa: F401,F403
from .filters import *  # noqa: F401,F403
from .foreground import *  # noqa: F401,F403
from .frames import *  # noqa: F401,F403
from .io import *  # noqa: F401,F403
from .noise import *  # noqa: F401,F403
from .synthetic import *  # noqa: F401,F403
from .transforms import *  # noqa: F401,F403
