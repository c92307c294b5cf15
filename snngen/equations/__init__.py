"""Model text → checked sympy equations: grammar, expressions, model objects, checks."""

from snngen.equations.model import EquationKind, SingleEquation
from snngen.equations.system import Equations

__all__ = ["EquationKind", "Equations", "SingleEquation", "parse_expression"]


def __getattr__(name: str) -> object:
    if name == "parse_expression":  # imports sympy: only when asked for
        from snngen.equations.expressions import parse_expression

        return parse_expression
    raise AttributeError(f"module 'snngen.equations' has no attribute {name!r}")
