"""Lowering of a neuron group's operations: state update, threshold and reset.

Refractoriness follows Brian2: ``not_refractory`` is recomputed at the start of the state update
(``(t - lastspike)`` counted in steps against the refractory period, or the negated condition;
a period that is one value for the run compares a 16-bit copy instead, see
:mod:`snngen.codegen.refractory`), held variables' derivatives are gated by it (see
:func:`snngen.integration.system.analyse`), the threshold requires it, and a spike sets
``lastspike = t`` and ``not_refractory = False``.

A group with a threshold gets one *neuron pass* (:func:`lower_neuron_pass`): update and
threshold in a single branch-free loop that gcc vectorises, writing a 2-byte flag per neuron,
which a second loop scans 32 neurons at a time into the spike list; a third makes the
spikes' own stores.
Separate update and threshold loops (Brian2's structure) read the state twice and branch per
neuron; coba_limit's README measured the difference.
"""

from __future__ import annotations

from typing import Any

import sympy

from snngen.codegen import fetch as fetching
from snngen.codegen.cse import Assignment
from snngen.codegen.fetch import Fetch, attribute
from snngen.codegen.lower import Lowering, optimised, temporaries, threads_for
from snngen.codegen.program import Operation
from snngen.codegen.refractory import not_refractory
from snngen.codegen.scope import GroupScope, Scope
from snngen.equations.functions import randn


def _update_code(
    low: Lowering, scope: GroupScope, store_gate: bool = True
) -> tuple[list[str], list[str], dict[sympy.Symbol, sympy.Basic], bool]:
    """The state update's lines (loads and arithmetic), its stores (``not_refractory``'s only
    if ``store_gate``), each updated variable's local mapped to its new value (a local, or
    for an implicit decay the old value times the factor), and whether it computes in float
    (see :meth:`~snngen.codegen.scope.Scope.in_single`)."""
    group, rule = scope.group, scope.group.rule
    single = rule is not None and scope.in_single(scope.local(t.name) for t, _ in rule.updates)
    temporary = temporaries(low, single)
    code: list[Assignment] = []
    new_values: dict[sympy.Symbol, sympy.Basic] = {}  # variable's local → new value
    gate = scope.local("not_refractory") if group.refractory is not None else None
    if gate is not None:
        # A temporary of the arithmetic's type: in float arithmetic, a double gate would promote
        # the update it multiplies.
        new_values[gate] = temporary()
        until = low.refractory_until.get(group)
        opened = until.gate() if until else scope.canonical(not_refractory(group))
        code.append((new_values[gate], opened))
    if rule is not None:
        renames = {}
        for noise in rule.noise:
            renames[noise] = temporary()
            code.append((renames[noise], randn(len(code))))
        for symbol in [s for s, _ in rule.temporaries]:
            renames[symbol] = temporary()
        if rule.propagator is not None:
            renames.update(propagator_entries(low, scope, "_i"))
        for target, expr in rule.temporaries:
            code.append((renames[target], scope.canonical(expr.xreplace(renames))))
        for target, expr in rule.updates:
            local = scope.local(target.name)
            if decay := scope.decay(local):  # no store: the scale advances (see decay.py)
                new_values[local] = local * decay.factor  # for a threshold that reads it
                continue
            new = temporary()
            code.append((new, scope.canonical(expr.xreplace(renames))))
            new_values[local] = new
    if gate is not None:
        code = [(target, expr.xreplace({gate: new_values[gate]})) for target, expr in code]
    # Stores come last and read only new values: the update is simultaneous.
    body = optimised(low, code, single=single)
    unstored = {gate} if not store_gate else set()
    unstored |= {var for var in new_values if scope.decay(var)}
    stores = [scope.store(var, new) for var, new in new_values.items() if var not in unstored]
    return scope.lines(body, single), stores, new_values, single


def lower_state_update(low: Lowering, scope: GroupScope) -> None:
    body, stores, _, _ = _update_code(low, scope)
    low.operations.append(Operation(
        "state_update", f"state update of group {scope.position}",
        {"size": scope.size, "body": body, "stores": stores, "threads": threads_for(low, body)},
    ))  # fmt: skip


def propagator_entries(low: Lowering, scope: Scope, index: str) -> dict[sympy.Symbol, sympy.Basic]:
    """Canonical values of the propagator entries of ``scope.owner.rule``: run-time scalars, or
    per-element arrays (at ``index``) when the matrix involves per-neuron (per-synapse)
    parameters; selected by ``not_refractory`` when gated."""
    group = scope.owner
    propagator = group.rule.propagator
    per_neuron = bool(propagator.identifiers & (set(group.variables) - {"not_refractory"}))
    recipe = propagator.recipe()
    result = {}
    for entry, gated in _gated_entries(propagator).items():
        choices = []
        # Entries that do not depend on the gate are evaluated with it open (any value would do).
        for gate in (1.0, 0.0) if gated else (1.0,):
            fetch = Fetch(fetching.propagator, group, gate, entry.name, recipe)
            key = (group, "propagator", entry.name, gate)
            if per_neuron:
                array = low.array(key, "double", fetch)
                local = low.double()
                scope.add_array(local, array, "double", index)
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


