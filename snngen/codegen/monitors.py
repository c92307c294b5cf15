"""Lowering of monitors: spike, state and population-rate recording inside the compiled loop.

Monitors write into numpy buffers that the runtime allocates per run (state and rate monitors,
whose sizes are known) or grows between chunks (spike monitors: the loop returns before a step
that could overflow the buffer, see ``capacity_checks``).
"""

from __future__ import annotations

from typing import Any

import sympy

from snngen.codegen.fetch import Fetch, attribute, entry, length
from snngen.codegen.hoist import STEP
from snngen.codegen.lower import Lowering, optimised
from snngen.codegen.program import Operation
from snngen.codegen.scope import GroupScope
from snngen.errors import CodegenError


def lower_monitor(low: Lowering, scope: GroupScope, monitor: Any) -> None:
    kind = type(monitor).__name__
    lowering = {
        "SpikeMonitor": _spike_monitor,
        "StateMonitor": _state_monitor,
        "PopulationRateMonitor": _rate_monitor,
    }.get(kind)
    if lowering is None:
        raise CodegenError(f"no lowering for {kind}")
    lowering(low, scope, monitor)


def _range(low: Lowering, monitor: Any) -> dict[str, sympy.Symbol]:
    return {
        "start": low.integer((monitor, "start"), Fetch(attribute, monitor, "source._start")),
        "stop": low.integer((monitor, "stop"), Fetch(attribute, monitor, "source._stop")),
    }


def _buffer(low: Lowering, monitor: Any, name: str, ctype: str) -> sympy.Symbol:
    return low.array((monitor, name), ctype, Fetch(entry, monitor, "buffers", name))


def _spike_monitor(low: Lowering, scope: GroupScope, monitor: Any) -> None:
    fields = {
        "count": scope.spike_count,
        "spikes": scope.spikes,
        **_range(low, monitor),
        "counts": None if monitor.record else _buffer(low, monitor, "counts", "int64_t"),
        "stored": _buffer(low, monitor, "stored", "int64_t"),
        "indices": _buffer(low, monitor, "indices", "int32_t") if monitor.record else None,
        "steps": _buffer(low, monitor, "steps", "int32_t") if monitor.record else None,
    }
    if monitor.record:
        capacity = low.integer((monitor, "capacity"), Fetch(attribute, monitor, "capacity"))
        size = low.integer((monitor, "size"), Fetch(attribute, monitor, "source.N"))
        low.capacity_checks.append(f"{fields['stored']}[0] + {size} > {capacity}")
    low.operations.append(Operation("spike_monitor", f"spike monitor of group {scope.position}",
                                    fields))  # fmt: skip


def _state_monitor(low: Lowering, scope: GroupScope, monitor: Any) -> None:
    code = []
    outputs = []
    for name in monitor.record_variables:
        value = low.double()
        code.append((value, scope.canonical(sympy.Symbol(name, real=True))))
        outputs.append((_buffer(low, monitor, name, "double"), value))
    body = optimised(low, code)
    fields = {
        "every": low.integer((monitor, "every"), Fetch(attribute, monitor, "every")),
        "recorded": low.integer((monitor, "recorded"), Fetch(length, monitor, "record")),
        "indices": _buffer(low, monitor, "indices", "int32_t"),
        "column": _buffer(low, monitor, "column", "int64_t"),
        "columns": low.integer((monitor, "columns"), Fetch(attribute, monitor, "columns")),
        "body": scope.lines(body),
        "outputs": outputs,
    }
    low.operations.append(
        Operation("state_monitor", f"state monitor of group {scope.position}", fields)
    )


def _rate_monitor(low: Lowering, scope: GroupScope, monitor: Any) -> None:
    size = low.scalar((monitor, "size"), Fetch(attribute, monitor, "source.N"))
    fields = {
        "count": scope.spike_count,
        "spikes": scope.spikes,
        **_range(low, monitor),
        "column": _buffer(low, monitor, "column", "int64_t"),
        "rate": _buffer(low, monitor, "rate", "double"),
        "scale": low.hoister.hoist(1 / (size * low.dt), target=STEP),
        "local": low.count(),
    }
    low.operations.append(
        Operation("rate_monitor", f"population rate monitor of group {scope.position}", fields)
    )
