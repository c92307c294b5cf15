"""What every integration method produces: an :class:`UpdateRule` of sympy assignments.

An update rule advances the state by one step ``dt``. ``temporaries`` are evaluated in order;
then every variable gets its value from ``updates``, all computed from the *old* state and the
temporaries (simultaneous assignment). ``noise`` lists the standard-normal samples a stochastic
rule draws per step and per neuron. Each method also records its derivation for teaching.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import sympy

from snngen.equations.expressions import symbol

if TYPE_CHECKING:
    from snngen.integration.propagator import LinearPropagator

Assignment = tuple[sympy.Symbol, sympy.Expr]
# The same symbols as in parsed model text, so that rules and equations share them.
DT = symbol("dt")
T = symbol("t")


@dataclass(frozen=True)
class DerivationStep:
    """One step of a derivation: a title, equations (lhs, rhs) and a note in words."""

    title: str
    equations: tuple[tuple[sympy.Basic, sympy.Basic], ...] = ()
    note: str = ""


@dataclass(frozen=True)
class UpdateRule:
    """The update of a system of differential equations over one time step.

    Attributes
    ----------
    method
        Canonical method name (``exact``, ``exponential_euler``, ``euler``, ``rk2``, ``heun``,
        ``rk4``).
    variables
        The state variables it updates, in definition order.
    temporaries, updates
        See the module docstring.
    order
        Global order of accuracy in ``dt`` for deterministic equations (``inf`` when exact up to
        rounding); for stochastic equations the strong order for the noise type.
    order_text
        The order in words, with its caveats.
    noise
        Symbols of the standard-normal samples drawn each step (one per noise source).
    propagator
        For ``exact``: the linear system whose propagator entries the rule uses.
    derivation
        The steps that led to the rule, for :func:`snngen.explain`.
    reason
        Why this method was used (set when it was chosen automatically).
    """

    method: str
    variables: tuple[str, ...]
    temporaries: tuple[Assignment, ...]
    updates: tuple[Assignment, ...]
    order: float
    order_text: str
    noise: tuple[sympy.Symbol, ...] = ()
    propagator: LinearPropagator | None = None
    derivation: tuple[DerivationStep, ...] = field(default=(), compare=False)
    reason: str = field(default="", compare=False)

    def with_reason(self, reason: str) -> UpdateRule:
        return replace(self, reason=reason)

    def __str__(self) -> str:
        lines = [f"{sympy.sstr(s)} = {sympy.sstr(e)}" for s, e in self.temporaries]
        lines += [f"{sympy.sstr(s)} <- {sympy.sstr(e)}" for s, e in self.updates]
        return "\n".join(lines)
