"""Safe conversion of expression text to sympy.

Text is parsed with Python's ``ast`` and converted node by node; only the node types listed in
:class:`_Converter` are accepted, calls go through the function table, and nothing is evaluated
by Python. ``eval``, ``sympify`` and ``parse_expr`` are never applied to user text: they execute
code (``__import__('os').system(...)``) and accept Python constructs models must not contain.
"""

from __future__ import annotations

import ast
import itertools
import math
from collections.abc import Callable

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from snngen.equations.functions import BUILTIN_FUNCTIONS, CONSTANTS, RANDOM_FUNCTIONS
from snngen.equations.text import Location, char_column, parse_tree

# Exact integer arithmetic is kept below this size; beyond it numbers become floats, so that text
# such as ``9**9**9`` cannot make sympy build astronomically large integers.
_MAX_EXACT_INTEGER = 2**63
_MAX_EXACT_EXPONENT = 64

_UNSUPPORTED = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "indexing (a[b])",
    ast.Lambda: "lambda expressions",
    ast.IfExp: "conditional expressions (a if c else b); use int(condition)*a instead",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.JoinedStr: "strings",
    ast.NamedExpr: "assignment expressions (:=)",
    ast.Starred: "starred arguments",
    ast.Slice: "slices",
}

_BINARY: dict[type, Callable[[sympy.Expr, sympy.Expr], sympy.Expr]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Mod: sympy.Mod,
    ast.FloorDiv: lambda a, b: sympy.floor(a / b),
}

_COMPARE: dict[type, Callable[[sympy.Expr, sympy.Expr], sympy.Basic]] = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
}


def is_condition(expr: sympy.Basic) -> bool:
    """Whether ``expr`` is a truth value (comparison, logic, True/False).

    Not ``isinstance(expr, Boolean)``: sympy symbols are Booleans too.
    """
    return isinstance(expr, Relational | BooleanFunction | BooleanAtom)


def symbol(name: str) -> sympy.Symbol:
    """The sympy symbol for an identifier of model text (all model quantities are real)."""
    return sympy.Symbol(name, real=True)


def parse_expression(text: str, where: Location | None = None) -> sympy.Basic:
    """Convert expression text to a sympy expression, accepting only whitelisted constructs.

    A call is either to a built-in function (see :mod:`snngen.equations.functions`) or to an
    *external* function, such as a ``TimedArray``, which becomes an undefined sympy function and
    must be supplied by the namespace when the model is resolved for a run.

    Parameters
    ----------
    text
        The expression, e.g. ``"(v_rest - v + I)/tau"``.
    where
        The line the expression comes from, for error messages; defaults to ``text`` itself.
    """
    where = where or Location(text)
    node, stripped, where = parse_tree(text, where)
    converter = _Converter(stripped, where)
    try:
        result = converter.convert(node)
    except RecursionError:
        raise where.error("expression is too deeply nested") from None
    if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise where.error("expression divides by zero or is infinite")
    return result


