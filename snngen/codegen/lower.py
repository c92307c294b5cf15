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
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from snngen.codegen.cse import Assignment, eliminate_common_subexpressions
from snngen.codegen.hoist import NEURON, RUN, STEP, Hoister
from snngen.codegen.printer import TimedValue, cython_expression
from snngen.codegen.program import CTYPES, ArraySlot, Operation, Program
from snngen.equations.functions import randn
from snngen.equations.model import EquationKind
from snngen.errors import CodegenError
from snngen.integration.rule import DT, T
from snngen.units.catalogue import UNITS
from snngen.units.quantity import strip

Fetch = Callable[[Any], Any]
INDEX = sympy.Symbol("_i", integer=True)
# Brian2's timestep(): steps elapsed, robust to rounding of t and dt.
_STEP_EPSILON = sympy.Float(1e-3)


@dataclass(frozen=True)
class Lowered:
    """A program and, slot by slot, how to fetch its runtime arguments."""

    program: Program
    array_fetch: tuple[Fetch, ...]
    scalar_fetch: tuple[Fetch, ...]
    integer_fetch: tuple[Fetch, ...]


class Lowering:
    """Allocates canonical slots and locals, and collects hoisted code and operations."""

    def __init__(self) -> None:
        self.arrays: list[ArraySlot] = []
        self.scalars: list[str] = []
        self.integers: list[str] = []
        self.fetch: dict[str, list[Fetch]] = {"array": [], "scalar": [], "integer": []}
        self.doubles: list[str] = []
        self.counts: list[str] = []
        self._slots: dict[tuple, Any] = {}
        self._names = itertools.count()
        self.t = sympy.Symbol("_t", real=True)
        self.hoister = Hoister({self.t: STEP}, self.double)
        self.hoister.set_level(INDEX, NEURON)
        self.operations: list[Operation] = []
        self.capacity_checks: list[str] = []
        self.dt = self.scalar(("dt",), lambda run: run.dt)
        self.rng_saved = self.array(("rng",), "double", lambda run: run.rng_saved)
        self.progress = self.array(("progress",), "int64_t", lambda run: run.progress)

    def _slot(self, key: tuple, make: Callable[[], Any]) -> Any:
        if key not in self._slots:
            self._slots[key] = make()
        return self._slots[key]

    def array(self, key: tuple, ctype: str, fetch: Fetch) -> sympy.Symbol:
        def make() -> sympy.Symbol:
            name = f"_a{len(self.arrays)}"
            self.arrays.append(ArraySlot(name, ctype))
            self.fetch["array"].append(fetch)
            symbol = sympy.Symbol(name)
            self.hoister.set_level(symbol, RUN)
            return symbol

        return self._slot(key, make)

    def scalar(self, key: tuple, fetch: Fetch) -> sympy.Symbol:
        def make() -> sympy.Symbol:
            name = f"_s{len(self.scalars)}"
            self.scalars.append(name)
            self.fetch["scalar"].append(fetch)
            symbol = sympy.Symbol(name, real=True)
            self.hoister.set_level(symbol, RUN)
            return symbol

        return self._slot(key, make)

    def integer(self, key: tuple, fetch: Fetch) -> sympy.Symbol:
        def make() -> sympy.Symbol:
            name = f"_n{len(self.integers)}"
            self.integers.append(name)
            self.fetch["integer"].append(fetch)
            symbol = sympy.Symbol(name, integer=True)
            self.hoister.set_level(symbol, RUN)
            return symbol

        return self._slot(key, make)

    def double(self) -> sympy.Symbol:
        name = f"_d{next(self._names)}"
        self.doubles.append(name)
        return sympy.Symbol(name, real=True)

    def count(self) -> str:
        name = f"_c{len(self.counts)}"
        self.counts.append(name)
        return name

    def finish(self) -> Lowered:
        def lines(level: int) -> tuple[str, ...]:
            return tuple(f"{s} = {cython_expression(e)}" for s, e in self.hoister.blocks[level])

        program = Program(
            arrays=tuple(self.arrays),
            scalars=tuple(self.scalars),
            integers=tuple(self.integers),
            doubles=tuple(self.doubles),
            counts=tuple(self.counts),
            prepare=lines(RUN),
            step=lines(STEP),
            capacity_checks=tuple(self.capacity_checks),
            operations=tuple(self.operations),
            dt=str(self.dt),
            rng_saved=str(self.rng_saved),
            progress=str(self.progress),
        )
        return Lowered(
            program,
            tuple(self.fetch["array"]),
            tuple(self.fetch["scalar"]),
            tuple(self.fetch["integer"]),
        )


