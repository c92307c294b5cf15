"""Evaluate model expressions with numpy, outside the compiled loop.

Used where a value is needed once rather than every step: string assignments
(``G.v = 'v_rest + rand()*5*mV'``), reading subexpressions (``G.I``), and connection
conditions. ``rand()`` and ``randn()`` draw from snngen's seeded generator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from snngen.equations.functions import NUMPY_IMPLEMENTATIONS
from snngen.runtime.rng import generator


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
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    rng = generator()
    modules = {
        **NUMPY_IMPLEMENTATIONS,
        "rand": lambda _occurrence: rng.random(size),
        "randn": lambda _occurrence: rng.standard_normal(size),
        **{f.func.__name__: functions[f.func.__name__] for f in expr.atoms(AppliedUndef)},
    }
    function = sympy.lambdify(symbols, expr, modules=[modules, "numpy"])
    result = function(*(values[s.name] for s in symbols))
    return np.broadcast_to(np.asarray(result, dtype=float), (size,)).copy()
