"""Freed heap memory goes back to the system before a run only when there is much of it: pages
given back fault again (about 2 us each) when the run allocates."""

import numpy as np
import pytest

from snngen.runtime import heap

libc = heap._libc()
pytestmark = pytest.mark.skipif(libc is None or libc.mallinfo2 is None,
                                reason="needs glibc 2.33 or later")  # fmt: skip


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def test_much_freed_memory_goes_back_and_little_stays(monkeypatch):
    # 40 MiB in small arrays (inside the heap, below glibc's mmap threshold), every other one
    # freed: 20 MiB of holes, which the heap keeps (it returns only a free top by itself).
    arrays = [np.ones(4096) for _ in range(1280)]
    kept = arrays[1::2]
    del arrays
    assert libc.mallinfo2().fordblks > heap.TRIM_ABOVE
    before = resident_bytes()
    heap.return_freed_memory()
    assert before - resident_bytes() > 10 << 20  # most of the holes' pages left the process
    del kept

    trims = []
    monkeypatch.setattr(libc, "malloc_trim", trims.append)
    monkeypatch.setattr(heap, "TRIM_ABOVE", libc.mallinfo2().fordblks + 1)
    heap.return_freed_memory()
    assert trims == []
