"""Implicit decay: a variable that each step only multiplies by a constant is not stored.

For ``dg/dt = -g/tau`` every method's update is ``g ← c g``, with ``c`` fixed for the run
(``1 - dt/tau`` for Euler, ``exp(-dt/tau)`` when exact). The array then holds ``G`` with
``g = G s``, and the step multiplies the one number ``s`` by ``c`` instead of loading, scaling and
storing ``g`` for every neuron: the neuron pass reads ``G`` and stores nothing for it, which is
what memory bandwidth bounds (coba_limit.c's "lean" kernel; here the E/I Euler loop ran about
9 % faster at 4,000 neurons and 5 % at 100,000). Every other load of ``g`` reads ``G s`` and every
store writes ``g / s`` (see :meth:`~snngen.codegen.scope.Scope.load`), so synapses, resets,
monitors and inputs see and set ``g`` itself, up to rounding.

``s`` stays within bounds that keep ``G`` far from overflow (``g / s``): when a step takes it out,
it is folded into the array (``G ← G s``, ``s ← 1``). Between the calls of one run it is carried
in an array of the group, so that where a run is cut into calls (which the run's progress
reporting decides by wall time) does not change its rounding; after the run it is folded
(:meth:`~snngen.runtime.group.NeuronGroup.fold_decay_scales`), so that between runs, and for the
user, the array holds ``g``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from snngen.codegen.fetch import Fetch, decay_scale
from snngen.codegen.hoist import RUN, STEP
from snngen.codegen.neurons import propagator_entries
from snngen.codegen.program import Operation
from snngen.codegen.scope import GroupScope
from snngen.equations.expressions import symbol
from snngen.integration.rule import T

if TYPE_CHECKING:
    from snngen.codegen.lower import Lowering
    from snngen.runtime.variables import Variable

# The range of the scale before it is folded into the array. Double: |G| <= 1e30 |g| is far from
# overflow, and a fold every ~3,400 steps for a factor of 0.98 costs nothing. Float storage has a
# range of 3e38, so it folds sooner (|G| <= 1e6 |g|: every ~700 steps at 0.98).
_BOUNDS = {"double": ("1e-30", "1e30"), "float": ("1e-6", "1e6")}


@dataclass(frozen=True)
class ImplicitDecay:
    """One variable stored as ``G``, its value ``G*scale``; ``factor`` advances the scale by one
    step, and the array ``saved`` carries it between calls of the loop. Loads and stores use the
    ``*_local`` copies: float ones for float storage, so that float arithmetic is not promoted to
    double."""

    array: sympy.Symbol
    ctype: str
    size: str
    factor: sympy.Basic
    saved: sympy.Symbol
    scale: sympy.Symbol
    inverse: sympy.Symbol
    scale_local: sympy.Symbol  # scale and inverse in the type of the variable's locals
    inverse_local: sympy.Symbol

    def resume(self) -> list[str]:
        """Lines taking up the scale where the last call left it."""
        return [f"{self.scale} = {self.saved}[0]", *self._inverse()]

    def advance(self) -> list[str]:
        """Lines of one step: the scale times the factor, folded into the array (which then
        holds the variable itself) when out of bounds."""
        low, high = _BOUNDS[self.ctype]
        value = f"{self.array}[_i]*{self.scale}"
        if self.ctype != "double":
            value = f"<{self.ctype}>({value})"
        return [
            f"{self.scale} = {self.scale}*{self.factor}",
            f"if not ({low} < fabs({self.scale}) < {high}):",
            f"    for _i in range({self.size}):",
            f"        {self.array}[_i] = {value}",
            f"    {self.scale} = 1.0",
            *self._inverse(),
        ]

    def _inverse(self) -> list[str]:
        lines = [f"{self.inverse} = 1.0/{self.scale}"]
        if self.scale_local != self.scale:
            lines.append(f"{self.scale_local} = <float>{self.scale}")
            lines.append(f"{self.inverse_local} = <float>{self.inverse}")
        return lines


def find_implicit_decays(low: Lowering, scope: GroupScope) -> None:
    """Register (in ``low.decays``) the variables of ``scope.group`` whose update multiplies
    them by a run constant. Not: noisy ones, variables held during refractoriness (the factor
    depends on the neuron's gate), and those of a propagator that depends on per-neuron
    parameters (the factor is per neuron)."""
    group, rule = scope.group, scope.group.rule
    if rule is None:
        return
    propagator = rule.propagator
    # The gate in a propagator's matrix makes some entries per neuron; a factor that is one of
    # those is caught below, by its level.
    per_neuron = set(group.variables) - {"not_refractory"}
    if propagator is not None and propagator.identifiers & per_neuron:
        return
    entries = propagator_entries(low, scope, "_i") if propagator is not None else {}
    excluded = {T, *rule.noise, *(symbol(name) for name in group.variables)}
    temporaries: dict[sympy.Symbol, sympy.Basic] = {}  # each in terms of the state alone
    for name, value in rule.temporaries:  # in order: one uses only earlier ones
        temporaries[name] = value.xreplace(temporaries)
    for target, expr in rule.updates:
        expr = expr.xreplace(temporaries)
        if expr.free_symbols & (excluded - {target}) or expr.xreplace({target: 0}) != 0:
            continue
        factor = expr.diff(target)
        if factor.has(target):
            continue
        canonical = scope.canonical(factor.xreplace(entries))
        if low.hoister.level(canonical) != RUN:  # t, a neuron's gate
            continue
        variable = group.variables[target.name]
        _register(low, scope, target.name, variable, low.hoister.hoist(canonical, STEP))


def _register(low: Lowering, scope: GroupScope, name: str, variable: Variable,
              factor: sympy.Basic) -> None:  # fmt: skip
    group = scope.group
    saved = low.array((group, "decay scale", name), "double", Fetch(decay_scale, group, name))
    scale, inverse = low.double(), low.double()
    copies = (low.single(), low.single()) if variable.single else (scale, inverse)
    decay = ImplicitDecay(scope.array(name), variable.ctype, scope.size, factor, saved, scale,
                          inverse, *copies)  # fmt: skip
    low.decays[group, name] = decay
    low.before_loop += decay.resume()
    low.after_loop.append(f"{saved}[0] = {scale}")


def lower_advance(low: Lowering, scope: GroupScope) -> None:
    """After the group's state update: advance its scales."""
    decays = [d for (group, _), d in low.decays.items() if group is scope.group]
    if not decays:
        return
    low.operations.append(Operation(
        "implicit_decay", f"implicit decay of group {scope.position}",
        {"lines": [line for decay in decays for line in decay.advance()]},
    ))  # fmt: skip
