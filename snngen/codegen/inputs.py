"""Lowering of inputs: ``PoissonInput`` (a binomial draw per target neuron and step) and
``SpikeGeneratorGroup`` (given spikes, read from sorted (step, index) arrays)."""

from __future__ import annotations

from typing import Any

import sympy

from snngen.codegen.fetch import Fetch, attribute, entry, number
from snngen.codegen.lower import Lowering, optimised
from snngen.codegen.printer import BinomialDraw
from snngen.codegen.program import Operation
from snngen.codegen.scope import GroupScope


def lower_poisson_input(low: Lowering, scope: GroupScope, poisson: Any) -> None:
    count = low.scalar((poisson, "N"), Fetch(attribute, poisson, "N"))
    rate = low.scalar((poisson, "rate"), Fetch(attribute, poisson, "rate"))
    if isinstance(poisson.weight, sympy.Basic):
        weight = scope.canonical(poisson.weight)
    else:
        weight = low.scalar((poisson, "weight"), Fetch(number, poisson, "weight"))
    local = scope.local(poisson.target_var)
    code = [(local, local + BinomialDraw(count, rate * low.dt) * weight)]
    body = optimised(low, code, cse=False)
    low.operations.append(Operation(
        "neuron_loop", f"Poisson input to group {scope.position}",
        {
            "start": low.integer((poisson, "start"), Fetch(attribute, poisson, "source._start")),
            "stop": low.integer((poisson, "stop"), Fetch(attribute, poisson, "source._stop")),
            "body": scope.lines(body),
            "stores": [scope.store(local)],
        },
    ))  # fmt: skip


def lower_spike_generator(low: Lowering, scope: GroupScope) -> None:
    group = scope.group

    def runtime(name: str, ctype: str | None) -> sympy.Symbol:
        fetch = Fetch(entry, group, "runtime", name)
        if ctype is None:
            return low.integer((group, name), fetch)
        return low.array((group, name), ctype, fetch)

    low.operations.append(Operation(
        "spike_generator", f"spike generator {scope.position}",
        {
            "count": scope.spike_count,
            "spikes": scope.spikes,
            "steps": runtime("steps", "int64_t"),
            "indices": runtime("indices", "int32_t"),
            "position": runtime("position", "int64_t"),
            "events": runtime("events", None),
        },
    ))  # fmt: skip
