"""Read the weights of a Keras ``.h5`` file (``model.save_weights``, VGG16 "notop") through h5py.

Keys come out as ``"<layer>/kernel"`` and ``"<layer>/bias"``, in the order of the file's
``layer_names`` and ``weight_names`` attributes. Only hard links inside the file are
followed (no external files, soft links or virtual datasets), and each dataset's declared
size is counted by the load's :class:`Budget` before it is read. An HDF5 dataset can be
declared huge and left to a *fill value* (7.8 KB of file for 4 GB of array): a dataset
must therefore store data in the file, and one without compression filters all its bytes.
"""

from __future__ import annotations

import re

import numpy as np

from ._tensors import decode_elements
from ._weight_limits import Budget, WeightFileError, short_repr

__all__ = ["import_h5py", "load_keras_h5"]


def import_h5py():
    """The h5py module, or an ImportError saying how to install it."""
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
            raise WeightFileError(
                f"Keras .h5 entry {short_repr(path)} is {kind}; a hard link was expected"
            )
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


def _names(node, attribute: str, budget: Budget) -> list[str]:
    """A list-of-names attribute, its declared size checked before it is read."""
    if attribute not in node.attrs:
        return []
    declared = node.attrs.get_id(attribute)
    count = int(np.prod(declared.shape or (1,), dtype=object))
    budget.allocate(count * declared.dtype.itemsize, f"the attribute {attribute!r}")
    return [_text(name) for name in np.atleast_1d(node.attrs[attribute])]


def _read_dataset(h5py, dataset, where: str, budget: Budget) -> np.ndarray:
    if not isinstance(dataset, h5py.Dataset):
        raise WeightFileError(f"Keras weight {where} is not a dataset")
    if dataset.external or dataset.is_virtual:
        raise WeightFileError(f"Keras weight {where} points to other files")
    if dataset.dtype.kind not in "biuf":
        raise WeightFileError(f"Keras weight {where} has dtype {dataset.dtype}")
    nbytes = int(np.prod(dataset.shape, dtype=object)) * dataset.dtype.itemsize
    filters = dataset.id.get_create_plist().get_nfilters()
    stored = dataset.id.get_storage_size()
    if (not filters and stored != nbytes) or (nbytes and not stored):
        raise WeightFileError(
            f"Keras weight {where} declares {nbytes} bytes but the file stores {stored}; "
            "the rest would be made up from a fill value"
        )
    budget.allocate(nbytes, f"Keras weight {where}")
    array = np.asarray(dataset[()])
    return decode_elements(array, array.dtype.str, budget, f"Keras weight {where}")


def load_keras_h5(file, budget: Budget) -> dict[str, np.ndarray]:
    """Read a Keras .h5 weight file from an open binary file."""
    h5py = import_h5py()
    result: dict[str, np.ndarray] = {}
    with h5py.File(file, "r") as h5:
        has_model = h5.get("model_weights", getlink=True) is not None
        root = _h5_child(h5py, h5, "model_weights") if has_model else h5
        if "layer_names" not in root.attrs:
            raise WeightFileError("an .h5 file without 'layer_names': not a Keras weight file")
        for layer in _names(root, "layer_names", budget):
            group = _h5_child(h5py, root, layer)
            for weight in _names(group, "weight_names", budget):
                where = short_repr(f"{layer}/{weight}")
                dataset = _h5_child(h5py, group, weight)
                key = f"{layer}/{_keras_weight_name(layer, weight)}"
                if key in result:
                    raise WeightFileError(f"Keras weight {short_repr(key)} appears twice")
                result[key] = _read_dataset(h5py, dataset, where, budget)
    if not result:
        raise WeightFileError("the Keras .h5 file holds no weights")
    return result
