"""Imported by every training worker as it starts (`dask worker --preload core.classserver.worker_warmup`).

- The modules a scikit-learn training needs, loaded once, so the first student a worker serves does not wait for
  them (measured: the first job on a fresh worker took 1.5-2 s longer). TensorFlow is not loaded here: ~500 MB and
  5-10 s of CPU per worker, for the few lessons that use Keras; the first Keras job on a worker pays it.
- Freed memory is reused, not handed back to the system at once. Dask's nanny starts workers with
  MALLOC_TRIM_THRESHOLD_=65536, which also switches off glibc's adaptive mmap threshold: every epoch's shuffled copy
  of the training set (25 MB for 8,000 MNIST images) was then a fresh mmap, page-faulted and zeroed, and the same
  training ran 10-15% slower than outside Dask. Arrays up to 32 MB now come from the heap and are reused; the heap
  is trimmed once 256 MB lie free at its top.
"""

import ctypes

import sklearn.neural_network  # noqa: F401

import core.classserver.training_job  # noqa: F401
import core.models.sklearn_backend  # noqa: F401

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


def reuse_freed_memory(mmap_threshold: int = 32 << 20, trim_threshold: int = 256 << 20) -> bool:
    """glibc's malloc: allocations below `mmap_threshold` (32 MB is glibc's documented largest) from the heap,
    trimmed past `trim_threshold` free. True if glibc took both; False where there is no glibc (nothing changes)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    took = [libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold), libc.mallopt(M_TRIM_THRESHOLD, trim_threshold)]
    return all(took)


reuse_freed_memory()
