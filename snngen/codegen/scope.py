"""Scopes: which canonical name every identifier of an object's code stands for.

A neuron group's code runs per neuron (index ``_i``); a synapse's code per synapse (``_syn``),
reading and writing the variables of its presynaptic (``_pre``) and postsynaptic (``_post``)
neurons. A scope maps each identifier to a local loaded from an array at its index, a scalar
slot (external constants, ``dt``), or a number (units), and says how to load and store locals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from sympy.core.function import AppliedUndef

from snngen.codegen.cse import Assignment
from snngen.codegen.fetch import Fetch, attribute, constant, storage, timed_array
from snngen.codegen.printer import TimedValue, printed
from snngen.equations.model import EquationKind
from snngen.integration.rule import DT, T
from snngen.units.catalogue import UNITS
from snngen.units.quantity import strip

INDEX = sympy.Symbol("_i", integer=True)

# Variables that record when something happened (assigned t): double whatever the mode, they
# do not decide an operation's precision.
TIME_STAMPS = frozenset({"lastspike", "lastupdate"})


def _name(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


class Scope:
    """Identifiers → canonical symbols for the code of one object (``owner``).

    A variable's array becomes a runtime argument only when code loads or stores it, so the
    loop is passed (and the runtime fetches) only what it uses: a synaptic ``delay`` that the
    code never reads need not exist per synapse (see :mod:`snngen.runtime.synapse_storage`).
    """

    def __init__(self, low: Any, owner: Any, position: int) -> None:
        self.low = low
        self.owner = owner
        self.position = position
        # local symbol → (variable description with .ctype and .shared, index)
        self.locals: dict[sympy.Symbol, tuple[Any, str]] = {}
        self._arrays: dict[sympy.Symbol, sympy.Symbol] = {}  # the locals' allocated slots
        self._sources: dict[sympy.Symbol, tuple[Any, str]] = {}  # local → (owner, variable)
        self._own: dict[str, sympy.Symbol] = {}  # the owner's variables: name → local
        self._unscaled: set[sympy.Symbol] = set()  # see unscaled()
        self.symbols: dict[sympy.Basic, sympy.Basic] = {T: low.t, DT: low.dt}
        self.subexpressions: dict[sympy.Symbol, sympy.Basic] = {}

    def add_variables(self, group: Any, index: str, suffix: str = "") -> None:
        """Make the variables of ``group`` (a neuron group or synapses) available at ``index``."""
        for name, variable in group.variables.items():
            local = self.low.single() if variable.single else self.low.double()
            self.locals[local] = (variable, "0" if variable.shared else index)
            self._sources[local] = (group, name)
            if not suffix:
                self._own[name] = local
            self.symbols[_name(name + suffix)] = local

    def add_array(self, local: sympy.Symbol, array: sympy.Symbol, ctype: str,
                  index: str) -> None:  # fmt: skip
        """A local read from an array slot the caller allocated, of elements of ``ctype`` (not
        a model variable: per-neuron propagator entries, refractory ends)."""
        self.locals[local] = (_ArrayValue(ctype), index)
        self._arrays[local] = array

    def array_of(self, local: sympy.Symbol) -> sympy.Symbol:
        """The array slot of ``local``, allocated at first use."""
        if local not in self._arrays:
            variable, _ = self.locals[local]
            owner, name = self._sources[local]
            self._arrays[local] = self.low.array(
                _variable_key(owner, name), variable.ctype, Fetch(storage, owner, name)
            )
        return self._arrays[local]

    def used_by_any(self, name: str) -> bool:
        """Whether the code of any scope has used the array of the owner's variable ``name``."""
        return self.low.has_array(_variable_key(self.owner, name))

    def array(self, name: str) -> sympy.Symbol:
        """The array slot of the owner's variable ``name``."""
        return self.array_of(self._own[name])

    def local(self, name: str) -> sympy.Symbol:
        return self.symbols[_name(name)]

    def canonical(self, expr: sympy.Basic) -> sympy.Basic:
        """``expr`` with subexpressions inlined and every name replaced by its canonical one."""
        for _ in range(len(self.subexpressions) + 1):
            expr = expr.xreplace(self.subexpressions)
        # Sorted, so that slots are numbered the same way in every process.
        calls = {c: self._timed_value(c) for c in sorted(expr.atoms(AppliedUndef), key=str)}
        expr = expr.xreplace(calls)
        mapping = {s: self._symbol(s) for s in sorted(expr.free_symbols, key=str)}
        return expr.xreplace(mapping)

    def _symbol(self, symbol: sympy.Symbol) -> sympy.Basic:
        if symbol in self.symbols:
            return self.symbols[symbol]
        name = symbol.name
        owner = self.owner
        if name == "_refractory":
            value = self.low.scalar((owner, name), Fetch(attribute, owner, "refractory.seconds"))
        elif name.startswith("_"):  # already canonical (user names cannot start with '_')
            return symbol
        elif name in UNITS:
            value = sympy.Float(float(strip(UNITS[name])))
        else:
            value = self.low.scalar((owner, name), Fetch(constant, owner, name))
        self.symbols[symbol] = value
        return value

    def _timed_value(self, call: AppliedUndef) -> sympy.Basic:
        name = call.func.__name__
        owner, low = self.owner, self.low

        def part(kind: str) -> Fetch:
            return Fetch(timed_array, owner, name, kind)

        values = low.array((owner, name, "values"), "double", part("values"))
        rows = low.integer((owner, name, "rows"), part("rows"))
        columns = low.integer((owner, name, "columns"), part("columns"))
        inverse_dt = low.scalar((owner, name, "inverse_dt"), part("inverse_dt"))
        column = call.args[1] if len(call.args) == 2 else sympy.S.Zero
        return TimedValue(values, rows, columns, inverse_dt, call.args[0], column)

    def in_single(self, targets: Iterable[sympy.Symbol]) -> bool:
        """Whether code storing ``targets`` (locals) computes in float: when every float
        variable among them is stored in single precision (the float32 mode; a mixed
        operation computes in double)."""
        stored = [self.locals[t][0] for t in targets]
        floats = [v for v in stored if v.var_type == "float" and v.name not in TIME_STAMPS]
        return bool(floats) and all(v.single for v in floats)

    def lines(self, code: Sequence[Assignment], single: bool = False) -> list[str]:
        """``code`` printed (in float if ``single``), after the loads it needs."""
        return self.loads(code) + printed(code, single)

    def loads(self, code: Sequence[Assignment]) -> list[str]:
        """Lines loading the variables that ``code`` reads before it assigns them."""
        needed: set[sympy.Basic] = set()
        assigned: set[sympy.Basic] = set()
        for target, expr in code:
            needed |= expr.free_symbols - assigned
            assigned.add(target)
        return [self.load(local) for local in self.locals if local in needed]

    def load(self, local: sympy.Symbol) -> str:
        """The line loading ``local`` from its array (times the scale of an implicit decay)."""
        _, index = self.locals[local]
        decay = self.decay(local)
        scaled = f"*{decay.scale_local}" if decay else ""
        return f"{local} = {self.array_of(local)}[{index}]{scaled}"

    def store(self, local: sympy.Symbol, value: sympy.Symbol | None = None) -> str:
        """The line storing ``value`` (default: the local itself) into ``local``'s array
        (divided by the scale of an implicit decay)."""
        variable, index = self.locals[local]
        value = local if value is None else value
        decay = self.decay(local)
        text = f"{value}*{decay.inverse_local}" if decay else str(value)
        if variable.ctype != "double":
            text = f"<{variable.ctype}>({text})" if decay else f"<{variable.ctype}>{text}"
        line = f"{self.array_of(local)}[{index}] = {text}"
        owner, name = self._sources.get(local, (None, None))
        if name == "lastspike" and (until := self.low.refractory_until.get(owner)):
            line += f"; {until.store(index, str(value))}"  # its 16-bit copy in step
        return line

    def decay(self, local: sympy.Symbol) -> Any:
        """The :class:`~snngen.codegen.decay.ImplicitDecay` of ``local``'s variable, if any
        (none for an :meth:`unscaled` local, which holds the stored value)."""
        if local in self._unscaled:
            return None
        return self.low.decays.get(self._sources.get(local))

    def unscaled(self, local: sympy.Symbol) -> sympy.Symbol:
        """A new local for the array of ``local`` (an implicitly decaying variable) that loads
        and stores the stored value ``G`` itself, not ``G*scale``: an increment ``g += w``
        becomes ``G += w/scale``, an add instead of two multiplications and an add per
        synapse."""
        copy = self.low.single() if self.locals[local][0].single else self.low.double()
        self.locals[copy] = self.locals[local]
        self._sources[copy] = self._sources[local]
        self._arrays[copy] = self.array_of(local)
        self._unscaled.add(copy)
        return copy


