"""The weight reader's one error type and the budget that bounds what a file may cost.

Every problem with the content of a weight file is a :class:`WeightFileError`. A
:class:`Budget` is made for each load from the limits of :mod:`retrieval.nn.weights`
(``MAX_TENSOR_BYTES``, ``MAX_TOTAL_BYTES``, ``MAX_PICKLE_OPERATIONS``); the readers ask it
before every allocation and count the work of every pickle, so a small crafted file can
neither fill the memory nor keep the reader busy for hours.
"""

from __future__ import annotations

import reprlib

__all__ = ["Budget", "WeightFileError", "short_repr"]


class WeightFileError(ValueError):
    """A weight file is malformed, truncated, too big, or holds something a state dict must not.

    Examples
    --------
    >>> from retrieval.nn.weights import WeightFileError
    >>> issubclass(WeightFileError, ValueError)
    True
    """

    __module__ = "retrieval.nn.weights"  # where users import it from (and tracebacks say)


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlevel = 3


def short_repr(value) -> str:
    """``repr(value)`` cut to a readable length (a key in a message can be a crafted giant)."""
    return _REPR.repr(value)


def _size(nbytes: int) -> str:
    """``1536`` -> ``'1536 bytes'``, ``3 * 2**30`` -> ``'3.0 GiB'``."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes} bytes"


class Budget:
    """What one load may still allocate and compute.

    Parameters
    ----------
    max_tensor_bytes, max_total_bytes : int
        The largest single array, and the sum of every array the load allocates (storages
        read from the file and the tensors cut from them).
    max_operations : int
        The pickle work allowed: one per opcode plus, for every opcode, the size of the
        tuples it consumes (what hashing them as dict keys costs).

    Examples
    --------
    >>> from retrieval.nn._weight_limits import Budget
    >>> budget = Budget(100, 150, 1000)
    >>> budget.allocate(80, "tensor 'a'")
    >>> budget.allocate(80, "tensor 'b'")
    Traceback (most recent call last):
        ...
    retrieval.nn.weights.WeightFileError: tensor 'b' would bring the arrays of this \
file to 160 bytes, above the limit of 150 bytes (MAX_TOTAL_BYTES; raise it with \
load_state_dict(..., max_total_bytes=...) for a file you trust)
    """

    def __init__(self, max_tensor_bytes: int, max_total_bytes: int, max_operations: int):
        self.max_tensor_bytes = max_tensor_bytes
        self.max_total_bytes = max_total_bytes
        self.max_operations = max_operations
        self.total_bytes = 0
        self.operations = 0

    def allocate(self, nbytes: int, what: str) -> None:
        """Count ``nbytes`` about to be allocated for ``what``; refuse them beyond a limit."""
        if nbytes > self.max_tensor_bytes:
            raise WeightFileError(
                f"{what} declares {_size(nbytes)}, above the limit of "
                f"{_size(self.max_tensor_bytes)} for one array (MAX_TENSOR_BYTES; raise it "
                "with load_state_dict(..., max_tensor_bytes=...) for a file you trust)"
            )
        self.total_bytes += nbytes
        if self.total_bytes > self.max_total_bytes:
            raise WeightFileError(
                f"{what} would bring the arrays of this file to {_size(self.total_bytes)}, "
                f"above the limit of {_size(self.max_total_bytes)} (MAX_TOTAL_BYTES; raise it "
                "with load_state_dict(..., max_total_bytes=...) for a file you trust)"
            )

    def work(self, operations: int, what: str) -> None:
        """Count pickle operations; refuse a pickle that needs more than allowed."""
        self.operations += operations
        if self.operations > self.max_operations:
            raise WeightFileError(
                f"the {what} needs more than {self.max_operations} pickle operations; a state "
                "dict needs a few per tensor (MAX_PICKLE_OPERATIONS; raise it with "
                "load_state_dict(..., max_pickle_operations=...) for a file you trust)"
            )
