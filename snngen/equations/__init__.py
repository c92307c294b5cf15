"""Model text → checked sympy equations: grammar, expressions, model objects, checks."""

from snngen.equations.expressions import parse_expression
from snngen.equations.model import EquationKind, SingleEquation
from snngen.equations.system import Equations

__all__ = ["EquationKind", "Equations", "SingleEquation", "parse_expression"]
