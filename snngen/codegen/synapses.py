"""Lowering of synapses: pathways (event-driven propagation with delays), clock-driven
synaptic equations, and summed variables.

The arrays a pathway reads (delay-sorted synapse order, per-neuron-and-delay offsets, ring of
spike lists) are prepared by :meth:`snngen.runtime.synapses.Synapses.before_run`; their sizes
are run-time integers, so delays and connectivity never reach the source. One fact of the data
does: a presynaptic pathway whose synapses share one delay reads each spiking neuron's synapses
straight from its CSR row, without the order array (:meth:`~snngen.runtime.synapses.Synapses.
direct`); the network recompiles if that changes.
"""

from __future__ import annotations

import re
from typing import Any

import sympy

from snngen.codegen.cse import Assignment
from snngen.codegen.fetch import Fetch, attribute, entry, storage
from snngen.codegen.lower import Lowering, optimised, temporaries, threads_for
from snngen.codegen.neurons import propagator_entries
from snngen.codegen.program import Operation
from snngen.codegen.scope import GroupScope, SynapseScope
from snngen.equations.expressions import symbol
from snngen.equations.functions import exprel, randn
from snngen.integration.rule import T
from snngen.runtime.variables import CTYPE_OF_DTYPE

# How many spikes ahead a pathway prefetches synapse rows: enough to cover a memory access
# while a row of ~80 synapses is processed (coba_limit.c's choice; measured in benchmarks/).
# The row offsets that locate those rows are prefetched twice as far ahead: at 100k neurons
# they are a random read from 800 kB, and waiting for them cost 15 % of the propagation.
PREFETCH_DISTANCE = 4


def _runtime(low: Lowering, synapses: Any, name: str, ctype: str | None) -> sympy.Symbol:
    """A prepared array (``ctype``) or integer (``None``) of ``synapses.runtime``."""
    fetch = Fetch(entry, synapses, "runtime", name)
    if ctype is None:
        return low.integer((synapses, name), fetch)
    return low.array((synapses, name), ctype, fetch)


def _integer(low: Lowering, synapses: Any, key: tuple[str, ...], path: str) -> sympy.Symbol:
    """An integer slot holding ``synapses.<path>`` (a size, or where a side starts or stops)."""
    return low.integer((synapses, *key), Fetch(attribute, synapses, path))


def _endpoints(low: Lowering, synapses: Any, code: list[str], trigger: str | None = None,
               always: tuple[str, ...] = ()) -> list[str]:  # fmt: skip
    """Lines setting ``_pre`` and ``_post`` (owner indices) of synapse ``_syn``, for the sides
    that ``code`` reads (or ``always`` needs). The ``trigger`` side of a pathway is the spiking
    neuron ``_i``; otherwise the stored ``j`` gives ``_post`` and the CSR rows give ``i``
    (derived only if some code needs it: it is not stored)."""
    lines = []
    for side, name, role in (("pre", "i", "source"), ("post", "j", "target")):
        if side != trigger and side not in always and not any(f"[_{side}]" in c for c in code):
            continue
        start = _integer(low, synapses, (f"{side} start",), f"{role}._start")
        if side == trigger:
            lines.append(f"_{side} = _i + {start}")
        else:
            ctype = CTYPE_OF_DTYPE[synapses.storage.held_type(name)]
            array = low.array((synapses, "var", name), ctype, Fetch(storage, synapses, name))
            lines.append(f"_{side} = {array}[_syn] + {start}")
    return lines


def _increments_unscaled(scope: SynapseScope, code: list[Assignment]) -> list[Assignment]:
    """``code`` with each increment ``g = g + w`` of an implicitly decaying variable that no
    other statement reads made an increment of the stored value, ``G = G + w/scale`` (see
    :meth:`~snngen.codegen.scope.Scope.unscaled`); equal up to rounding."""
    result = list(code)
    assigned = [target for target, _ in code]
    for k, (target, value) in enumerate(code):
        decay = scope.decay(target)
        increment = value - target
        once = assigned.count(target) == 1
        read_elsewhere = any(v.has(target) for n, (_, v) in enumerate(code) if n != k)
        if decay is None or increment.has(target) or not once or read_elsewhere:
            continue
        stored = scope.unscaled(target)
        result[k] = (stored, stored + increment * decay.inverse_local)
    return result


def _rows_read(code: list[str]) -> list[str]:
    """The per-synapse arrays that ``code`` indexes by ``_syn``: what a spike's CSR rows hold."""
    return sorted(set(re.findall(r"(_a\d+)\[_syn\]", "\n".join(code))))


def _size(low: Lowering, synapses: Any) -> sympy.Symbol:
    return _integer(low, synapses, ("N",), "N")


