"""Handing memory that numpy freed back to the system before a run."""

from __future__ import annotations

import ctypes
import functools
from typing import Any

# Free heap memory below this stays with the process: pages given back cost a fault (about 2 us
# here) each when the run allocates again, 100 of them in a 1 s run of a 4,000-neuron network.
TRIM_ABOVE = 4 << 20


class _MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (glibc 2.33 and later)."""

    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]  # fmt: skip


def return_freed_memory() -> None:
    """Give the heap's free pages back to the system, where the C library can (glibc), if they
    are more than :data:`TRIM_ABOVE`.

    Building a network (millions of connection pairs, dense weight matrices, string
    assignments) frees large temporaries in the middle of the heap, which would otherwise stay
    in the process's memory for the whole run (12 MiB at N = 100,000).
    """
    libc = _libc()
    if libc is None:
        return
    if libc.mallinfo2 is None or libc.mallinfo2().fordblks > TRIM_ABOVE:
        libc.malloc_trim(0)


class _Libc:
    def __init__(self, library: Any) -> None:
        self.malloc_trim = library.malloc_trim
        self.mallinfo2 = getattr(library, "mallinfo2", None)
        if self.mallinfo2 is not None:
            self.mallinfo2.restype = _MallInfo2


@functools.cache
def _libc() -> _Libc | None:
    library = ctypes.CDLL(None)
    return _Libc(library) if hasattr(library, "malloc_trim") else None
