"""The parsed form of one line of model text: a frozen dataclass that stages pass along.

The right-hand side is kept as text and converted to sympy when first asked for
(:attr:`SingleEquation.expr`): its names come from the syntax tree, so a process that finds the
model checked and lowered in the cache never imports sympy.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from snngen.equations.text import Location, names_used, renamed_text
from snngen.units.catalogue import unit_string
from snngen.units.dimensions import Dimension

if TYPE_CHECKING:
    import sympy


class EquationKind(enum.Enum):
    DIFFERENTIAL = "differential equation"
    SUBEXPRESSION = "subexpression"
    PARAMETER = "parameter"


@dataclass(frozen=True, eq=False)
class SingleEquation:
    """One line of a model: its kind, the defined name, the right-hand side, the unit.

    ``expr_text`` is the right-hand side as written (``None`` for a parameter); ``line``,
    ``lineno`` and ``expr_offset`` (the column where the expression starts in ``line``) locate
    it in the model text for error messages. Two equations are equal when they define the same
    name in the same way (their sympy right-hand sides are equal).
    """

    kind: EquationKind
    name: str
    expr_text: str | None
    dim: Dimension
    var_type: str = "float"
    flags: frozenset[str] = frozenset()
    # Where it was written: for messages only, not part of the equation's meaning.
    line: str = field(default="", compare=False)
    lineno: int | None = field(default=None, compare=False)
    expr_offset: int = field(default=0, compare=False)

    @functools.cached_property
    def expr(self) -> sympy.Basic | None:
        """The right-hand side in sympy (parsed at the first use)."""
        from snngen.equations.expressions import parse_expression

        if self.expr_text is None:
            return None
        return parse_expression(self.expr_text, self.location())

    @property
    def symbol(self) -> sympy.Symbol:
        from snngen.equations.expressions import symbol

        return symbol(self.name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SingleEquation):
            return NotImplemented
        mine = (self.kind, self.name, self.dim, self.var_type, self.flags)
        theirs = (other.kind, other.name, other.dim, other.var_type, other.flags)
        return mine == theirs and self.expr == other.expr

    def __hash__(self) -> int:
        return hash((self.kind, self.name, self.var_type, self.flags))

    @property
    def unit(self) -> str:
        """The declared unit as it would be written (``volt``, ``1``, ``boolean``)."""
        return self.var_type if self.var_type != "float" else unit_string(self.dim)

    @property
    def identifiers(self) -> frozenset[str]:
        """Names the right-hand side refers to (variables, parameters, constants, units)."""
        if self.expr_text is None:
            return frozenset()
        return names_used(self.expr_text).identifiers

    @property
    def functions(self) -> frozenset[str]:
        """Names of external functions (e.g. ``TimedArray`` objects) the expression calls."""
        if self.expr_text is None:
            return frozenset()
        return names_used(self.expr_text).functions

    def location(self) -> Location:
        """Where the expression starts, for errors that concern the right-hand side."""
        return Location(self.line or self._written(self.expr_text), self.expr_offset, self.lineno)

    def renamed(self, names: Mapping[str, str]) -> SingleEquation:
        """This equation with identifiers renamed (definition and right-hand side)."""
        text = self.expr_text
        if text is not None:
            text = renamed_text(text, names)
        changed = replace(self, name=names.get(self.name, self.name), expr_text=text)
        line = changed._written(text)
        return replace(changed, line=line, expr_offset=line.find("=") + 2)

    def latex(self) -> str:
        """The equation in LaTeX, e.g. ``\\frac{dv}{dt} = \\frac{-v}{\\tau}``."""
        import sympy

        name = sympy.latex(self.symbol)
        unit = rf"\quad [\mathrm{{{self.unit}}}]"
        if self.kind is EquationKind.DIFFERENTIAL:
            return rf"\frac{{d{name}}}{{dt}} = {sympy.latex(self.expr)}{unit}"
        if self.kind is EquationKind.SUBEXPRESSION:
            return rf"{name} = {sympy.latex(self.expr)}{unit}"
        return rf"{name}{unit}"

    def __str__(self) -> str:
        import sympy

        return self._written(None if self.expr is None else sympy.sstr(self.expr))

    def _written(self, right_hand_side: str | None) -> str:
        """The line of model text defining this equation with the given right-hand side."""
        flags = f" ({', '.join(sorted(self.flags))})" if self.flags else ""
        if self.kind is EquationKind.DIFFERENTIAL:
            definition = f"d{self.name}/dt = {right_hand_side}"
        elif self.kind is EquationKind.SUBEXPRESSION:
            definition = f"{self.name} = {right_hand_side}"
        else:
            definition = self.name
        return f"{definition} : {self.unit}{flags}"
