"""The median of every window by a fixed network of minimum and maximum operations.

A sorting network sorts any list with a fixed sequence of compare-exchanges (the smaller value
to one wire, the larger to the other). Kept only where the middle wire needs it, it becomes a
selection network for the median. Run on whole shifted copies of an image at once, each
compare-exchange is one ``np.minimum`` and one ``np.maximum`` over every window together:
this is how :func:`imageops.median_filter` is fast for 3 x 3 and 5 x 5 windows.
"""

from __future__ import annotations

import numpy as np

# The classic median-of-9 exchange network (19 compare-exchanges): after it, wire 4 holds
# the median. Each pair (i, j) puts the smaller value on wire i and the larger on wire j.
MEDIAN9 = [(1, 2), (4, 5), (7, 8), (0, 1), (3, 4), (6, 7), (1, 2), (4, 5), (7, 8),
            (0, 3), (5, 8), (4, 7), (3, 6), (1, 4), (2, 5), (4, 7), (4, 2), (6, 4), (4, 2)]


def batcher_pairs(n: int) -> list[tuple[int, int]]:
    """Batcher's odd-even merge sorting network on n (a power of 2) wires."""
    pairs = []
    p = 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return pairs


def selection_network(pairs: list[tuple[int, int]], n: int
                       ) -> list[tuple[str, int, int, bool, bool]]:
    """Cut a sorting network on n (odd) values down to the steps the median needs.

    ``pairs`` may use more wires than n (Batcher's sorter needs a power of 2): the extra
    wires hold +infinity, so a compare-exchange with one of them is only a move. Walking back
    from the median wire, only the exchanges whose outputs are still needed are kept, and
    of each only the minimum and/or the maximum that is used.
    """
    wires = 1 + max(max(pair) for pair in pairs)
    infinite = set(range(n, wires))
    steps = []
    for i, j in pairs:
        if j in infinite:
            continue
        if i in infinite:                       # the finite value moves to wire i
            infinite.discard(i)
            infinite.add(j)
            steps.append(("swap", i, j))
        else:
            steps.append(("exchange", i, j))
    needed, kept = {n // 2}, []
    for kind, i, j in reversed(steps):
        if kind == "swap":
            needed = {j if w == i else i if w == j else w for w in needed}
            kept.append((kind, i, j, False, False))
        elif i in needed or j in needed:
            kept.append((kind, i, j, i in needed, j in needed))
            needed |= {i, j}
    return kept[::-1]


NETWORKS = {3: selection_network(MEDIAN9, 9),
             5: selection_network(batcher_pairs(32), 25)}


def network_median(padded: np.ndarray, shape: tuple[int, ...], size: int) -> np.ndarray:
    """Median of each window by a min/max network over shifted views, in row blocks."""
    out = np.empty(shape, dtype=padded.dtype)
    network = NETWORKS[size]
    row_values = int(np.prod(shape[1:]))
    block = max(1, 2**17 // row_values)          # about 128k values per block: stays in cache
    for top in range(0, shape[0], block):
        rows = min(block, shape[0] - top)
        wires = [padded[top + di:top + di + rows, dj:dj + shape[1]]
                 for di in range(size) for dj in range(size)]
        out[top:top + rows] = run_network(wires, network)
    return out


def run_network(wires: list[np.ndarray], network) -> np.ndarray:
    """Run a selection network over arrays of values, one array per wire; return the median.

    ``wires`` is changed in place; the result is the middle wire.
    """
    for kind, i, j, low, high in network:
        if kind == "swap":
            wires[i], wires[j] = wires[j], wires[i]
            continue
        a, b = wires[i], wires[j]
        if low:
            wires[i] = np.minimum(a, b)
        if high:
            wires[j] = np.maximum(a, b)
    return wires[len(wires) // 2]
