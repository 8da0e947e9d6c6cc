"""The web explorer: search, match and classify in the browser, over the library's public API.

``retrieval serve`` runs it (``pip install "retrieval-lab[web]"`` for the server). The pages
are HTML with a little plain JavaScript, thin clients of JSON endpoints; what the endpoints
answer is computed by :class:`Explorer`, which needs no web server and is tested against the
Python API.

=====================  ===============================================================
``Explorer``           an index and its image files; the answers of every page
``create_app``         the Starlette application over an ``Explorer`` (needs the extra)
``bundled_index``      the cached index of the bundled photos (``retrieval serve``)
=====================  ===============================================================
"""

from __future__ import annotations

from ._bundled import bundled_index
from .explorer import Explorer

__all__ = ["Explorer", "bundled_index", "create_app"]


def create_app(explorer: Explorer, **options):
    """The web application over ``explorer`` (see :func:`retrieval.web.app.create_app`)."""
    from .app import create_app as create

    return create(explorer, **options)
