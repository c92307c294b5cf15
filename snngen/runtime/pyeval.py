"""Evaluate model expressions with numpy, outside the compiled loop.

Used where a value is needed once rather than every step: string assignments
(``G.v = 'v_rest + rand()*5*mV'``), reading subexpressions (``G.I``), and connection
conditions. ``rand()`` and ``randn()`` draw from snngen's seeded generator.

The expression tree is walked directly, node by node onto numpy, rather than printed to Python
source and compiled (``sympy.lambdify``): that costs about 80 ms of imports in every process
that assigns a string, and a compilation for every block of a connection condition.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from snngen.equations.functions import NUMPY_IMPLEMENTATIONS, exprel, int_, rand, randn
from snngen.errors import ModelError
from snngen.runtime.rng import generator

_ELEMENTWISE: dict[type, Callable[..., Any]] = {
    sympy.exp: np.exp,
    sympy.log: np.log,
    sympy.sin: np.sin,
    sympy.cos: np.cos,
    sympy.tan: np.tan,
    sympy.sinh: np.sinh,
    sympy.cosh: np.cosh,
    sympy.tanh: np.tanh,
    sympy.atan: np.arctan,
    sympy.Abs: np.abs,
    sympy.sign: np.sign,
    sympy.floor: np.floor,
    sympy.ceiling: np.ceil,
    sympy.Mod: np.mod,  # both floor the quotient: the result has the divisor's sign
    sympy.Not: np.logical_not,
    exprel: NUMPY_IMPLEMENTATIONS["exprel"],
    int_: NUMPY_IMPLEMENTATIONS["int_"],
}
# n-ary nodes, folded pairwise
_FOLDED: dict[type, Callable[[Any, Any], Any]] = {
    sympy.Add: np.add,
    sympy.Mul: np.multiply,
    sympy.Min: np.minimum,
    sympy.Max: np.maximum,
    sympy.And: np.logical_and,
    sympy.Or: np.logical_or,
}
_RELATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def evaluate(
    expr: sympy.Basic,
    values: Mapping[str, Any],
    functions: Mapping[str, Callable[..., Any]],
    size: int,
) -> np.ndarray:
    """``expr`` evaluated elementwise, as an array of ``size`` values (SI numbers).

    ``values`` maps every free symbol's name to a number or an array of ``size`` values;
    ``functions`` maps the names of external functions (``TimedArray`` objects) to callables
    on SI numbers.
    """
    rng = generator()

    def walk(node: sympy.Basic) -> Any:
        if node.is_Symbol:
            return values[node.name]
        if node.is_Number or isinstance(node, sympy.NumberSymbol):
            return float(node)
        if node is sympy.true or node is sympy.false:
            return bool(node)
        kind = type(node)
        if kind is rand:
            return rng.random(size)
        if kind is randn:
            return rng.standard_normal(size)
        if isinstance(node, AppliedUndef):
            return functions[kind.__name__](*map(walk, node.args))
        if node.is_Pow:
            base, exponent = walk(node.base), walk(node.exp)
            return np.power(np.asarray(base, dtype=float), exponent)
        if node.is_Relational:
            return _RELATIONS[node.rel_op](walk(node.lhs), walk(node.rhs))
        if kind in _FOLDED:
            return functools.reduce(_FOLDED[kind], map(walk, node.args))
        if kind in _ELEMENTWISE:
            return _ELEMENTWISE[kind](*map(walk, node.args))
        raise ModelError(f"cannot evaluate {sympy.sstr(node)!r} with numpy: "
                         f"no numpy form of {kind.__name__}")  # fmt: skip

    result = walk(expr)
    return np.broadcast_to(np.asarray(result, dtype=float), (size,)).copy()
