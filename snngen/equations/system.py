"""``Equations``: a checked system of model equations, as in Brian2."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from snngen.build.checked import check_once
from snngen.equations.grammar import parse_lines
from snngen.equations.model import EquationKind, SingleEquation
from snngen.equations.names import NOISE_DIMENSION, SPECIAL_DIMENSIONS, Unresolved, is_noise
from snngen.errors import IdentifierError, ModelError
from snngen.units.catalogue import UNITS
from snngen.units.dimensions import Dimension
from snngen.units.quantity import get_dimension

if TYPE_CHECKING:
    import sympy


class Equations:
    """A system of model equations, parsed and checked.

    Parameters
    ----------
    text
        Model text (see :mod:`snngen.equations.grammar`), or parsed equations.
    **substitutions
        Brian2's substitutions: ``name='other'`` renames an identifier; ``name=value`` binds an
        identifier the equations use but do not define to a value (``tau=10*ms``). Values stay
        out of the equations' structure, so generated code does not depend on them.

    The structure and the dimensions are checked here, once per model text (see
    :mod:`snngen.build.checked`).

    Examples
    --------
    >>> eqs = Equations('dv/dt = (v_rest - v)/tau : volt', tau=10*ms)
    >>> eqs.diff_eq_names
    ('v',)
    """

    def __init__(self, text: str | Iterable[SingleEquation] = "", **substitutions: Any) -> None:
        written = parse_lines(text) if isinstance(text, str) else list(text)
        renames = {k: v for k, v in substitutions.items() if isinstance(v, str)}
        values = {k: v for k, v in substitutions.items() if not isinstance(v, str)}
        parsed = _rename(written, renames) if renames else written
        self._equations: dict[str, SingleEquation] = {eq.name: eq for eq in parsed}
        self._constants: dict[str, Any] = {}
        for name, value in values.items():
            self._bind(name, value)
        structure = (tuple(eq.line for eq in written), sorted(renames.items()), self.describe())
        check_once("equations", structure, lambda: self._check([written, parsed]))

    def _check(self, versions: list[list[SingleEquation]]) -> None:
        """Check the structure of the equations (as written and as renamed) and the
        dimensions that do not depend on external names."""
        from snngen.equations.checks import check_structure

        for equations in versions:
            check_structure(equations)
        self.check_units(require_all=False)

    def describe(self) -> tuple:
        """The equations as written (every line, flags and unit included) and their bound
        constants' dimensions: what of them decides checks and generated code."""
        constants = sorted((name, repr(get_dimension(v))) for name, v in self._constants.items())
        return tuple(eq.line for eq in self), tuple(constants)

    def _bind(self, name: str, value: Any) -> None:
        if name in self._equations:
            raise IdentifierError(
                f"cannot substitute a value for {name!r}: the equations define it", identifier=name
            )
        if name not in self.identifiers:
            raise IdentifierError(
                f"cannot substitute {name!r}: the equations do not use it", identifier=name
            )
        if not _is_value(value):
            raise ModelError(
                f"substitution {name}=... needs a new name (str) or a value (number or "
                f"quantity), got {type(value).__name__}"
            )
        self._constants[name] = value

    # -- views -------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[SingleEquation]:
        return iter(self._equations.values())

    def __len__(self) -> int:
        return len(self._equations)

    def __getitem__(self, name: str) -> SingleEquation:
        return self._equations[name]

    def __contains__(self, name: object) -> bool:
        return name in self._equations

    def _names(self, kind: EquationKind) -> tuple[str, ...]:
        return tuple(eq.name for eq in self if eq.kind is kind)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._equations)

    @property
    def diff_eq_names(self) -> tuple[str, ...]:
        return self._names(EquationKind.DIFFERENTIAL)

    @property
    def subexpr_names(self) -> tuple[str, ...]:
        return self._names(EquationKind.SUBEXPRESSION)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return self._names(EquationKind.PARAMETER)

    @property
    def constants(self) -> dict[str, Any]:
        """Values bound by substitution (``Equations(..., tau=10*ms)``)."""
        return dict(self._constants)

    @property
    def identifiers(self) -> frozenset[str]:
        """Names used but not defined: external constants to resolve from a namespace.

        Excludes built-in names (``t``, ``dt``, ``i``, ``N``), noise (``xi``), units and values
        bound by substitution.
        """
        used = set().union(*(eq.identifiers for eq in self))
        known = set(self._equations) | set(SPECIAL_DIMENSIONS) | set(self._constants)
        return frozenset(
            name for name in used if name not in known and not is_noise(name) and name not in UNITS
        )

    @property
    def functions(self) -> frozenset[str]:
        """External functions the equations call (resolved from the namespace)."""
        return frozenset().union(*(eq.functions for eq in self))

    @property
    def noise_names(self) -> tuple[str, ...]:
        """The white-noise symbols (``xi``, ``xi_1``, …) used, sorted."""
        return tuple(sorted({n for eq in self for n in eq.identifiers if is_noise(n)}))

    @property
    def is_stochastic(self) -> bool:
        return bool(self.noise_names)

    def substituted(self) -> dict[str, sympy.Expr]:
        """Right-hand sides of the differential equations with subexpressions substituted.

        Subexpressions flagged ``(constant over dt)`` are kept as names: they are evaluated once
        at the start of a step and held constant during it.
        """
        inline = {
            eq.symbol: eq.expr
            for eq in self
            if eq.kind is EquationKind.SUBEXPRESSION and "constant over dt" not in eq.flags
        }
        result = {}
        for eq in self:
            if eq.kind is EquationKind.DIFFERENTIAL:
                expr = eq.expr
                for _ in range(len(inline) + 1):  # subexpressions are acyclic (checked)
                    expr = expr.xreplace(inline)
                result[eq.name] = expr
        return result

    # -- checks ------------------------------------------------------------------------------

    def check_units(
        self,
        namespace: Mapping[str, Any] | None = None,
        variables: Mapping[str, Dimension] | None = None,
        *,
        require_all: bool = True,
    ) -> None:
        """Check the dimensions of every equation, resolving external names in ``namespace``.

        ``variables`` gives dimensions of names provided by the surrounding object (e.g. a
        group's ``lastspike``). Raises :class:`~snngen.errors.UnitMismatchError` or, for a name
        found nowhere, :class:`~snngen.errors.IdentifierError`.
        """
        namespace = namespace or {}
        variables = variables or {}

        def lookup(name: str) -> Dimension:
            if name in self._equations:
                return self._equations[name].dim
            if name in SPECIAL_DIMENSIONS:
                return SPECIAL_DIMENSIONS[name]
            if is_noise(name):
                return NOISE_DIMENSION
            for source in (variables, self._constants, namespace):
                if name in source:
                    return source[name] if source is variables else get_dimension(source[name])
            if name in UNITS:
                return UNITS[name].dim
            raise Unresolved(name)

        from snngen.equations.checks import check_dimensions, function_rules

        check_dimensions(self, lookup, function_rules(namespace), require_all=require_all)

    # -- combination -------------------------------------------------------------------------

    def __add__(self, other: Equations | str) -> Equations:
        if isinstance(other, str):
            other = Equations(other)
        if not isinstance(other, Equations):
            return NotImplemented
        combined = Equations([*self, *other])
        for name, value in {**self._constants, **other._constants}.items():
            mine, theirs = self._constants.get(name), other._constants.get(name)
            if mine is not None and theirs is not None and not _same_value(mine, theirs):
                raise IdentifierError(
                    f"cannot combine equations that bind {name!r} to different values "
                    f"({mine} and {theirs})",
                    identifier=name,
                )
            combined._bind(name, value)
        check_once("equations", combined.describe(), lambda: combined._check([]))
        return combined

    def __radd__(self, other: str) -> Equations:
        return Equations(other) + self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Equations):
            return NotImplemented
        mine, theirs = self._constants, other._constants
        return (
            list(self) == list(other)
            and mine.keys() == theirs.keys()
            and all(_same_value(mine[k], theirs[k]) for k in mine)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable container semantics

    def __str__(self) -> str:
        return "\n".join(str(eq) for eq in self)

    def __repr__(self) -> str:
        bound = "".join(f", {k}={v!r}" for k, v in self._constants.items())
        return f"Equations({str(self)!r}{bound})"

    def _repr_latex_(self) -> str:
        rows = r" \\ ".join(eq.latex() for eq in self)
        return rf"$\begin{{array}}{{l}} {rows} \end{{array}}$"


def _rename(equations: list[SingleEquation], renames: Mapping[str, str]) -> list[SingleEquation]:
    for old, new in renames.items():
        if not new.isidentifier():
            raise IdentifierError(
                f"cannot rename {old!r} to {new!r}: not an identifier", identifier=new
            )
    return [eq.renamed(renames) for eq in equations]


def _is_value(value: Any) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False


def _same_value(a: Any, b: Any) -> bool:
    return get_dimension(a) == get_dimension(b) and bool(np.all(np.asarray(a) == np.asarray(b)))
