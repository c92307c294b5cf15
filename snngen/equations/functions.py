"""The functions model text may call, as sympy constructors with their dimension rules.

This table *is* the whitelist: a call in model text is either one of these names or an external
function supplied by the user at run time (a ``TimedArray``), never a Python callable looked up
by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy

from snngen.units.dimensions import DIMENSIONLESS, Dimension


class exprel(sympy.Function):
    """``(exp(x) - 1)/x``, continuous at 0 where it equals 1.

    Needed by exponential Euler (and HH rate functions) so that a vanishing linear coefficient
    does not cancel catastrophically.
    """

    nargs = 1

    @classmethod
    def eval(cls, x: sympy.Expr) -> sympy.Expr | None:
        if x.is_zero:
            return sympy.S.One
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        x = self.args[0]
        return (sympy.exp(x) * x - sympy.exp(x) + 1) / x**2

    def _eval_rewrite_as_exp(self, x: sympy.Expr, **kwargs: object) -> sympy.Expr:
        return (sympy.exp(x) - 1) / x


class int_(sympy.Function):
    """Truncation towards zero; ``int(b)`` of a condition is 1 or 0."""

    nargs = 1

    @classmethod
    def eval(cls, x: sympy.Basic) -> sympy.Expr | None:
        if x is sympy.true:
            return sympy.S.One
        if x is sympy.false:
            return sympy.S.Zero
        if x.is_Number:
            return sympy.Integer(int(x))
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.S.Zero

    def _sympystr(self, printer: sympy.printing.str.StrPrinter) -> str:
        return f"int({printer.doprint(self.args[0])})"


class _RandomFunction(sympy.Function):
    """A random draw. The single argument numbers the occurrence in its expression, so that two
    calls stay two independent draws instead of being merged by sympy (``rand() + rand()`` must
    not become ``2*rand()``)."""

    nargs = 1

    @property
    def is_number(self) -> bool:
        return False  # a draw, not a constant: sympy must not try to evaluate it numerically

    def _eval_evalf(self, prec: int) -> None:
        return None

    def _sympystr(self, printer: sympy.printing.str.StrPrinter) -> str:
        return f"{type(self).__name__}()"


class rand(_RandomFunction):
    """Uniform on [0, 1)."""


class randn(_RandomFunction):
    """Standard normal."""


RANDOM_FUNCTIONS = (rand, randn)

DimensionRule = Callable[[Sequence[Dimension]], Dimension]


@dataclass(frozen=True)
class FunctionSpec:
    """A built-in function: how to build it in sympy and what it does to dimensions."""

    name: str
    arity: int
    build: Callable[..., sympy.Basic]
    dimensions: DimensionRule


def _dimensionless(dims: Sequence[Dimension]) -> Dimension:
    if any(not d.is_dimensionless for d in dims):
        raise TypeError("the argument must be dimensionless")
    return DIMENSIONLESS


def _keep(dims: Sequence[Dimension]) -> Dimension:
    if any(d != dims[0] for d in dims[1:]):
        raise TypeError("all arguments must have the same units")
    return dims[0]


def _any_to_dimensionless(dims: Sequence[Dimension]) -> Dimension:
    return DIMENSIONLESS


def _sqrt(dims: Sequence[Dimension]) -> Dimension:
    return dims[0] ** 0.5


def _clip(x: sympy.Expr, low: sympy.Expr, high: sympy.Expr) -> sympy.Expr:
    return sympy.Min(sympy.Max(x, low), high)


def _log10(x: sympy.Expr) -> sympy.Expr:
    return sympy.log(x) / sympy.log(10)


BUILTIN_FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec("exp", 1, sympy.exp, _dimensionless),
        FunctionSpec("log", 1, sympy.log, _dimensionless),
        FunctionSpec("log10", 1, _log10, _dimensionless),
        FunctionSpec("sqrt", 1, sympy.sqrt, _sqrt),
        FunctionSpec("sin", 1, sympy.sin, _dimensionless),
        FunctionSpec("cos", 1, sympy.cos, _dimensionless),
        FunctionSpec("tan", 1, sympy.tan, _dimensionless),
        FunctionSpec("sinh", 1, sympy.sinh, _dimensionless),
        FunctionSpec("cosh", 1, sympy.cosh, _dimensionless),
        FunctionSpec("tanh", 1, sympy.tanh, _dimensionless),
        FunctionSpec("arctan", 1, sympy.atan, _dimensionless),
        FunctionSpec("abs", 1, sympy.Abs, _keep),
        FunctionSpec("sign", 1, sympy.sign, _any_to_dimensionless),
        FunctionSpec("floor", 1, sympy.floor, _keep),
        FunctionSpec("ceil", 1, sympy.ceiling, _keep),
        FunctionSpec("clip", 3, _clip, _keep),
        FunctionSpec("exprel", 1, exprel, _dimensionless),
        FunctionSpec("int", 1, int_, _dimensionless),
        FunctionSpec("rand", 0, rand, _any_to_dimensionless),
        FunctionSpec("randn", 0, randn, _any_to_dimensionless),
    )
}

# Dimension rules keyed by the sympy class that the table builds, for checking parsed expressions
# (clip builds Min/Max; sqrt and log10 build powers and logarithms, checked as such).
SYMPY_DIMENSION_RULES: dict[type, DimensionRule] = {
    **{
        spec.build: spec.dimensions
        for spec in BUILTIN_FUNCTIONS.values()
        if isinstance(spec.build, type)
    },
    sympy.Min: _keep,
    sympy.Max: _keep,
}

CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}
