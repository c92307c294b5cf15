"""Common-subexpression elimination keeps a block of dependent assignments in a valid order."""

import itertools

import numpy as np
import sympy

from snngen.codegen.cse import eliminate_common_subexpressions

x, y, k1, k2, out = sympy.symbols("x y k1 k2 out", real=True)


def _run(block, values):
    values = dict(values)
    for target, expr in block:
        values[target] = float(expr.subs(values))
    return values


def test_shared_values_are_placed_after_what_they_read():
    # k2 and out share (x + k1), which can only be computed after k1.
    block = [(k1, sympy.exp(x) * y), (k2, (x + k1) ** 2 + sympy.sin(x + k1)),
             (out, (x + k1) * k2 + sympy.exp(x))]  # fmt: skip
    names = (sympy.Symbol(f"_c{k}", real=True) for k in itertools.count())
    reduced = eliminate_common_subexpressions(block, lambda: next(names))
    assert len(reduced) > len(block)
    expected = _run(block, {x: 0.3, y: -1.2})
    actual = _run(reduced, {x: 0.3, y: -1.2})
    for target in (k1, k2, out):
        np.testing.assert_allclose(actual[target], expected[target], rtol=1e-14)
