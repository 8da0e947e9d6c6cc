"""The index file format: write an index atomically, read it back checked, memory-map it.

Version 1 is one uncompressed ``.npz`` archive, read with ``allow_pickle=False``:

===========  ============================================================
``format``   the string ``"retrieval-lab index"``
``version``  the integer 1
``features`` float32 ``(N, D)``, one row per image (64-byte aligned in the file)
``ids``      unicode ``(N,)``, unique
``metric``   ``"cosine"``, ``"correlation"``, ``"l1"`` or ``"l2"``
``config``   the extractor's ``.config`` as a JSON string, with ``"root"``: the absolute
             folder that file ids are relative to (absent in older files)
===========  ============================================================

:func:`write_index` writes a temporary file in the same folder and renames it over the
target (``os.replace``), so an interrupted save leaves any earlier index intact.
``read_index(mmap=True)`` maps ``features`` straight from the archive (it is stored
uncompressed and aligned), so a large database is paged in from disk as searches touch it
instead of being read whole.
"""

from __future__ import annotations

import json
import os
import pathlib
import secrets
import struct
import zipfile
from typing import Any, NamedTuple

import numpy as np

from .features import features_from_config
from .results import DESCRIPTIONS

__all__ = ["IndexFileError", "IndexContents", "read_index", "write_index",
           "FORMAT_NAME", "FORMAT_VERSION"]

FORMAT_NAME = "retrieval-lab index"
FORMAT_VERSION = 1
_ALIGN = 64
_KEYS = ("format", "version", "features", "ids", "metric", "config")
_READ_ERRORS = (ValueError, OSError, zipfile.BadZipFile, EOFError)


class IndexFileError(ValueError):
    """A file that is not a valid index (wrong format, version, contents or types)."""


class IndexContents(NamedTuple):
    """What an index file holds: the extractor (rebuilt from its config) and the data."""

    extractor: Any
    metric: str
    ids: list[str]
    vectors: np.ndarray
    root: str | None = None  # the images' folder (config key "root"; absent in older files)


def write_index(path: str | os.PathLike, vectors: np.ndarray, ids: list[str], metric: str,
                config: dict) -> pathlib.Path:
    """Write one index file atomically; return the path (``.npz`` appended when missing).

    The file is first written beside the target under a temporary name and then renamed
    over it, so a save that fails half way leaves an existing index untouched. (On Windows,
    a file that is memory-mapped by ``read_index(mmap=True)`` cannot be replaced.)
    """
    path = pathlib.Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays = {
        "features": np.ascontiguousarray(vectors, dtype=np.float32),
        "ids": np.array(ids, dtype=str) if len(ids) else np.array([], dtype="<U1"),
        "format": np.array(FORMAT_NAME),
        "version": np.array(FORMAT_VERSION, dtype=np.int64),
        "metric": np.array(metric),
        "config": np.array(json.dumps(config)),
    }
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as stream:
            _write_npz(stream, arrays)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    return path


def read_index(path: str | os.PathLike, mmap: bool = False) -> IndexContents:
    """Read and check an index file written by :func:`write_index`.

    Raises ``FileNotFoundError`` for a missing file and :class:`IndexFileError` for
    anything that is not a valid index: not a zip archive, an unknown version, missing or
    unexpected entries, wrong dtypes or shapes, object arrays (never loaded), or an unknown
    extractor config. Memory-mapped features are not scanned for NaN.
    """
    path = pathlib.Path(path)
    where = os.fspath(path)
    with _open_archive(path) as archive:
        names = set(archive.files)
        missing = [key for key in _KEYS if key not in names]
        unexpected = sorted(names - set(_KEYS))
        if missing or unexpected:
            raise IndexFileError(f"{where} is not a valid index: missing entries "
                                 f"{missing}, unexpected entries {unexpected}")

        def entry(key: str) -> np.ndarray:
            try:
                return archive[key]
            except _READ_ERRORS as error:
                raise IndexFileError(f"{where}: cannot read entry {key!r} safely "
                                     f"({error})") from None

        _check_version(entry("format"), entry("version"), where)
        metric = _text(entry("metric"), "metric", where)
        if metric not in DESCRIPTIONS:
            raise IndexFileError(f"{where}: unknown metric {metric!r}; expected one of "
                                 f"{tuple(DESCRIPTIONS)}")
        try:
            config = json.loads(_text(entry("config"), "config", where))
            root = config.pop("root", None) if isinstance(config, dict) else None
            if root is not None and not isinstance(root, str):
                raise ValueError(f"root must be a folder name; got {root!r}")
            extractor = features_from_config(config)
        except (ValueError, TypeError) as error:
            raise IndexFileError(f"{where}: bad extractor config: {error}") from None
        ids = entry("ids")
        if ids.ndim != 1 or ids.dtype.kind != "U":
            raise IndexFileError(f"{where}: ids must be a 1-D unicode array; got dtype "
                                 f"{ids.dtype}, shape {ids.shape}")
        vectors = _memmap_member(path, "features") if mmap else entry("features")
    _check_vectors(vectors, ids, check_finite=not mmap, where=where)
    return IndexContents(extractor, metric, ids.tolist(), vectors, root)


