"""``NeuronGroup`` and its subgroups, with Brian2's names and semantics.

A group holds its equations, its compiled-structure specification (update rule, threshold,
reset, refractoriness) and its state. Everything that needs user values (external constants,
units of thresholds and resets) is checked when a run starts, as in Brian2, because only then
is the namespace known.
"""

from __future__ import annotations

import functools
import itertools
import sys
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from snngen.build.checked import check_once
from snngen.equations.names import SPECIAL_DIMENSIONS
from snngen.equations.statements import Statement, parse_statements
from snngen.equations.system import Equations
from snngen.errors import IdentifierError, ModelError
from snngen.runtime.clock import SECOND, Clock, defaultclock, time_value
from snngen.runtime.namespace import external_dimension, names_in_code
from snngen.runtime.variables import (
    Variable,
    declared_variables,
    single_precision_names,
    unitless,
    view,
    with_units,
)
from snngen.standalone.aligned import aligned_zeros
from snngen.standalone.scales import fold_scale
from snngen.units.catalogue import UNITS
from snngen.units.dimensions import DIMENSIONLESS
from snngen.units.quantity import Quantity

if TYPE_CHECKING:
    import sympy

    from snngen.integration.rule import UpdateRule

# Every group and monitor created, for the module-level run() to collect (weakly held).
CREATED: weakref.WeakSet = weakref.WeakSet()
_CREATION_COUNTER = itertools.count()


def register(obj: Any) -> None:
    """Record a new group or monitor for ``run()``, with its creation order."""
    obj.creation_index = next(_CREATION_COUNTER)
    CREATED.add(obj)


_BOOKKEEPING = {
    "lastspike": Variable("lastspike", SECOND.dim),
    "not_refractory": Variable("not_refractory", DIMENSIONLESS, "boolean"),
}
# Brian2's "long ago" for neurons that never spiked.
NEVER_SPIKED = -1e4


_NAME_COUNTS: dict[str, itertools.count] = {}


def default_name(base: str) -> str:
    """Brian2's automatic names: ``neurongroup``, then ``neurongroup_1``, ``neurongroup_2``..."""
    number = next(_NAME_COUNTS.setdefault(base, itertools.count()))
    return f"{base}_{number}" if number else base


def created_at(depth: int) -> str:
    """``file:line`` of the user code that is creating an object, for error messages."""
    frame = sys._getframe(depth + 1)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


class Refractoriness:
    """A refractory period: a duration (quantity or string) or a condition (string).

    A quantity is a run-time value, like a parameter, so changing it does not recompile: the
    code refers to it by the symbol ``_refractory`` and :attr:`seconds` holds its value. A
    string is parsed to sympy at the first use of :attr:`expr`.
    """

    def __init__(self, value: Any) -> None:
        self.text = value if isinstance(value, str) else None
        self.seconds = None if self.text is not None else time_value(value, "refractory")

    @functools.cached_property
    def expr(self) -> sympy.Basic:
        import sympy

        from snngen.equations.expressions import parse_expression

        if self.text is None:
            return sympy.Symbol("_refractory", real=True)
        return parse_expression(self.text)

    @property
    def condition(self) -> sympy.Basic | None:
        """The expression if it is a condition (true while refractory)."""
        from snngen.equations.expressions import is_condition

        return self.expr if is_condition(self.expr) else None

    @property
    def duration(self) -> sympy.Basic | None:
        """The expression if it is a duration."""
        return None if self.condition is not None else self.expr


