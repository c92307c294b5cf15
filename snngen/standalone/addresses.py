"""The data addresses the compiled loop is called with, shared by in-process runs and the
standalone runner (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class AddressBook:
    """The data addresses of the arrays of the previous call, by identity. ``a.ctypes.data``
    costs about 2 µs per array (a network has tens), and from one call of the loop to the next
    most arrays are the same objects. An array keeps its address for its life (snngen never
    resizes one in place), and the book holds the arrays it lists, so their ids are not reused."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[np.ndarray, int]] = {}

    def addresses(self, arrays: Sequence[np.ndarray]) -> np.ndarray:
        known, self._known = self._known, {}
        for array in arrays:  # a listed array is alive, so its id is its own
            self._known[id(array)] = known.get(id(array)) or (array, array.ctypes.data)
        return np.array([self._known[id(array)][1] for array in arrays], dtype=np.uint64)
