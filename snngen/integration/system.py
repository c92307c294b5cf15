"""The state-space view of equations that every method starts from.

``dX/dt = f(X, t) + Σ_k g_k(X, t) ξ_k``: the drift ``f`` and one diffusion coefficient ``g_k``
per noise source, with subexpressions substituted. Noise is read in the Stratonovich sense, so
methods for multiplicative noise must be Stratonovich-consistent (for additive noise, where
``g`` does not depend on ``X``, Itô and Stratonovich agree).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from snngen.equations.expressions import symbol
from snngen.equations.model import EquationKind
from snngen.equations.system import Equations
from snngen.errors import UnsupportedEquationsError
from snngen.integration.rule import Assignment


@dataclass(frozen=True)
class OdeSystem:
    """Drift and diffusion of each state variable, and the values held over a step."""

    variables: tuple[sympy.Symbol, ...]
    drift: dict[sympy.Symbol, sympy.Expr]
    diffusion: dict[sympy.Symbol, dict[sympy.Symbol, sympy.Expr]]
    held: tuple[Assignment, ...]  # (constant over dt) subexpressions, evaluated at step start

    @property
    def noise(self) -> tuple[sympy.Symbol, ...]:
        return tuple(sorted({xi for g in self.diffusion.values() for xi in g}, key=str))

    @property
    def is_stochastic(self) -> bool:
        return bool(self.noise)

    @property
    def is_additive(self) -> bool:
        """Whether no diffusion coefficient depends on the state (additive noise)."""
        state = set(self.variables)
        return not any(
            g.free_symbols & state for coeffs in self.diffusion.values() for g in coeffs.values()
        )


def analyse(equations: Equations, gate: sympy.Symbol | None = None) -> OdeSystem:
    """Split the differential equations of ``equations`` into drift and diffusion.

    With a ``gate`` (a group's ``not_refractory``), equations flagged ``(unless refractory)``
    are multiplied by it, as in Brian2: their variables are held while the gate is 0.
    """
    if not equations.diff_eq_names:
        raise UnsupportedEquationsError("the equations contain no differential equation")
    rhs = equations.substituted()
    noise = [symbol(n) for n in equations.noise_names]
    drift, diffusion = {}, {}
    for name, expr in rhs.items():
        x = symbol(name)
        if gate is not None and "unless refractory" in equations[name].flags:
            expr = gate * expr
        diffusion[x] = {xi: expr.diff(xi) for xi in noise if expr.has(xi)}
        drift[x] = expr.xreplace(dict.fromkeys(noise, 0)) if noise else expr
    held = tuple(
        (eq.symbol, eq.expr)
        for eq in equations
        if eq.kind is EquationKind.SUBEXPRESSION and "constant over dt" in eq.flags
    )
    return OdeSystem(tuple(drift), drift, diffusion, held)


class NotApplicable(Exception):
    """Internal: a method cannot integrate a system; the message says why."""


def linear_coefficients(system: OdeSystem) -> tuple[sympy.Matrix, sympy.Matrix]:
    """``(M, c)`` with ``dX/dt = M X + c``, both free of the state and of ``t``.

    Raises :class:`NotApplicable` saying which equation is not linear with constant coefficients.
    """
    if system.is_stochastic:
        raise NotApplicable("the equations are stochastic")
    state = list(system.variables)
    t = symbol("t")
    changing = set(state) | {t} | {s for s, _ in system.held}
    zero = dict.fromkeys(state, 0)
    rows, constants = [], []
    for x in state:
        f = system.drift[x]
        if f.has(t) or any(f.has(s) for s, _ in system.held):
            raise NotApplicable(f"d{x}/dt depends on the time t, so its coefficients vary")
        row = [f.diff(y) for y in state]
        for y, coefficient in zip(state, row):
            varying = sorted(map(str, coefficient.free_symbols & changing))
            if varying:
                raise NotApplicable(
                    f"in d{x}/dt = {f}, the coefficient of {y} depends on {', '.join(varying)}"
                )
        rows.append(row)
        constants.append(f.xreplace(zero))
    return sympy.Matrix(rows), sympy.Matrix(constants)


def conditionally_linear_split(system: OdeSystem, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr]:
    """``(A, B)`` with ``dx/dt = A x + B``, ``A`` and ``B`` free of ``x`` (other variables allowed).

    Raises :class:`NotApplicable` if ``dx/dt`` is not linear in ``x``.
    """
    f = system.drift[x]
    a = f.diff(x)
    if a.has(x):
        raise NotApplicable(f"d{x}/dt = {f} is not linear in {x}")
    b = f.xreplace({x: 0})
    if b.has(sympy.zoo, sympy.nan):
        raise NotApplicable(f"d{x}/dt = {f} is not defined at {x} = 0")
    return a, b