class Group:
    """What a group and a subgroup share: sized state, read and written by name."""

    _owner: NeuronGroup
    _start: int
    _stop: int
    t_: float = 0.0  # time reached by the last run, in seconds (for string expressions)

    @property
    def N(self) -> int:
        return self._stop - self._start

    def __len__(self) -> int:
        return self.N

    @property
    def i(self) -> np.ndarray:
        return np.arange(self.N)

    def __getattr__(self, name: str) -> Any:
        owner = self.__dict__.get("_owner")
        if owner is None or name.startswith("_") or "variables" not in owner.__dict__:
            raise AttributeError(name)
        if name in owner.variables:
            return view(owner.storage[name][self._slice(name)], owner.variables[name])
        stem = unitless(name, owner.variables)
        if stem is not None:  # Brian2's G.v_: the storage itself, numbers in SI units
            return owner.storage[stem][self._slice(stem)]
        subexpressions = owner.equations.subexpr_names
        stem = unitless(name, subexpressions)
        if name in subexpressions or stem is not None:
            from snngen.runtime.assign import evaluate_subexpression

            values = evaluate_subexpression(self, stem or name, level=1)
            return values if stem is None else np.asarray(values)  # G.I_: without units
        raise AttributeError(f"{type(self).__name__} has no variable or attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        owner = self.__dict__.get("_owner")
        variables = owner.__dict__.get("variables", {}) if owner is not None else {}
        stem = unitless(name, variables)
        if name in variables or stem is not None:
            from snngen.runtime.assign import assign

            if stem is not None:
                value = with_units(value, variables[stem], owner.name)
            assign(self, stem or name, value, level=1)
        elif name.startswith("_") or hasattr(type(self), name) or not self.__dict__.get("_frozen"):
            object.__setattr__(self, name, value)
        else:
            raise AttributeError(
                f"{type(self).__name__} has no state variable {name!r}; the variables are: "
                f"{', '.join(owner.variables)}"
            )

    def _slice(self, name: str) -> slice:
        return slice(None) if self._owner.variables[name].shared else slice(self._start, self._stop)

    def __getitem__(self, key: slice) -> Subgroup:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise ModelError("subgroups are contiguous slices such as G[:100] or G[100:200]")
        start, stop, _ = key.indices(self.N)
        if stop <= start:
            raise ModelError(f"the subgroup [{start}:{stop}] is empty")
        return Subgroup(self._owner, self._start + start, self._start + stop)


class NeuronGroup(Group):
    """A group of neurons sharing one model.

    Parameters
    ----------
    N
        Number of neurons.
    model
        The equations (text or :class:`Equations`).
    threshold
        Spike condition, e.g. ``'v > v_th'``.
    reset
        Statements run for each neuron that spiked, e.g. ``'v = v_reset; w += b'``.
    refractory
        Refractory period: a time, a string evaluating to a time (per neuron), or a string
        condition that is true while the neuron is refractory. Variables flagged
        ``(unless refractory)`` are held during it and the threshold is not checked.
    method
        Integration method (``None``: chosen automatically, see :func:`snngen.integrate`).
    namespace
        Values of external identifiers; names not found here are looked up at ``run()``.
    dt
        Must equal the network's clock, if given (snngen runs one clock per network).
    name
        A name for messages and reports.
    dtype
        ``numpy.float32`` stores the float variables in single precision, and the code that
        updates only such variables computes in float (the float32 mode: faster, and spike
        trains part from float64's); a dict gives the type per variable. Default: float64.
    """

    def __init__(
        self,
        N: int,
        model: str | Equations,
        threshold: str | None = None,
        reset: str | None = None,
        refractory: Any = False,
        method: str | None = None,
        namespace: Mapping[str, Any] | None = None,
        dt: Quantity | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        if isinstance(N, bool) or not isinstance(N, int | np.integer) or N < 1:
            raise ModelError(f"N must be a positive integer, got {N!r}")
        self._owner = self
        self._start, self._stop = 0, int(N)
        self.name = name or default_name("neurongroup")
        self.created_at = created_at(1)
        self.equations = model if isinstance(model, Equations) else Equations(model)
        self.namespace = dict(namespace or {})
        self.clock = Clock(dt) if dt is not None else defaultclock
        self.refractory = None if refractory is False else Refractoriness(refractory)
        self.variables: dict[str, Variable] = declared_variables(self.equations, dtype, self.name)
        if self.refractory is not None:
            self.variables.update(_BOOKKEEPING)
        self.storage = {name: v.allocate(self.N) for name, v in self.variables.items()}
        if self.refractory is not None:
            self.storage["lastspike"][:] = NEVER_SPIKED
            self.storage["not_refractory"][:] = True
            # The loop's copy of lastspike in 16-bit steps (see snngen.codegen.refractory),
            # recomputed from lastspike when the loop starts and every 8192 steps.
            self.refractory_until = aligned_zeros(self.N, np.int16)
        # The loop's spike flags, 2 bytes per neuron (see lower_neuron_pass), zero-padded to a
        # multiple of 32 neurons, which the scan tests at once; and this step's spikes.
        self.spike_flags = aligned_zeros(-(-self.N // 32) * 32, np.uint16)
        self.spike_buffer = aligned_zeros(self.N, np.int32)
        # The scales of implicitly decaying variables during a run (see fold_decay_scales).
        self.decay_scales: dict[str, np.ndarray] = {}
        self._threshold_text = threshold
        self.reset: list[Statement] = self._parse_code(reset, "reset") if reset else []
        self.method = method
        # The code as written, for the structure key (see snngen.runtime.structure).
        refractoriness = refractory if isinstance(refractory, str) else self.refractory is not None
        single = single_precision_names(self.variables)
        self._code = (threshold, reset, refractoriness, method, single)
        code = (type(self).__name__, self.equations.describe(), self._code)
        check_once("neurongroup", code, self._check)
        register(self)
        self._frozen = True

    def fold_decay_scales(self) -> None:
        """After a run: the arrays of implicitly decaying variables hold the values again.
        During a run each holds the value divided by a scale that the loop carries from call
        to call (see :mod:`snngen.codegen.decay`): folded only between runs, the scale keeps
        the results independent of how a run is cut into calls."""
        for name, scale in self.decay_scales.items():
            fold_scale(self.storage[name], scale)

    def _check(self) -> None:
        """Parse the threshold, reset and refractoriness and derive the update rule, so that
        errors in them are raised now, where the group is created."""
        from snngen.equations.expressions import is_condition

        if self.threshold is not None and not is_condition(self.threshold):
            raise ModelError(
                f"the threshold of {self.name} must be a condition such as 'v > v_th', "
                f"got {self._threshold_text!r}"
            )
        for statement in self.reset:
            statement.expr  # noqa: B018 - parsed for its errors
        if self.refractory is not None:
            self.refractory.expr  # noqa: B018
        self.rule  # noqa: B018

    @functools.cached_property
    def threshold(self) -> sympy.Basic | None:
        """The spike condition in sympy (parsed at the first use)."""
        from snngen.equations.expressions import parse_expression

        return None if self._threshold_text is None else parse_expression(self._threshold_text)

    @functools.cached_property
    def rule(self) -> UpdateRule | None:
        """The update rule of the differential equations (derived at the first use)."""
        from snngen.equations.expressions import symbol
        from snngen.integration.registry import integrate

        if not self.equations.diff_eq_names:
            return None
        gate = symbol("not_refractory") if self.refractory is not None else None
        return integrate(self.equations, self.method, gate)

    def _parse_code(self, code: str, what: str) -> list[Statement]:
        statements = parse_statements(code)
        for statement in statements:
            if statement.target not in self.variables:
                kind = (
                    "a subexpression"
                    if statement.target in self.equations
                    else "not a variable of the group"
                )
                raise IdentifierError(
                    f"the {what} of {self.name} assigns to {statement.target!r}, which is {kind}",
                    statement.line,
                    0,
                    statement.lineno,
                    statement.target,
                )
        return statements

    def structure(self, position: Callable[[Any], int]) -> tuple:
        """What of the group decides the generated code (see :mod:`snngen.runtime.structure`)."""
        return type(self).__name__, self.equations.describe(), self._code  # no other objects

    # -- names the generated code and string evaluation see ---------------------------------

    def dimension_of(self, name: str, namespace: Mapping[str, Any]) -> Any:
        """The dimension of ``name`` as this group's expressions see it (raises ``Unresolved``)."""
        if name in self.variables:
            return self.variables[name].dim
        if name in self.equations:
            return self.equations[name].dim
        if name in SPECIAL_DIMENSIONS:
            return SPECIAL_DIMENSIONS[name]
        return external_dimension(name, self.equations.constants, namespace)

    def external_identifiers(self) -> frozenset[str]:
        """Names the group's code uses that it does not define (resolved from a namespace)."""
        used = names_in_code(self)
        known = set(self.variables) | set(self.equations.names) | set(SPECIAL_DIMENSIONS)
        known |= set(self.equations.constants)
        return frozenset(n for n in used if n not in known and n not in UNITS
                         and not n.startswith("_"))  # fmt: skip

    def code_texts(self) -> list[str]:
        """Threshold, reset values and refractoriness as written: the code besides the
        equations."""
        texts = [s.expr_text for s in self.reset]
        if self._threshold_text is not None:
            texts.append(self._threshold_text)
        if self.refractory is not None and self.refractory.text is not None:
            texts.append(self.refractory.text)
        return texts

    def check_code_units(self, namespace: Mapping[str, Any]) -> None:
        """Check the units of threshold, reset and refractoriness once the namespace is known."""
        from snngen.runtime.assign import check_expression

        if self.threshold is not None:
            check_expression(self, self.threshold, DIMENSIONLESS, "threshold", namespace)
        for statement in self.reset:
            expected = self.variables[statement.target].dim
            if statement.operator in ("*=", "/="):
                expected = DIMENSIONLESS
            check_expression(self, statement.expr, expected, "reset", namespace, statement)
        if (
            self.refractory is not None
            and self.refractory.seconds is None
            and (self.refractory.duration is not None)
        ):
            check_expression(self, self.refractory.duration, SECOND.dim, "refractory", namespace)

    def __repr__(self) -> str:
        return f"NeuronGroup({self.N}, name={self.name!r})"


class Subgroup(Group):
    """Neurons ``start`` to ``stop - 1`` of a group, sharing its state (Brian2's ``G[a:b]``)."""

    def __init__(self, owner: NeuronGroup, start: int, stop: int) -> None:
        self._owner = owner
        self._start, self._stop = start, stop
        self.name = f"{owner.name}[{start}:{stop}]"
        self._frozen = True

    def __repr__(self) -> str:
        return f"<subgroup {self.name}>"
