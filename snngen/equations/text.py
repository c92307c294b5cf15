"""Model text read with Python's ``ast``, without sympy.

What a run needs of an expression before (or instead of) its sympy form: that it parses, the
names it uses and the functions it calls, its unit declaration, and renamings. A process that
finds its network in the memo of lowerings builds and runs it with these alone, so it never
imports sympy (see :mod:`snngen.runtime.validated`).
"""

from __future__ import annotations

import ast
import functools
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from snngen.errors import EquationSyntaxError
from snngen.units.catalogue import UNITS
from snngen.units.dimensions import DIMENSIONLESS, Dimension


def _exprel(x: Any) -> np.ndarray:
    """``(exp(x) - 1)/x``, equal to 1 at 0."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-8  # below this, 1 + x/2 is exact to double precision
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0 + x / 2, np.expm1(safe) / safe)


def _clip(x: Any, low: Any, high: Any) -> Any:
    return np.minimum(np.maximum(x, low), high)


def _truncate(x: Any) -> np.ndarray:
    return np.trunc(x).astype(float)


# The built-in functions of model text with their numpy forms, and its constants. Their sympy
# forms and dimension rules are in snngen.equations.functions (a test checks that it defines the
# same names); rand and randn draw from snngen's generator (see snngen.runtime.pyeval).
NUMPY_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "exp": np.exp, "log": np.log, "log10": np.log10, "sqrt": np.sqrt, "sin": np.sin,
    "cos": np.cos, "tan": np.tan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
    "arctan": np.arctan, "abs": np.abs, "sign": np.sign, "floor": np.floor, "ceil": np.ceil,
    "clip": _clip, "exprel": _exprel, "int": _truncate,
}  # fmt: skip
FUNCTION_NAMES = frozenset({*NUMPY_FUNCTIONS, "rand", "randn"})
# Numpy forms of the functions that sympy prints by these names (in sympy.lambdify and in the
# printed numpy source of propagators).
NUMPY_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "exprel": NUMPY_FUNCTIONS["exprel"],
    "int_": NUMPY_FUNCTIONS["int"],
}
CONSTANT_NAMES = frozenset({"pi", "e"})


@dataclass(frozen=True)
class Location:
    """Where an expression sits in the model text, for error messages with a caret."""

    line: str
    offset: int = 0
    lineno: int | None = None

    def error(self, message: str, column: int = 0, identifier: str | None = None) -> Exception:
        return EquationSyntaxError(
            message, self.line, self.offset + column, self.lineno, identifier=identifier
        )


def char_column(text: str, byte_offset: int | None) -> int:
    """ast reports UTF-8 byte offsets; carets need character offsets."""
    if byte_offset is None:
        return 0
    return len(text.encode()[:byte_offset].decode(errors="ignore"))


def parse_tree(text: str, where: Location) -> tuple[ast.expr, str, Location]:
    stripped = text.lstrip()
    where = Location(where.line, where.offset + len(text) - len(stripped), where.lineno)
    stripped = stripped.rstrip()
    if not stripped:
        raise where.error("expected an expression, found nothing")
    try:
        with (
            warnings.catch_warnings()
        ):  # e.g. "invalid decimal literal": we report errors ourselves
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(stripped, mode="eval")
    except SyntaxError as err:
        column = max((err.offset or 1) - 1, 0) if err.lineno in (1, None) else 0
        raise where.error(f"invalid expression: {err.msg}", column) from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise where.error(f"invalid expression: {err}") from None
    return tree.body, stripped, where


@dataclass(frozen=True)
class Names:
    """The names an expression uses: ``identifiers`` (values) and ``functions`` (external
    functions it calls, such as a ``TimedArray``; built-in functions are not listed)."""

    identifiers: frozenset[str]
    functions: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.identifiers | self.functions


@functools.lru_cache(maxsize=4096)
def names_used(text: str) -> Names:
    """The names ``text`` uses, read from its syntax tree (``text`` must parse)."""
    node, _, _ = parse_tree(text, Location(text))
    identifiers, functions = set(), set()
    called = set()
    for item in ast.walk(node):
        if isinstance(item, ast.Call) and isinstance(item.func, ast.Name):
            called.add(id(item.func))
            if item.func.id not in FUNCTION_NAMES:
                functions.add(item.func.id)
    for item in ast.walk(node):
        if isinstance(item, ast.Name) and id(item) not in called and item.id not in CONSTANT_NAMES:
            identifiers.add(item.id)
    return Names(frozenset(identifiers), frozenset(functions))


def is_condition_text(text: str) -> bool:
    """Whether ``text`` is a truth value: a comparison, ``and``/``or``/``not``, True/False."""
    node, _, _ = parse_tree(text, Location(text))
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not)
    return isinstance(node, ast.Compare | ast.BoolOp) or (
        isinstance(node, ast.Constant) and isinstance(node.value, bool)
    )


def renamed_text(text: str, names: Mapping[str, str]) -> str:
    """``text`` with the identifiers in ``names`` renamed (not functions or constants)."""
    node, _, _ = parse_tree(text, Location(text))
    called = {id(c.func) for c in ast.walk(node) if isinstance(c, ast.Call)}
    for item in ast.walk(node):
        if isinstance(item, ast.Name) and id(item) not in called and item.id in names:
            if item.id in CONSTANT_NAMES:
                continue
            item.id = names[item.id]
    return ast.unparse(node)


# Unit declarations ---------------------------------------------------------------------------

VARIABLE_TYPES = ("float", "integer", "boolean")


def parse_unit(text: str, where: Location) -> tuple[Dimension, str]:
    """Parse the unit after ``:`` in an equation line: ``volt/second``, ``1``, ``boolean``.

    Returns the dimension and the variable type (``float``, ``integer`` or ``boolean``).
    """
    node, stripped, where = parse_tree(text, where)
    if isinstance(node, ast.Name) and node.id in ("boolean", "integer"):
        return DIMENSIONLESS, node.id
    return _unit_dimension(node, stripped, where), "float"


def _unit_dimension(node: ast.expr, text: str, where: Location) -> Dimension:
    def fail(message: str) -> Exception:
        return where.error(message, char_column(text, getattr(node, "col_offset", 0)))

    if isinstance(node, ast.Name):
        unit = UNITS.get(node.id)
        if unit is None:
            raise fail(f"unknown unit {node.id!r} (e.g. volt, second, siemens, amp, 1)")
        return unit.dim
    if isinstance(node, ast.Constant) and node.value == 1 and not isinstance(node.value, bool):
        return DIMENSIONLESS
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
        left = _unit_dimension(node.left, text, where)
        right = _unit_dimension(node.right, text, where)
        return left * right if isinstance(node.op, ast.Mult) else left / right
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        exponent = _unit_exponent(node.right)
        if exponent is None:
            raise fail("a unit's exponent must be a number, e.g. metre**2 or second**-0.5")
        return _unit_dimension(node.left, text, where) ** exponent
    raise fail("a unit must be a product of unit names and powers, e.g. volt/second")


def _unit_exponent(node: ast.expr) -> float | None:
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return sign * node.value
    return None
