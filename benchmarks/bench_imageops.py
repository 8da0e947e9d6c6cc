"""Benchmark imageops against its anchors; each contender runs in its own process.

    python benchmarks/bench_imageops.py            # everything
    python benchmarks/bench_imageops.py median     # one group: svd, median, mean

- svd: ``svd_background`` randomized vs full (anchor) on 800 gray frames of 288 x 384, a coin
  cut out of scikit-image's coins photo moving over the coffee photo; the backgrounds of the
  two are compared (relative Frobenius difference on every 8th frame).
- median: ``median_filter`` vs ``scipy.ndimage.median_filter`` (anchor) and OpenCV's
  ``cv2.medianBlur`` (if installed) on a uint8 RGB photo of 1024 x 1024, sizes 3 and 5;
  outputs are compared byte for byte (OpenCV fills the border by repeating the edge pixel,
  so its output is compared away from the border).
- mean: ``mean_filter`` vs ``scipy.ndimage.uniform_filter`` (anchor), float64 output.

Times are the best of several runs (one for svd). Needs scikit-image (and OpenCV for its row).
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

GROUPS = {
    "svd": [("svd full (anchor)", "svd_full"), ("svd randomized", "svd_randomized")],
    "median": [(f"{who} {s}x{s}", f"median_{key}_{s}") for s in (3, 5)
               for who, key in (("scipy median (anchor)", "scipy"), ("imageops median", "ours"),
                                ("cv2.medianBlur", "cv2"))],
    "mean": [(f"{who} {s}x{s}", f"mean_{key}_{s}") for s in (3, 5)
             for who, key in (("scipy uniform (anchor)", "scipy"), ("imageops mean", "ours"))],
}


def photo_1024() -> np.ndarray:
    import skimage.data
    import skimage.transform

    image = skimage.transform.resize(skimage.data.astronaut(), (1024, 1024), order=1)
    return np.rint(image * 255).astype(np.uint8)


def video() -> np.ndarray:
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
                                labels[box] == 13, n_frames=800, crossings=(7, 11), seed=0)
    return frames


def best_time(function, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_one(key: str, workdir: pathlib.Path) -> dict:
    """Time one contender (in this process) and describe its output."""
    import scipy.ndimage as ndi

    import imageops

    if key.startswith("svd"):
        frames = video()
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
        seconds, out = best_time(function, 5)
        np.save(workdir / f"{key}.npy", out)
        return {"seconds": seconds, "md5": hashlib.md5(np.ascontiguousarray(out)).hexdigest()}
    if who == "scipy":
        function = lambda: ndi.uniform_filter(image.astype(np.float64), (size, size, 1))  # noqa: E731
    else:
        function = lambda: imageops.mean_filter(image, size)  # noqa: E731
    seconds, out = best_time(function, 5)
    np.save(workdir / f"{key}.npy", out)
    return {"seconds": seconds}


def main(groups: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = pathlib.Path(tmp)
        for group in groups or list(GROUPS):
            rows = []
            for label, key in GROUPS[group]:
                done = subprocess.run([sys.executable, __file__, "--run", key, str(workdir)],
                                      capture_output=True, text=True, check=True)
                rows.append((label, key, json.loads(done.stdout.splitlines()[-1])))
            print(f"\n{group}")
            print(f"{'contender':32s} {'seconds':>9s} {'× anchor':>9s}  check")
            anchor = {}
            for label, key, result in rows:
                size = key.rsplit("_", 1)[1] if group != "svd" else ""
                if "(anchor)" in label:
                    anchor[size] = (result, key)
                ref, ref_key = anchor[size]
                if result["seconds"] is None:
                    print(f"{label:32s} {'-':>9s} {'-':>9s}  {result['note']}")
                    continue
                speedup = ref["seconds"] / result["seconds"]
                check = ""
                if "md5" in result and result["md5"] == ref["md5"]:
                    check = "identical"
                elif "md5" in result:             # OpenCV repeats the edge pixel at the border
                    a = np.load(workdir / f"{key}.npy")
                    b = np.load(workdir / f"{ref_key}.npy")
                    r = int(size) // 2
                    same = np.array_equal(a[r:-r, r:-r], b[r:-r, r:-r])
                    check = "identical away from the border" if same else "DIFFERENT"
                elif key != ref_key:
                    a = np.load(workdir / f"{key}.npy")
                    b = np.load(workdir / f"{ref_key}.npy")
                    check = f"relative difference {np.linalg.norm(a - b) / np.linalg.norm(b):.1e}"
                print(f"{label:32s} {result['seconds']:9.4f} {speedup:8.1f}x  {check}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--run":
        print(json.dumps(run_one(sys.argv[2], pathlib.Path(sys.argv[3]))))
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
