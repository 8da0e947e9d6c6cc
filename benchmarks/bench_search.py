"""Top-5 cosine search over 100,000 x 1280 float32 features: ImageIndex against faiss.

Run as a script (it needs faiss-cpu; scikit-learn is used too if installed)::

    python benchmarks/bench_search.py [--n 100000] [--d 1280] [--rounds 3] [--quick]

``--quick`` is a short check (30,000 rows, 2 rounds of 3 searches).

Each contender runs in its own process on the same seeded database (non-negative, like
pooled CNN features) and queries, with 1 and with 100 queries at a time:

* ``ImageIndex``  - ``retrieval.ImageIndex.search_vectors``, that is
  ``retrieval.similarity.top_k`` (float32 matrix products over blocks of rows, cached
  inverse norms, a grouped pre-selection of the top 5);
* ``faiss``       - ``faiss.IndexFlatIP`` on L2-normalised vectors (the anchor);
* ``sklearn``     - ``NearestNeighbors(metric="cosine", algorithm="brute")``, if installed.

Database preparation (normalising, building) is not timed; normalising the queries is. The
time of a contender is the best of ``--repeats`` searches within a process, and the best of
``--rounds`` processes (the rounds alternate the contenders, which evens out a busy
machine). The table gives seconds and the ratio to faiss (below 1.0: faster than faiss), and
checks that every contender finds the same top-5 ids.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

CONTENDERS = ("ImageIndex", "faiss", "sklearn")
QUERY_COUNTS = (1, 100)
K = 5


def make_data(n: int, d: int, queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    database = np.abs(rng.standard_normal((n, d), dtype=np.float32))
    query = np.abs(rng.standard_normal((queries, d), dtype=np.float32))
    return database, query


def _best_time(search, repeats: int) -> tuple[float, list[list[int]]]:
    found = search()  # warm-up (and caches: norms, faiss tables)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        found = search()
        best = min(best, time.perf_counter() - start)
    return best, found


def run_contender(name: str, n: int, d: int, repeats: int) -> dict[str, object]:
    """Time one contender in this process; return {query count: (seconds, ids)}."""
    database, queries = make_data(n, d, max(QUERY_COUNTS))
    if name == "ImageIndex":
        from retrieval import ImageIndex, PixelFeatures

        index = ImageIndex(PixelFeatures(size=None), metric="cosine")
        index._append(database, [str(i) for i in range(n)])  # vectors made elsewhere
        del database

        def searcher(q):
            return lambda: [[int(i) for i in r.ids] for r in index.search_vectors(q, K)]
    elif name == "faiss":
        import faiss

        faiss.normalize_L2(database)
        flat = faiss.IndexFlatIP(d)
        flat.add(database)
        del database

        def searcher(q):
            def search():
                unit = q.copy()
                faiss.normalize_L2(unit)
                return flat.search(unit, K)[1].tolist()
            return search
    elif name == "sklearn":
        from sklearn.neighbors import NearestNeighbors

        model = NearestNeighbors(n_neighbors=K, metric="cosine", algorithm="brute")
        model.fit(database)

        def searcher(q):
            return lambda: model.kneighbors(q, return_distance=False).tolist()
    else:
        raise ValueError(f"unknown contender {name!r}")
    report = {}
    for count in QUERY_COUNTS:
        seconds, ids = _best_time(searcher(queries[:count]), repeats)
        report[str(count)] = [seconds, ids]
    return report


def available(name: str) -> bool:
    module = {"ImageIndex": "retrieval", "faiss": "faiss", "sklearn": "sklearn"}[name]
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="database rows")
    parser.add_argument("--d", type=int, default=1280, help="feature length")
    parser.add_argument("--repeats", type=int, default=5, help="timed searches per process")
    parser.add_argument("--rounds", type=int, default=3, help="processes per contender")
    parser.add_argument("--quick", action="store_true",
                        help="a short check: --n 30000 --rounds 2 --repeats 3")
    parser.add_argument("--contender", help=argparse.SUPPRESS)  # internal: run one, print JSON
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.rounds, args.repeats = 30_000, 2, 3
    if args.contender:
        print(json.dumps(run_contender(args.contender, args.n, args.d, args.repeats)))
        return 0

    names = [name for name in CONTENDERS if available(name)]
    if "faiss" not in names:
        print("faiss-cpu is not installed: it is the anchor of this benchmark", file=sys.stderr)
        return 1
    best: dict[str, dict[str, list]] = {}
    for _ in range(args.rounds):
        for name in names:
            command = [sys.executable, __file__, "--contender", name, "--n", str(args.n),
                       "--d", str(args.d), "--repeats", str(args.repeats)]
            output = subprocess.run(command, capture_output=True, text=True, check=True)
            report = json.loads(output.stdout.strip().splitlines()[-1])
            mine = best.setdefault(name, {})
            for count, (seconds, ids) in report.items():
                if count not in mine or seconds < mine[count][0]:
                    mine[count] = [seconds, ids]

    print(f"top-{K} cosine search, N = {args.n:,} x D = {args.d}, float32 "
          f"(best of {args.rounds} processes x {args.repeats} searches)")
    header = f"{'contender':<12}" + "".join(
        f"{f'{c} quer' + ('y' if c == 1 else 'ies'):>16}{'x faiss':>9}" for c in QUERY_COUNTS)
    print(header)
    print("-" * len(header))
    for name in names:
        cells = ""
        for count in map(str, QUERY_COUNTS):
            seconds = best[name][count][0]
            ratio = seconds / best["faiss"][count][0]
            cells += f"{seconds * 1000:>13.1f} ms{ratio:>9.2f}"
        print(f"{name:<12}{cells}")
    for name in names:
        for count in map(str, QUERY_COUNTS):
            if best[name][count][1] != best["faiss"][count][1]:
                print(f"note: {name} found other top-{K} ids than faiss for {count} queries "
                      "(equal scores to float32 precision can swap)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
