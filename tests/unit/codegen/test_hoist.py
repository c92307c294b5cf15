"""Hoisting: invariant parts move to the outermost level where their symbols are known."""

import itertools

import sympy

from snngen.codegen.hoist import NEURON, RUN, STEP, Hoister
from snngen.equations.functions import rand

tau, dt, t, v, w = sympy.symbols("tau dt t v w", real=True)
LEVELS = {tau: RUN, dt: RUN, t: STEP, v: NEURON, w: NEURON}


def _hoister():
    names = (sympy.Symbol(f"_h{k}", real=True) for k in itertools.count())
    return Hoister(LEVELS, lambda: next(names))


def _value(hoister, expr):
    """``expr`` with hoisted symbols substituted back: must equal the original."""
    definitions = {**dict(hoister.blocks[RUN]), **dict(hoister.blocks[STEP])}
    for _ in range(len(definitions) + 1):
        expr = expr.xreplace(definitions)
    return expr


def test_parameter_only_factor_is_computed_once_per_run():
    hoister = _hoister()
    original = v * sympy.exp(-dt / tau)
    hoisted = hoister.hoist(original)
    ((symbol, value),) = hoister.blocks[RUN]
    assert value == sympy.exp(-dt / tau)
    assert hoisted == v * symbol
    assert _value(hoister, hoisted) == original


def test_products_are_split_by_level():
    hoister = _hoister()
    original = dt * v * w * sympy.sin(t) / tau
    hoisted = hoister.hoist(original)
    assert [e for _, e in hoister.blocks[RUN]] == [dt / tau]
    # The step-level product reuses the run-level value.
    ((step_symbol, step_value),) = hoister.blocks[STEP]
    assert step_value.free_symbols == {t, hoister.blocks[RUN][0][0]}
    assert hoisted == step_symbol * v * w
    assert sympy.simplify(_value(hoister, hoisted) - original) == 0


def test_same_invariant_is_hoisted_once():
    hoister = _hoister()
    hoister.hoist(v * sympy.exp(-dt / tau))
    hoister.hoist(w * sympy.exp(-dt / tau))
    assert len(hoister.blocks[RUN]) == 1


def test_cheap_and_random_parts_stay():
    hoister = _hoister()
    assert hoister.hoist(v + tau) == v + tau
    assert hoister.hoist(-tau * v) == -tau * v
    draw = rand(sympy.Integer(0)) * dt / tau
    hoisted = hoister.hoist(draw)
    assert hoisted.has(rand)  # a random draw is per neuron, never hoisted
