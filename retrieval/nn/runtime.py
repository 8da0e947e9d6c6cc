"""Running a network over many images: one image at a time, on worker threads, one BLAS thread.

:class:`~retrieval.nn.Model` hands this module a function that runs the network on *one*
image (a batch of one) and a batch of preprocessed images; :func:`map_images` calls it on
every image and stacks the results.

Why one image at a time
    The result for an image must not depend on which other images share its batch. The
    matrix products of the 1x1 convolutions go to BLAS (OpenBLAS here), and OpenBLAS sums
    the ``K`` products of each output in an order that depends on the matrix's *shape* (how
    many rows: the images in the batch times their cells) and on its *thread count*: the
    same image gave float32 features differing by up to ~1e-5 (relative ~1e-3 on small
    values) alone and in a batch of four. Run alone, an image always makes matrices of the
    same shape, so its result is the same in every batch, bit for bit.

Why worker threads with one BLAS thread each
    NumPy releases the GIL inside matrix products, ``einsum`` and element-wise operations,
    so ``WORKERS`` threads each running one image keep every core busy, depthwise
    convolutions included, where a multi-threaded BLAS would only speed up the matrix
    products. BLAS is held to one thread (threadpoolctl) for the whole run, whatever the
    number of workers, so that the thread count never changes a result either.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import ThreadpoolController

__all__ = ["WORKERS", "map_images"]

WORKERS = min(2, os.cpu_count() or 1)  # threads running images side by side


@functools.lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    """The BLAS libraries loaded in this process (found once: the search takes a while)."""
    return ThreadpoolController()


def map_images(run_one: Callable[[np.ndarray], np.ndarray], batch: np.ndarray,
               workers: int | None = None) -> np.ndarray:
    """``run_one`` on each image of ``batch`` alone (a batch of one), the results stacked.

    Parameters
    ----------
    run_one : callable
        Takes ``(1, H, W, C)`` and returns ``(1, ...)``.
    batch : ndarray, shape (N, H, W, C)
    workers : int, optional
        Threads running images side by side (default :data:`WORKERS`). The result does not
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
    images = [batch[index:index + 1] for index in range(len(batch))]
    with _controller().limit(limits=1, user_api="blas"):
        if workers <= 1 or len(images) == 1:
            outputs = [run_one(image) for image in images]
        else:
            with ThreadPoolExecutor(min(workers, len(images))) as pool:
                outputs = list(pool.map(run_one, images))
    return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)
