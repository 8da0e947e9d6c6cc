"""Torch weight files written opcode by opcode, for the tests of the weight reader.

torch is never imported: a protocol-2 pickle is laid out exactly as ``torch.save`` lays out
a state dict, in the legacy format or in the zip format.
"""

from __future__ import annotations

import io
import pathlib
import pickle
import warnings
import zipfile

import numpy as np

MAGIC = 0x1950A86A20F9469CFC6C
STORAGE_TYPES = {
    "float32": "FloatStorage",
    "float64": "DoubleStorage",
    "float16": "HalfStorage",
    "int64": "LongStorage",
    "int32": "IntStorage",
    "int16": "ShortStorage",
    "int8": "CharStorage",
    "uint8": "ByteStorage",
    "bool": "BoolStorage",
    "complex64": "ComplexFloatStorage",
}


def op_str(text: str) -> bytes:
    data = text.encode("utf-8")
    return b"X" + len(data).to_bytes(4, "little") + data


def op_int(value: int) -> bytes:
    if 0 <= value < 256:
        return b"K" + bytes([value])
    if -(2**31) <= value < 2**31:
        return b"J" + value.to_bytes(4, "little", signed=True)
    data = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(data)]) + data


def op_tuple(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


def op_ints(values) -> bytes:
    return op_tuple(*(op_int(v) for v in values))


def op_global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


EMPTY_ORDERED_DICT = op_global("collections", "OrderedDict") + b")R"


def op_storage(key: str, storage_type: str, numel: int, legacy: bool) -> bytes:
    """A persistent id (BINPERSID) for one storage."""
    fields = [op_str("storage"), op_global("torch", storage_type), op_str(key), op_str("cpu")]
    fields.append(op_int(numel))
    if legacy:
        fields.append(b"N")  # view metadata
    return op_tuple(*fields) + b"Q"


def op_tensor(storage: bytes, offset: int, shape, strides) -> bytes:
    args = storage + op_int(offset) + op_ints(shape) + op_ints(strides) + b"\x89"
    return (
        op_global("torch._utils", "_rebuild_tensor_v2") + b"(" + args + EMPTY_ORDERED_DICT + b"tR"
    )


def op_state_dict(entries: dict[str, bytes]) -> bytes:
    items = b"".join(op_str(name) + value for name, value in entries.items())
    return b"\x80\x02" + EMPTY_ORDERED_DICT + b"(" + items + b"u."


class Storage:
    """One storage: its element array (1-D) and key."""

    def __init__(self, key: str, elements: np.ndarray):
        self.key, self.elements = key, np.ascontiguousarray(elements).ravel()
        self.type = STORAGE_TYPES[self.elements.dtype.name]

    def pid(self, legacy: bool) -> bytes:
        return op_storage(self.key, self.type, self.elements.size, legacy)

    def raw(self) -> bytes:
        return self.elements.astype(self.elements.dtype.newbyteorder("<")).tobytes()


def tensor_spec(array: np.ndarray, key: str, perm=None, pad: int = 0):
    """Store ``array`` with its axes in ``perm`` order after ``pad`` junk elements.

    Returns the storage and the tensor pickle fragment builder (offset, strides).
    """
    perm = tuple(range(array.ndim)) if perm is None else tuple(perm)
    stored = np.ascontiguousarray(array.transpose(perm))
    junk = np.zeros(pad, dtype=array.dtype)
    storage = Storage(key, np.concatenate([junk, stored.ravel()]))
    element_strides = [s // max(array.itemsize, 1) for s in stored.strides]
    strides = [0] * array.ndim
    for position, axis in enumerate(perm):
        strides[axis] = element_strides[position]
    return storage, pad, array.shape, tuple(strides)


def legacy_bytes(
    state_pickle: bytes,
    storages: list[Storage],
    keys=None,
    counts=None,
    sys_info=None,
    magic=MAGIC,
    protocol=1001,
) -> bytes:
    """A legacy torch file: five pickles, then each storage's count and bytes."""
    keys = [s.key for s in storages] if keys is None else keys
    sys_info = (
        {"protocol_version": 1001, "little_endian": True, "type_sizes": {"int": 4}}
        if sys_info is None
        else sys_info
    )
    out = io.BytesIO()
    for header in (magic, protocol, sys_info):
        out.write(pickle.dumps(header, protocol=2))
    out.write(state_pickle)
    out.write(pickle.dumps(keys, protocol=2))
    for index, storage in enumerate(storages):
        count = storage.elements.size if counts is None else counts[index]
        out.write(count.to_bytes(8, "little", signed=True) + storage.raw())
    return out.getvalue()


def zip_bytes(state_pickle: bytes, storages: list[Storage], top="archive", extra=()) -> bytes:
    """A torch zip file: ``top/data.pkl``, ``top/byteorder``, ``top/data/<key>``."""
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as archive:
        warnings.simplefilter("ignore")  # "Duplicate name" when a test asks for one
        archive.writestr(f"{top}/data.pkl", state_pickle)
        archive.writestr(f"{top}/byteorder", "little")
        for storage in storages:
            archive.writestr(f"{top}/data/{storage.key}", storage.raw())
        archive.writestr(f"{top}/version", "3\n")
        for name, data in extra:
            archive.writestr(name, data)
    return out.getvalue()


def write_arrays(path: pathlib.Path, arrays: dict, fmt: str, perms=None, pads=None) -> None:
    """Write ``arrays`` as a legacy or zip torch file, one storage per array."""
    legacy = fmt == "legacy"
    storages, entries = [], {}
    for index, (name, array) in enumerate(arrays.items()):
        perm = perms[index] if perms else None
        pad = pads[index] if pads else 0
        storage, offset, shape, strides = tensor_spec(array, str(index), perm, pad)
        storages.append(storage)
        entries[name] = op_tensor(storage.pid(legacy), offset, shape, strides)
    pickled = op_state_dict(entries)
    data = legacy_bytes(pickled, storages) if legacy else zip_bytes(pickled, storages)
    path.write_bytes(data)


def simple_file(
    tmp_path, legacy=True, *, offset=0, shape=(2, 3), strides=(3, 1), numel=6, name="w.pt"
):
    """A one-tensor file whose tensor geometry may lie about its 6-element storage."""
    storage = Storage("0", np.arange(6, dtype=np.float32))
    tensor = op_tensor(op_storage("0", "FloatStorage", numel, legacy), offset, shape, strides)
    pickled = op_state_dict({"w": tensor})
    data = (
        legacy_bytes(pickled, [storage], counts=[numel])
        if legacy
        else zip_bytes(pickled, [storage])
    )
    path = tmp_path / name
    path.write_bytes(data)
    return path
