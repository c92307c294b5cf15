"""The integration methods: each turns an :class:`OdeSystem` into an :class:`UpdateRule`.

* ``exact``: linear systems, via the numerically evaluated propagator (see
  :mod:`snngen.integration.propagator`).
* ``exponential_euler``: each variable's equation is linear in that variable,
  ``dx/dt = A x + B`` with ``A``, ``B`` evaluated at the start of the step, giving
  ``x + dt·(A x + B)·exprel(A dt)``. Written with ``exprel(z) = (exp(z) − 1)/z`` rather than
  ``(exp(A dt) − 1)/A``, so that a vanishing ``A`` gives the Euler step instead of 0/0.
* ``euler``, ``rk2`` (midpoint), ``heun``, ``rk4``: explicit Runge–Kutta methods, one generic
  stepper driven by Butcher tableaux held as data.
* Stochastic equations (Stratonovich reading): ``euler`` is Euler–Maruyama, allowed for additive
  noise; ``heun`` is the stochastic Heun method, consistent with Stratonovich calculus for
  multiplicative noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import sympy

from snngen.equations.functions import exprel
from snngen.integration.propagator import LinearPropagator, influence_pattern
from snngen.integration.rule import DT, Assignment, DerivationStep, T, UpdateRule
from snngen.integration.system import (
    NotApplicable,
    OdeSystem,
    conditionally_linear_split,
    linear_coefficients,
)


def _tmp(prefix: str, x: sympy.Symbol) -> sympy.Symbol:
    return sympy.Symbol(f"_{prefix}_{x.name}", real=True)


def _deterministic_only(system: OdeSystem, method: str) -> None:
    if system.is_stochastic:
        raise NotApplicable(
            f"'{method}' is for deterministic equations, and these contain noise "
            f"({', '.join(map(str, system.noise))}); use 'euler' (additive noise) or 'heun'"
        )


# -- exact ----------------------------------------------------------------------------------


def exact(system: OdeSystem) -> UpdateRule:
    _deterministic_only(system, "exact")
    matrix, constants = linear_coefficients(system)
    names = tuple(x.name for x in system.variables)
    propagator = LinearPropagator(names, matrix, influence_pattern(matrix))
    updates = []
    for i, x in enumerate(system.variables):
        sources = [j for j in range(len(names)) if (i, j) in propagator.pattern]
        value = sum(propagator.entry("E", i, j) * system.variables[j] for j in sources)
        value += sum(propagator.entry("F", i, j) * constants[j] for j in sources)
        updates.append((x, value))
    state = sympy.Matrix(system.variables)
    derivation = (
        DerivationStep(
            "The equations are linear with coefficients constant over a step: dX/dt = M X + c",
            (
                (sympy.Symbol("X"), state),
                (sympy.Symbol("M"), matrix),
                (sympy.Symbol("c"), constants),
            ),
        ),
        DerivationStep(
            "Exact solution over one step: X(t+dt) = E X(t) + F c, with the propagator "
            "E = exp(M dt) and F = integral of exp(M s) ds from 0 to dt",
            note="E and F are computed numerically once per run from the parameter values (one "
            "exponential of [[M dt, I dt], [0, 0]]), exact to rounding even when time "
            "constants are equal or nearly equal. _E_x_y and _F_x_y below are their entries.",
        ),
    )
    return UpdateRule(
        "exact", names, tuple(system.held), tuple(updates), math.inf,
        "exact up to rounding: the propagator is the matrix exponential",
        propagator=propagator, derivation=derivation,
    )  # fmt: skip


# -- exponential Euler ----------------------------------------------------------------------


def exponential_euler(system: OdeSystem) -> UpdateRule:
    _deterministic_only(system, "exponential_euler")
    updates, splits = [], []
    for x in system.variables:
        a, b = conditionally_linear_split(system, x)
        f = system.drift[x]
        step = DT * f * exprel(a * DT) if a != 0 else DT * f
        updates.append((x, x + step))
        splits += [(_tmp("A", x), a), (_tmp("B", x), b)]
    derivation = (
        DerivationStep(
            "Each equation is linear in its own variable: dx/dt = A x + B, with A and B "
            "held at their values at the start of the step",
            tuple(splits),
        ),
        DerivationStep(
            "Solving dx/dt = A x + B exactly over dt: x + dt (A x + B) exprel(A dt), "
            "where exprel(z) = (exp(z) - 1)/z",
            tuple(updates),
            "exprel(0) = 1, so where A vanishes this is the Euler step, without 0/0.",
        ),
    )
    names = tuple(x.name for x in system.variables)
    return UpdateRule(
        "exponential_euler", names, tuple(system.held), tuple(updates), 1.0,
        "first order; exact for a linear equation with constant coefficients",
        derivation=derivation,
    )  # fmt: skip


# -- explicit Runge-Kutta -------------------------------------------------------------------


@dataclass(frozen=True)
class ButcherTableau:
    """``c`` (stage times), ``a`` (stage weights, lower triangular), ``b`` (final weights)."""

    c: tuple[Fraction, ...]
    a: tuple[tuple[Fraction, ...], ...]
    b: tuple[Fraction, ...]
    order: int
    description: str


_h = Fraction(1, 2)
TABLEAUX = {
    "euler": ButcherTableau((0,), ((),), (1,), 1, "forward Euler"),
    "rk2": ButcherTableau((0, _h), ((), (_h,)), (0, 1), 2, "explicit midpoint (RK2)"),
    "heun": ButcherTableau((0, 1), ((), (1,)), (_h, _h), 2, "Heun (explicit trapezoid)"),
    "rk4": ButcherTableau(
        (0, _h, _h, 1),
        ((), (_h,), (0, _h), (0, 0, 1)),
        (Fraction(1, 6), Fraction(1, 3), Fraction(1, 3), Fraction(1, 6)),
        4,
        "classical fourth-order Runge-Kutta",
    ),
}


def explicit(system: OdeSystem, name: str) -> UpdateRule:
    """Generic explicit Runge-Kutta step for the tableau ``name``."""
    _deterministic_only(system, name)
    tableau = TABLEAUX[name]
    state = system.variables
    stages: list[dict[sympy.Symbol, sympy.Expr]] = []
    temporaries: list[Assignment] = list(system.held)
    for s, (c, weights) in enumerate(zip(tableau.c, tableau.a), start=1):
        shifted = {
            x: x + DT * sum(sympy.Rational(w) * stages[j][x] for j, w in enumerate(weights) if w)
            for x in state
        }
        if c:
            shifted[T] = T + sympy.Rational(c) * DT
        stage = {}
        for x in state:
            value = system.drift[x].xreplace(shifted)
            if len(tableau.b) == 1:
                stage[x] = value  # one stage: inline it
            else:
                stage[x] = _tmp(f"k{s}", x)
                temporaries.append((stage[x], value))
        stages.append(stage)
    updates = tuple(
        (x, x + DT * sum(sympy.Rational(b) * stages[s][x] for s, b in enumerate(tableau.b) if b))
        for x in state
    )
    derivation = (
        DerivationStep(
            f"{tableau.description}: {len(tableau.b)} stage(s) k_s = f(X + dt Σ a_sj k_j, "
            "t + c_s dt), then X + dt Σ b_s k_s",
            tuple(temporaries[len(system.held) :]),
            f"Butcher tableau c = {list(map(str, tableau.c))}, b = {list(map(str, tableau.b))}",
        ),
    )
    names = tuple(x.name for x in state)
    return UpdateRule(
        name, names, tuple(temporaries), updates, float(tableau.order),
        f"order {tableau.order}: global error O(dt^{tableau.order})", derivation=derivation,
    )  # fmt: skip


# -- stochastic -----------------------------------------------------------------------------


def _noise_sample(xi: sympy.Symbol) -> sympy.Symbol:
    return sympy.Symbol(f"_noise_{xi.name}", real=True)


def _increments(system: OdeSystem, x: sympy.Symbol, at: dict) -> sympy.Expr:
    """Σ_k g_k(X) ΔW_k with ΔW_k = sqrt(dt) N_k, evaluated at the substitution ``at``."""
    return sum(
        g.xreplace(at) * sympy.sqrt(DT) * _noise_sample(xi) for xi, g in system.diffusion[x].items()
    )


def euler_maruyama(system: OdeSystem) -> UpdateRule:
    if not system.is_additive:
        raise NotApplicable(
            "'euler' (Euler-Maruyama) converges to the Ito solution, but multiplicative noise "
            "is read in the Stratonovich sense; use 'heun'"
        )
    updates = tuple(
        (x, x + DT * system.drift[x] + _increments(system, x, {})) for x in system.variables
    )
    noise = tuple(_noise_sample(xi) for xi in system.noise)
    derivation = (
        DerivationStep(
            "Euler-Maruyama: x + f(x) dt + g dW, with dW = sqrt(dt) N(0, 1) per step",
            updates,
        ),
    )
    names = tuple(x.name for x in system.variables)
    return UpdateRule(
        "euler", names, tuple(system.held), updates, 1.0,
        "strong order 1 for additive noise (deterministic part: order 1)",
        noise=noise, derivation=derivation,
    )  # fmt: skip


def stochastic_heun(system: OdeSystem) -> UpdateRule:
    state = system.variables
    predictor = {x: _tmp("pred", x) for x in state}
    temporaries = list(system.held)
    temporaries += [
        (predictor[x], x + DT * system.drift[x] + _increments(system, x, {})) for x in state
    ]
    at_predictor = {**predictor, T: T + DT}
    updates = tuple(
        (
            x,
            x
            + DT / 2 * (system.drift[x] + system.drift[x].xreplace(at_predictor))
            + (_increments(system, x, {}) + _increments(system, x, at_predictor)) / 2,
        )
        for x in state
    )
    noise = tuple(_noise_sample(xi) for xi in system.noise)
    derivation = (
        DerivationStep(
            "Stochastic Heun: an Euler-Maruyama predictor, then the trapezoidal average of drift "
            "and diffusion at both ends, with the same dW (Stratonovich-consistent)",
            (*temporaries[len(system.held) :], *updates),
        ),
    )
    names = tuple(x.name for x in state)
    return UpdateRule(
        "heun", names, tuple(temporaries), updates, 1.0 if system.is_additive else 0.5,
        "strong order 1 for additive noise, 1/2 for multiplicative noise (Stratonovich); "
        "deterministic part: order 2",
        noise=noise, derivation=derivation,
    )  # fmt: skip
