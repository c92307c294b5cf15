"""Lowering: network objects → a :class:`Program` (structure) plus how to fetch its values.

The lowering walks the objects in schedule order and gives every runtime value a canonical
slot (``_a0`` arrays, ``_s0`` scalars, ``_n0`` integers) in order of first use, so names and
values of user objects never reach the source (DESIGN invariant 2). For each slot it records a
*fetch*, a function of the :class:`~snngen.runtime.network.RunState` that returns the value when
a run starts. Expressions are renamed to canonical symbols, hoisted (:mod:`.hoist`), reduced by
common-subexpression elimination (:mod:`.cse`) and printed (:mod:`.printer`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import sympy

from snngen.codegen.cse import Assignment, eliminate_common_subexpressions
from snngen.codegen.fetch import Fetch, run_value
from snngen.codegen.hoist import NEURON, RUN, STEP, Hoister
from snngen.codegen.printer import RNG_STATE, cython_expression
from snngen.codegen.program import ArraySlot, Lowered, Operation, Program
from snngen.errors import CodegenError

# Canonical names of runtime arguments: _a3 is the fourth array, _s0 the first scalar, ...
PREFIXES = {"array": "_a", "scalar": "_s", "integer": "_n"}
# The most steps one call of the loop runs when code counts steps in int32 (see
# Lowering.call_step): counts up to twice as large still fit.
CALL_STEPS = 2**30


class Lowering:
    """Allocates canonical slots and locals, and collects hoisted code and operations.

    ``parallel``: loops over neurons (or synapses) whose iterations are independent run on
    OpenMP threads, their number read from the integer slot :attr:`threads` (``None`` when
    serial).
    """

    def __init__(self, parallel: bool = False) -> None:
        self.arrays: list[ArraySlot] = []
        # How to fetch each slot's value at run time, per kind of slot (see PREFIXES).
        self.fetch: dict[str, list[Fetch]] = {"array": [], "scalar": [], "integer": []}
        self.doubles: list[str] = []
        self.singles: list[str] = []  # float locals (see single_invariants)
        self.int32s: list[str] = []  # int32 locals (step counts)
        self._call_step: sympy.Symbol | None = None
        self._single_copies: dict[sympy.Symbol, sympy.Symbol] = {}
        self.counts: list[str] = []
        self.slots: dict[tuple, Any] = {}
        self._names = itertools.count()
        self.t = sympy.Symbol("_t", real=True)
        self.hoister = Hoister({self.t: STEP}, self.double)
        self.operations: list[Operation] = []
        self.capacity_checks: list[str] = []
        self.before_loop: list[str] = []  # lines run before it (after the hoisted values)
        self.step_start: list[str] = []  # lines run at the start of each step
        self.after_loop: list[str] = []  # lines run once the loop stops
        # Variables stored as a value times a scale: (group, name) → ImplicitDecay.
        self.decays: dict[tuple[Any, str], Any] = {}
        # Groups whose refractoriness is tested on 16-bit steps → RefractoryUntil.
        self.refractory_until: dict[Any, Any] = {}
        # Lowering steps that need every operation lowered first (see settle_not_refractory).
        self.pending: list[Callable[[], None]] = []
        self.dt = self.scalar(("dt",), Fetch(run_value, "dt"))
        self.rng_saved = self.array(("rng",), "double", Fetch(run_value, "rng_saved"))
        self.progress = self.array(("progress",), "int64_t", Fetch(run_value, "progress"))
        self.threads = None
        if parallel:
            self.threads = str(self.integer(("threads",), Fetch(run_value, "threads")))

    def _slot(self, key: tuple, kind: str, fetch: Fetch, **assumptions: bool) -> sympy.Symbol:
        """The symbol of the runtime argument ``key`` (one slot per key, numbered in order)."""
        key = (kind, *key)  # an integer and a scalar for the same thing are two slots
        if key not in self.slots:
            slots = self.fetch[kind]
            symbol = sympy.Symbol(f"{PREFIXES[kind]}{len(slots)}", **assumptions)
            slots.append(fetch)
            self.hoister.set_level(symbol, RUN)
            self.slots[key] = symbol
        return self.slots[key]

    def array(self, key: tuple, ctype: str, fetch: Fetch) -> sympy.Symbol:
        if not self.has_array(key):
            self.arrays.append(ArraySlot(f"_a{len(self.arrays)}", ctype))
        return self._slot(key, "array", fetch)

    def has_array(self, key: tuple) -> bool:
        return ("array", *key) in self.slots

    def scalar(self, key: tuple, fetch: Fetch) -> sympy.Symbol:
        return self._slot(key, "scalar", fetch, real=True)

    def integer(self, key: tuple, fetch: Fetch) -> sympy.Symbol:
        return self._slot(key, "integer", fetch, integer=True)

    def double(self) -> sympy.Symbol:
        name = f"_d{next(self._names)}"
        self.doubles.append(name)
        return sympy.Symbol(name, real=True)

    def single(self) -> sympy.Symbol:
        name = f"_f{next(self._names)}"
        self.singles.append(name)
        return sympy.Symbol(name, real=True)

    def single_invariants(self, code: Sequence[Assignment]) -> list[Assignment]:
        """``code`` reading float copies of the run- and step-invariant values it uses (made
        where they are computed), so that no double operand promotes its float arithmetic.
        The time stays double: ``t - lastspike`` needs digits that float loses within
        seconds; integers (step counts) stay integers."""
        invariant = {s for _, expr in code for s in expr.free_symbols
                     if self.hoister.level(s) < NEURON and s != self.t
                     and not s.is_integer}  # fmt: skip
        copies = {s: self._single_copy(s) for s in sorted(invariant, key=str)}
        return [(target, expr.xreplace(copies)) for target, expr in code]

    def _single_copy(self, value: sympy.Symbol) -> sympy.Symbol:
        if value not in self._single_copies:
            copy = self._single_copies[value] = self.single()
            level = self.hoister.level(value)
            self.hoister.set_level(copy, level)
            self.hoister.blocks[level].append((copy, value))
        return self._single_copies[value]

    def int32(self) -> sympy.Symbol:
        name = f"_i{next(self._names)}"
        self.int32s.append(name)
        return sympy.Symbol(name, integer=True)

    def call_step(self) -> sympy.Symbol:
        """The steps this call of the loop has run, an int32 (for per-element step counts in 4
        bytes); a call then runs at most :data:`CALL_STEPS` steps."""
        if self._call_step is None:
            self._call_step = self.int32()
            self.hoister.set_level(self._call_step, STEP)
            self.before_loop.append(f"stop = min(stop, start + {CALL_STEPS})")
        return self._call_step

    def count(self) -> str:
        name = f"_c{len(self.counts)}"
        self.counts.append(name)
        return name

    def finish(self) -> Lowered:
        def lines(level: int) -> tuple[str, ...]:
            return tuple(f"{s} = {cython_expression(e)}" for s, e in self.hoister.blocks[level])

        call_step = self._call_step
        counted = (f"{call_step} = <int32_t>(_step - start)",) if call_step is not None else ()

        program = Program(
            arrays=tuple(self.arrays),
            scalars=tuple(f"_s{k}" for k in range(len(self.fetch["scalar"]))),
            integers=tuple(f"_n{k}" for k in range(len(self.fetch["integer"]))),
            doubles=tuple(self.doubles),
            singles=tuple(self.singles),
            int32s=tuple(self.int32s),
            counts=tuple(self.counts),
            prepare=lines(RUN) + tuple(self.before_loop),
            step=counted + lines(STEP) + tuple(self.step_start),
            capacity_checks=tuple(self.capacity_checks),
            operations=tuple(self.operations),
            after_loop=tuple(self.after_loop),
            dt=str(self.dt),
            rng_saved=str(self.rng_saved),
            progress=str(self.progress),
            parallel=self.threads is not None,
        )
        return Lowered(
            program.arrays,
            tuple(self.fetch["array"]),
            tuple(self.fetch["scalar"]),
            tuple(self.fetch["integer"]),
            {key: str(symbol) for key, symbol in self.slots.items()},
            program.rng_saved,
            program.progress,
            program,
        )


def threads_for(low: Lowering, lines: Sequence[str]) -> str | None:
    """The thread-count slot for a loop over neurons (or synapses) of ``lines``, or ``None`` to
    keep it serial. A loop that draws random numbers stays serial: its draws come from one
    generator in element order, which is what makes a run reproducible from its seed whatever
    the thread count."""
    if low.threads is None or any(RNG_STATE in line for line in lines):
        return None
    return low.threads


def optimised(low: Lowering, code: Sequence[Assignment], cse: bool = True,
              single: bool = False) -> list[Assignment]:  # fmt: skip
    """Hoist the invariant parts of ``code``, then (optionally) share common subexpressions;
    for float arithmetic if ``single`` (the caller's own temporaries come from
    :func:`temporaries`)."""
    hoisted = [(target, low.hoister.hoist(expr)) for target, expr in code]
    if cse:
        hoisted = eliminate_common_subexpressions(hoisted, temporaries(low, single))
    return low.single_invariants(hoisted) if single else hoisted


def temporaries(low: Lowering, single: bool) -> Callable[[], sympy.Symbol]:
    """The allocator of temporaries for float (``single``) or double arithmetic."""
    return low.single if single else low.double


# Brian2's default schedule; synaptic equations and summed variables run in the "groups" slot
# before the neurons' state updates, so that the neurons integrate this step's synaptic values.
SCHEDULE = ("start", "synaptic groups", "groups", "thresholds", "synapses", "resets", "end")


def lower(objects: Sequence[Any], parallel: bool = False) -> Lowered:
    """Lower the network of ``objects`` in Brian2's schedule order (see :data:`SCHEDULE`),
    for OpenMP threads if ``parallel`` (see :class:`Lowering`)."""
    from snngen.codegen import synapses as synaptic
    from snngen.codegen.decay import find_implicit_decays, lower_advance
    from snngen.codegen.inputs import lower_poisson_input, lower_spike_generator
    from snngen.codegen.monitors import lower_monitor
    from snngen.codegen.neurons import (
        lower_neuron_pass,
        lower_reset,
        lower_state_update,
        lower_threshold,
    )
    from snngen.codegen.refractory import plan_refractory_until
    from snngen.codegen.scope import GroupScope, SynapseScope
    from snngen.runtime.group import NeuronGroup
    from snngen.runtime.inputs import PoissonInput, SpikeGeneratorGroup
    from snngen.runtime.synapses import Synapses

    low = Lowering(parallel)
    groups = [obj for obj in objects if isinstance(obj, NeuronGroup)]
    scopes = {group: GroupScope(low, group, k) for k, group in enumerate(groups)}
    slots: dict[str, list[Callable[[], None]]] = {slot: [] for slot in SCHEDULE}
    # Update and threshold share one pass unless a monitor looks at the group in between.
    watched = {obj.source._owner for obj in objects if getattr(obj, "when", None) == "groups"}
    for group, scope in scopes.items():
        find_implicit_decays(low, scope)
        plan_refractory_until(low, scope)
        if group.threshold is not None and group not in watched:
            slots["groups"].append(lambda s=scope: lower_neuron_pass(low, s))
        elif group.rule is not None or group.refractory is not None:
            slots["groups"].append(lambda s=scope: lower_state_update(low, s))
        # Right after the update, so that later operations read the advanced scales.
        slots["groups"].append(lambda s=scope: lower_advance(low, s))
        if group.threshold is not None and group in watched:
            slots["thresholds"].append(lambda s=scope: lower_threshold(low, s))
        if isinstance(group, SpikeGeneratorGroup):
            slots["thresholds"].append(lambda s=scope: lower_spike_generator(low, s))
        if group.reset:
            slots["resets"].append(lambda s=scope: lower_reset(low, s))

    def scope_of(group: Any) -> GroupScope:
        if group._owner not in scopes:
            raise CodegenError(f"{group.name} is used but is not in the network")
        return scopes[group._owner]

    synapses = [obj for obj in objects if isinstance(obj, Synapses)]
    for k, obj in enumerate(synapses):
        scope = SynapseScope(low, obj, k)
        if obj.rule is not None:
            slots["synaptic groups"].append(lambda s=scope: synaptic.lower_synapse_update(low, s))
        if obj.summed:
            target_scope = scope_of(obj.target)
            slots["synaptic groups"].append(
                lambda s=scope, t=target_scope: synaptic.lower_summed(low, s, t)
            )
        for pathway in obj.pathways:
            trigger = scope_of(obj.source if pathway.side == "pre" else obj.target)
            slots["synapses"].append(
                lambda s=scope, p=pathway, g=trigger: synaptic.lower_pathway(low, s, p, g)
            )
    for obj in objects:  # monitors and Poisson inputs: operations on one group's neurons
        if isinstance(obj, NeuronGroup | Synapses):
            continue
        lowering = lower_poisson_input if isinstance(obj, PoissonInput) else lower_monitor
        source_scope = scope_of(obj.source)
        slots[obj.when].append(lambda o=obj, s=source_scope, f=lowering: f(low, s, o))
    for slot in SCHEDULE:
        for lower_one in slots[slot]:
            lower_one()
    for settle in low.pending:
        settle()
    return low.finish()
