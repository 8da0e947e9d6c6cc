"""Latency of the web explorer under load: ``retrieval serve`` answering concurrent searches.

Run as a script (it needs the ``web`` extra)::

    python benchmarks/bench_serve.py [--requests 200] [--uploads 40] [--concurrency 20]

The server is the real command, ``retrieval serve`` on the bundled photos (their cached CNN
index, EfficientNet-Lite0), started in its own process on 127.0.0.1 and a free port; only
loopback traffic. A bounded loop then sends searches, ``--concurrency`` at a time, in three
rounds:

* ``click``  - ``--requests`` ``GET /api/search?id=...``: search from an indexed image (its
  stored vector);
* ``upload`` - ``--uploads`` ``POST /api/search`` with a photo: the CNN extracts the query's
  features (two CNN threads, so most of an upload's latency is its wait in that queue);
* ``mixed``  - ``--requests`` clicks with ``--uploads`` uploads among them: clicks must not
  queue behind the CNN work.

The table gives p50, p95 and the worst latency in milliseconds, the error count (anything
but a 200 with the expected first hit), the requests of that kind per second (from the first
one sent to the last one answered) and the ratio of p50 to the anchor: the same search
called in this process through the Python API (``index.search_vectors`` for a click,
``index.search`` on the file for an upload), without HTTP.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import numpy as np


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server(port: int):
    """``retrieval serve`` in its own process, until the block ends."""
    command = [sys.executable, "-m", "retrieval.cli", "serve", "--quiet", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300  # the first run builds the bundled index
        while True:
            try:
                status, _ = request(port, "GET", "/api/info")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError("retrieval serve stopped: " + process.stderr.read().decode())
            if time.monotonic() > deadline:
                raise RuntimeError("retrieval serve did not start within 300 s")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def request(port: int, method: str, path: str, body: bytes = b"",
            headers: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def multipart(name: str, data: bytes) -> tuple[bytes, dict]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\n" \
        f"5\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def one_search(port: int, kind: str, photo) -> tuple[str, float, float, bool]:
    """(kind, start, end, ok): ok when the answer is a 200 whose first hit is the photo."""
    start = time.perf_counter()
    try:
        if kind == "click":
            status, answer = request(port, "GET", f"/api/search?id={quote(photo.name)}&k=5")
        else:
            body, headers = multipart(photo.name, photo.read_bytes())
            status, answer = request(port, "POST", "/api/search", body, headers)
        ok = status == 200 and answer["hits"][0]["id"] == photo.name
    except (OSError, ValueError, KeyError, IndexError):
        ok = False
    return kind, start, time.perf_counter(), ok


def run_round(port: int, kinds: list[str], photos: list, concurrency: int) -> list:
    jobs = [(kind, photos[i % len(photos)]) for i, kind in enumerate(kinds)]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(lambda job: one_search(port, *job), jobs))


def anchors(photos: list) -> dict[str, float]:
    """Median seconds of the same searches through the Python API, in this process."""
    from retrieval.web import bundled_index

    index, _, _ = bundled_index(progress=False)
    vectors = index.vectors
    times: dict[str, list[float]] = {"click": [], "upload": []}
    for row, photo in enumerate(photos * 2):
        start = time.perf_counter()
        index.search_vectors(vectors[row % len(photos)], k=5)
        times["click"].append(time.perf_counter() - start)
        start = time.perf_counter()
        index.search(str(photo), k=5)
        times["upload"].append(time.perf_counter() - start)
    return {kind: float(np.median(values)) for kind, values in times.items()}


def mixed(clicks: int, uploads: int) -> list[str]:
    """``clicks`` clicks with ``uploads`` uploads spread evenly among them."""
    kinds = ["click"] * clicks
    for i in range(uploads):
        kinds.insert(round(i * (clicks + i) / max(uploads, 1)), "upload")
    return kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--uploads", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    from retrieval.data import sample_photos

    photos = sample_photos()
    anchor = anchors(photos)
    port = free_port()
    rounds = {
        "click": ["click"] * args.requests,
        "upload": ["upload"] * args.uploads,
        "mixed": mixed(args.requests, args.uploads),
    }
    print(f"retrieval serve on 127.0.0.1:{port}, bundled photos (CNN index), "
          f"{args.concurrency} requests at a time, {os.cpu_count()} cores")
    print(f"{'round':<8} {'request':<8} {'n':>4} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'max ms':>8} {'req/s':>7} {'p50/API':>8}")
    total_errors = 0
    with server(port):
        run_round(port, ["click", "upload"] * 2, photos, 2)  # warm up (model loaded)
        for name, kinds in rounds.items():
            results = run_round(port, kinds, photos, args.concurrency)
            for kind in ("click", "upload"):
                mine = [(start, end, ok) for k, start, end, ok in results if k == kind]
                if not mine:
                    continue
                latency = np.array([end - start for start, end, _ in mine]) * 1000
                span = max(end for _, end, _ in mine) - min(start for start, _, _ in mine)
                errors = sum(not ok for _, _, ok in mine)
                total_errors += errors
                p50, p95 = np.percentile(latency, [50, 95])
                print(f"{name:<8} {kind:<8} {len(mine):>4} {errors:>6} {p50:>8.1f} {p95:>8.1f} "
                      f"{latency.max():>8.1f} {len(mine) / span:>7.1f} "
                      f"{p50 / 1000 / anchor[kind]:>8.1f}")
    print(f"API anchor (median, in process): click {anchor['click'] * 1000:.2f} ms, "
          f"upload {anchor['upload'] * 1000:.1f} ms; errors in total: {total_errors}")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
