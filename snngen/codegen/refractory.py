"""Refractoriness counted in whole steps: a constant refractory period's gate compares a 16-bit
step per neuron with the current one, instead of computing ``t - lastspike`` in double.

The neuron pass reads the gate's input for every neuron at every step, and beyond a few thousand
neurons the pass is bound by the bytes it moves. ``lastspike`` is a double, 8 bytes, and in the
float32 mode its comparison ran at half the vector width of the rest of the pass; an int32 step
(4 bytes) made the E/I loop at 4,000 neurons 5-12 % faster, and an int16 one (2 bytes) another
4 % (Euler: 21.4 -> 20.4 ms per simulated second, medians of ten alternating runs in one
process; the same spikes).

The int16 holds the step at which the neuron leaves its refractory period modulo 2**16, and the
gate takes the difference to the current step modulo 2**16 as a signed number: right while the
true difference lies in [-32768, 32767]. Every :data:`REFRESH_STEPS` steps of a call (from its
first), the ends are recomputed from ``lastspike`` with the difference clamped to
[-2*REFRESH_STEPS, 2*REFRESH_STEPS - 1], and a spike stores at most 2*REFRESH_STEPS - 1 steps
ahead; until the next refresh a difference can then fall to -3*REFRESH_STEPS + 1, which fits. A
longer period is clamped only until a refresh renews it: the neuron is held as long.

``lastspike`` stays the variable that users and code see: a spike stores both, every other store
of ``lastspike`` during the loop stores the step too, and the refreshes (the first at the call's
first step) make values written between runs count. Steps are counted from the call's first step
(see :meth:`~snngen.codegen.lower.Lowering.call_step`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from snngen.codegen.fetch import Fetch, attribute
from snngen.codegen.hoist import RUN
from snngen.codegen.lower import CALL_STEPS, Lowering
from snngen.codegen.printer import cython_expression
from snngen.integration.rule import DT, T

# Brian2's timestep(): steps elapsed, robust to rounding of t and dt.
STEP_EPSILON = sympy.Float(1e-3)
# The 16-bit ends are recomputed from lastspike every this many steps (see the module docstring).
REFRESH_STEPS = 2**13
# How far ahead of or behind the current step an end is stored.
AHEAD = 2 * REFRESH_STEPS - 1
BEHIND = -2 * REFRESH_STEPS


class Released(sympy.Function):
    """1 if the 16-bit ``end`` (the low bits of a step) is at or before the int32 step ``now``,
    else 0: their signed difference modulo 2**16, compared with an integer zero (a float one
    would convert every neuron's difference to floating point)."""

    nargs = 2

    def _snngen_cython(self, printer: Any) -> str:
        end, now = (printer._print(a) for a in self.args)
        return f"(<int16_t>({end} - {now}) <= 0)"


def not_refractory(group: Any) -> sympy.Basic:
    """The gate in terms of ``t`` and ``lastspike`` (or the negated condition)."""
    refractory = group.refractory
    if refractory.condition is not None:
        return sympy.Not(refractory.condition)
    # Brian2's timestep(t - lastspike) >= timestep(refractory). t and lastspike lie on the step
    # grid, so t - lastspike is a whole number of steps up to rounding, and comparing it with
    # half a step less than the refractory steps decides the same without a per-neuron floor.
    steps = _refractory_steps(refractory.duration)
    return sympy.Ge(T - sympy.Symbol("lastspike", real=True), (steps - sympy.S.Half) * DT)


def _refractory_steps(duration: sympy.Basic) -> sympy.Basic:
    return sympy.floor(duration / DT + STEP_EPSILON)


@dataclass(frozen=True)
class RefractoryUntil:
    """A group's 16-bit refractory ends: ``array[i]`` is the first step (counted from the call's
    first step, modulo 2**16) at which neuron ``i`` integrates and may spike again; ``steps``
    the refractory period in steps and ``held`` the part of it a spike stores (int32 locals);
    ``local`` the value loaded in a neuron loop."""

    array: sympy.Symbol
    steps: sympy.Symbol
    held: sympy.Symbol
    local: sympy.Symbol
    call_step: sympy.Symbol
    dt: sympy.Symbol

    def gate(self) -> sympy.Basic:
        return Released(self.local, self.call_step)

    def spiked(self) -> str:
        """The store of a spiking neuron ``_i`` (the period starts at this step)."""
        return f"{self.array}[_i] = <int16_t>({self.call_step} + {self.held})"

    def store(self, index: str, lastspike: str) -> str:
        """The store that keeps ``array[index]`` in step with ``lastspike`` written there: the
        first step ``s`` with ``s*dt - lastspike`` at least half a step less than the period
        (as :func:`not_refractory`), at most :data:`AHEAD` steps ahead of the current one and
        :data:`BEHIND` behind."""
        first = f"ceil({lastspike}/{self.dt} - 0.5) - start + {self.steps} - {self.call_step}"
        ahead = f"<int32_t>fmin(fmax({first}, {float(BEHIND)}), {float(AHEAD)})"
        return f"{self.array}[{index}] = <int16_t>({self.call_step} + {ahead})"


def plan_refractory_until(low: Lowering, scope: Any) -> None:
    """Give ``scope``'s group 16-bit refractory ends if its period is one value for the whole
    run (a per-neuron or time-varying period, or a condition, keeps the double test)."""
    group = scope.group
    if group.refractory is None or group.refractory.condition is not None:
        return
    steps = scope.canonical(_refractory_steps(group.refractory.duration))
    if low.hoister.level(steps) != RUN:
        return
    array = low.array((group, "refractory until"), "int16_t",
                      Fetch(attribute, group, "refractory_until"))  # fmt: skip
    local = low.int32()
    scope.add_array(local, array, "int16_t", "_i")
    until = RefractoryUntil(array, low.int32(), low.int32(), local, low.call_step(), low.dt)
    lastspike = scope.array("lastspike")
    low.before_loop += [
        f"{until.steps} = <int32_t>fmin(fmax({cython_expression(steps)}, 0.0), {CALL_STEPS - 1}.0)",
        f"{until.held} = min({until.steps}, {AHEAD})",
    ]
    low.step_start += [
        f"if {until.call_step} % {REFRESH_STEPS} == 0:",
        f"    for _i in range({scope.size}):",
        f"        {until.store('_i', f'{lastspike}[_i]')}",
    ]
    low.refractory_until[group] = until