class GroupScope:
    """The canonical names of one neuron group's variables, constants and functions."""

    def __init__(self, low: Lowering, group: Any, position: int) -> None:
        self.low = low
        self.group = group
        self.position = position
        self.size = low.integer((group, "N"), lambda run: group.N)
        self.size_value = low.scalar((group, "N"), lambda run: float(group.N))
        self.locals: dict[sympy.Symbol, tuple[sympy.Symbol, Any]] = {}  # local → (array, var)
        self.arrays: dict[str, sympy.Symbol] = {}
        self.symbols: dict[sympy.Basic, sympy.Basic] = {
            T: low.t,
            DT: low.dt,
            sympy.Symbol("i", real=True): INDEX,
            sympy.Symbol("N", real=True): self.size_value,
        }
        for name, variable in group.variables.items():
            array = low.array((group, "var", name), variable.ctype, self._storage(name))
            self.arrays[name] = array
            local = low.double()
            self.locals[local] = (array, variable)
            self.symbols[sympy.Symbol(name, real=True)] = local
        self.spikes = low.array((group, "spikes"), "int32_t", lambda run: group.spike_buffer)
        self.spike_count = low.count()
        subexpressions = {
            eq.symbol: eq.expr for eq in group.equations if eq.kind is EquationKind.SUBEXPRESSION
        }
        self._subexpressions = subexpressions

    def _storage(self, name: str) -> Fetch:
        return lambda run: self.group.storage[name]

    def local(self, name: str) -> sympy.Symbol:
        return self.symbols[sympy.Symbol(name, real=True)]

    def canonical(self, expr: sympy.Basic) -> sympy.Basic:
        """``expr`` with subexpressions inlined and every name replaced by its canonical one."""
        for _ in range(len(self._subexpressions) + 1):
            expr = expr.xreplace(self._subexpressions)
        # Sorted, so that slots are numbered the same way in every process.
        calls = {c: self._timed_value(c) for c in sorted(expr.atoms(AppliedUndef), key=str)}
        expr = expr.xreplace(calls)
        mapping = {s: self._symbol(s) for s in sorted(expr.free_symbols, key=str)}
        return expr.xreplace(mapping)

    def _symbol(self, symbol: sympy.Symbol) -> sympy.Basic:
        if symbol in self.symbols:
            return self.symbols[symbol]
        name = symbol.name
        if name == "_refractory":
            value = self.low.scalar((self.group, name), lambda run: self.group.refractory.seconds)
        elif name.startswith("_"):  # already canonical (user names cannot start with '_')
            return symbol
        elif name in UNITS:
            value = sympy.Float(float(strip(UNITS[name])))
        else:
            value = self.low.scalar((self.group, name), lambda run: run.constant(self.group, name))
        self.symbols[symbol] = value
        return value

    def _timed_value(self, call: AppliedUndef) -> sympy.Basic:
        name = call.func.__name__
        group, low = self.group, self.low

        def part(kind: str) -> Fetch:
            return lambda run: getattr(run.function(group, name), kind)

        values = low.array((group, name, "values"), "double", part("values"))
        rows = low.integer((group, name, "rows"), part("rows"))
        columns = low.integer((group, name, "columns"), part("columns"))
        inverse_dt = low.scalar((group, name, "inverse_dt"), part("inverse_dt"))
        column = call.args[1] if len(call.args) == 2 else sympy.S.Zero
        return TimedValue(values, rows, columns, inverse_dt, call.args[0], column)

    def loads(self, code: Sequence[Assignment]) -> list[str]:
        """Lines loading, for neuron ``_i``, the variables that ``code`` reads before assigning."""
        needed: set[sympy.Basic] = set()
        assigned: set[sympy.Basic] = set()
        for target, expr in code:
            needed |= expr.free_symbols - assigned
            assigned.add(target)
        lines = []
        for local, (array, variable) in self.locals.items():
            if local in needed:
                index = "0" if variable.shared else "_i"
                lines.append(f"{local} = {array}[{index}]")
        return lines

    def store(self, local: sympy.Symbol, value: sympy.Symbol | None = None) -> str:
        """The line storing ``value`` (default: the local itself) into ``local``'s array."""
        array, variable = self.locals[local]
        index = "0" if variable.shared else "_i"
        value = local if value is None else value
        text = str(value) if variable.ctype == "double" else f"<{variable.ctype}>{value}"
        return f"{array}[{index}] = {text}"