@dataclass(frozen=True)
class _ArrayValue:
    """What a scope needs to know of a local that :meth:`Scope.add_array` reads."""

    ctype: str
    shared: bool = False


def _variable_key(owner: Any, name: str) -> tuple:
    """The lowering's key of the array slot of ``owner``'s variable ``name``."""
    return owner, "var", name


def _subexpressions(equations: Any) -> dict[sympy.Symbol, sympy.Basic]:
    """Subexpressions to inline (a summed variable is not one: it names its target)."""
    return {
        eq.symbol: eq.expr
        for eq in equations
        if eq.kind is EquationKind.SUBEXPRESSION and "summed" not in eq.flags
    }


class GroupScope(Scope):
    """A neuron group's code: per neuron ``_i``; also its spike list for this step."""

    def __init__(self, low: Any, group: Any, position: int) -> None:
        super().__init__(low, group, position)
        self.group = group
        self.size = low.integer((group, "N"), Fetch(attribute, group, "N"))
        self.symbols[_name("i")] = INDEX
        self.add_variables(group, "_i")
        self.spikes = low.array(
            (group, "spikes"), "int32_t", Fetch(attribute, group, "spike_buffer")
        )
        self.spike_count = low.count()
        self.subexpressions = _subexpressions(group.equations)

    def _symbol(self, symbol: sympy.Symbol) -> sympy.Basic:
        if symbol.name == "N" and symbol not in self.symbols:  # a slot only where N is used
            group = self.group
            self.symbols[symbol] = self.low.scalar((group, "N"), Fetch(attribute, group, "N"))
        return super()._symbol(symbol)


class SynapseScope(Scope):
    """A synapse's code: its own variables at ``_syn``, ``x_pre`` at ``_pre`` and ``x_post``
    (or plain ``x`` when the synapses do not define it, as in Brian2) at ``_post``."""

    def __init__(self, low: Any, synapses: Any, position: int) -> None:
        super().__init__(low, synapses, position)
        source, target = synapses.source._owner, synapses.target._owner
        self.add_variables(synapses, "_syn")
        self.add_variables(source, "_pre", "_pre")
        self.add_variables(target, "_post", "_post")
        for name in target.variables:
            self.symbols.setdefault(_name(name), self.symbols[_name(name + "_post")])
        self.symbols[_name("N_pre")] = low.scalar(
            (synapses, "N_pre"), Fetch(attribute, synapses, "source.N")
        )
        self.symbols[_name("N_post")] = low.scalar(
            (synapses, "N_post"), Fetch(attribute, synapses, "target.N")
        )
        self.subexpressions = _subexpressions(synapses.equations)