def _threshold_code(
    low: Lowering,
    scope: GroupScope,
    current: dict[sympy.Symbol, sympy.Basic],
    single: bool = False,
) -> tuple[list[str], str]:
    """The threshold's lines and test, reading the variables' ``current`` values (locals that
    replace the stored ones), in float if ``single`` (as the update it follows).
    The user's condition comes first and ``not_refractory`` second,
    so that a branch on the test is predictable: most neurons are below threshold, and
    refractoriness tested first is what coba_limit's README measured as Brian2's most expensive
    misprediction."""
    group = scope.group
    flag = temporaries(low, single)()
    code = [(flag, scope.canonical(group.threshold).xreplace(current))]
    body = optimised(low, code, cse=False, single=single)
    lines, test = scope.lines(body, single), f"({flag} != 0)"
    if group.refractory is not None:
        gate = scope.local("not_refractory")
        if gate not in current:
            lines.append(scope.load(gate))
        test += f" & ({current.get(gate, gate)} != 0)"
    return lines, test


def lower_threshold(low: Lowering, scope: GroupScope) -> None:
    """The threshold alone, branching per neuron (used when something runs between the state
    update and the threshold, so that the two cannot share a pass)."""
    body, test = _threshold_code(low, scope, {})
    on_spike = []
    if scope.group.refractory is not None:
        on_spike = [*_spike_times(low, scope), _spike_closes_gate(scope)]
    low.operations.append(Operation(
        "threshold", f"threshold of group {scope.position}",
        {
            "size": scope.size, "count": scope.spike_count, "spikes": scope.spikes,
            "body": body, "test": test, "on_spike": on_spike,
        },
    ))  # fmt: skip


def lower_neuron_pass(low: Lowering, scope: GroupScope) -> None:
    """State update (if any) and threshold in one branch-free pass (see the module docstring).

    The threshold reads the new values. A spike's own stores (``lastspike = t``,
    ``not_refractory = False``) are made by a loop over the collected spikes: inside the pass
    they would be a selection and a store of ``lastspike`` for every neuron, which measured as
    a fifth of the pass (``lastspike`` is read there, never written). gcc sizes the pass's
    vectors by its narrowest store, and the flag is 2 bytes: a byte-sized store made a double
    pass process 64 neurons per iteration, whose values did not fit the registers (the spills
    cost a fifth of an exponential-Euler pass), and 4-byte flags cost the scan twice the
    memory (the E/I loop measured 5 % slower with them in double, 7 % in float at 4,000
    neurons and 14 % at 100,000; 1-byte flags measured the same as 2 in float). So
    ``not_refractory`` (a byte), which the pass computes from ``lastspike``, is stored only if
    other code reads it during the run (see :func:`settle_not_refractory`)."""
    group = scope.group
    # A gate computed from lastspike is perhaps not stored; a condition's always is.
    deferred = group.refractory is not None and group.refractory.condition is None
    body, stores, current, single = _update_code(low, scope, store_gate=not deferred)
    threshold, test = _threshold_code(low, scope, current, single)
    on_spike = []
    if group.refractory is not None:
        on_spike += _spike_times(low, scope)
        if deferred:
            gate = current[scope.local("not_refractory")]
            low.pending.append(lambda: settle_not_refractory(low, scope, operation, gate))
        else:
            on_spike.append(_spike_closes_gate(scope))
    operation = Operation(
        "neuron_pass", f"state update and threshold of group {scope.position}",
        {
            "size": scope.size, "count": scope.spike_count, "spikes": scope.spikes,
            "body": body + threshold, "spiked": low.count(), "test": test, "stores": stores,
            "on_spike": on_spike, "threads": threads_for(low, body + threshold),
            "flags": low.array((group, "spike flags"), "uint16_t",
                               Fetch(attribute, group, "spike_flags")),
        },
    )  # fmt: skip
    low.operations.append(operation)


def settle_not_refractory(low: Lowering, scope: GroupScope, operation: Operation,
                          value: sympy.Symbol) -> None:  # fmt: skip
    """Once every operation is lowered: if another one reads or writes ``not_refractory`` (its
    array has a slot), the pass stores it (its new ``value``) every step and a spike clears
    it; otherwise it is stored once, after the loop, as the last step left it (Brian2's value
    between runs)."""
    group, gate = scope.group, scope.local("not_refractory")
    if scope.used_by_any("not_refractory"):
        operation.fields["stores"].append(scope.store(gate, value))
        operation.fields["on_spike"].append(_spike_closes_gate(scope))
        return
    code = optimised(low, [(gate, scope.canonical(not_refractory(group)))], cse=False)
    flags, array = operation.fields["flags"], scope.array("not_refractory")
    low.after_loop += [
        "if _step > start:",
        f"    _t = (_step - 1)*{low.dt}",
        f"    for _i in range({scope.size}):",
        *(f"        {line}" for line in scope.lines(code)),
        f"        {array}[_i] = <uint8_t>(({gate} != 0) & ({flags}[_i] == 0))",
    ]


def _spike_times(low: Lowering, scope: GroupScope) -> list[str]:
    """A spike's time: ``lastspike``, and the end of its refractory period in steps if kept."""
    until = low.refractory_until.get(scope.group)
    return [f"{scope.array('lastspike')}[_i] = _t", *([until.spiked()] if until else [])]


def _spike_closes_gate(scope: GroupScope) -> str:
    return f"{scope.array('not_refractory')}[_i] = 0"


def lower_reset(low: Lowering, scope: GroupScope) -> None:
    group = scope.group
    code = [
        (scope.local(s.target), scope.canonical(s.value)) for s in group.reset
    ]  # sequential: each statement sees the previous ones
    targets = list(dict.fromkeys(target for target, _ in code))
    single = scope.in_single(targets)
    body = optimised(low, code, cse=False, single=single)
    low.operations.append(
        Operation(
            "reset",
            f"reset of group {scope.position}",
            {
                "count": scope.spike_count,
                "spikes": scope.spikes,
                "body": scope.lines(body, single),
                "stores": [scope.store(local) for local in targets],
            },
        )
    )
