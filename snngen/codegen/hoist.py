"""Hoisting of loop invariants (DESIGN invariant 3).

Every symbol of lowered code lives at a *level*: ``RUN`` (parameters, ``dt``, ``N``: fixed for a
whole run), ``STEP`` (``t`` and what depends on it, such as a ``TimedArray`` value) or ``NEURON``
(state variables, per-neuron parameters, random draws). A subexpression is computed at the
outermost level at which all its symbols are known: ``exp(-dt/tau)`` once per run in the prepare
block, ``I_ext(t)/C`` once per step, only the rest per neuron and step. Sums and products are
split by level, so ``dt*v/tau`` becomes ``_h0*v`` with ``_h0 = dt/tau`` hoisted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy
from sympy.functions.elementary.piecewise import ExprCondPair

from snngen.codegen.printer import BinomialDraw
from snngen.equations.functions import RANDOM_FUNCTIONS

RUN, STEP, NEURON = 0, 1, 2


def _cheap(expr: sympy.Basic) -> bool:
    """Not worth a hoisted variable: a number, a name, or a number times a name."""
    if expr.is_Atom:
        return True
    if isinstance(expr, sympy.Mul) and len(expr.args) == 2:
        return expr.args[0].is_Number and expr.args[1].is_Atom
    return False


class Hoister:
    """Replaces invariant subexpressions by symbols and collects their definitions per level.

    Parameters
    ----------
    levels
        The level of each symbol; unknown symbols are taken as ``NEURON`` (the safe choice).
    new_symbol
        Makes a fresh symbol for a hoisted value.
    """

    def __init__(
        self, levels: Mapping[sympy.Symbol, int], new_symbol: Callable[[], sympy.Symbol]
    ) -> None:
        self.levels = dict(levels)
        self.new_symbol = new_symbol
        self.blocks: dict[int, list[tuple[sympy.Symbol, sympy.Basic]]] = {RUN: [], STEP: []}
        self._known: dict[sympy.Basic, sympy.Symbol] = {}

    def level(self, expr: sympy.Basic) -> int:
        if expr.has(*RANDOM_FUNCTIONS, BinomialDraw):
            return NEURON
        return max((self.levels.get(s, NEURON) for s in expr.free_symbols), default=RUN)

    def set_level(self, symbol: sympy.Symbol, level: int) -> None:
        self.levels[symbol] = level

    def hoist(self, expr: sympy.Basic, target: int = NEURON) -> sympy.Basic:
        """``expr`` for code at level ``target``, its parts invariant at outer levels hoisted."""
        if expr.is_Atom:
            return expr
        if isinstance(expr, ExprCondPair):  # not a value: hoist its value and condition
            return ExprCondPair(*(self.hoist(a, target) for a in expr.args))
        level = self.level(expr)
        if level < target:
            return self._promote(expr, level)
        if isinstance(expr, sympy.Add | sympy.Mul):
            invariant = [a for a in expr.args if self.level(a) < target]
            varying = [self.hoist(a, target) for a in expr.args if self.level(a) >= target]
            if invariant:
                combined = expr.func(*invariant)
                return expr.func(self._promote(combined, self.level(combined)), *varying)
            return expr.func(*varying)
        return expr.func(*(self.hoist(a, target) for a in expr.args))

    def _promote(self, expr: sympy.Basic, level: int) -> sympy.Basic:
        if _cheap(expr):
            return expr
        expr = self.hoist(expr, level)
        if expr not in self._known:
            symbol = self.new_symbol()
            self.levels[symbol] = level
            self.blocks[level].append((symbol, expr))
            self._known[expr] = symbol
        return self._known[expr]
