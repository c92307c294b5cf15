"""Lowering of a neuron group's operations: state update, threshold and reset.

Refractoriness follows Brian2: ``not_refractory`` is recomputed at the start of the state update
(``(t - lastspike)`` counted in steps against the refractory period, or the negated condition),
held variables' derivatives are gated by it (see :func:`snngen.integration.system.analyse`), the
threshold requires it, and a spike sets ``lastspike = t`` and ``not_refractory = False``.
"""

from __future__ import annotations

from typing import Any

import sympy

from snngen.codegen.cse import Assignment
from snngen.codegen.lower import Lowering, optimised, printed
from snngen.codegen.program import Operation
from snngen.codegen.scope import GroupScope, Scope
from snngen.equations.functions import randn
from snngen.integration.rule import DT, T

# Brian2's timestep(): steps elapsed, robust to rounding of t and dt.
_STEP_EPSILON = sympy.Float(1e-3)


def lower_state_update(low: Lowering, scope: GroupScope) -> None:
    group, rule = scope.group, scope.group.rule
    code: list[Assignment] = []
    stores: list[tuple[sympy.Symbol, sympy.Symbol]] = []  # (variable's local, new value)
    if group.refractory is not None:
        gate = scope.local("not_refractory")
        code.append((gate, scope.canonical(_not_refractory(group))))
        stores.append((gate, gate))
    if rule is not None:
        renames = {}
        for noise in rule.noise:
            renames[noise] = low.double()
            code.append((renames[noise], randn(len(code))))
        for symbol in [s for s, _ in rule.temporaries]:
            renames[symbol] = low.double()
        if rule.propagator is not None:
            renames.update(propagator_entries(low, scope, "_i"))
        new_values = {}
        for target, expr in rule.temporaries:
            code.append((renames[target], scope.canonical(expr.xreplace(renames))))
        for target, expr in rule.updates:
            new_values[target] = low.double()
            code.append((new_values[target], scope.canonical(expr.xreplace(renames))))
        # Stores come last and read only new values: the update is simultaneous.
        stores += [(scope.local(target.name), new) for target, new in new_values.items()]
    body = optimised(low, code)
    low.operations.append(
        Operation(
            "state_update",
            f"state update of group {scope.position}",
            {
                "size": scope.size,
                "body": scope.loads(body) + printed(body),
                "stores": [scope.store(local, value) for local, value in stores],
            },
        )
    )


def _not_refractory(group: Any) -> sympy.Basic:
    refractory = group.refractory
    if refractory.condition is not None:
        return sympy.Not(refractory.condition)
    elapsed = (T - sympy.Symbol("lastspike", real=True)) / DT
    return sympy.Ge(
        sympy.floor(elapsed + _STEP_EPSILON), sympy.floor(refractory.duration / DT + _STEP_EPSILON)
    )


def propagator_entries(low: Lowering, scope: Scope, index: str) -> dict[sympy.Symbol, sympy.Basic]:
    """Canonical values of the propagator entries of ``scope.owner.rule``: run-time scalars, or
    per-element arrays (at ``index``) when the matrix involves per-neuron (per-synapse)
    parameters; selected by ``not_refractory`` when gated."""
    group = scope.owner
    propagator = group.rule.propagator
    per_neuron = bool(propagator.identifiers & (set(group.variables) - {"not_refractory"}))
    result = {}
    for entry, gated in _gated_entries(propagator).items():
        choices = []
        # Entries that do not depend on the gate are evaluated with it open (any value would do).
        for gate in (1.0, 0.0) if gated else (1.0,):

            def fetch(run: Any, name: str = entry.name, gate: float = gate) -> Any:
                return run.propagator(group, gate)[name]

            key = (group, "propagator", entry.name, gate)
            if per_neuron:
                array = low.array(key, "double", fetch)
                local = low.double()
                scope.locals[local] = (array, _PropagatorEntry, index)
                choices.append(local)
            else:
                choices.append(low.scalar(key, fetch))
        if gated:
            gate_local = scope.local("not_refractory")
            result[entry] = sympy.Piecewise(
                (choices[0], sympy.Gt(gate_local, 0.5)), (choices[1], True)
            )
        else:
            result[entry] = choices[0]
    return result


def _gated_entries(propagator: Any) -> dict[sympy.Symbol, bool]:
    """Each entry symbol, and whether it depends on ``not_refractory``: entry ``(i, j)`` does
    when a held variable ``k`` lies on a path from ``j`` to ``i``."""
    gate = sympy.Symbol("not_refractory", real=True)
    matrix, pattern = propagator.matrix, propagator.pattern
    held = [k for k in range(matrix.shape[0]) if matrix.row(k).has(gate)]
    result = {}
    for kind in "EF":
        for i, j in sorted(pattern):
            on_path = any((i, k) in pattern and (k, j) in pattern for k in held)
            result[propagator.entry(kind, i, j)] = on_path
    return result


class _PropagatorEntry:
    """Stand-in variable description for per-neuron propagator arrays (read-only doubles)."""

    shared = False
    ctype = "double"


def lower_threshold(low: Lowering, scope: GroupScope) -> None:
    """The spike test: the user's condition first, ``not_refractory`` only where it holds, so
    the branch is predictable (most neurons are below threshold; refractoriness tested first
    is what coba_limit's README measured as Brian2's most expensive misprediction)."""
    group = scope.group
    flag = low.double()
    body = optimised(low, [(flag, scope.canonical(group.threshold))], cse=False)
    test, on_spike = str(flag), []
    if group.refractory is not None:
        test += f" and {scope.arrays['not_refractory']}[_i]"
        on_spike = [
            f"{scope.arrays['lastspike']}[_i] = _t",
            f"{scope.arrays['not_refractory']}[_i] = 0",
        ]
    low.operations.append(
        Operation(
            "threshold",
            f"threshold of group {scope.position}",
            {
                "size": scope.size,
                "count": scope.spike_count,
                "spikes": scope.spikes,
                "body": scope.loads(body) + printed(body),
                "test": test,
                "on_spike": on_spike,
            },
        )
    )


def lower_reset(low: Lowering, scope: GroupScope) -> None:
    group = scope.group
    code = [
        (scope.local(s.target), scope.canonical(s.value)) for s in group.reset
    ]  # sequential: each statement sees the previous ones
    body = optimised(low, code, cse=False)
    targets = list(dict.fromkeys(target for target, _ in code))
    low.operations.append(
        Operation(
            "reset",
            f"reset of group {scope.position}",
            {
                "count": scope.spike_count,
                "spikes": scope.spikes,
                "body": scope.loads(body) + printed(body),
                "stores": [scope.store(local) for local in targets],
            },
        )
    )
