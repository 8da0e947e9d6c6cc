"""``retrieval serve``: the web explorer (search, match, classify) in a local browser page."""

from __future__ import annotations

import argparse
import ipaddress
import pathlib
import sys
from typing import Any

from ._common import CommandError, add_command, one_line

MISSING_EXTRA = 'the web explorer needs its extra: pip install "retrieval-lab[web]"'


def register(commands: Any) -> None:
    serve = add_command(
        commands, "serve",
        "the web explorer: search, match and classify in the browser",
        "  retrieval serve                      the bundled photos, on http://127.0.0.1:8000\n"
        "  retrieval serve photos.npz --port 8080\n"
        "  retrieval serve photos.npz --root photos/\n")
    serve.add_argument("index", nargs="?", metavar="INDEX",
                       help="an index file from 'retrieval index' (default: the bundled photos, "
                       "indexed on first run and cached in ~/.cache/retrieval-lab)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: %(default)s; this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument("--root", metavar="FOLDER",
                       help="only images inside this folder are shown (default: the folder "
                       "holding all of the index's image files)")
    serve.set_defaults(run=run)


def _require_extra() -> None:
    try:
        import jinja2  # noqa: F401
        import python_multipart  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise CommandError(MISSING_EXTRA) from None


def explorer_for(index_path: str | None, root: str | None, quiet: bool = False):
    """The Explorer of an index file (ids looked up from the current folder, then the
    index's folder), or of the bundled photos."""
    from ..web import Explorer, bundled_index

    if index_path is None:
        index, photos, cached = bundled_index(progress=None if not quiet else False)
        if not quiet:
            print(f"serving the bundled photos (index cached at {cached})", file=sys.stderr)
        return Explorer(index, root=photos, bases=[photos])
    from .. import ImageIndex

    path = pathlib.Path(index_path)
    if not path.is_file():
        raise CommandError(f"index not found: {index_path}")
    try:
        index = ImageIndex.load(path)
    except (OSError, ValueError, KeyError) as error:
        raise CommandError(f"cannot use index {index_path}: {one_line(error)}") from None
    if root is not None and not pathlib.Path(root).is_dir():
        raise CommandError(f"--root is not a folder: {root}")
    return Explorer(index, root=root, bases=[pathlib.Path.cwd(), path.resolve().parent])


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    _require_extra()
    import uvicorn

    from ..web import create_app

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port must be in 0..65535; got {args.port}")
    explorer = explorer_for(args.index, args.root, quiet=args.quiet)
    # against DNS rebinding: on an IPv4 loopback address, answer only to local host names
    hosts = ["127.0.0.1", "localhost", args.host] if _loopback(args.host) and ":" not in \
        args.host else None
    app = create_app(explorer, allowed_hosts=hosts)
    if not _loopback(args.host):
        print(f"warning: listening on {args.host}: other machines can reach the explorer",
              file=sys.stderr)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"retrieval serve: open http://{shown}:{args.port}/ (Ctrl+C to stop)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
