"""The web explorer's Starlette application: pages, JSON endpoints and the index's images.

Every endpoint parses its request and calls :class:`retrieval.web.Explorer` in a worker
thread: CNN work (an uploaded query, matching, classification) shares :data:`HEAVY_WORKERS`
threads, everything else (a search from an indexed image, a page, a thumbnail) has its own
threads, so quick requests are not queued behind slow ones. Request bodies larger than
:data:`MAX_BODY` are refused while they arrive. Errors answer with a message (JSON for
``/api/`` and ``/image``, a page otherwise), never a traceback.

===========================  ============================================================
``GET /``                    the search page (``/match``, ``/classify``, ``/duplicates``)
``GET /api/info``            the index: size, metric, direction, extractor
``GET /api/images``          a page of ids (``page``, ``per_page``)
``GET /image?id=``           an indexed image's file (``&thumb=1``: a small JPEG)
``GET /api/search?id=&k=``   search from an indexed image
``POST /api/search``         search from an uploaded ``image`` (form field ``k``)
``GET /api/duplicates``      near-duplicate groups (``threshold``), when the index has them
``POST /api/match``          ``image`` and ``template`` or ``box``, ``method``, ``scales``, ``k``
``POST /api/classify``       ``image`` and ``k``: the top ImageNet classes
===========================  ============================================================
"""

from __future__ import annotations

import functools
import io
import pathlib
from collections.abc import Callable
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..cli._common import one_line
from ._errors import WebError, checked
from ._uploads import MAX_UPLOAD_BYTES
from .explorer import Explorer

HERE = pathlib.Path(__file__).parent
#: Threads for CNN work (uploaded queries, matching, classification) at a time.
HEAVY_WORKERS = 2
#: Threads for quick work (searches from indexed images, pages, thumbnails).
LIGHT_WORKERS = 16
#: Largest request body (bytes): an image and a template upload with room for the form.
MAX_BODY = 2 * MAX_UPLOAD_BYTES + 2**20
#: Longest side of a thumbnail (pixels).
THUMB_SIDE = 256
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class LimitBody:
    """ASGI middleware: refuse a request body over ``max_bytes`` (413), counted as it arrives."""

    def __init__(self, app: Any, max_bytes: int = MAX_BODY):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = WebError(413, f"the request is larger than {self.max_bytes // 2**20} MB; "
                             f"uploads may be at most {MAX_UPLOAD_BYTES // 2**20} MB")
        length = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_bytes:
            await _json_error(too_large.status, too_large.message)(scope, receive, send)
            return
        received = 0

        async def limited() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise too_large
            return message

        await self.app(scope, limited, send)


def _json_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status,
                        headers=_SECURITY_HEADERS)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/image", "/static/")) or request.method != "GET"


