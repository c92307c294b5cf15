"""Evaluate an :class:`UpdateRule` with numpy: the reference the compiled code is tested against.

Also what teaching tools use to measure convergence without compiling anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy

from snngen.equations.text import NUMPY_IMPLEMENTATIONS
from snngen.integration.rule import DT, T, UpdateRule
from snngen.units.catalogue import UNITS
from snngen.units.quantity import strip


class NumpyStepper:
    """Advance a state with an update rule, evaluated by numpy.

    Parameters
    ----------
    rule
        The update rule.
    values
        Values of the parameters and external constants the rule uses (numbers, quantities or
        per-neuron arrays). Unit names used in the equations (``mV``) are known already.
    dt
        The time step, in seconds (or as a quantity).
    rng
        Source of the normal samples of stochastic rules.
    """

    def __init__(
        self,
        rule: UpdateRule,
        values: Mapping[str, Any],
        dt: Any,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.rule = rule
        self.dt = float(strip(dt))
        self.rng = rng or np.random.default_rng()
        self.values = {name: strip(u) for name, u in UNITS.items()}
        self.values.update({name: strip(v) for name, v in values.items()})
        if rule.propagator is not None:
            self.values.update(rule.propagator.evaluate(self.values, self.dt))
        assignments = [*rule.temporaries, *rule.updates]
        known = {s for s, _ in rule.temporaries} | {DT, T, *rule.noise}
        known |= {sympy.Symbol(n, real=True) for n in rule.variables}
        needed = set().union(*(e.free_symbols for _, e in assignments)) - known
        self._parameters = sorted(needed, key=str)
        missing = [s.name for s in self._parameters if s.name not in self.values]
        if missing:
            raise KeyError(f"values needed by the update rule: {', '.join(missing)}")
        inputs = [
            *(sympy.Symbol(n, real=True) for n in rule.variables),
            T, DT, *rule.noise, *self._parameters,
        ]  # fmt: skip
        body = [e for _, e in assignments]
        # Temporaries are substituted in order, so each update is one closed expression.
        for index in range(len(rule.temporaries) - 1, -1, -1):
            symbol, value = rule.temporaries[index]
            body = [e.xreplace({symbol: value}) for e in body]
        updates = body[len(rule.temporaries) :]
        self._function = sympy.lambdify(
            inputs, updates, modules=[NUMPY_IMPLEMENTATIONS, "numpy"], cse=True
        )

    def step(self, state: Mapping[str, Any], t: float) -> dict[str, np.ndarray]:
        """The state after one step from ``state`` (mapping variable name → value) at time ``t``."""
        current = [np.asarray(strip(state[n]), dtype=float) for n in self.rule.variables]
        shape = np.broadcast_shapes(*(c.shape for c in current))
        noise = [self.rng.standard_normal(shape) for _ in self.rule.noise]
        parameters = [self.values[s.name] for s in self._parameters]
        new = self._function(*current, t, self.dt, *noise, *parameters)
        return {
            n: np.broadcast_to(v, shape).astype(float) for n, v in zip(self.rule.variables, new)
        }

    def run(self, state: Mapping[str, Any], steps: int, t0: float = 0.0) -> dict[str, np.ndarray]:
        """The trajectory over ``steps`` steps: ``result[name][k]`` is the value after k steps."""
        current = {n: np.asarray(strip(state[n]), dtype=float) for n in self.rule.variables}
        trajectory = {n: [current[n]] for n in current}
        for k in range(steps):
            current = self.step(current, t0 + k * self.dt)
            for n in current:
                trajectory[n].append(current[n])
        return {n: np.array(v) for n, v in trajectory.items()}
