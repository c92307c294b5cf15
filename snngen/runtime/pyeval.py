"""Evaluate model expression text with numpy, outside the compiled loop.

Used where a value is needed once rather than every step: string assignments
(``G.v = 'v_rest + rand()*5*mV'``), reading subexpressions (``G.I``), and connection
conditions. ``rand()`` and ``randn()`` draw from snngen's seeded generator, one array per call,
in the order the calls are written.

The syntax tree of the text is walked node by node onto numpy; only the nodes below are
evaluated, and a call is either a built-in function of model text or a function the caller
supplies (a ``TimedArray``), so nothing the text names is looked up in Python. Working on the
text rather than its sympy form, the evaluation needs no sympy: a warm start that sets initial
values from strings stays free of it, and gives the same numbers as a cold one.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from snngen.build.checked import check_once
from snngen.equations.text import NUMPY_FUNCTIONS, Location, parse_tree
from snngen.errors import ModelError
from snngen.runtime.rng import generator

_CONSTANTS = {"pi": math.pi, "e": math.e}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.Mod: np.mod,  # floors the quotient: the result has the divisor's sign
    ast.FloorDiv: lambda a, b: np.floor(np.true_divide(a, b)),
    ast.Pow: lambda a, b: np.power(np.asarray(a, dtype=float), b),
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.USub: np.negative,
    ast.UAdd: np.positive,
    ast.Not: np.logical_not,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}


def check_syntax(text: str) -> str:
    """``text``, after the model-text parser accepted it (once per text: it needs sympy, and
    its verdict depends on the text alone; see :mod:`snngen.build.checked`)."""

    def check() -> None:
        from snngen.equations.expressions import parse_expression

        parse_expression(text)

    check_once("syntax", text, check)
    return text


def evaluate(
    text: str,
    values: Mapping[str, Any],
    functions: Mapping[str, Callable[..., Any]],
    size: int,
) -> np.ndarray:
    """The expression ``text`` evaluated elementwise, as an array of ``size`` values (SI).

    ``values`` maps every identifier to a number or an array of ``size`` values; ``functions``
    maps the names of external functions (``TimedArray`` objects) to callables on SI numbers.
    """
    node, _, _ = parse_tree(text, Location(text))
    rng = generator()

    def walk(node: ast.expr) -> Any:
        kind = type(node)
        if kind is ast.Constant and isinstance(node.value, bool | int | float):
            return node.value if isinstance(node.value, bool) else float(node.value)
        if kind is ast.Name:
            return _CONSTANTS[node.id] if node.id in _CONSTANTS else values[node.id]
        if kind is ast.BinOp and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        if kind is ast.UnaryOp and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](walk(node.operand))
        if kind is ast.BoolOp:
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            return functools.reduce(combine, map(walk, node.values))
        if kind is ast.Compare:
            operands = [walk(node.left), *map(walk, node.comparators)]
            parts = [_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, operands, operands[1:])]
            return functools.reduce(np.logical_and, parts)
        if kind is ast.Call and isinstance(node.func, ast.Name) and not node.keywords:
            name = node.func.id
            if name == "rand":
                return rng.random(size)
            if name == "randn":
                return rng.standard_normal(size)
            call = NUMPY_FUNCTIONS.get(name) or functions.get(name)
            if call is None:
                raise ModelError(f"unknown function {name}() in {text!r}")
            return call(*map(walk, node.args))
        raise ModelError(f"cannot evaluate {ast.unparse(node)!r} in {text!r} with numpy")

    result = walk(node)
    return np.broadcast_to(np.asarray(result, dtype=float), (size,)).copy()