def create_app(explorer: Explorer, allowed_hosts: list[str] | None = None,
               heavy_workers: int = HEAVY_WORKERS, max_body: int = MAX_BODY) -> Starlette:
    """The application over ``explorer``.

    Parameters
    ----------
    explorer : Explorer
    allowed_hosts : list of str, optional
        Host names the app answers to (``retrieval serve`` on 127.0.0.1 gives
        ``["127.0.0.1", "localhost"]``, against DNS rebinding); default any.
    heavy_workers : int
        Threads for CNN work at a time.
    max_body : int
        Largest request body (bytes).
    """
    templates = Jinja2Templates(directory=HERE / "templates")
    heavy = anyio.CapacityLimiter(heavy_workers)
    light = anyio.CapacityLimiter(LIGHT_WORKERS)
    info = explorer.describe()

    async def work(limiter: anyio.CapacityLimiter, function: Callable, *args, **kwargs):
        return await anyio.to_thread.run_sync(functools.partial(function, *args, **kwargs),
                                              limiter=limiter)

    def page(name: str) -> Callable:
        async def show(request: Request) -> Response:
            if name == "duplicates" and not info["duplicates"]:
                raise WebError(404, "this index cannot look for duplicates")
            return templates.TemplateResponse(request, f"{name}.html",
                                              {"page": name, "info": info},
                                              headers=_SECURITY_HEADERS)
        return show

    async def api_info(request: Request) -> Response:
        return _json(info)

    async def api_images(request: Request) -> Response:
        query = request.query_params
        return _json(await work(light, explorer.page, query.get("page", 1),
                                query.get("per_page", 24)))

    async def image(request: Request) -> Response:
        image_id = request.query_params.get("id", "")
        path = await work(light, explorer.image_path, image_id)
        if request.query_params.get("thumb"):
            data = await work(light, checked, _thumbnail, str(path), path.stat().st_mtime_ns)
            return Response(data, media_type="image/jpeg", headers=_SECURITY_HEADERS)
        return FileResponse(path, headers=_SECURITY_HEADERS)

    async def api_search(request: Request) -> Response:
        if request.method == "GET":
            query = request.query_params
            return _json(await work(light, explorer.search_id, query.get("id", ""),
                                    query.get("k", 12)))
        form = await _form(request)
        if form.get("id"):
            return _json(await work(light, explorer.search_id, form["id"], form.get("k", 12)))
        upload = await _upload(form, "image", "a query image (form field 'image') or an id")
        return _json(await work(heavy, explorer.search_upload, upload[0], form.get("k", 12),
                                upload[1]))

    async def api_duplicates(request: Request) -> Response:
        return _json(await work(heavy, explorer.duplicates,
                                request.query_params.get("threshold")))

    async def api_match(request: Request) -> Response:
        form = await _form(request)
        image_data, _ = await _upload(form, "image", "an image (form field 'image')")
        template = await _upload(form, "template", None)
        return _json(await work(heavy, explorer.match, image_data,
                                template[0] if template else None, form.get("box"),
                                form.get("method", "zncc"), form.get("scales", "1"),
                                form.get("k", 1)))

    async def api_classify(request: Request) -> Response:
        form = await _form(request)
        image_data, _ = await _upload(form, "image", "a photo (form field 'image')")
        return _json(await work(heavy, explorer.classify, image_data, form.get("k", 5)))

    async def failed(request: Request, error: Exception) -> Response:
        if isinstance(error, WebError):
            status, message = error.status, error.message
        elif isinstance(error, HTTPException):
            status, message = error.status_code, str(error.detail)
            if status == 404:
                message = f"nothing at {request.url.path}: the pages are Search, Match, Classify"
        else:  # a bug: say what happened in one line, never the traceback
            status, message = 500, f"internal error ({type(error).__name__}: {one_line(error)})"
        if _wants_json(request):
            return _json_error(status, message)
        return templates.TemplateResponse(request, "error.html",
                                          {"page": "error", "info": info, "status": status,
                                           "message": message},
                                          status_code=status, headers=_SECURITY_HEADERS)

    routes = [
        Route("/", page("search")),
        Route("/match", page("match")),
        Route("/classify", page("classify")),
        Route("/duplicates", page("duplicates")),
        Route("/api/info", api_info),
        Route("/api/images", api_images),
        Route("/image", image),
        Route("/api/search", api_search, methods=["GET", "POST"]),
        Route("/api/duplicates", api_duplicates),
        Route("/api/match", api_match, methods=["POST"]),
        Route("/api/classify", api_classify, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [Middleware(LimitBody, max_bytes=max_body)]
    if allowed_hosts:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    handlers = {WebError: failed, HTTPException: failed, Exception: failed}
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


def _json(answer: Any) -> JSONResponse:
    return JSONResponse(answer, headers=_SECURITY_HEADERS)


async def _form(request: Request):
    return await request.form(max_files=2, max_fields=10)


async def _upload(form: Any, name: str, expected: str | None) -> tuple[bytes, str] | None:
    """The bytes and file name of an uploaded file field (None or 400 when it is missing)."""
    item = form.get(name)
    if item is None or isinstance(item, str) or not getattr(item, "filename", None):
        if expected is None:
            return None
        raise WebError(400, f"expected {expected}; got no file")
    return await item.read(), str(item.filename)


@functools.lru_cache(maxsize=512)
def _thumbnail(path: str, modified: int) -> bytes:
    """A JPEG of the image, at most THUMB_SIDE pixels on its long side (cached per file)."""
    from PIL import Image

    from imageops import load_image

    with Image.open(path) as picture:
        width, height = picture.size
    factor = min(1.0, THUMB_SIDE / max(width, height))
    size = (max(1, round(height * factor)), max(1, round(width * factor)))
    buffer = io.BytesIO()
    Image.fromarray(load_image(path, size=size)).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