def lower_synapse_update(low: Lowering, scope: SynapseScope) -> None:
    """Clock-driven synaptic equations, every step, for every synapse."""
    synapses, rule = scope.owner, scope.owner.rule
    single = scope.in_single(scope.local(target.name) for target, _ in rule.updates)
    temporary = temporaries(low, single)
    renames = {s: temporary() for s, _ in rule.temporaries}
    if rule.propagator is not None:
        renames.update(propagator_entries(low, scope, "_syn"))
    code: list[Assignment] = []
    for noise in rule.noise:
        renames[noise] = temporary()
        code.append((renames[noise], randn(len(code))))
    code += [(renames[s], scope.canonical(e.xreplace(renames))) for s, e in rule.temporaries]
    stores = []
    for target, expr in rule.updates:
        new = temporary()
        code.append((new, scope.canonical(expr.xreplace(renames))))
        stores.append(scope.store(scope.local(target.name), new))
    body = optimised(low, code, single=single)
    lines = scope.lines(body, single)
    low.operations.append(Operation(
        "synapse_update", f"clock-driven equations of synapses {scope.position}",
        {
            "size": _size(low, synapses), "endpoints": _endpoints(low, synapses, lines + stores),
            "body": lines, "stores": stores, "threads": threads_for(low, lines),
        },
    ))  # fmt: skip


def lower_summed(low: Lowering, scope: SynapseScope, target_scope: GroupScope) -> None:
    synapses = scope.owner
    for eq in synapses.summed:
        value = low.double()
        body = optimised(low, [(value, scope.canonical(eq.expr))])
        lines = scope.lines(body)
        name = eq.name.removesuffix("_post")
        low.operations.append(Operation(
            "summed_variable", f"summed variable of synapses {scope.position}",
            {
                "size": _size(low, synapses),
                "endpoints": _endpoints(low, synapses, lines, always=("post",)),
                "start": _integer(low, synapses, ("target start",), "target._start"),
                "stop": _integer(low, synapses, ("target stop",), "target._stop"),
                "target": target_scope.array(name),
                "body": lines,
                "value": value,
            },
        ))  # fmt: skip


def lower_pathway(low: Lowering, scope: SynapseScope, pathway: Any, trigger: GroupScope) -> None:
    """Statements of ``pathway`` for the synapses of neurons of ``trigger`` that spiked."""
    synapses = scope.owner
    role = "source" if pathway.side == "pre" else "target"
    code: list[Assignment] = []
    if synapses.event_driven:
        elapsed = low.double()  # a time, as t and lastupdate
        code.append((elapsed, scope.canonical(T - symbol("lastupdate"))))
        for equation in synapses.event_driven:
            x = scope.local(equation.name)
            rate = scope.canonical(equation.rate) * elapsed
            value = x * sympy.exp(rate)
            if equation.drive != 0:
                value += scope.canonical(equation.drive) * elapsed * exprel(rate)
            code.append((x, value))
    for statement in pathway.statements:
        code.append((scope.local(statement.target), scope.canonical(statement.value)))
    if synapses.event_driven:
        code.append((scope.local("lastupdate"), scope.canonical(T)))
    code = _increments_unscaled(scope, code)
    targets = list(dict.fromkeys(target for target, _ in code if target in scope.locals))
    single = scope.in_single(targets)
    body = optimised(low, code, cse=False, single=single)  # statements are sequential
    lines = scope.lines(body, single)
    stores = [scope.store(local) for local in targets]

    def runtime(name: str, ctype: str | None = None) -> sympy.Symbol:
        return _runtime(low, synapses, f"{pathway.name}:{name}", ctype)

    endpoints = _endpoints(low, synapses, lines + stores, trigger=pathway.side)
    direct = synapses.direct(pathway)

    low.operations.append(Operation(
        "synaptic_pathway", f"pathway {pathway.name} of synapses {scope.position}",
        {
            "endpoints": endpoints,
            "count": trigger.spike_count,
            "spikes": trigger.spikes,
            "start": _integer(low, synapses, (pathway.name, "start"), f"{role}._start"),
            "stop": _integer(low, synapses, (pathway.name, "stop"), f"{role}._stop"),
            "side_size": _integer(low, synapses, (pathway.name, "size"), f"{role}.N"),
            "ring": runtime("ring", "int32_t"),
            "ring_count": runtime("ring_count", "int64_t"),
            "ring_count_local": low.count(),
            "ring_length": runtime("ring_length"),
            "delays": runtime("delays"),
            "min_delay": runtime("min_delay"),
            "order": None if direct else runtime("order", "int32_t"),
            "offsets": runtime("offsets", "int64_t"),
            "rows": _rows_read(endpoints + lines + stores) if direct else [],
            "prefetch_distance": PREFETCH_DISTANCE,
            "body": lines,
            "stores": stores,
        },
    ))  # fmt: skip
