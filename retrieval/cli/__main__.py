"""``python -m retrieval.cli``: the same as the ``retrieval`` command."""

import sys

from . import main

sys.exit(main())