def printed(code: Sequence[Assignment]) -> list[str]:
    return [f"{target} = {cython_expression(expr)}" for target, expr in code]


def optimised(low: Lowering, code: Sequence[Assignment], cse: bool = True) -> list[Assignment]:
    """Hoist the invariant parts of ``code``, then (optionally) share common subexpressions."""
    hoisted = [(target, low.hoister.hoist(expr)) for target, expr in code]
    return eliminate_common_subexpressions(hoisted, low.double) if cse else hoisted


# -- operations -------------------------------------------------------------------------------


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
            renames.update(_propagator_entries(low, scope))
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


def _propagator_entries(low: Lowering, scope: GroupScope) -> dict[sympy.Symbol, sympy.Basic]:
    """Canonical values of the propagator entries: run-time scalars, or per-neuron arrays when
    the matrix involves per-neuron parameters; selected by ``not_refractory`` when gated."""
    group = scope.group
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
                scope.locals[local] = (array, _PropagatorEntry)
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
    group = scope.group
    condition = scope.canonical(group.threshold)
    if group.refractory is not None:
        condition = sympy.And(condition, sympy.Gt(scope.local("not_refractory"), 0.5))
    flag = low.double()
    body = optimised(low, [(flag, condition)], cse=False)
    on_spike = []
    if group.refractory is not None:
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
                "flag": flag,
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


def lower(objects: Sequence[Any]) -> Lowered:
    """Lower the network of ``objects`` (groups and monitors) in Brian2's schedule order."""
    from snngen.codegen.monitors import lower_monitor
    from snngen.runtime.group import NeuronGroup

    low = Lowering()
    groups = [obj for obj in objects if isinstance(obj, NeuronGroup)]
    monitors = [obj for obj in objects if not isinstance(obj, NeuronGroup)]
    scopes = {group: GroupScope(low, group, k) for k, group in enumerate(groups)}
    slots: dict[str, list[Callable[[], None]]] = {
        "start": [],
        "groups": [],
        "thresholds": [],
        "resets": [],
        "end": [],
    }
    for group, scope in scopes.items():
        if group.rule is not None or group.refractory is not None:
            slots["groups"].append(lambda s=scope: lower_state_update(low, s))
        if group.threshold is not None:
            slots["thresholds"].append(lambda s=scope: lower_threshold(low, s))
        if group.reset:
            slots["resets"].append(lambda s=scope: lower_reset(low, s))
    for monitor in monitors:
        owner = monitor.source._owner
        if owner not in scopes:
            raise CodegenError(f"{monitor!r} records from a group that is not in the network")
        slots[monitor.when].append(lambda m=monitor, s=scopes[owner]: lower_monitor(low, s, m))
    for slot in ("start", "groups", "thresholds", "resets", "end"):
        for lower_one in slots[slot]:
            lower_one()
    return low.finish()


def fetch_tables(lowered: Lowered, run: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """The argument tables of one call: array addresses, scalars, integers, and the arrays
    themselves (which must stay alive during the call)."""
    arrays = [f(run) for f in lowered.array_fetch]
    for slot, array in zip(lowered.program.arrays, arrays):
        allowed = {np.dtype(CTYPES[slot.ctype])}
        if slot.ctype == "uint8_t":
            allowed.add(np.dtype(bool))  # numpy booleans are one byte, 0 or 1
        if not array.flags.c_contiguous or array.dtype not in allowed:
            raise CodegenError(f"array {slot.name} is not a contiguous {slot.ctype} array")
    addresses = np.array([a.ctypes.data for a in arrays], dtype=np.uint64)
    scalars = np.array([f(run) for f in lowered.scalar_fetch], dtype=np.float64)
    integers = np.array([f(run) for f in lowered.integer_fetch], dtype=np.int64)
    return addresses, scalars, integers, arrays
