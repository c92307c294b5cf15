"""Method names, and the automatic choice of a method for a system of equations."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial

import sympy

from snngen.equations.system import Equations
from snngen.errors import ModelError, UnsupportedEquationsError
from snngen.integration import methods
from snngen.integration.rule import DerivationStep, UpdateRule
from snngen.integration.system import NotApplicable, OdeSystem, analyse

logger = logging.getLogger("snngen.integration")

_DETERMINISTIC: dict[str, Callable[[OdeSystem], UpdateRule]] = {
    "exact": methods.exact,
    "exponential_euler": methods.exponential_euler,
    **{name: partial(methods.explicit, name=name) for name in methods.TABLEAUX},
}
_STOCHASTIC: dict[str, Callable[[OdeSystem], UpdateRule]] = {
    "euler": methods.euler_maruyama,
    "heun": methods.stochastic_heun,
}
ALIASES = {"linear": "exact", "exp_euler": "exponential_euler", "midpoint": "rk2"}
METHODS = tuple(_DETERMINISTIC)


def canonical_method(method: str) -> str:
    """The canonical name of ``method``; raises :class:`ModelError` for an unknown one."""
    name = ALIASES.get(method, method)
    if name not in _DETERMINISTIC:
        known = ", ".join([*METHODS, *ALIASES])
        raise ModelError(f"unknown integration method {method!r}; the methods are: {known}")
    return name


def integrate(
    equations: Equations | str, method: str | None = None, gate: sympy.Symbol | None = None
) -> UpdateRule:
    """Derive the update rule of ``equations`` with ``method`` (``None``: choose automatically).

    The automatic choice is ``exact`` for linear equations with constant coefficients, else
    ``exponential_euler`` if every equation is linear in its own variable, else ``rk4``; for
    stochastic equations ``euler`` (additive noise) or ``heun`` (multiplicative noise). The
    choice and its reason are logged and kept in :attr:`UpdateRule.reason`. ``gate`` holds
    variables flagged ``(unless refractory)`` while it is 0 (see :func:`analyse`).
    """
    if isinstance(equations, str):
        equations = Equations(equations)
    system = analyse(equations, gate)
    if method is None:
        rule = _choose(system)
        logger.info("integration method %r chosen: %s", rule.method, rule.reason)
        return _gate_outside(rule, gate)
    name = canonical_method(method)
    table = _STOCHASTIC if system.is_stochastic and name in _STOCHASTIC else _DETERMINISTIC
    try:
        return _gate_outside(table[name](system), gate)
    except NotApplicable as why:
        raise UnsupportedEquationsError(
            f"method {name!r} cannot integrate these equations: {why}. "
            f"{_suggestion(system, exclude=name)}"
        ) from None


def _gate_outside(rule: UpdateRule, gate: sympy.Symbol | None) -> UpdateRule:
    """``x + D(gate)`` as ``x + gate*D(1)`` wherever ``D(0) = 0`` (the variable is held while
    the gate is 0): equal for a gate of 0 or 1, and the gate then leaves the step's functions.
    Exponential Euler's ``exprel(-gate*dt/tau)`` becomes one value for all neurons, computed
    once per run instead of per neuron and step. Rules with stages keep their form."""
    if gate is None or rule.temporaries or rule.propagator is not None:
        return rule
    updates, changed = [], []
    for x, new in rule.updates:
        step = new - x
        if step.has(gate) and step.xreplace({gate: 0}) == 0:
            outside = x + gate * step.xreplace({gate: 1})
            if outside != new:
                new = outside
                changed.append((x, new))
        updates.append((x, new))
    if not changed:
        return rule
    held = DerivationStep(
        "The gate outside the step",
        tuple(changed),
        f"{gate} is 0 or 1 and the step is 0 when it is 0, so the step is {gate} times the "
        f"step with {gate} = 1",
    )
    return replace(rule, updates=tuple(updates), derivation=(*rule.derivation, held))


def _choose(system: OdeSystem) -> UpdateRule:
    if system.is_stochastic:
        if system.is_additive:
            reason = "the noise is additive, so Euler-Maruyama is consistent"
            return methods.euler_maruyama(system).with_reason(reason)
        reason = "the noise is multiplicative (read in the Stratonovich sense)"
        return methods.stochastic_heun(system).with_reason(reason)
    try:
        rule = methods.exact(system)
        return rule.with_reason("the equations are linear with constant coefficients")
    except NotApplicable as not_linear:
        why_not_exact = str(not_linear)
    try:
        rule = methods.exponential_euler(system)
        return rule.with_reason(
            f"not linear ({why_not_exact}), but each equation is linear in its own variable"
        )
    except NotApplicable as not_conditionally_linear:
        return methods.explicit(system, "rk4").with_reason(
            f"not linear ({why_not_exact}) and not conditionally linear "
            f"({not_conditionally_linear})"
        )


def _suggestion(system: OdeSystem, exclude: str) -> str:
    candidates = (
        list(_STOCHASTIC) if system.is_stochastic else ["exact", "exponential_euler", "rk4"]
    )
    for name in candidates:
        if name == exclude:
            continue
        table = _STOCHASTIC if system.is_stochastic else _DETERMINISTIC
        try:
            table[name](system)
        except NotApplicable:
            continue
        return f"Method {name!r} would work."
    return "No method applies."