def _open_archive(path: pathlib.Path) -> np.lib.npyio.NpzFile:
    """The file as an ``.npz`` archive (never unpickling), or a clear error."""
    where = os.fspath(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such index file: {where!r}")
    with open(path, "rb") as stream:
        magic = stream.read(6)
    if magic == b"\x93NUMPY":
        raise IndexFileError(f"{where} is a single .npy array, not an index archive (.npz)")
    if not magic.startswith(b"PK\x03\x04"):
        raise IndexFileError(f"{where} is not an index file (an index is a .npz archive, "
                             "which is a zip file; this one is not)")
    try:
        archive = np.load(path, allow_pickle=False)
    except _READ_ERRORS as error:
        raise IndexFileError(f"{where} is not an index file (a .npz archive): "
                             f"{error}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):  # pragma: no cover - checked above
        raise IndexFileError(f"{where} is a single .npy array, not an index archive (.npz)")
    return archive


def _check_version(fmt: np.ndarray, version: np.ndarray, where: str) -> None:
    name = _text(fmt, "format", where)
    if name != FORMAT_NAME:
        raise IndexFileError(f"{where}: format is {name!r}, expected {FORMAT_NAME!r}")
    if version.shape != () or version.dtype.kind not in "iu":
        raise IndexFileError(f"{where}: version must be an integer; got dtype "
                             f"{version.dtype}, shape {version.shape}")
    if int(version) != FORMAT_VERSION:
        raise IndexFileError(f"{where}: index format version {int(version)} is not "
                             f"supported (this library reads version {FORMAT_VERSION})")


def _check_vectors(vectors: np.ndarray, ids: np.ndarray, check_finite: bool,
                   where: str) -> None:
    if vectors.dtype != np.float32 or vectors.ndim != 2 or len(vectors) != len(ids):
        raise IndexFileError(f"{where}: features must be float32 (N, D) with N = "
                             f"{len(ids)} ids; got dtype {vectors.dtype}, shape "
                             f"{vectors.shape}")
    if check_finite and not np.isfinite(vectors).all():
        raise IndexFileError(f"{where}: features contain NaN or infinity")
    if len(np.unique(ids)) != len(ids):
        raise IndexFileError(f"{where}: ids are not unique")


def _text(array: np.ndarray, key: str, where: str) -> str:
    if array.shape != () or array.dtype.kind != "U":
        raise IndexFileError(f"{where}: {key} must be a unicode string; got dtype "
                             f"{array.dtype}, shape {array.shape}")
    return str(array)



def _write_npz(stream, arrays: dict[str, np.ndarray]) -> None:
    """An uncompressed .npz that np.load reads, with every array's data 64-byte aligned.

    Alignment comes from a padding field in each member's zip header (id 0xD935, the one
    Android's zipalign uses), so that ``_memmap_member`` can map the data in place.
    """
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            # local header: 30 bytes + name + our padding + 20 bytes of zip64 sizes
            header = 30 + len(info.filename.encode()) + 20
            pad = -(stream.tell() + header) % _ALIGN
            if 0 < pad < 4:
                pad += _ALIGN
            if pad:
                info.extra = struct.pack("<HH", 0xD935, pad - 4) + bytes(pad - 4)
            with zf.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _memmap_member(path: pathlib.Path, key: str) -> np.ndarray:
    """Memory-map an uncompressed .npy member of a .npz archive, read-only."""
    where = os.fspath(path)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(f"{key}.npy")
    if info.compress_type != zipfile.ZIP_STORED:
        raise IndexFileError(f"{where}: {key} is compressed and cannot be memory-mapped; "
                             "load with mmap=False (or save the index again)")
    with open(path, "rb") as stream:
        stream.seek(info.header_offset)
        local = stream.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise IndexFileError(f"{where}: damaged zip header for {key}")
        name_length, extra_length = struct.unpack("<HH", local[26:30])
        stream.seek(info.header_offset + 30 + name_length + extra_length)
        try:
            version = np.lib.format.read_magic(stream)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}[version]
            shape, fortran, dtype = read_header(stream)
        except (ValueError, KeyError) as error:
            raise IndexFileError(f"{where}: damaged array header for {key}: {error}") from None
        offset = stream.tell()
    if dtype.hasobject:
        raise IndexFileError(f"{where}: cannot read entry {key!r} safely (it holds Python "
                             "objects, which are never loaded)")
    if fortran:
        raise IndexFileError(f"{where}: {key} must be a C-ordered array")
    if offset + dtype.itemsize * int(np.prod(shape)) > info.header_offset + 30 + \
            name_length + extra_length + info.file_size:
        raise IndexFileError(f"{where}: {key} is larger than its zip member")
    if 0 in shape:
        return np.empty(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)
