"""Print sympy expressions as Cython expressions for the generated module's C-level loops.

What it does beyond sympy's C99 printer, and why:

* exact float literals (``repr`` of the double, so ``0.1`` prints as ``0.1`` and round-trips);
* small integer powers as products (``x*x*x``): gcc does not turn ``pow(x, 3)`` into products
  without ``-ffast-math``, and the product is several times faster;
* ``exp(x) - 1`` as ``expm1(x)``, and ``exprel`` through a helper, so exponential Euler keeps its
  accuracy when the linear coefficient is small;
* Cython's ``and``/``or``/``not`` and conditional expressions, and Python's modulo for ``%``;
* ``int(...)`` as a C cast, and ``rand()``/``randn()`` as calls of the module's generator helpers.

:class:`SingleCythonPrinter` prints the same expressions for float arithmetic (the float32 mode).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from sympy.codegen.ast import float32, real
from sympy.codegen.cfunctions import expm1
from sympy.printing.c import C99CodePrinter
from sympy.printing.precedence import PRECEDENCE

from snngen.equations.expressions import is_condition
from snngen.equations.functions import exprel, int_, rand, randn

# Integer powers up to this magnitude are printed as products.
MAX_PRODUCT_POWER = 4

# Names of helpers the module template defines (see templates/).
EXPREL_HELPER = "_exprel"
RAND_HELPER = "_rand_uniform"
RANDN_HELPER = "_rand_normal"
RNG_STATE = "_rng"
TIMED_VALUE_HELPER = "_timed_value"
BINOMIAL_HELPER = "_rand_binomial"


class BinomialDraw(sympy.Function):
    """A Binomial(n, p) draw in generated code (``PoissonInput``): arguments ``n``, ``p``."""

    nargs = 2

    @property
    def is_number(self) -> bool:
        return False  # a draw: never evaluated or merged by sympy


class TimedValue(sympy.Function):
    """A ``TimedArray`` value in generated code.

    Arguments: the values array, its number of rows (times) and columns, ``1/dt`` of the array,
    the time and the column. All are canonical names or expressions, so the call is structure.
    """

    nargs = 6


def float_literal(value: float) -> str:
    """The shortest literal that reads back as exactly ``value`` (always with a point)."""
    text = repr(float(value))
    if text in ("inf", "-inf", "nan"):
        raise ValueError(f"cannot print the non-finite number {text} as a literal")
    return text if any(c in text for c in ".en") else f"{text}.0"


class CythonPrinter(C99CodePrinter):
    """sympy → Cython expression text (the C subset Cython compiles to plain C)."""

    printmethod = "_snngen_cython"
    real_type = "double"

    def _literal(self, value: float) -> str:
        return float_literal(value)

    def _math(self, name: str) -> str:
        """The name of the maths function (or helper) ``name`` for :attr:`real_type`."""
        return name

    def _print_Float(self, expr: sympy.Float) -> str:
        return self._literal(float(expr))

    def _print_Rational(self, expr: sympy.Rational) -> str:
        return self._literal(float(expr))

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return self._literal(float(expr))

    def _print_NumberSymbol(self, expr: sympy.NumberSymbol) -> str:
        return self._literal(float(expr))

    _print_Pi = _print_NumberSymbol
    _print_Exp1 = _print_NumberSymbol

    def _print_Mul(self, expr: sympy.Mul, **kwargs: object) -> str:
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient.is_Rational and not coefficient.is_Integer:
            # As a float coefficient, so that it prints as one literal, not a parenthesised ratio.
            expr = sympy.Mul(sympy.Float(float(coefficient)), rest, evaluate=False)
        return super()._print_Mul(expr, **kwargs)

    def _print_Pow(self, expr: sympy.Pow) -> str:
        base, exponent = expr.base, expr.exp
        if exponent.is_Integer and 0 < abs(int(exponent)) <= MAX_PRODUCT_POWER:
            factor = self.parenthesize(base, PRECEDENCE["Mul"])
            product = "*".join([factor] * abs(int(exponent)))
            if abs(int(exponent)) > 1:
                product = f"({product})"
            return product if exponent > 0 else f"{self._literal(1.0)}/{product}"
        if exponent == sympy.S.Half:
            return f"{self._math('sqrt')}({self._print(base)})"
        if exponent == -sympy.S.Half:
            return f"{self._literal(1.0)}/{self._math('sqrt')}({self._print(base)})"
        return f"{self._math('pow')}({self._print(base)}, {self._print(exponent)})"

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        exps = [a for a in expr.args if isinstance(a, sympy.exp)]
        if exps and sympy.S.NegativeOne in expr.args:
            rest = [a for a in expr.args if a is not exps[0] and a != sympy.S.NegativeOne]
            # A one-term Add is that term, so this covers exp(x) - 1 alone too.
            return self._print(sympy.Add(expm1(exps[0].args[0]), *rest, evaluate=False))
        return super()._print_Add(expr, order)

    def _print_Function(self, expr: sympy.Function) -> str:
        if isinstance(expr, exprel):
            return f"{self._math(EXPREL_HELPER)}({self._print(expr.args[0])})"
        if isinstance(expr, int_):
            argument = expr.args[0]
            if is_condition(argument):
                one, zero = self._literal(1.0), self._literal(0.0)
                return f"({one} if {self._print(argument)} else {zero})"
            return f"(<{self.real_type}>(<long>({self._print(argument)})))"
        if isinstance(expr, rand):
            return f"{RAND_HELPER}({RNG_STATE})"
        if isinstance(expr, randn):
            return f"{RANDN_HELPER}({RNG_STATE})"
        return super()._print_Function(expr)

    def _print_TimedValue(self, expr: TimedValue) -> str:
        return f"{TIMED_VALUE_HELPER}({', '.join(self._print(a) for a in expr.args)})"

    def _print_BinomialDraw(self, expr: BinomialDraw) -> str:
        n, p = (self._print(a) for a in expr.args)
        return f"{BINOMIAL_HELPER}({RNG_STATE}, {n}, {p})"

    def _print_Mod(self, expr: sympy.Mod) -> str:
        # Python's modulo (result has the sign of the divisor), as users of % expect.
        x, y = (self.parenthesize(a, PRECEDENCE["Atom"]) for a in expr.args)
        return f"({x} - {y}*{self._math('floor')}({x}/{y}))"

    def _print_And(self, expr: sympy.And) -> str:
        return " and ".join(self.parenthesize(a, PRECEDENCE["And"]) for a in expr.args)

    def _print_Or(self, expr: sympy.Or) -> str:
        return " or ".join(self.parenthesize(a, PRECEDENCE["Or"]) for a in expr.args)

    def _print_Not(self, expr: sympy.Not) -> str:
        return f"not ({self._print(expr.args[0])})"

    def _print_BooleanTrue(self, expr: sympy.Basic) -> str:
        return "True"

    def _print_BooleanFalse(self, expr: sympy.Basic) -> str:
        return "False"

    def _print_Piecewise(self, expr: sympy.Piecewise) -> str:
        *cases, (last, _) = expr.args
        text = self._print(last)
        for value, condition in reversed(cases):
            text = f"({self._print(value)} if {self._print(condition)} else {text})"
        return text


class SingleCythonPrinter(CythonPrinter):
    """Float arithmetic: every literal cast to float (Cython has no ``f`` suffix, and one double
    operand promotes a whole expression to double), and the float versions of libm's functions
    (sympy's ``type_aliases``) and of the module's helpers (``_exprelf``)."""

    real_type = "float"

    def _literal(self, value: float) -> str:
        return f"(<float>{float_literal(value)})"

    def _math(self, name: str) -> str:
        return f"{name}f"


# No math macros (M_LN10, M_PI): their values print as exact literals instead.
_PRINTER = CythonPrinter({"math_macros": {}})
_SINGLE_PRINTER = SingleCythonPrinter({"math_macros": {}, "type_aliases": {real: float32}})


def cython_expression(expr: sympy.Basic, single: bool = False) -> str:
    """Cython text of ``expr``, computed in float if ``single`` (else in double)."""
    return (_SINGLE_PRINTER if single else _PRINTER).doprint(expr)


def printed(code: Sequence[tuple[sympy.Symbol, sympy.Basic]], single: bool = False) -> list[str]:
    """Lines assigning each expression of ``code`` to its target."""
    return [f"{target} = {cython_expression(expr, single)}" for target, expr in code]
