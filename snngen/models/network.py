"""BrainPy-style ``Network`` of named populations and projections, and its ``Runner``.

The network turns its neuron models and projections into core objects (one ``NeuronGroup`` per
population, with every projection's synaptic variable and current in its equations, and one
``Synapses`` per projection); the runner adds monitors (``'E.spike'``, ``'E.V'``) and inputs
(``('E.input', 20.)``) and runs in ms.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from snngen.errors import ModelError
from snngen.models.connectors import FromMatrix
from snngen.models.neurons import NeuronModel
from snngen.models.synapses import Projection
from snngen.runtime.group import NeuronGroup
from snngen.runtime.monitors import SpikeMonitor, StateMonitor
from snngen.runtime.network import Network as CoreNetwork
from snngen.runtime.synapses import Synapses
from snngen.units.catalogue import UNITS

MS = UNITS["ms"]


class Network:
    """Populations (named by keyword, or by their ``name``) and projections."""

    def __init__(self, *objects: Any, **named: Any) -> None:
        self.populations: dict[str, NeuronModel] = {}
        self.projections: list[Projection] = []
        for obj in [*objects, *named.values()]:
            if isinstance(obj, Projection):
                self.projections.append(obj)
            elif not isinstance(obj, NeuronModel):
                raise ModelError(f"a Network holds neuron models and projections, got {obj!r}")
        for name, obj in named.items():
            if isinstance(obj, NeuronModel):
                self.populations[name] = obj
        for obj in objects:
            if isinstance(obj, NeuronModel):
                self.populations[obj.name or f"pop{len(self.populations)}"] = obj
        for projection in self.projections:
            for model in (projection.pre, projection.post):
                if model not in self.populations.values():
                    raise ModelError(f"a projection connects a population that is not in the "
                                     f"network: {type(model).__name__}({model.size})")  # fmt: skip

    def build(self, dt: float) -> tuple[dict[str, NeuronGroup], list[Synapses]]:
        """Core groups (by population name) and synapses, with ``dt`` in ms."""
        groups = {}
        for name, model in self.populations.items():
            incoming = [p for p in self.projections if p.post is model]
            currents = " + ".join(p.current() for p in incoming) or "0"
            equations = "\n".join([model.equations(currents),
                                   *(p.post_equations() for p in incoming)])  # fmt: skip
            namespace = {**model.values}
            for projection in incoming:
                namespace.update(projection.values)
            refractory: Any = model.refractory_condition or False
            if model.refractory_parameter and model.values[model.refractory_parameter] > 0:
                refractory = model.values[model.refractory_parameter] * MS
            group = NeuronGroup(model.size, equations, threshold=model.threshold,
                                reset=model.reset, refractory=refractory, method=model.method,
                                namespace=namespace, dt=dt * MS, name=name)  # fmt: skip
            for variable, values in model.initial.items():
                group.storage[variable][:] = values
            model.group = group
            groups[name] = group
        synapses = []
        for projection in self.projections:
            weighted = isinstance(projection.conn, FromMatrix)
            pre, post = projection.pre.group, projection.post.group
            delay = (projection.delay_step or 0) * dt * MS
            synapse = Synapses(pre, post, "weight : 1" if weighted else "",
                               on_pre=projection.on_pre(weighted), delay=delay,
                               namespace=projection.values)  # fmt: skip
            projection.conn.connect(synapse, projection.pre is projection.post)
            synapses.append(synapse)
        return groups, synapses


class Monitors:
    """``mon.ts`` (ms) and ``mon['E.spike']`` (steps × neurons, boolean), ``mon['E.V']``."""

    def __init__(self) -> None:
        self.ts = np.zeros(0)
        self._data: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._data:
            raise KeyError(f"{key!r} is not monitored; monitored: {', '.join(self._data)}")
        return self._data[key]

    def keys(self) -> list[str]:
        return list(self._data)


class Runner:
    """Runs a :class:`Network` with monitors and constant inputs (BrainPy's ``DSRunner``).

    ``monitors``: ``'<population>.spike'`` or ``'<population>.<variable>'``; ``inputs``:
    ``(target, value)`` pairs such as ``('E.input', 20.)``; ``dt`` in ms.
    """

    def __init__(self, net: Network, monitors: list[str] = (), inputs: list = (),
                 dt: float = 0.1) -> None:  # fmt: skip
        self.net, self.dt = net, float(dt)
        self.groups, self.synapses = net.build(self.dt)
        self.monitor_names = list(monitors)
        self._core_monitors: dict[str, Any] = {}
        for key in self.monitor_names:
            group, variable = self._target(key, "monitor")
            if variable == "spike":
                self._core_monitors[key] = SpikeMonitor(group)
            else:
                self._core_monitors[key] = StateMonitor(group, variable, record=True)
        for target, value in inputs:
            group, variable = self._target(target, "input")
            group.storage[variable][:] = value
        self.core = CoreNetwork(*self.groups.values(), *self.synapses,
                                *self._core_monitors.values())  # fmt: skip
        self.mon = Monitors()

    def _target(self, key: str, what: str) -> tuple[NeuronGroup, str]:
        name, _, variable = key.partition(".")
        if name not in self.groups:
            raise ModelError(f"unknown {what} target {key!r}: no population {name!r} "
                             f"(populations: {', '.join(self.groups)})")  # fmt: skip
        group = self.groups[name]
        if variable != "spike" and variable not in group.variables:
            raise ModelError(f"unknown {what} target {key!r}: {name} has no variable "
                             f"{variable!r} (variables: {', '.join(group.variables)})")  # fmt: skip
        if what == "input" and variable == "spike":
            raise ModelError(f"cannot input to {key!r}")
        return group, variable

    def run(self, duration: float, threads: int | None = None) -> float:
        """Run for ``duration`` ms (on ``threads``, as :meth:`snngen.Network.run`); returns the
        wall time in seconds."""
        start_step = self.core.step
        began = time.perf_counter()
        self.core.run(float(duration) * MS, namespace={}, threads=threads)
        elapsed = time.perf_counter() - began
        steps = self.core.step - start_step
        self.mon.ts = np.concatenate([self.mon.ts, (start_step + np.arange(steps)) * self.dt])
        for key, monitor in self._core_monitors.items():
            self.mon._data[key] = self._collect(key, monitor)
        return elapsed

    def _collect(self, key: str, monitor: Any) -> np.ndarray:
        if isinstance(monitor, SpikeMonitor):
            matrix = np.zeros((len(self.mon.ts), monitor.source.N), dtype=bool)
            steps = np.rint(monitor.t_ / (self.dt * 1e-3)).astype(int)
            matrix[steps, monitor.i] = True
            return matrix
        return monitor.recorded(key.partition(".")[2]).T
