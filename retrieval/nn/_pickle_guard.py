"""Check a pickle's opcodes before anything unpickles it, and refuse what a state dict never needs.

:mod:`pickletools` only parses: listing the opcodes runs nothing. While listing them,
:func:`read_pickle` follows the unpickler's stack with a size for every item, and refuses

* names other than the state dict ones, and opcodes a state dict never uses;
* memo indices beyond the opcodes seen so far (the C unpickler would allocate them);
* integers wider than 128 bits (hashing one costs its length, every time);
* nesting deeper than :data:`MAX_DEPTH` levels: CPython hashes nested tuples recursively in
  C, so 200,000 nested 1-tuples (200 KB, a few hundred bytes zipped) crash the process;
* tuples of more than :data:`MAX_TUPLE_NODES` items counted as a tree (thirty opcodes can
  build one of 2**30 items by sharing a memo entry, and hashing it would never finish);
* more work than the load's budget: one operation per opcode plus the size of the tuples
  each opcode consumes, so re-hashing the same tuple a million times is refused too.
"""

from __future__ import annotations

import pickletools

from ._unpickler import REFUSED_HINT, check_global
from ._weight_limits import Budget, WeightFileError

__all__ = ["MAX_DEPTH", "MAX_TUPLE_NODES", "read_pickle"]

#: Deepest nesting of containers and calls. A checkpoint ``{"model": state_dict}`` of
#: ``_rebuild_parameter(_rebuild_tensor_v2(storage, 0, (sizes), ...))`` needs about 9.
MAX_DEPTH = 32
#: Largest tuple, counted as a tree (shared parts counted each time they appear). The
#: biggest a state dict needs is a tensor's argument tuple: about 2 * dimensions + 8.
MAX_TUPLE_NODES = 1024
#: Widest integer: torch's magic number has 80 bits, element counts and offsets 64.
MAX_INT_BITS = 128

#: Opcodes never needed by a state dict: object construction paths other than REDUCE,
#: extension registry, text persistent ids and out-of-band buffers.
_REFUSED_OPCODES = {
    "INST", "OBJ", "EXT1", "EXT2", "EXT4", "PERSID", "NEWOBJ", "NEWOBJ_EX", "NEXT_BUFFER",
    "READONLY_BUFFER",
}  # fmt: skip
#: Opcodes that call, build or look up anything: refused in the plain-data pickles.
_CODE_OPCODES = {"GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD", "BINPERSID"}
_MEMO_OPCODES = {"PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"}
#: Opcodes making an immutable container (hashed recursively, item by item).
_HASHABLE_CONTAINERS = {"EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "FROZENSET"}
#: Opcodes adding items to the container below them on the stack.
_MUTATORS = {"APPEND", "APPENDS", "SETITEM", "SETITEMS", "ADDITEMS", "BUILD"}
_LEAF = (1, 0)  # (tuple nodes, depth) of a number, string, name...


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


class _Shapes:
    """Follows the pickle's stack with ``(tuple nodes, depth)`` for every item.

    Nodes count what hashing an item costs: the expanded size for tuples and frozensets,
    1 for everything else (lists and dicts cannot be hashed; the stand-ins hash by id).
    Depth counts the levels of containers and calls below an item.
    """

    def __init__(self, budget: Budget, what: str):
        self.stack: list = []  # (nodes, depth), with None for MARK
        self.memo: dict[int, tuple[int, int]] = {}
        self.budget, self.what = budget, what

    def pop(self) -> tuple[int, int]:
        if not self.stack or self.stack[-1] is None:
            raise WeightFileError("malformed pickle: an opcode finds too few items on the stack")
        return self.stack.pop()

    def step(self, opcode, arg) -> None:
        name = opcode.name
        if name in ("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"):
            top = self.pop()
            self.stack.append(top)
            self.memo[len(self.memo) if arg is None else arg] = top
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            self.stack.append(self.memo.get(arg, _LEAF))
        elif name == "MARK":
            self.stack.append(None)
        else:
            self._consume(name, opcode)
        self.budget.work(1, self.what)

    def _consume(self, name: str, opcode) -> None:
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
        self.budget.work(sum(nodes for nodes, _ in popped), self.what)
        if name == "DUP":
            self.stack += popped * 2
        elif name in _MUTATORS:  # popped[-1] is the container, the rest go into it
            nodes, depth = popped.pop()
            self._push(nodes, max([depth] + [d + 1 for _, d in popped]))
        elif opcode.stack_after:
            depth = 1 + max((d for _, d in popped), default=0) if popped else 0
            if name in _HASHABLE_CONTAINERS:
                nodes = 1 + sum(n for n, _ in popped)
                if nodes > MAX_TUPLE_NODES:
                    raise WeightFileError(
                        f"the {self.what} builds a tuple of more than {MAX_TUPLE_NODES} nested "
                        "items; a state dict needs a few dozen"
                    )
            else:
                nodes = 1
            self._push(nodes, 1 if name.startswith("EMPTY_") else depth)

    def _push(self, nodes: int, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise WeightFileError(
                f"the {self.what} nests containers more than {MAX_DEPTH} levels deep; "
                "a state dict needs about 9"
            )
        self.stack.append((nodes, depth))


def read_pickle(file, end: int, what: str, plain: bool, budget: Budget) -> bytes:
    """Check the opcodes of the pickle starting at ``file.tell()``; return its bytes.

    ``plain`` refuses every opcode that calls or builds anything (the legacy format's
    magic number, protocol, system information and key list are plain data). The file is
    left just after the pickle's STOP opcode.
    """
    start = file.tell()
    count = 0
    shapes = _Shapes(budget, what)
    try:
        for opcode, arg, _pos in pickletools.genops(_BoundedReader(file, end)):
            count += 1
            name = opcode.name
            if name in _REFUSED_OPCODES or (plain and name in _CODE_OPCODES):
                raise WeightFileError(f"the {what} uses the pickle opcode {name}; {REFUSED_HINT}")
            if name in _MEMO_OPCODES and not 0 <= arg <= count:
                raise WeightFileError(f"the {what} uses a memo index out of range ({arg})")
            if type(arg) is int and arg.bit_length() > MAX_INT_BITS:
                raise WeightFileError(
                    f"the {what} holds an integer of {arg.bit_length()} bits "
                    f"(at most {MAX_INT_BITS} in a weight file)"
                )
            if name == "GLOBAL":
                module, _, attr = arg.partition(" ")
                check_global(module, attr)
            shapes.step(opcode, arg)
    except WeightFileError:
        raise
    except Exception as error:  # pickletools only parses: truncation, unknown opcodes...
        raise WeightFileError(
            f"the {what} is not a valid pickle (truncated?): {type(error).__name__}: {error}"
        ) from None
    stop = file.tell()
    file.seek(start)
    return file.read(stop - start)
