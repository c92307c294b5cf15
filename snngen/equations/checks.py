"""Checks on parsed equations: identifiers, structure, and physical dimensions.

Dimensions are computed on the sympy right-hand sides. Identifiers that the equations do not
define (``tau``, ``v_rest``) are resolved from a namespace; until one is given, equations that
use them are checked later (at run time, as Brian2 does) and the others are checked at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import sympy
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from snngen.equations.expressions import is_condition
from snngen.equations.functions import RANDOM_FUNCTIONS, SYMPY_DIMENSION_RULES
from snngen.equations.model import EquationKind, SingleEquation
from snngen.equations.names import (
    SECOND,
    Unresolved,
    is_noise,
    reserved_reason,
)
from snngen.errors import IdentifierError, UnitMismatchError
from snngen.units.catalogue import unit_string
from snngen.units.dimensions import DIMENSIONLESS, Dimension


class DimensionProblem(Exception):
    """Internal: a dimension inconsistency inside an expression, turned into a located error."""


DimensionLookup = Callable[[str], Dimension]
FunctionRules = Mapping[str, Callable[[list[Dimension]], Dimension]]


def expression_dimension(
    expr: sympy.Basic, lookup: DimensionLookup, functions: FunctionRules | None = None
) -> Dimension:
    """The dimension of ``expr``; raises :class:`DimensionProblem` on inconsistencies."""
    functions = functions or {}

    def walk(node: sympy.Basic) -> Dimension:
        if node.is_Number or node.is_NumberSymbol or isinstance(node, BooleanAtom):
            return DIMENSIONLESS
        if node.is_Symbol:
            return lookup(node.name)
        if isinstance(node, sympy.Add | sympy.Mod | sympy.Min | sympy.Max):
            return _same(node, [walk(a) for a in node.args])
        if isinstance(node, sympy.Mul):
            result = DIMENSIONLESS
            for arg in node.args:
                result = result * walk(arg)
            return result
        if isinstance(node, sympy.Pow):
            return _power(node, walk(node.base), walk(node.exp))
        if isinstance(node, sympy.core.relational.Relational):
            _same(node, [walk(node.lhs), walk(node.rhs)])
            return DIMENSIONLESS
        if isinstance(node, BooleanFunction):  # And, Or, Not
            for arg in node.args:
                if not walk(arg).is_dimensionless:
                    raise DimensionProblem(f"the condition {arg} must not have units")
            return DIMENSIONLESS
        if isinstance(node, AppliedUndef):
            name = node.func.__name__
            if name not in functions:
                raise Unresolved(name, is_function=True)
            try:
                return functions[name]([walk(a) for a in node.args])
            except TypeError as err:
                raise DimensionProblem(f"in {node}: {err}") from None
        rule = SYMPY_DIMENSION_RULES.get(node.func)
        if rule is None:
            raise DimensionProblem(f"cannot determine the units of {node}")
        try:
            return rule([walk(a) for a in node.args])
        except TypeError as err:
            raise DimensionProblem(f"in {node}: {err}") from None

    return walk(expr)


def _same(node: sympy.Basic, dims: list[Dimension]) -> Dimension:
    """The common dimension of ``node``'s arguments. A literal 0 fits any dimension, because
    ``0*mV`` is 0 once parsed (as in Brian2, ``clip(v, 0*mV, v_max)`` is fine)."""
    pairs = [(arg, dim) for arg, dim in zip(node.args, dims) if not arg.is_zero]
    if not pairs:
        return dims[0]
    first, dim0 = pairs[0]
    for arg, dim in pairs[1:]:
        if dim != dim0:
            raise DimensionProblem(
                f"{first} ({unit_string(dim0)}) and {arg} ({unit_string(dim)}) "
                "cannot be added or compared: their units differ"
            )
    return dim0


def _power(node: sympy.Pow, base: Dimension, exponent: Dimension) -> Dimension:
    if not exponent.is_dimensionless:
        raise DimensionProblem(f"the exponent {node.exp} must be dimensionless")
    if base.is_dimensionless:
        return base
    if not node.exp.is_Number:
        raise DimensionProblem(
            f"in {node}: a quantity with units ({unit_string(base)}) can only be raised to "
            "a fixed number"
        )
    return base ** float(node.exp)


def check_structure(equations: Iterable[SingleEquation]) -> None:
    """Names, flags, noise and random numbers: everything that needs no dimension."""
    defined: dict[str, SingleEquation] = {}
    for eq in equations:
        reason = reserved_reason(eq.name)
        if reason:
            raise IdentifierError(
                f"cannot define {eq.name!r}: {reason}", eq.line, 0, eq.lineno, eq.name
            )
        if eq.name in defined:
            raise IdentifierError(
                f"{eq.name!r} is defined twice (first: {defined[eq.name].line!r})",
                eq.line,
                0,
                eq.lineno,
                eq.name,
            )
        defined[eq.name] = eq
        _check_expression_use(eq)
    _check_no_cycles([eq for eq in defined.values() if eq.kind is EquationKind.SUBEXPRESSION])


def _check_expression_use(eq: SingleEquation) -> None:
    if eq.expr is None:
        return
    where = eq.location()
    if eq.expr.atoms(*RANDOM_FUNCTIONS):
        raise where.error(
            "rand() and randn() cannot appear in equations: they would change with the step "
            "size; use xi for white noise"
        )
    noise = sorted(name for name in eq.identifiers if is_noise(name))
    if noise and eq.kind is not EquationKind.DIFFERENTIAL:
        raise where.error(
            f"white noise ({noise[0]}) can only appear in differential equations", 0, noise[0]
        )
    for name in noise:
        coefficient = eq.expr.diff(sympy.Symbol(name, real=True))
        if any(is_noise(s.name) for s in coefficient.free_symbols):
            raise where.error(
                f"{name} must appear linearly (as 'coefficient*{name}'), as white noise does",
                0,
                name,
            )
    if eq.kind is EquationKind.DIFFERENTIAL and eq.var_type != "float":
        raise where.error(f"a differential equation defines a float variable, not {eq.var_type}")
    if is_condition(eq.expr) != (eq.var_type == "boolean"):
        expected = "a condition" if eq.var_type == "boolean" else "a number, not a condition"
        raise where.error(
            f"{eq.name} is declared as {eq.unit}, so its expression must be {expected}"
        )


def _check_no_cycles(subexpressions: list[SingleEquation]) -> None:
    names = {eq.name for eq in subexpressions}
    uses = {eq.name: eq.identifiers & names for eq in subexpressions}
    state: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join([*path[path.index(name) :], name])
            eq = next(e for e in subexpressions if e.name == name)
            raise IdentifierError(
                f"subexpressions refer to each other in a cycle: {cycle}",
                eq.line,
                0,
                eq.lineno,
                name,
            )
        state[name] = 1
        for used in sorted(uses[name]):
            visit(used, [*path, name])
        state[name] = 2

    for name in sorted(names):
        visit(name, [])


def function_rules(namespace: Mapping[str, object]) -> FunctionRules:
    """Dimension rules of the external functions (``TimedArray`` objects) in ``namespace``."""
    return {
        name: value.dimension_rule  # type: ignore[attr-defined]
        for name, value in namespace.items()
        if hasattr(value, "dimension_rule")
    }


def check_dimensions(
    equations: Iterable[SingleEquation],
    lookup: DimensionLookup,
    functions: FunctionRules | None = None,
    *,
    require_all: bool,
) -> None:
    """Check every equation's right-hand side against its declared unit.

    With ``require_all`` an unresolvable identifier is an :class:`IdentifierError`; without it,
    equations that use one are skipped (they are checked when a namespace is available).
    """
    for eq in equations:
        if eq.expr is None:
            continue
        try:
            actual = expression_dimension(eq.expr, lookup, functions)
        except Unresolved as missing:
            if require_all:
                what = "function" if missing.is_function else "identifier"
                raise IdentifierError(
                    f"unknown {what} {missing.name!r}: it is not defined by the equations and "
                    "was not found in the namespace",
                    eq.line,
                    eq.expr_offset,
                    eq.lineno,
                    missing.name,
                ) from None
            continue
        except DimensionProblem as problem:
            raise UnitMismatchError(
                f"inconsistent units in the {eq.kind.value} for {eq.name}: {problem}",
                eq.line,
                eq.expr_offset,
                eq.lineno,
                eq.name,
            ) from None
        expected = eq.dim / SECOND if eq.kind is EquationKind.DIFFERENTIAL else eq.dim
        if actual != expected and not eq.expr.is_zero:
            raise UnitMismatchError(
                _mismatch_message(eq, expected, actual), eq.line, eq.expr_offset, eq.lineno, eq.name
            )


def _describe(dim: Dimension) -> str:
    return "1 (dimensionless)" if dim.is_dimensionless else unit_string(dim)


def _mismatch_message(eq: SingleEquation, expected: Dimension, actual: Dimension) -> str:
    if eq.kind is EquationKind.DIFFERENTIAL:
        return (
            f"the right-hand side of d{eq.name}/dt must be in {_describe(expected)} "
            f"({eq.name} is in {eq.unit}, per second), but it is in {_describe(actual)}"
        )
    return (
        f"the expression for {eq.name} is in {_describe(actual)}, but {eq.name} is declared "
        f"as {eq.unit}"
    )
