"""Benchmark: match_template (zncc) against OpenCV and scikit-image, speed and exactness.

    python benchmarks/bench_template.py [--repeat 7] [--sizes 32 128 256]

A 1024×1024 float32 photo (scikit-image's retina sample, gray, top-left corner: a dark flat
background and a textured fundus) and square templates cut from its middle. Each contender runs
in its own process and reports its best wall-clock time over ``--repeat`` calls after one
warm-up call, and the best processor time of a call (``cpu ms``, summed over the process's
threads: less sensitive than wall time to other programs on a shared machine):

- ``ours``: ``match_template(image, template)``, everything from scratch (the anchor's work);
- ``ours, reused``: ``matcher.match(template)`` on a ``TemplateMatcher(image)`` built once, so
  the image's transform and the window statistics for this template size are reused (several
  templates of one size on one image);
- ``opencv``: ``cv2.matchTemplate(image, template, cv2.TM_CCOEFF_NORMED)`` (float32);
- ``skimage f32`` / ``skimage f64``: ``skimage.feature.match_template`` on float32 / float64.

Exactness is measured against a direct float64 computation (each window centred by its own
mean, then one dot product), at every position for the smallest template and at 50,000
positions (random, plus the 5,000 windows of lowest non-zero variance) for the others. The
errors count only windows whose standard deviation is at least 1e-3 of the image's range, where
a correct method has no excuse; ``min``/``max`` and NaN/inf counts are over the whole map.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

CONTENDERS = ("ours", "ours, reused", "opencv", "skimage f32", "skimage f64")


def photo() -> np.ndarray:
    """The 1024×1024 float32 gray photo (values 0..255)."""
    from PIL import Image
    from skimage import data

    gray = np.asarray(Image.fromarray(data.retina()).convert("L"))
    return np.ascontiguousarray(gray[:1024, :1024]).astype(np.float32)


def template_of(image: np.ndarray, size: int) -> np.ndarray:
    row, col = 600 - size // 2, 640 - size // 2
    return image[row:row + size, col:col + size].copy()


def direct(image: np.ndarray, template: np.ndarray, positions: np.ndarray):
    """float64 ZNCC and window standard deviation at ``positions``, one window at a time."""
    from numpy.lib.stride_tricks import sliding_window_view

    windows = sliding_window_view(image.astype(np.float64), template.shape)
    t = template.astype(np.float64).ravel()
    t -= t.mean()
    scores, stds = np.empty(len(positions)), np.empty(len(positions))
    for start in range(0, len(positions), 2048):
        rows, cols = positions[start:start + 2048].T
        block = windows[rows, cols].reshape(len(rows), -1)
        block = block - block.mean(axis=1, keepdims=True)
        square = (block**2).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores[start:start + 2048] = block @ t / np.sqrt(square * (t @ t))
        stds[start:start + 2048] = np.sqrt(square / t.size)
    return scores, stds


def positions_for(image: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Every position for small templates; otherwise random ones plus the lowest-variance ones."""
    from retrieval._window_sums import window_sums

    shape = (image.shape[0] - size + 1, image.shape[1] - size + 1)
    if size <= 32:
        return np.argwhere(np.ones(shape, dtype=bool))
    x = image.astype(np.float64) - image.mean()
    n = size * size
    spread = window_sums(x**2, (size, size)) - window_sums(x, (size, size))**2 / n
    spread = np.where(spread > 1e-6, spread, np.inf).ravel()
    low = np.argpartition(spread, 5000)[:5000]
    pick = np.union1d(rng.choice(spread.size, 45000, replace=False), low)
    return np.stack(np.unravel_index(pick, shape), axis=1)


def run(name: str, size: int, repeat: int, reference: str) -> dict:
    """Time one contender (in this process) and measure its errors."""
    image = photo()
    template = template_of(image, size)
    if name == "ours":
        from retrieval import match_template

        def call():
            return match_template(image, template)
    elif name == "ours, reused":
        from retrieval import TemplateMatcher

        matcher = TemplateMatcher(image)

        def call():
            return matcher.match(template)
    elif name == "opencv":
        import cv2

        def call():
            return cv2.matchTemplate(image, template, cv2.TM_CCOEFF_NORMED)
    else:
        from skimage.feature import match_template as skimage_match

        dtype = np.float32 if name == "skimage f32" else np.float64
        a, b = image.astype(dtype), template.astype(dtype)

        def call():
            return skimage_match(a, b)
    scores = call()
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    ref = np.load(reference)
    rows, cols = ref["positions"].T
    textured = ref["stds"] >= 1e-3 * float(image.max() - image.min())
    error = np.abs(scores[rows, cols].astype(np.float64) - ref["scores"])[textured]
    finite = np.isfinite(scores)
    return {"ms": 1e3 * min(times), "cpu_ms": 1e3 * min(cpu), "max_error": float(error.max()),
            "over_1e-4": float((error > 1e-4).mean()), "min": float(scores[finite].min()),
            "max": float(scores[finite].max()), "nonfinite": int((~finite).sum())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 128, 256])
    parser.add_argument("--worker", nargs=3, metavar=("NAME", "SIZE", "REFERENCE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        name, size, reference = args.worker
        print(json.dumps(run(name, int(size), args.repeat, reference)))
        return 0
    image = photo()
    rng = np.random.default_rng(0)
    print(f"photo {image.shape} float32, range {image.min():.0f}..{image.max():.0f}; "
          f"times are the best of {args.repeat}, each contender in its own process")
    header = (f"{'template':>8} {'contender':<13} {'ms':>7} {'× opencv':>8} {'cpu ms':>7} "
              f"{'× opencv':>8} {'max error':>10} "
              f"{'> 1e-4':>7} {'min':>8} {'max':>8} {'nan/inf':>7}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            template = template_of(image, size)
            positions = positions_for(image, size, rng)
            scores, stds = direct(image, template, positions)
            reference = os.path.join(folder, f"ref{size}.npz")
            np.savez(reference, positions=positions, scores=scores, stds=stds)
            results = {}
            for name in CONTENDERS:
                output = subprocess.run(
                    [sys.executable, __file__, "--repeat", str(args.repeat),
                     "--worker", name, str(size), reference],
                    capture_output=True, text=True, check=True).stdout
                results[name] = json.loads(output.strip().splitlines()[-1])
            anchor, anchor_cpu = results["opencv"]["ms"], results["opencv"]["cpu_ms"]
            for name, r in results.items():
                print(f"{size:>6}² {name:<13} {r['ms']:7.1f} {r['ms'] / anchor:8.2f} "
                      f"{r['cpu_ms']:7.1f} {r['cpu_ms'] / anchor_cpu:8.2f} "
                      f"{r['max_error']:10.2e} {r['over_1e-4']:7.1%} {r['min']:8.4f} "
                      f"{r['max']:8.4f} {r['nonfinite']:7d}")
            print(f"{'':>8} ({len(positions):,} positions checked against float64 direct)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
