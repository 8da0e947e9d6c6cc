"""Turn the tensors a checkpoint describes into checked NumPy arrays, within the load's budget.

A tensor is a view into a flat *storage*: an offset, sizes and strides in elements. Every
view is checked against its storage before NumPy sees it, so a crafted file cannot read
outside its own data, and every array is counted by the load's :class:`Budget` before it
is allocated. :func:`check_parameters` is the extra check for the weights of a network:
finite floating-point numbers only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ._unpickler import TensorRef
from ._weight_limits import Budget, WeightFileError, short_repr

__all__ = [
    "check_parameters",
    "decode_elements",
    "raw_dtype",
    "select_state_dict",
    "tensor_arrays",
]

#: Largest size of one axis, even in an empty tensor (NumPy refuses bigger shapes).
_MAX_SIZE = 2**40
_NESTED_KEYS = ("state_dict", "model_state_dict", "model", "net", "params")


def raw_dtype(code: str) -> np.dtype:
    """The dtype the bytes are stored in (bfloat16 as its 16-bit pattern, bool as bytes)."""
    return np.dtype({"bfloat16": "<u2", "bool": "u1", "untyped": "u1"}.get(code, code))


def decode_elements(raw: np.ndarray, code: str, budget: Budget, what: str) -> np.ndarray:
    """Stored elements -> native-endian array (bfloat16 widened exactly to float32).

    A conversion that makes a new array counts it in ``budget`` first.
    """
    if code == "untyped" or (code != "bfloat16" and code != "bool" and raw.dtype.isnative):
        return raw
    budget.allocate(raw.size * (4 if code == "bfloat16" else raw.itemsize), what)
    if code == "bfloat16":
        return (raw.astype(np.uint32) << 16).view(np.float32)
    if code == "bool":
        return raw != 0
    return raw.astype(raw.dtype.newbyteorder("="))


def _check_geometry(where: str, shape, strides, offset: int, numel: int) -> int:
    """Refuse a view that leaves its storage; return its element count."""
    if len(shape) != len(strides):
        raise WeightFileError(f"{where} has {len(shape)} sizes but {len(strides)} strides")
    if len(shape) > 32:
        raise WeightFileError(f"{where} has {len(shape)} dimensions (at most 32 supported)")
    if any(n < 0 for n in shape):
        raise WeightFileError(f"{where} has a negative size {short_repr(shape)}")
    if any(s < 0 for s in strides):
        raise WeightFileError(f"{where} has a negative stride {strides}; torch never writes one")
    if not 0 <= offset <= numel:
        raise WeightFileError(f"{where} starts at element {offset} of a storage of {numel}")
    count = math.prod(shape)
    if count == 0:
        if any(n > _MAX_SIZE for n in shape):
            raise WeightFileError(f"{where} is empty but has a size above 2**40: {shape}")
        return 0
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
    return count


def _tensor_array(name: str, ref: TensorRef, storage: np.ndarray, whole_ok: bool, budget):
    """Bounds-check ``ref`` against ``storage`` (1-D, elements); return ``(array, shared)``.

    With ``whole_ok``, a contiguous tensor covering its whole storage is returned without
    a copy (``shared`` is then True: the storage array now belongs to this tensor).
    """
    where = f"tensor {short_repr(name)}"
    shape, offset = ref.shape, ref.offset
    count = _check_geometry(where, shape, ref.strides, offset, storage.size)
    # the stride of an axis of size 1 is never used: 0 keeps NumPy's byte strides small
    strides = [s if n > 1 else 0 for n, s in zip(shape, ref.strides, strict=True)]
    if count == 0:
        return np.zeros(shape, dtype=storage.dtype), False
    contiguous = [math.prod(shape[i + 1 :]) if n > 1 else 0 for i, n in enumerate(shape)]
    if strides == contiguous:
        view = storage[offset : offset + count].reshape(shape)
        if whole_ok and count == storage.size:
            return view, True
    else:
        view = np.lib.stride_tricks.as_strided(
            storage[offset:], shape=shape, strides=[s * storage.itemsize for s in strides],
            writeable=False,
        )  # fmt: skip
    budget.allocate(count * storage.itemsize, where)
    return np.array(view, order="C"), False


def select_state_dict(obj) -> Mapping:
    """The mapping of tensors inside a checkpoint (``{"state_dict": ...}`` and the like)."""
    for _ in range(4):
        if not isinstance(obj, Mapping):
            raise WeightFileError(
                f"expected a state dict (a mapping of tensors); got {type(obj).__name__}"
            )
        if obj and all(isinstance(v, TensorRef) for v in obj.values()):
            return obj
        inner = next((obj[k] for k in _NESTED_KEYS if isinstance(obj.get(k), Mapping)), None)
        if inner is None:
            break
        obj = inner
    bad = next((k for k, v in obj.items() if not isinstance(v, TensorRef)), None)
    if bad is None:
        raise WeightFileError("the state dict is empty")
    raise WeightFileError(
        f"expected a state dict of tensors; entry {short_repr(bad)} holds a "
        f"{type(obj[bad]).__name__} (nested checkpoints are looked up under "
        f"{', '.join(map(repr, _NESTED_KEYS))})"
    )


def tensor_arrays(state: Mapping, read_storage, budget: Budget) -> dict[str, np.ndarray]:
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
            storage = _view_bytes(storage, ref.code, name, budget)
        array, shared = _tensor_array(name, ref, storage, key not in given, budget)
        if shared:
            given.add(key)
        result[name] = array
    return result


def _view_bytes(raw: np.ndarray, code: str, name: str, budget: Budget) -> np.ndarray:
    dtype = raw_dtype(code)
    if raw.size % dtype.itemsize:
        raise WeightFileError(
            f"tensor {short_repr(name)}: an untyped storage of {raw.size} bytes is not a whole "
            f"number of {dtype.itemsize}-byte elements"
        )
    return decode_elements(raw.view(dtype), code, budget, f"tensor {short_repr(name)}")


def check_parameters(weights: Mapping[str, np.ndarray]) -> None:
    """Refuse weights a network cannot use: NaN, infinities, or numbers that are not floats.

    Integer step counters (``*.num_batches_tracked``, BatchNorm's) are the one exception.
    The WeightFileError names the first tensor at fault.

    Examples
    --------
    >>> import numpy as np
    >>> from retrieval.nn._tensors import check_parameters
    >>> check_parameters({"w": np.ones(2, np.float32), "bn.num_batches_tracked": np.array(3)})
    >>> check_parameters({"w": np.array([1.0, np.nan], np.float32)})
    Traceback (most recent call last):
        ...
    retrieval.nn.weights.WeightFileError: tensor 'w' holds NaN or infinite values \
(1 of 2); a network's weights must be finite numbers
    """
    for name, array in weights.items():
        if array.dtype.kind == "f":
            if array.size and not (np.isfinite(array.max()) and np.isfinite(array.min())):
                bad = int(array.size - np.count_nonzero(np.isfinite(array)))
                raise WeightFileError(
                    f"tensor {short_repr(name)} holds NaN or infinite values ({bad} of "
                    f"{array.size}); a network's weights must be finite numbers"
                )
        elif not (name.endswith("num_batches_tracked") and array.dtype.kind in "iu"):
            raise WeightFileError(
                f"tensor {short_repr(name)} has dtype {array.dtype}; a network's weights are "
                "floating-point numbers (float16, bfloat16, float32 or float64)"
            )
