"""The restricted unpickler: torch's names map to harmless stand-ins and nothing is imported.

A torch checkpoint is a pickle, and unpickling a file can run any code its author chose
(``os.system``, ``eval``...). This unpickler knows only the names a state dict needs
(``OrderedDict``, torch's tensor-rebuild functions, the storage types and dtypes) and maps
them to the stand-ins below, which only record what the pickle says: a tensor becomes a
:class:`TensorRef` (storage, offset, sizes, strides), checked later against its storage.
Run it only on bytes that :func:`retrieval.nn._pickle_guard.read_pickle` accepted.
"""

from __future__ import annotations

import io
import pickle
from collections import OrderedDict

from ._weight_limits import WeightFileError, short_repr

__all__ = ["REFUSED_HINT", "StorageRef", "TensorRef", "check_global", "unpickle"]

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


class StorageRef(_Frozen):
    """A storage named in a persistent id: key, element type and element count."""

    __slots__ = ("key", "code", "numel")

    def __init__(self, key: str, code: str, numel: int):
        self.key, self.code, self.numel = key, code, numel

    def __repr__(self) -> str:
        return f"storage {self.key!r}"


class TensorRef(_Frozen):
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


def _tensor_ref(storage, offset, shape, strides, code=None) -> TensorRef:
    if not isinstance(storage, StorageRef):
        raise WeightFileError(
            f"a tensor must be built on a storage persistent id; got {type(storage).__name__}"
        )
    if type(offset) is not int:
        raise WeightFileError(
            f"a tensor's storage offset must be an int; got {type(offset).__name__}"
        )
    shape, strides = _int_tuple(shape, "size"), _int_tuple(strides, "stride")
    return TensorRef(storage, offset, shape, strides, storage.code if code is None else code)


def _rebuild_tensor(storage, storage_offset, size, stride, *_ignored):
    """Stand-in for ``torch._utils._rebuild_tensor`` and ``_rebuild_tensor_v2``."""
    if len(_ignored) > 3:
        raise WeightFileError(
            f"_rebuild_tensor_v2 takes at most 7 arguments; got {4 + len(_ignored)}"
        )
    if isinstance(storage, StorageRef) and storage.code == "untyped":
        raise WeightFileError("an untyped storage needs _rebuild_tensor_v3, which names the dtype")
    return _tensor_ref(storage, storage_offset, size, stride)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, hooks, dtype, *rest):
    """Stand-in for ``torch._utils._rebuild_tensor_v3`` (tensors on untyped storages)."""
    if len(rest) > 1:
        raise WeightFileError(f"_rebuild_tensor_v3 takes at most 8 arguments; got {7 + len(rest)}")
    if not isinstance(dtype, _Marker) or dtype.kind != "dtype":
        raise WeightFileError(f"_rebuild_tensor_v3 needs a torch dtype; got {type(dtype).__name__}")
    if isinstance(storage, StorageRef) and storage.code != "untyped":
        raise WeightFileError("_rebuild_tensor_v3 needs an untyped storage")
    return _tensor_ref(storage, storage_offset, size, stride, dtype.code)


def _rebuild_parameter(data, requires_grad, backward_hooks, *_ignored):
    """Stand-in for ``torch._utils._rebuild_parameter``: a parameter is its tensor."""
    if not isinstance(data, TensorRef):
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

REFUSED_HINT = (
    "a weight file may hold only a state dict of tensors (save model.state_dict(), "
    "not the model or other Python objects)"
)


def check_global(module: str, name: str):
    """The stand-in for ``module.name``; WeightFileError for any name a state dict never needs."""
    target = _ALLOWED_GLOBALS.get((module, name))
    if target is None:
        raise WeightFileError(f"refused the global {module}.{name}: {REFUSED_HINT}")
    return target


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that imports nothing: allowed names map to the stand-ins above."""

    def __init__(self, data: bytes, storages: dict | None):
        super().__init__(io.BytesIO(data))
        self.storages = storages  # key -> StorageRef, or None when no storage may appear

    def find_class(self, module, name):
        return check_global(module, name)

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
                f"storage {short_repr(key)} is a view of another storage (torch < 1.0 files)"
            )
        if not isinstance(storage_type, _Marker) or storage_type.kind != "storage":
            raise WeightFileError(
                f"persistent id names {type(storage_type).__name__}, not a storage type"
            )
        if not isinstance(key, str) or not isinstance(location, str):
            raise WeightFileError("a storage key and location must be strings")
        if type(numel) is not int or numel < 0:
            raise WeightFileError(
                f"storage {key!r} has an invalid element count {short_repr(numel)}"
            )
        known = self.storages.get(key)
        if known is None:
            known = self.storages[key] = StorageRef(key, storage_type.code, numel)
        elif (known.code, known.numel) != (storage_type.code, numel):
            raise WeightFileError(
                f"storage {key!r} is declared twice with different types or sizes"
            )
        return known


def unpickle(data: bytes, what: str, storages: dict | None):
    """Unpickle checked bytes with the stand-ins; ``storages`` collects the storages named."""
    try:
        return _RestrictedUnpickler(data, storages).load()
    except WeightFileError:
        raise
    except Exception as error:  # only the stand-ins above run: any failure is the file's
        raise WeightFileError(f"cannot read the {what}: {type(error).__name__}: {error}") from None
