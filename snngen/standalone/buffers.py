"""Sizes of monitor buffers, shared by the in-process monitors and the standalone runner."""

from __future__ import annotations

from collections.abc import MutableMapping

import numpy as np


def grow_spike_buffers(buffers: MutableMapping[str, np.ndarray], size: int, capacity: int) -> int:
    """Make room in a spike monitor's ``indices`` and ``times`` for one more step of a group of
    ``size`` neurons (the compiled loop returns before a step that could overflow them); the
    buffers double, so that a run of ``n`` spikes copies O(n) values. Returns the capacity."""
    stored = int(buffers["stored"][0])
    if stored + size <= capacity:
        return capacity
    capacity = 2 * (stored + size)
    for name in ("indices", "times"):
        grown = np.zeros(capacity, dtype=buffers[name].dtype)
        grown[:stored] = buffers[name][:stored]
        buffers[name] = grown
    return capacity


def sample_steps(start: int, stop: int, every: int) -> tuple[int, int]:
    """The first step on the ``every``-step grid at or after ``start``, and how many grid steps
    lie in ``[start, stop)``: where a state monitor records during a run."""
    first = -(-start // every) * every
    return first, max(0, (stop - 1 - first) // every + 1) if first < stop else 0
