"""The parsed form of one line of model text: a frozen dataclass that stages pass along."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import sympy
from sympy.core.function import AppliedUndef

from snngen.equations.expressions import Location, symbol
from snngen.units.catalogue import unit_string
from snngen.units.dimensions import Dimension


class EquationKind(enum.Enum):
    DIFFERENTIAL = "differential equation"
    SUBEXPRESSION = "subexpression"
    PARAMETER = "parameter"


@dataclass(frozen=True)
class SingleEquation:
    """One line of a model: its kind, the defined name, the sympy right-hand side, the unit.

    ``line``, ``lineno`` and ``expr_offset`` (the column where the expression starts in
    ``line``) locate it in the model text for error messages.
    """

    kind: EquationKind
    name: str
    expr: sympy.Basic | None
    dim: Dimension
    var_type: str = "float"
    flags: frozenset[str] = frozenset()
    # Where it was written: for messages only, not part of the equation's meaning.
    line: str = field(default="", compare=False)
    lineno: int | None = field(default=None, compare=False)
    expr_offset: int = field(default=0, compare=False)

    @property
    def symbol(self) -> sympy.Symbol:
        return symbol(self.name)

    @property
    def unit(self) -> str:
        """The declared unit as it would be written (``volt``, ``1``, ``boolean``)."""
        return self.var_type if self.var_type != "float" else unit_string(self.dim)

    @property
    def identifiers(self) -> frozenset[str]:
        """Names the right-hand side refers to (variables, parameters, constants, units)."""
        if self.expr is None:
            return frozenset()
        return frozenset(s.name for s in self.expr.free_symbols)

    @property
    def functions(self) -> frozenset[str]:
        """Names of external functions (e.g. ``TimedArray`` objects) the expression calls."""
        if self.expr is None:
            return frozenset()
        return frozenset(f.func.__name__ for f in self.expr.atoms(AppliedUndef))

    def location(self) -> Location:
        """Where the expression starts, for errors that concern the right-hand side."""
        return Location(self.line or str(self), self.expr_offset, self.lineno)

    def renamed(self, names: Mapping[str, str]) -> SingleEquation:
        """This equation with identifiers renamed (definition and right-hand side)."""
        expr = self.expr
        if expr is not None:
            expr = expr.xreplace({symbol(old): symbol(new) for old, new in names.items()})
        changed = replace(self, name=names.get(self.name, self.name), expr=expr)
        text = str(changed)
        return replace(changed, line=text, expr_offset=text.find("=") + 2)

    def latex(self) -> str:
        """The equation in LaTeX, e.g. ``\\frac{dv}{dt} = \\frac{-v}{\\tau}``."""
        name = sympy.latex(self.symbol)
        unit = rf"\quad [\mathrm{{{self.unit}}}]"
        if self.kind is EquationKind.DIFFERENTIAL:
            return rf"\frac{{d{name}}}{{dt}} = {sympy.latex(self.expr)}{unit}"
        if self.kind is EquationKind.SUBEXPRESSION:
            return rf"{name} = {sympy.latex(self.expr)}{unit}"
        return rf"{name}{unit}"

    def __str__(self) -> str:
        flags = f" ({', '.join(sorted(self.flags))})" if self.flags else ""
        if self.kind is EquationKind.DIFFERENTIAL:
            definition = f"d{self.name}/dt = {sympy.sstr(self.expr)}"
        elif self.kind is EquationKind.SUBEXPRESSION:
            definition = f"{self.name} = {sympy.sstr(self.expr)}"
        else:
            definition = self.name
        return f"{definition} : {self.unit}{flags}"
