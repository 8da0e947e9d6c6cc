"""Read torch checkpoints: the legacy container (pickles, then raw storages) and the zip archive.

* **legacy** (``torch.save`` before PyTorch 1.6, still read everywhere): five pickles in a
  row -- a magic number, the protocol version 1001, system information, the state dict and
  the list of storage keys -- then, for each storage, its element count (int64) and its raw
  little-endian bytes.
* **zip** (what ``torch.save`` writes today): a zip archive with one top folder holding
  ``data.pkl`` (the state dict pickle), ``byteorder`` and one ``data/<key>`` file per
  storage. torch stores every member uncompressed; a compressed one is refused, so that
  a few kilobytes cannot inflate into gigabytes.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile

import numpy as np

from ._pickle_guard import read_pickle
from ._tensors import decode_elements, raw_dtype, select_state_dict, tensor_arrays
from ._unpickler import StorageRef, unpickle
from ._weight_limits import Budget, WeightFileError, short_repr

__all__ = ["LEGACY_START", "load_legacy", "load_torch_zip"]

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001
#: A legacy file opens with the pickle of its magic number (protocol 2, LONG1).
LEGACY_START = b"\x80\x02\x8a\x0a" + _LEGACY_MAGIC.to_bytes(10, "little")


# ------------------------------------------------------------------ legacy torch files


def _plain(file, size: int, what: str, budget: Budget):
    """The next pickle of the file, which must be plain data (no calls, no names)."""
    return unpickle(read_pickle(file, size, what, True, budget), what, None)


def load_legacy(file, size: int, budget: Budget) -> dict[str, np.ndarray]:
    """Read a legacy torch file from its start (``file`` is seekable, ``size`` bytes long)."""
    if _plain(file, size, "magic number", budget) != _LEGACY_MAGIC:
        raise WeightFileError("not a torch file: wrong magic number")
    version = _plain(file, size, "protocol", budget)
    if version != _LEGACY_PROTOCOL:
        raise WeightFileError(f"torch legacy protocol {_LEGACY_PROTOCOL} expected; got {version!r}")
    sys_info = _plain(file, size, "system information", budget)
    if not isinstance(sys_info, dict) or sys_info.get("little_endian") is not True:
        raise WeightFileError("only little-endian torch files are supported")
    storages: dict[str, StorageRef] = {}
    what = "state dict pickle"
    obj = unpickle(read_pickle(file, size, what, False, budget), what, storages)
    keys = _plain(file, size, "storage key list", budget)
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise WeightFileError(
            f"the storage key list must be a list of strings; got {type(keys).__name__}"
        )
    if len(set(keys)) != len(keys) or set(keys) != set(storages):
        raise WeightFileError(
            f"storage count mismatch: the pickle uses {len(storages)} storages but the file "
            f"lists {len(keys)} ({len(set(keys) ^ set(storages))} keys differ)"
        )
    state = select_state_dict(obj)
    wanted = {ref.storage.key for ref in state.values()}
    data = {key: _legacy_storage(file, size, storages[key], key in wanted, budget) for key in keys}
    if file.tell() != size:
        raise WeightFileError(f"{size - file.tell()} unexpected bytes after the last storage")
    return tensor_arrays(state, lambda storage: data[storage.key], budget)


def _legacy_storage(file, size: int, ref: StorageRef, wanted: bool, budget: Budget):
    """Read (or skip, when no tensor uses it) the next storage of a legacy file."""
    key = ref.key
    header = file.read(8)
    if len(header) < 8:
        raise WeightFileError(f"file truncated before storage {short_repr(key)}")
    count = int.from_bytes(header, "little", signed=True)
    if count != ref.numel:
        raise WeightFileError(
            f"storage {short_repr(key)}: the pickle declares {ref.numel} elements, the data {count}"
        )
    dtype = raw_dtype(ref.code)
    nbytes = count * dtype.itemsize
    if nbytes > size - file.tell():
        raise WeightFileError(
            f"file truncated: storage {short_repr(key)} needs {nbytes} bytes, "
            f"{size - file.tell()} remain"
        )
    if not wanted:
        file.seek(nbytes, os.SEEK_CUR)
        return None
    budget.allocate(nbytes, f"storage {short_repr(key)}")
    raw = np.empty(count, dtype=dtype)
    if count and file.readinto(memoryview(raw).cast("B")) != nbytes:
        raise WeightFileError(f"file truncated inside storage {short_repr(key)}")
    return decode_elements(raw, ref.code, budget, f"storage {short_repr(key)}")


# ------------------------------------------------------------------ zip torch files

_MAX_PICKLE_BYTES = 256 * 2**20
_STORAGE_KEY = re.compile(r"[A-Za-z0-9_.\-]+")


def _zip_top_folder(archive: zipfile.ZipFile, archive_size: int) -> str:
    """The archive's single top folder, after refusing names that escape it and packed members."""
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
        if info.compress_type != zipfile.ZIP_STORED:
            raise WeightFileError(
                f"{name!r} is compressed; torch stores every member of a checkpoint as it is, "
                "and compressed storage could inflate a small file into gigabytes"
            )
        if info.compress_size != info.file_size or info.file_size > archive_size:
            raise WeightFileError(
                f"{name!r} declares {info.file_size} bytes but the archive holds "
                f"{min(info.compress_size, archive_size)}"
            )
        tops.add(parts[0])
    if len(tops) != 1:
        raise WeightFileError(f"a torch zip file has one top folder; this one has {len(tops)}")
    top = tops.pop()
    if f"{top}/data.pkl" not in names:
        raise WeightFileError(f"no {top}/data.pkl in the zip archive: not a torch file")
    return top


