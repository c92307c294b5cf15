"""``Synapses``, with Brian2's names and semantics, generated into the network's module.

Synapses are stored in CSR order by presynaptic neuron (DESIGN invariant 7): ``i``, ``j`` and
each synaptic variable are parallel arrays sorted by ``i``. A pathway (``on_pre``, ``on_post``)
runs its statements for the synapses of the neurons that spiked, ``delay`` after the spike:
spikes wait in a ring of per-step spike lists, and each neuron's synapses are indexed by delay,
so a step touches exactly the synapses whose effect lands in it.

Identifiers in synaptic code: the synapses' own variables, ``x_pre`` and ``x_post`` for the
neurons' variables, and a plain ``x`` for the postsynaptic ``x`` when the synapses do not
define ``x`` (as in Brian2). Differential equations are ``(clock-driven)`` (the default: updated
every step) or ``(event-driven)`` (updated, exactly, only when a pathway reaches the synapse,
which requires them to be linear in their own variable, as spike traces are). A subexpression
flagged ``(summed)`` and named ``x_post`` sets the postsynaptic parameter ``x`` to the sum over
synapses, every step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from snngen.build.checked import check_once
from snngen.equations.model import EquationKind, SingleEquation
from snngen.equations.names import SPECIAL_DIMENSIONS
from snngen.equations.statements import Statement, parse_statements
from snngen.equations.system import Equations
from snngen.errors import IdentifierError, ModelError, UnitMismatchError, UnsupportedEquationsError
from snngen.runtime.clock import SECOND, time_value
from snngen.runtime.group import Group, created_at, default_name, register
from snngen.runtime.namespace import external_dimension, names_in_code
from snngen.runtime.synapse_storage import SynapseStorage
from snngen.runtime.variables import (
    Variable,
    declared_variables,
    single_precision_names,
    unitless,
    with_units,
)
from snngen.units.catalogue import UNITS, unit_string
from snngen.units.dimensions import DIMENSIONLESS, Dimension
from snngen.units.quantity import Quantity, strip

if TYPE_CHECKING:
    import sympy

    from snngen.integration.rule import UpdateRule

_INDEX_VARIABLES = {
    "i": Variable("i", DIMENSIONLESS, "index"),
    "j": Variable("j", DIMENSIONLESS, "index"),
}


@dataclass
class Pathway:
    """Statements run for the synapses of spiking neurons of one side (``pre`` or ``post``)."""

    name: str
    side: str  # "pre": triggered by the source's spikes; "post": by the target's
    statements: list[Statement]
    delay_variable: str | None  # per-synapse delay variable ("delay" for the first pre pathway)
    runtime: dict[str, Any] = field(default_factory=dict)  # arrays prepared for a run


@dataclass(frozen=True)
class EventDriven:
    """``dx/dt = a x + b`` for an event-driven variable, with ``a`` and ``b`` free of state."""

    name: str
    rate: sympy.Basic
    drive: sympy.Basic


class Synapses:
    """Connections between two groups with their own variables and pathways.

    Parameters
    ----------
    source, target
        Groups (or subgroups, or spike sources); ``target`` defaults to ``source``.
    model
        Synaptic equations, e.g. ``'w : siemens'``.
    on_pre, on_post
        Statements run when the presynaptic (postsynaptic) neuron spikes; a dict gives several
        named pathways.
    delay
        Delay of the (first) presynaptic pathway: a time for all synapses; per-synapse delays
        are set afterwards with ``S.delay = ...``.
    method
        Integration method of the clock-driven equations.
    dtype
        Storage type of the float variables, as for :class:`~snngen.NeuronGroup`.
    """

    def __init__(self, source: Group, target: Group | None = None, model: str | Equations = "",
                 on_pre: str | Mapping[str, str] | None = None,
                 on_post: str | Mapping[str, str] | None = None, delay: Quantity | None = None,
                 method: str | None = None, namespace: Mapping[str, Any] | None = None,
                 name: str | None = None, dtype: Any = None) -> None:  # fmt: skip
        self.source = _spike_source(source, "source")
        self.target = _spike_source(target if target is not None else source, "target")
        self.name = name or default_name("synapses")
        self.created_at = created_at(1)
        self.namespace = dict(namespace or {})
        self.equations = model if isinstance(model, Equations) else Equations(model)
        self.variables: dict[str, Variable] = dict(_INDEX_VARIABLES)
        self.variables.update(declared_variables(self.equations, dtype, self.name))
        self.pathways = _pathways(on_pre, "pre") + _pathways(on_post, "post")
        single = single_precision_names(self.variables)
        self._code = (on_pre, on_post, method, single)  # as written, for structure()
        if self.pathways and self.pathways[0].side == "pre":
            self.variables["delay"] = Variable("delay", SECOND.dim)
            self.pathways[0].delay_variable = "delay"
        if any("event-driven" in eq.flags for eq in self.equations):
            self.variables["lastupdate"] = Variable("lastupdate", SECOND.dim)
        self.method = method
        check_once("synapses", (self.equations.describe(), self._code), self._check)
        self.summed = _summed(self.equations, self.target._owner)
        initial = {"delay": 0.0 if delay is None else time_value(delay, "delay")}
        self.storage = SynapseStorage(self.variables, self.source.N, self.target.N, initial)
        self.runtime: dict[str, Any] = {}  # arrays prepared for a run (before_run)
        for pathway in self.pathways:
            self._check_targets(pathway)
        register(self)
        self._frozen = True

    def _check(self) -> None:
        """Parse the pathways and derive the update rules, so that errors in them are raised
        now, where the synapses are created."""
        for pathway in self.pathways:
            for statement in pathway.statements:
                statement.expr  # noqa: B018 - parsed for its errors
        self.event_driven  # noqa: B018
        self.rule  # noqa: B018

    @functools.cached_property
    def event_driven(self) -> list[EventDriven]:
        """The event-driven equations' exact updates (derived at the first use)."""
        return _event_driven(self.equations)

    @functools.cached_property
    def rule(self) -> UpdateRule | None:
        """The update rule of the clock-driven equations (derived at the first use)."""
        return _clock_driven_rule(self.equations, self.method)

    # -- connecting ----------------------------------------------------------------------------

    @property
    def N(self) -> int:
        return self.storage.N

    def __len__(self) -> int:
        return self.N

    def connect(
        self,
        condition: str | bool | None = None,
        i: Any = None,
        j: Any = None,
        p: float | str = 1.0,
        n: int = 1,
        skip_if_invalid: bool = False,
    ) -> None:
        """Create synapses, as Brian2's ``connect``.

        ``connect()`` or ``connect(True)``: all pairs; ``connect(condition='i != j', p=0.1)``:
        pairs where the condition holds, each with probability ``p`` (a number or an expression
        of ``i``, ``j`` and neuron variables); ``connect(i=[0, 1], j=[2, 3])``: these pairs;
        ``connect(j='i')``: ``j`` computed from each ``i`` (one-to-one). ``n`` synapses per pair.
        """
        from snngen.runtime.connect_values import pairs_for

        pre, post = pairs_for(self, condition, i, j, p, skip_if_invalid, level=1)
        if n != 1:
            if not isinstance(n, int | np.integer) or n < 0:
                raise ModelError(f"n must be a non-negative integer, got {n!r}")
            pre, post = np.repeat(pre, n), np.repeat(post, n)
        self._add(pre, post)

    def connect_weights(self, weights: Any, variable: str = "w") -> None:
        """Create one synapse per non-zero entry of ``weights`` (shape ``(N_pre, N_post)``,
        dense or scipy.sparse) and set ``variable`` to the entries, signs included."""
        if variable not in self.variables:
            raise IdentifierError(f"{self.name} has no variable {variable!r} to hold the weights",
                                  identifier=variable)  # fmt: skip
        if hasattr(weights, "tocoo"):
            sparse = weights.tocsr()
            sparse.sort_indices()
            shape = sparse.shape
            pre = np.repeat(np.arange(shape[0]), np.diff(sparse.indptr))
            post, values = sparse.indices, sparse.data
            keep = values != 0
            pre, post, values = pre[keep], post[keep], values[keep]
        else:
            dense = np.asarray(strip(weights), dtype=float)
            shape = dense.shape
            pre, post = np.nonzero(dense)
            values = dense[pre, post]
        if shape != (self.source.N, self.target.N):
            raise ModelError(f"the weight matrix of {self.name} must have shape "
                             f"({self.source.N}, {self.target.N}), got {shape}")  # fmt: skip
        positions = self._add(pre, post)
        self.storage.writable(variable)[positions] = values

    def _add(self, pre: np.ndarray, post: np.ndarray) -> slice | np.ndarray:
        """Add synapses in CSR order; returns where the new synapses ended up."""
        if len(pre) and (pre.min() < 0 or pre.max() >= self.source.N or post.min() < 0
                         or post.max() >= self.target.N):  # fmt: skip
            raise ModelError(f"synapse indices of {self.name} out of range")
        return self.storage.add(pre, post)

    # -- variables --------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        variables = self.__dict__.get("variables", {})
        if name in variables:
            from snngen.runtime.synaptic_view import SynapticView

            return SynapticView(self, name)
        stem = unitless(name, variables)
        if stem is not None:  # Brian2's S.w_: the values as numbers in SI units
            return self.storage[stem]
        raise AttributeError(f"Synapses has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        variables = self.__dict__.get("variables", {})
        stem = unitless(name, variables)
        if name in variables or stem is not None:
            from snngen.runtime.synaptic_view import SynapticView

            if stem is not None:
                value = with_units(value, variables[stem], self.name)
            SynapticView(self, stem or name).assign(slice(None), value, level=1)
        elif (
            name in self.__dict__
            or name.startswith("_")
            or hasattr(type(self), name)
            or (not self.__dict__.get("_frozen"))
        ):
            object.__setattr__(self, name, value)
        else:
            raise AttributeError(f"Synapses has no variable {name!r}; the variables are: "
                                 f"{', '.join(self.variables)}")  # fmt: skip

    @property
    def delay(self) -> Any:
        from snngen.runtime.synaptic_view import SynapticView

        return SynapticView(self, "delay")

    @delay.setter
    def delay(self, value: Any) -> None:
        from snngen.runtime.synaptic_view import SynapticView

        if "delay" not in self.variables:
            raise ModelError(f"{self.name} has no presynaptic pathway, so no delay")
        SynapticView(self, "delay").assign(slice(None), value, level=1)

    def _check_targets(self, pathway: Pathway) -> None:
        known = set(self.variables) | {f"{n}_post" for n in self.target._owner.variables}
        known |= {f"{n}_pre" for n in self.source._owner.variables}
        known |= set(self.target._owner.variables)
        for statement in pathway.statements:
            if statement.target not in known or statement.target in ("i", "j"):
                raise IdentifierError(
                    f"on_{pathway.side} of {self.name} assigns to {statement.target!r}, which is "
                    "not a variable of the synapses or of the connected neurons",
                    statement.line, 0, statement.lineno, statement.target,
                )  # fmt: skip

    # -- runs ------------------------------------------------------------------------------

    def direct(self, pathway: Pathway) -> bool:
        """Whether ``pathway`` reads a neuron's synapses straight from the CSR rows: a
        presynaptic pathway whose synapses share one delay. Otherwise a per-synapse order
        sorted by neuron and delay is needed (4 bytes per synapse and an indirection)."""
        if pathway.side != "pre":
            return False
        if pathway.delay_variable is None:
            return True
        if self.storage.is_uniform(pathway.delay_variable):
            return True
        delays = self.storage[pathway.delay_variable]
        return not len(delays) or bool(np.all(delays == delays[0]))

    @property
    def nbytes(self) -> int:
        """Memory held: the storage and the arrays prepared for runs (offsets, rings)."""
        prepared = {id(v): v for v in self.runtime.values() if isinstance(v, np.ndarray)}
        prepared.pop(id(self.storage.indptr), None)  # direct pathways use the rows themselves
        return self.storage.nbytes + sum(v.nbytes for v in prepared.values())

    def structure(self, position: Callable[[Any], int]) -> tuple:
        """What of the synapses decides the generated code (see
        :mod:`snngen.runtime.structure`): their groups, code and layout."""
        return ("Synapses", position(self.source), position(self.target),
                self.equations.describe(), self._code, self.layout())  # fmt: skip

    def layout(self) -> tuple:
        """What of the synapses' data decides the generated code: the type ``j`` is held in
        (see :mod:`~snngen.runtime.synapse_storage`) and which pathways are :meth:`direct`."""
        held = self.storage.held_type("j").__name__
        return (held, *(self.direct(pathway) for pathway in self.pathways))

    def before_run(self, run: Any) -> None:
        """Prepare the arrays the compiled pathways read (see the module docstring)."""
        if self.N >= 2**31 - 1:
            raise ModelError(f"{self.name} has {self.N} synapses; at most 2**31 - 2 are supported")
        for pathway in self.pathways:
            side = self.source if pathway.side == "pre" else self.target
            steps = self._delay_steps(pathway, run.dt)
            low, high = (int(steps.min()), int(steps.max())) if steps.size else (0, 0)
            prefix = f"{pathway.name}:"
            if self.direct(pathway):  # one delay, storage sorted by i: the CSR rows themselves
                delays, offsets = 1, self.storage.indptr
                self.runtime.pop(prefix + "order", None)
            else:
                delays = high - low + 1
                rows = self.storage["i" if pathway.side == "pre" else "j"]
                steps = np.broadcast_to(steps, rows.shape)
                order = np.lexsort((steps, rows))
                keys = rows[order].astype(np.int64) * delays + (steps[order] - low)
                offsets = np.searchsorted(keys, np.arange(side.N * delays + 1))
                self.runtime[prefix + "order"] = order.astype(np.int32)
            self.runtime[prefix + "offsets"] = offsets
            self.runtime[prefix + "delays"] = delays
            self.runtime[prefix + "min_delay"] = low
            length = high + 1
            ring = self.runtime.get(prefix + "ring")
            if ring is None or len(ring) != length * side.N:  # new delays: spikes in flight lost
                self.runtime[prefix + "ring"] = np.zeros(length * side.N, dtype=np.int32)
                self.runtime[prefix + "ring_count"] = np.zeros(length, dtype=np.int64)
            self.runtime[prefix + "ring_length"] = length

    def _delay_steps(self, pathway: Pathway, dt: float) -> np.ndarray:
        """The pathway's delays in steps: one number when all synapses share it."""
        name = pathway.delay_variable
        if name is None:
            delays = np.zeros(1)
        elif self.storage.is_uniform(name):
            delays = self.storage[name][:1]
        else:
            delays = self.storage[name]
        steps = np.rint(delays / dt).astype(np.int64)
        if steps.size and steps.min() < 0:
            raise ModelError(f"{self.name} has negative delays")
        return steps

    def after_chunk(self, run: Any) -> None:
        """Nothing to do between chunks."""

    def after_run(self, run: Any) -> None:
        """Nothing to keep: synaptic state lives in ``storage``."""

    def dimension_of(self, name: str, namespace: Mapping[str, Any]) -> Dimension:
        """The dimension of ``name`` as synaptic code sees it (raises ``Unresolved``)."""
        source, target = self.source._owner, self.target._owner
        for suffix, group in (("_pre", source), ("_post", target)):
            if name.endswith(suffix) and name[: -len(suffix)] in group.variables:
                return group.variables[name[: -len(suffix)]].dim
        for variables in (self.variables, target.variables):
            if name in variables:
                return variables[name].dim
        if name in self.equations:
            return self.equations[name].dim
        if name in SPECIAL_DIMENSIONS or name in ("N_pre", "N_post"):
            return SPECIAL_DIMENSIONS.get(name, DIMENSIONLESS)
        return external_dimension(name, self.equations.constants, namespace)

    def check_code_units(self, namespace: Mapping[str, Any]) -> None:
        """Check the units of the synaptic equations and of every pathway's statements."""
        from snngen.runtime.assign import check_located

        variables = {}
        for suffix, group in (("_pre", self.source._owner), ("_post", self.target._owner)):
            variables.update({n + suffix: v.dim for n, v in group.variables.items()})
        variables.update({n: v.dim for n, v in self.target._owner.variables.items()})
        variables.update({n: v.dim for n, v in self.variables.items()})
        variables.update({"N_pre": DIMENSIONLESS, "N_post": DIMENSIONLESS})
        self.equations.check_units(namespace, variables, require_all=True)
        for pathway in self.pathways:
            for statement in pathway.statements:
                expected = self.dimension_of(statement.target, namespace)
                if statement.operator in ("*=", "/="):
                    expected = DIMENSIONLESS
                check_located(
                    lambda name: self.dimension_of(name, namespace), statement.expr, expected,
                    f"on_{pathway.side} of {self.name}", namespace, statement,
                )  # fmt: skip

    def code_texts(self) -> list[str]:
        """The pathways' statements' expressions as written."""
        return [s.expr_text for p in self.pathways for s in p.statements]

    def external_identifiers(self) -> frozenset[str]:
        """Names the synaptic code uses that nothing here defines (from a namespace)."""
        used = names_in_code(self)
        source, target = self.source._owner, self.target._owner
        known = set(self.variables) | set(self.equations.names) | set(SPECIAL_DIMENSIONS)
        known |= {f"{n}_pre" for n in source.variables} | {f"{n}_post" for n in target.variables}
        known |= set(target.variables) | set(self.equations.constants) | {"N_pre", "N_post"}
        return frozenset(n for n in used if n not in known and n not in UNITS
                         and not n.startswith("_"))  # fmt: skip

    def __repr__(self) -> str:
        return f"<Synapses {self.name}: {self.source.name} → {self.target.name}, {self.N} synapses>"


def _spike_source(group: Any, role: str) -> Group:
    if not isinstance(group, Group):
        raise ModelError(f"the {role} of Synapses must be a NeuronGroup or subgroup, got {group!r}")
    return group


def _pathways(code: str | Mapping[str, str] | None, side: str) -> list[Pathway]:
    if code is None:
        return []
    named = {side: code} if isinstance(code, str) else dict(code)
    return [Pathway(name, side, parse_statements(text), None) for name, text in named.items()]


def _event_driven(equations: Equations) -> list[EventDriven]:
    from snngen.equations.expressions import symbol

    result = []
    names = {eq.name for eq in equations if eq.kind is EquationKind.DIFFERENTIAL}
    for eq in equations:
        if eq.kind is not EquationKind.DIFFERENTIAL or "event-driven" not in eq.flags:
            continue
        x = symbol(eq.name)
        rate = eq.expr.diff(x)
        drive = eq.expr.xreplace({x: 0})
        others = {s.name for s in (rate.free_symbols | drive.free_symbols)} & (names | {"t"})
        if rate.has(x) or others:
            raise UnsupportedEquationsError(
                f"the event-driven equation {eq} must be linear in {eq.name} with coefficients "
                "that do not depend on time or on other variables (as spike traces are); "
                "make it clock-driven instead"
            )
        result.append(EventDriven(eq.name, rate, drive))
    return result


def _clock_driven_rule(equations: Equations, method: str | None) -> UpdateRule | None:
    clock_driven = [
        eq for eq in equations
        if eq.kind is not EquationKind.DIFFERENTIAL or "event-driven" not in eq.flags
    ]  # fmt: skip
    kept = Equations(clock_driven)
    if not kept.diff_eq_names:
        return None
    from snngen.integration.registry import integrate

    return integrate(kept, method)


def _summed(equations: Equations, target: Any) -> list[SingleEquation]:
    result = []
    for eq in equations:
        if "summed" not in eq.flags:
            continue
        name = eq.name.removesuffix("_post")
        if not eq.name.endswith("_post") or name not in target.variables:
            raise IdentifierError(
                f"the summed variable {eq.name} must be named <target variable>_post, with the "
                f"target variable a parameter of {target.name}",
                eq.line, 0, eq.lineno, eq.name,
            )  # fmt: skip
        if eq.dim != target.variables[name].dim:
            raise UnitMismatchError(
                f"the summed variable {eq.name} is in {unit_string(eq.dim)}, but {name} of "
                f"{target.name} is in {unit_string(target.variables[name].dim)}",
                eq.line, 0, eq.lineno, eq.name,
            )  # fmt: skip
        result.append(eq)
    return result
