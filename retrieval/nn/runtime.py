"""Running a network over many images: small chunks on worker threads, one BLAS thread.

:class:`~retrieval.nn.Model` hands this module a function that runs the network on a batch
and a batch of preprocessed images; :func:`map_images` cuts the batch into chunks, runs them
on worker threads and stacks the results.

Chunks of a few images
    A chunk holds up to ``CHUNK`` images and about ``CHUNK_PIXELS`` pixels (4 images at
    86x128 or 128x128, 1 at 224x224): small enough for a layer's activations to stay in the
    processor's cache from one operation to the next (measured: about 1.25x faster than
    chunks of 8, and about 1.1x less CPU time than one image at a time, at 86x128 and
    128x128).

An image's result does not depend on its batch
    OpenBLAS sums the ``K`` products of each output of a matrix product in an order that
    depends on the matrix's *shape* and on its *thread count*: one image gave features
    differing by up to ~1e-5 (relative ~1e-3 on small values) alone and in a chunk of four.
    So the layers give every image its own matrix products (a stack, one ``np.matmul``
    call: ``(N, H*W, C) @ (C, C_out)``), whose shapes depend on that image only, and BLAS
    is held to one thread (threadpoolctl) for the whole run: an image's result is the same
    bits alone, in any batch, in any chunk and with any number of workers.

Worker threads
    NumPy releases the GIL inside matrix products, ``einsum`` and element-wise operations,
    so ``WORKERS`` threads each running a chunk keep every core busy, depthwise
    convolutions included, where a multi-threaded BLAS would only speed up the products.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import ThreadpoolController

__all__ = ["CHUNK", "CHUNK_PIXELS", "WORKERS", "map_images"]

CHUNK = 4  # at most this many images per forward pass ...
CHUNK_PIXELS = 65_536  # ... and about this many pixels: the activations stay in cache
WORKERS = min(2, os.cpu_count() or 1)  # threads running chunks side by side


@functools.lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    """The BLAS libraries loaded in this process (found once: the search takes a while)."""
    return ThreadpoolController()


def map_images(run: Callable[[np.ndarray], np.ndarray], batch: np.ndarray,
               workers: int | None = None) -> np.ndarray:
    """``run`` on chunks of ``batch`` on worker threads, the results stacked.

    Parameters
    ----------
    run : callable
        Takes ``(n, H, W, C)`` and returns ``(n, ...)``, each image's result computed
        apart from the others' (as every layer of :mod:`~retrieval.nn.layers` does).
    batch : ndarray, shape (N, H, W, C)
    workers : int, optional
        Threads running chunks side by side (default :data:`WORKERS`). The result does not
        depend on it.

    Examples
    --------
    >>> import numpy as np
    >>> map_images(lambda x: x.sum(axis=(1, 2)), np.ones((3, 2, 2, 1), np.float32))
    array([[4.],
           [4.],
           [4.]], dtype=float32)
    """
    workers = WORKERS if workers is None else workers
    size = max(1, min(CHUNK, CHUNK_PIXELS // (batch.shape[1] * batch.shape[2])))
    chunks = [batch[start:start + size] for start in range(0, len(batch), size)]
    with _controller().limit(limits=1, user_api="blas"):
        if workers <= 1 or len(chunks) == 1:
            outputs = [run(chunk) for chunk in chunks]
        else:
            with ThreadPoolExecutor(min(workers, len(chunks))) as pool:
                outputs = list(pool.map(run, chunks))
    return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)
