"""End-to-end indexing of a folder of 2,000 JPEGs: images per second and peak memory.

Run as a script::

    python benchmarks/bench_index.py [--count 2000] [--keep DIR]

The folder is made first (not timed) from scikit-image's sample photos: random crops of 40 %
to 100 % of each side, random left-right flips, saved as JPEG at quality 90, at most 640
pixels wide. Then each contender runs in its own process and does the whole job: list the
folder, decode, resize to 86 x 128, extract features, save the index.

* ``decode only``  - ``imageops.load_images`` (the anchor: the cost no index can avoid);
* ``pixels``       - ``ImageIndex(PixelFeatures(size=(86, 128)))``, the lecture's baseline;
* ``lite0``        - ``ImageIndex(CNNFeatures("efficientnet_lite0", size=(86, 128)))``.

The table gives seconds, images per second, the ratio of time to the anchor and the peak
resident memory of the process (``ru_maxrss``), which must stay well under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

SIZE = (86, 128)
CONTENDERS = ("decode only", "pixels", "lite0")
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry", "motorcycle_left",
          "retina", "cat", "hubble_deep_field", "colorwheel")


def make_folder(folder: pathlib.Path, count: int, seed: int = 0) -> None:
    """``count`` JPEG variants of scikit-image's colour photos in ``folder``."""
    from PIL import Image
    from skimage import data

    rng = np.random.default_rng(seed)
    photos = []
    for name in PHOTOS:
        try:
            photo = getattr(data, name)()
        except Exception:  # noqa: BLE001 - a photo that needs a download: skip it
            continue
        if photo.ndim == 3 and photo.shape[2] >= 3:
            photos.append(Image.fromarray(photo[:, :, :3]))
    for i in range(count):
        photo = photos[i % len(photos)]
        width, height = photo.size
        w = int(width * rng.uniform(0.4, 1.0))
        h = int(height * rng.uniform(0.4, 1.0))
        left = int(rng.integers(0, width - w + 1))
        top = int(rng.integers(0, height - h + 1))
        crop = photo.crop((left, top, left + w, top + h))
        if rng.random() < 0.5:
            crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        if crop.width > 640:
            crop = crop.resize((640, round(crop.height * 640 / crop.width)))
        crop.save(folder / f"img{i:05d}.jpg", quality=90)


def run_contender(name: str, folder: str) -> dict[str, float]:
    """Index the folder in this process; return seconds, images and peak memory (MB)."""
    start = time.perf_counter()
    if name == "decode only":
        from imageops import load_images

        images, _, failures = load_images(folder, size=SIZE, progress=False)
        count = len(images)
    else:
        from retrieval import CNNFeatures, ImageIndex, PixelFeatures

        extractor = PixelFeatures(size=SIZE) if name == "pixels" else CNNFeatures(
            "efficientnet_lite0", size=SIZE)
        index = ImageIndex(extractor=extractor)
        report = index.add(folder, progress=False)
        failures = report.failures
        index.save(pathlib.Path(folder).parent / f"index-{name}.npz")
        count = len(index)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": seconds, "images": count, "failures": len(failures), "peak_mb": peak_mb}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="JPEGs in the folder")
    parser.add_argument("--keep", help="make (or reuse) the folder here instead of a temp dir")
    parser.add_argument("--only", nargs="+", choices=CONTENDERS, help="run only these")
    parser.add_argument("--contender", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.contender:
        print(json.dumps(run_contender(args.contender, args.folder)))
        return 0

    with tempfile.TemporaryDirectory() as scratch:
        root = pathlib.Path(args.keep) if args.keep else pathlib.Path(scratch)
        folder = root / "photos"
        if not folder.is_dir() or len(list(folder.glob("*.jpg"))) != args.count:
            folder.mkdir(parents=True, exist_ok=True)
            print(f"making {args.count} JPEGs in {folder} ...", file=sys.stderr)
            make_folder(folder, args.count)
        results = {}
        for name in args.only or CONTENDERS:
            command = [sys.executable, __file__, "--contender", name, "--folder", str(folder)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{name}: failed\n{done.stderr.strip()[-2000:]}", file=sys.stderr)
                continue
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])

    anchor = results.get("decode only")
    print(f"indexing {args.count} JPEGs end to end at {SIZE[0]} x {SIZE[1]} "
          f"(decode, resize, features, save)")
    header = f"{'contender':<13}{'seconds':>9}{'images/s':>10}{'x decode':>10}{'peak MB':>9}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        ratio = f"{r['seconds'] / anchor['seconds']:.2f}" if anchor else "-"
        print(f"{name:<13}{r['seconds']:>9.2f}{r['images'] / r['seconds']:>10.1f}"
              f"{ratio:>10}{r['peak_mb']:>9.0f}")
        if r["failures"]:
            print(f"  ({r['failures']} files failed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
