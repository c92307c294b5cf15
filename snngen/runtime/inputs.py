"""Inputs with Brian2's names: ``PoissonGroup``, ``PoissonInput``, ``SpikeGeneratorGroup``.

``PoissonGroup`` is a neuron group whose threshold is ``rand() < rates*dt``. ``PoissonInput``
adds, every step and to every target neuron, ``weight`` times a binomial draw: the number of
spikes of ``N`` independent Poisson sources in one step (exact inversion for small means; for
large means the normal approximation, as Brian2 does). ``SpikeGeneratorGroup`` emits given
spikes (optionally repeated every ``period``), rounded to the step grid.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from snngen.equations.text import Location, parse_tree
from snngen.errors import IdentifierError, ModelError
from snngen.runtime.clock import time_value
from snngen.runtime.group import Group, NeuronGroup, created_at, default_name, register
from snngen.units.catalogue import UNITS
from snngen.units.quantity import Quantity, get_dimension, strip

HERTZ = UNITS["Hz"].dim


class PoissonGroup(NeuronGroup):
    """``N`` independent Poisson spike trains with ``rates`` (a rate, array, or expression)."""

    def __init__(
        self,
        N: int,
        rates: Any,
        dt: Quantity | None = None,
        name: str | None = None,
        namespace: Mapping[str, Any] | None = None,
    ) -> None:
        model = f"rates = {rates} : Hz" if isinstance(rates, str) else "rates : Hz"
        super().__init__(N, model, threshold="rand() < rates*dt", dt=dt, name=name,
                         namespace=namespace)  # fmt: skip
        object.__setattr__(self, "created_at", created_at(1))
        if not isinstance(rates, str):
            self.rates = rates


class SpikeGeneratorGroup(NeuronGroup):
    """Neurons that spike at given times: ``indices[k]`` fires at ``times[k]``."""

    def __init__(self, N: int, indices: Any, times: Quantity,
                 period: Quantity | None = None, dt: Quantity | None = None,
                 name: str | None = None) -> None:  # fmt: skip
        super().__init__(N, "", dt=dt, name=name)
        object.__setattr__(self, "created_at", created_at(1))
        self.set_spikes(indices, times, period)

    def set_spikes(self, indices: Any, times: Quantity, period: Quantity | None = None) -> None:
        """Replace the spikes to generate (as Brian2's ``set_spikes``)."""
        indices = np.asarray(indices, dtype=np.int64).ravel()
        seconds = np.asarray(strip(times), dtype=float).ravel()
        if get_dimension(times) != UNITS["second"].dim and len(seconds):
            raise ModelError("SpikeGeneratorGroup times must be times (e.g. [1, 2]*ms)")
        if indices.shape != seconds.shape:
            raise ModelError("SpikeGeneratorGroup needs as many indices as times")
        if len(indices) and (indices.min() < 0 or indices.max() >= self.N):
            raise ModelError(f"SpikeGeneratorGroup indices must lie in [0, {self.N})")
        object.__setattr__(self, "spike_indices", indices)
        object.__setattr__(self, "spike_times", seconds)
        object.__setattr__(self, "period", 0.0 if period is None else time_value(period, "period"))
        object.__setattr__(self, "runtime", {})

    def before_run(self, run: Any) -> None:
        """The events of this run as sorted (step, index) arrays, with a read position."""
        steps = np.rint(self.spike_times / run.dt).astype(np.int64)
        indices = self.spike_indices
        if self.period > 0:
            period = round(self.period / run.dt)
            if len(steps) and steps.max() >= period:
                raise ModelError("SpikeGeneratorGroup spikes must fall within one period")
            repeats = np.arange(run.start // period, run.stop // period + 1)
            steps = (steps[None, :] + period * repeats[:, None]).ravel()
            indices = np.tile(indices, len(repeats))
        keep = (steps >= run.start) & (steps < run.stop)
        steps, indices = steps[keep], indices[keep]
        order = np.lexsort((indices, steps))
        steps, indices = steps[order], indices[order]
        duplicate = (np.diff(steps) == 0) & (np.diff(indices) == 0)
        if duplicate.any():
            raise ModelError(f"{self.name}: neuron {indices[1:][duplicate][0]} would spike twice "
                             "in one time step")  # fmt: skip
        self.runtime.update(steps=steps, indices=indices.astype(np.int32),
                            position=np.zeros(1, dtype=np.int64), events=len(steps))  # fmt: skip

    def after_chunk(self, run: Any) -> None:
        """Nothing to do between chunks."""

    def after_run(self, run: Any) -> None:
        """Nothing to keep."""


class PoissonInput:
    """Adds ``weight`` × Binomial(``N``, ``rate``·dt) to ``target_var`` of every neuron of
    ``target``, every step (in the synapses slot, as Brian2's)."""

    when = "synapses"

    def __init__(self, target: Group, target_var: str, N: int, rate: Quantity,
                 weight: Any) -> None:  # fmt: skip
        if not isinstance(target, Group):
            raise ModelError(f"PoissonInput needs a NeuronGroup or subgroup, got {target!r}")
        if target_var not in target._owner.variables:
            raise IdentifierError(f"{target._owner.name} has no variable {target_var!r}",
                                  identifier=target_var)  # fmt: skip
        if get_dimension(rate) != HERTZ:
            raise ModelError(f"the rate of PoissonInput must be in Hz, got {rate!r}")
        if not isinstance(N, int | np.integer) or N < 0:
            raise ModelError(f"N must be a non-negative integer, got {N!r}")
        self.source = target
        self.target_var = target_var
        self.N = int(N)
        self.rate = float(strip(rate))
        self._code = weight if isinstance(weight, str) else None  # as written, for structure()
        if self._code is not None:
            parse_tree(weight, Location(weight))  # syntax errors now
        self._weight = weight
        expected = target._owner.variables[target_var].dim
        if not isinstance(weight, str) and get_dimension(weight) != expected:
            raise ModelError(f"the weight of PoissonInput must have the units of {target_var}")
        self.name = default_name("poissoninput")
        self.created_at = created_at(1)
        register(self)

    @functools.cached_property
    def weight(self) -> Any:
        """The weight: a quantity, or an expression in sympy (parsed at the first use)."""
        if self._code is None:
            return self._weight
        from snngen.equations.expressions import parse_expression

        return parse_expression(self._code)

    def structure(self, position: Callable[[Any], int]) -> tuple:
        """What of the input decides the generated code (see :mod:`snngen.runtime.structure`)."""
        return "PoissonInput", position(self.source), self.when, self.target_var, self._code

    def before_run(self, run: Any) -> None:
        if self.rate * run.dt > 1:
            raise ModelError(f"{self.name}: rate*dt = {self.rate * run.dt:.3g} exceeds 1")

    def after_chunk(self, run: Any) -> None:
        """Nothing to do between chunks."""

    def after_run(self, run: Any) -> None:
        """Nothing to keep."""
