"""Benchmark imageops against its anchors; each contender runs in its own process.

    python benchmarks/bench_imageops.py                 # everything (about 6 minutes)
    python benchmarks/bench_imageops.py --quick         # smaller video, fewer repeats (~1 min)
    python benchmarks/bench_imageops.py median mean     # some groups: svd, median, mean

- svd: ``svd_background`` randomized vs full (anchor, ``numpy.linalg.svd``) on 800 gray
  frames of 288 x 384 (``--quick``: 200 frames), a coin cut out of scikit-image's coins
  photo moving over the coffee photo; the backgrounds of the two are compared (relative
  Frobenius difference on every 8th frame). Targets: >= 10x faster, difference <= 1%.
- median: ``median_filter`` vs ``scipy.ndimage.median_filter`` (anchor) and OpenCV's
  ``cv2.medianBlur`` (if installed) on a uint8 RGB photo of 1024 x 1024, sizes 3 and 5;
  outputs are compared byte for byte (OpenCV fills the border by repeating the edge pixel,
  so at 5 x 5 its output is compared away from the border). Target: >= 5x faster than
  SciPy with identical output.
- mean: ``mean_filter`` vs ``scipy.ndimage.uniform_filter`` (anchor) on float64 values.

Times are the best of several runs (one for svd). The machine may be shared: compare the
ratios within one run, not absolute times between runs. Needs scikit-image (and OpenCV for
its rows).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

GROUPS = {
    "svd": [("svd_background full (anchor)", "svd_full"),
            ("svd_background randomized", "svd_randomized")],
    "median": [(f"{who} {s}x{s}", f"median_{key}_{s}") for s in (3, 5)
               for who, key in (("scipy median_filter (anchor)", "scipy"),
                                ("imageops median_filter", "ours"),
                                ("cv2.medianBlur", "cv2"))],
    "mean": [(f"{who} {s}x{s}", f"mean_{key}_{s}") for s in (3, 5)
             for who, key in (("scipy uniform_filter (anchor)", "scipy"),
                              ("imageops mean_filter", "ours"))],
}
TARGETS = {"svd_randomized": 10.0, "median_ours_3": 5.0, "median_ours_5": 5.0}
FRAMES = {"full": 800, "quick": 200}
REPEATS = {"full": 5, "quick": 3}


def photo_1024() -> np.ndarray:
    import skimage.data
    import skimage.transform

    image = skimage.transform.resize(skimage.data.astronaut(), (1024, 1024), order=1)
    return np.rint(image * 255).astype(np.uint8)


def video(n_frames: int) -> np.ndarray:
    """``n_frames`` gray frames of 288 x 384: the largest whole coin over the coffee photo."""
    import skimage.data
    import skimage.filters
    import skimage.transform
    from scipy import ndimage as ndi

    from imageops import synthetic_video

    coins = skimage.data.coins()
    mask = ndi.binary_opening(ndi.binary_fill_holes(
        coins > skimage.filters.threshold_otsu(coins)), iterations=2)
    labels, _ = ndi.label(mask)
    box = ndi.find_objects(labels)[12]                  # the largest whole coin
    background = skimage.transform.resize(skimage.data.coffee(), (288, 384)) * 255
    frames, _ = synthetic_video(background @ [0.299, 0.587, 0.114], coins[box],
                                labels[box] == 13, n_frames=n_frames, crossings=(7, 11),
                                seed=0)
    return frames


def best_time(function, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_one(key: str, workdir: pathlib.Path, size_name: str) -> dict:
    """Time one contender (in this process) and save its output for the checks."""
    import scipy.ndimage as ndi

    import imageops

    repeats = REPEATS[size_name]
    if key.startswith("svd"):
        frames = video(FRAMES[size_name])
        method = key.split("_")[1]
        seconds, (background, _) = best_time(
            lambda: imageops.svd_background(frames, method=method, progress=False), 1)
        np.save(workdir / f"{key}.npy", background[::8])
        return {"seconds": seconds}
    kind, who, size = key.split("_")
    size = int(size)
    image = photo_1024()
    if kind == "median":
        if who == "cv2":
            try:
                import cv2
            except ImportError:
                return {"seconds": None, "note": "OpenCV not installed"}
            function = lambda: cv2.medianBlur(image, size)        # noqa: E731
        elif who == "scipy":
            function = lambda: ndi.median_filter(image, (size, size, 1))  # noqa: E731
        else:
            function = lambda: imageops.median_filter(image, size)  # noqa: E731
    elif who == "scipy":
        function = lambda: ndi.uniform_filter(image.astype(np.float64), (size, size, 1))  # noqa: E731
    else:
        function = lambda: imageops.mean_filter(image, size)  # noqa: E731
    function()                                                     # warm-up
    seconds, out = best_time(function, repeats)
    np.save(workdir / f"{key}.npy", out)
    return {"seconds": seconds}


def check(key: str, ref_key: str, group: str, workdir: pathlib.Path) -> tuple[str, bool]:
    """Compare an output with the anchor's: (description, whether the requirement holds)."""
    if key == ref_key:
        return "", True
    ours, reference = np.load(workdir / f"{key}.npy"), np.load(workdir / f"{ref_key}.npy")
    if group == "median":
        if np.array_equal(ours, reference):
            return "identical", True
        r = int(key.rsplit("_", 1)[1]) // 2
        if "cv2" in key and np.array_equal(ours[r:-r, r:-r], reference[r:-r, r:-r]):
            return "identical away from the border", True
        return f"DIFFERENT at {int((ours != reference).sum())} values", False
    difference = float(np.linalg.norm(ours - reference) / np.linalg.norm(reference))
    return f"relative difference {difference:.1e}", difference <= 0.01


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", metavar="group",
                        help=f"groups to run, among {', '.join(GROUPS)} (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help=f"{FRAMES['quick']} frames instead of {FRAMES['full']}, "
                             f"{REPEATS['quick']} repeats instead of {REPEATS['full']}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; choose among {', '.join(GROUPS)}")
    size_name = "quick" if args.quick else "full"
    all_met = True
    with tempfile.TemporaryDirectory() as tmp:
        workdir = pathlib.Path(tmp)
        for group in args.groups or list(GROUPS):
            rows = []
            for label, key in GROUPS[group]:
                done = subprocess.run(
                    [sys.executable, __file__, "--run", key, str(workdir), size_name],
                    capture_output=True, text=True)
                if done.returncode != 0:
                    sys.stderr.write(done.stderr)
                    raise SystemExit(f"{key} failed (exit {done.returncode})")
                rows.append((label, key, json.loads(done.stdout.splitlines()[-1])))
            title = {"svd": f"svd_background, {FRAMES[size_name]} gray frames 288 x 384",
                     "median": "median filter, uint8 RGB 1024 x 1024",
                     "mean": "mean filter, uint8 RGB 1024 x 1024 (float64 output)"}[group]
            print(f"\n{title}")
            print(f"{'contender':34s} {'seconds':>9s} {'speed-up':>9s} {'target':>7s}  "
                  f"output vs anchor")
            anchors = {}
            for label, key, result in rows:
                size = key.rsplit("_", 1)[1] if group != "svd" else ""
                if "(anchor)" in label:
                    anchors[size] = (result, key)
                reference, ref_key = anchors[size]
                if result["seconds"] is None:
                    print(f"{label:34s} {'-':>9s} {'-':>9s} {'':>7s}  {result['note']}")
                    continue
                speedup = reference["seconds"] / result["seconds"]
                text, same = check(key, ref_key, group, workdir)
                target = TARGETS.get(key)
                verdict = ""
                if target is not None:
                    met = speedup >= target and same
                    all_met &= met
                    verdict = "  [met]" if met else "  [MISSED]"
                target_text = f">={target:g}x" if target else ""
                print(f"{label:34s} {result['seconds']:9.4f} {speedup:8.1f}x {target_text:>7s}  "
                      f"{text}{verdict}")
    print("\nall targets met" if all_met else "\nSOME TARGETS MISSED")
    return 0 if all_met else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--run":
        print(json.dumps(run_one(sys.argv[2], pathlib.Path(sys.argv[3]), sys.argv[4])))
        sys.exit(0)
    sys.exit(main())