class _Converter:
    """Walks a Python expression tree and builds the sympy expression, node type by node type."""

    def __init__(self, text: str, where: Location) -> None:
        self.text = text
        self.where = where
        self.random_draws = itertools.count()

    def fail(self, node: ast.AST, message: str, identifier: str | None = None) -> Exception:
        column = char_column(self.text, getattr(node, "col_offset", 0))
        return self.where.error(message, column, identifier)

    def convert(self, node: ast.expr) -> sympy.Basic:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            what = _UNSUPPORTED.get(type(node), f"the construct {type(node).__name__!r}")
            raise self.fail(node, f"not allowed in model expressions: {what}")
        try:
            return method(node)
        except (TypeError, ValueError, AttributeError, ZeroDivisionError, OverflowError) as err:
            raise self.fail(node, f"invalid expression: {err}") from None

    def _Constant(self, node: ast.Constant) -> sympy.Basic:
        value = node.value
        if isinstance(value, bool):
            return sympy.true if value else sympy.false
        if isinstance(value, int):
            return sympy.Integer(value) if abs(value) < _MAX_EXACT_INTEGER else _float(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.fail(node, "number is too large")
            return sympy.Float(value)
        kind = "strings" if isinstance(value, str | bytes) else f"{type(value).__name__} values"
        raise self.fail(node, f"{kind} are not allowed in model expressions")

    def _Name(self, node: ast.Name) -> sympy.Basic:
        if node.id.startswith("_"):
            raise self.fail(node, f"names starting with '_' are reserved: {node.id!r}", node.id)
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        return symbol(node.id)

    def _UnaryOp(self, node: ast.UnaryOp) -> sympy.Basic:
        operand = self.convert(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return sympy.Not(operand)
        raise self.fail(node, "bitwise inversion (~) is not allowed; use 'not'")

    def _BinOp(self, node: ast.BinOp) -> sympy.Basic:
        left, right = self.convert(node.left), self.convert(node.right)
        if isinstance(node.op, ast.Pow):
            return _power(left, right)
        if is_condition(left) or is_condition(right):
            raise self.fail(node, "a condition cannot take part in arithmetic; use int(condition)")
        operation = _BINARY.get(type(node.op))
        if operation is None:
            hint = "; use ** for powers" if isinstance(node.op, ast.BitXor) else ""
            name = type(node.op).__name__
            raise self.fail(node, f"the operator {name!r} is not allowed{hint}")
        return operation(left, right)

    def _BoolOp(self, node: ast.BoolOp) -> sympy.Basic:
        values = [self.convert(v) for v in node.values]
        return sympy.And(*values) if isinstance(node.op, ast.And) else sympy.Or(*values)

    def _Compare(self, node: ast.Compare) -> sympy.Basic:
        operands = [self.convert(node.left), *(self.convert(c) for c in node.comparators)]
        parts = []
        for op, left, right in zip(node.ops, operands, operands[1:]):
            compare = _COMPARE.get(type(op))
            if compare is None:
                raise self.fail(node, f"the comparison {type(op).__name__!r} is not allowed")
            parts.append(compare(left, right))
        return sympy.And(*parts)

    def _Call(self, node: ast.Call) -> sympy.Basic:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only functions called by name are allowed, e.g. exp(x)")
        name = node.func.id
        if node.keywords:
            raise self.fail(node, f"keyword arguments are not allowed in the call to {name}()")
        args = [self.convert(a) for a in node.args]
        spec = BUILTIN_FUNCTIONS.get(name)
        if spec is not None:
            if len(args) != spec.arity:
                raise self.fail(
                    node, f"{name}() takes {spec.arity} argument(s), got {len(args)}", name
                )
            if spec.build in RANDOM_FUNCTIONS:
                return spec.build(sympy.Integer(next(self.random_draws)))
            return spec.build(*args)
        if name.startswith("_"):
            raise self.fail(node, f"names starting with '_' are reserved: {name!r}", name)
        if not args:
            raise self.fail(node, f"the external function {name}() needs an argument", name)
        return sympy.Function(name, real=True)(*args)


def _float(value: float | int) -> sympy.Float:
    number = float(value)
    if not math.isfinite(number):
        raise OverflowError("number is too large")
    return sympy.Float(number)


def _power(base: sympy.Basic, exponent: sympy.Basic) -> sympy.Basic:
    """``base**exponent``, computing numeric powers in floating point unless they are small."""
    if base.is_Number and exponent.is_Number:
        exact = exponent.is_Integer and abs(int(exponent)) <= _MAX_EXACT_EXPONENT
        if exact and base.is_Rational and abs(base) < _MAX_EXACT_INTEGER:
            return base**exponent
        try:
            result = float(base) ** float(exponent)
        except OverflowError:
            raise OverflowError("number is too large") from None
        if isinstance(result, complex):
            raise ValueError("a negative number to a fractional power is not real")
        return _float(result)
    return base**exponent
