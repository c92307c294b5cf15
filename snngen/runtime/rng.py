"""Random numbers: ``seed(n)`` makes runs reproducible, as in Brian2.

One generator serves the Python side (``rand()`` in string assignments, random connections) and
spawns the bit generators of networks, whose compiled loops draw from them at C level (DESIGN
invariant 9). Chunked runs draw the same stream as unchunked ones, so a seed fixes a run exactly.
"""

from __future__ import annotations

import numpy as np

_state = {"generator": np.random.default_rng()}


def seed(value: int | None = None) -> None:
    """Seed snngen's random numbers (and numpy's global ones, which user scripts often use)."""
    _state["generator"] = np.random.default_rng(value)
    np.random.seed(value)


def generator() -> np.random.Generator:
    return _state["generator"]


def spawn_bit_generator() -> np.random.PCG64:
    """A new, independent bit generator derived from the current seed."""
    return np.random.PCG64(generator().integers(0, 2**63))