def _byteorder(archive: zipfile.ZipFile, top: str) -> str:
    if f"{top}/byteorder" not in archive.namelist():
        return "little"
    if archive.getinfo(f"{top}/byteorder").file_size > 16:
        raise WeightFileError("the byteorder member is longer than 16 bytes")
    byteorder = archive.read(f"{top}/byteorder").decode("ascii", "replace").strip()
    if byteorder not in ("little", "big"):
        raise WeightFileError(f"byteorder must be 'little' or 'big'; got {byteorder!r}")
    return byteorder


def load_torch_zip(archive: zipfile.ZipFile, archive_size: int, budget: Budget):
    """Read the state dict of a torch zip checkpoint (``archive_size``: the file's bytes)."""
    top = _zip_top_folder(archive, archive_size)
    names = set(archive.namelist())
    byteorder = _byteorder(archive, top)
    if archive.getinfo(f"{top}/data.pkl").file_size > _MAX_PICKLE_BYTES:
        raise WeightFileError(f"data.pkl is larger than {_MAX_PICKLE_BYTES} bytes")
    pickled = archive.read(f"{top}/data.pkl")
    buffer = io.BytesIO(pickled)
    data = read_pickle(buffer, len(pickled), "data.pkl", False, budget)
    if buffer.tell() != len(pickled):
        raise WeightFileError("data.pkl has bytes after the end of its pickle")
    storages: dict[str, StorageRef] = {}
    state = select_state_dict(unpickle(data, "data.pkl", storages))

    def read_storage(ref: StorageRef) -> np.ndarray:
        if not _STORAGE_KEY.fullmatch(ref.key) or ref.key in (".", ".."):
            raise WeightFileError(f"invalid storage key {short_repr(ref.key)}")
        member = f"{top}/data/{ref.key}"
        if member not in names:
            raise WeightFileError(
                f"storage {short_repr(ref.key)} is missing from the archive ({member})"
            )
        info = archive.getinfo(member)
        dtype = raw_dtype(ref.code)
        if byteorder == "big":
            if ref.code == "untyped":
                raise WeightFileError("untyped storages in big-endian files are not supported")
            dtype = dtype.newbyteorder(">")
        nbytes = ref.numel * dtype.itemsize
        if info.file_size != nbytes:
            raise WeightFileError(
                f"storage {short_repr(ref.key)}: {ref.numel} elements need {nbytes} bytes; "
                f"the archive holds {info.file_size}"
            )
        budget.allocate(nbytes, f"storage {short_repr(ref.key)}")
        raw = np.empty(ref.numel, dtype=dtype)
        with archive.open(info) as member_file:
            got = member_file.readinto(memoryview(raw).cast("B")) if nbytes else 0
        if got != nbytes:
            raise WeightFileError(
                f"storage {short_repr(ref.key)} is truncated ({got} of {nbytes} bytes)"
            )
        return decode_elements(raw, ref.code, budget, f"storage {short_repr(ref.key)}")

    return tensor_arrays(state, read_storage, budget)
