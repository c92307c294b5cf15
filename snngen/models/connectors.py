"""Connectors (BrainPy's names): how a projection's synapses are created."""

from __future__ import annotations

from typing import Any

import numpy as np

from snngen.errors import ModelError


class FixedProb:
    """Each pair connected with probability ``prob`` (self-pairs optional when pre is post)."""

    def __init__(self, prob: float, include_self: bool = True) -> None:
        if not 0 <= prob <= 1:
            raise ModelError(f"FixedProb: prob must lie in [0, 1], got {prob!r}")
        self.prob, self.include_self = float(prob), include_self

    def connect(self, synapses: Any, same_population: bool) -> None:
        if same_population and not self.include_self:
            synapses.connect(condition="i != j", p=self.prob)
        else:
            synapses.connect(p=self.prob)


class All2All:
    """Every pair (self-pairs optional when pre is post)."""

    def __init__(self, include_self: bool = True) -> None:
        self.include_self = include_self

    def connect(self, synapses: Any, same_population: bool) -> None:
        if same_population and not self.include_self:
            synapses.connect(condition="i != j")
        else:
            synapses.connect()


class OneToOne:
    """Neuron i to neuron i."""

    def connect(self, synapses: Any, same_population: bool) -> None:
        if synapses.source.N != synapses.target.N:
            raise ModelError("OneToOne needs populations of equal size")
        synapses.connect(j="i")


class FromMatrix:
    """A synapse per non-zero entry of a (pre × post) matrix; the entries become ``weight``."""

    def __init__(self, matrix: Any) -> None:
        self.matrix = matrix if hasattr(matrix, "tocsr") else np.asarray(matrix)

    def connect(self, synapses: Any, same_population: bool) -> None:
        synapses.connect_weights(self.matrix, variable="weight")


def _choose(rng: np.random.Generator, population: int, count: int, rows: int,
            exclude_self: bool) -> np.ndarray:  # fmt: skip
    """``count`` distinct indices from ``population`` for each of ``rows`` rows."""
    available = population - (1 if exclude_self else 0)
    if count > available:
        raise ModelError(f"cannot choose {count} distinct partners out of {available}")
    chosen = np.empty((rows, count), dtype=np.int64)
    for row in range(rows):
        picks = rng.choice(available, size=count, replace=False)
        if exclude_self:
            picks[picks >= row] += 1  # skip the neuron itself
        chosen[row] = np.sort(picks)
    return chosen


class _FixedNumber:
    """Exactly ``num`` distinct partners for every neuron of one side (``per``)."""

    per = "post"

    def __init__(self, num: int, include_self: bool = True) -> None:
        self.num, self.include_self = int(num), include_self

    def connect(self, synapses: Any, same_population: bool) -> None:
        from snngen.runtime.rng import generator

        exclude = same_population and not self.include_self
        rows, partners = synapses.target.N, synapses.source.N
        if self.per == "pre":
            rows, partners = partners, rows
        chosen = _choose(generator(), partners, self.num, rows, exclude).ravel()
        owners = np.repeat(np.arange(rows), self.num)
        if self.per == "post":
            synapses.connect(i=chosen, j=owners)
        else:
            synapses.connect(i=owners, j=chosen)


class FixedPreNum(_FixedNumber):
    """Each postsynaptic neuron gets exactly ``num`` distinct presynaptic partners."""

    per = "post"


class FixedPostNum(_FixedNumber):
    """Each presynaptic neuron gets exactly ``num`` distinct postsynaptic partners."""

    per = "pre"
