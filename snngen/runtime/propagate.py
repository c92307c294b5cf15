"""Exact propagators evaluated at run time from their recipe, with numpy alone.

A recipe is plain data, kept in the fetches of a lowering (and so in the memo of lowerings):
the numpy source of ``matrix(*names)``, which returns the entries of ``M`` in row order (printed
once by :meth:`snngen.integration.propagator.LinearPropagator.recipe`), the names it takes, and
the ``(name, "E" or "F", i, j)`` entries the generated update reads. A warm start computes its
propagators from it without deriving them again in sympy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from snngen.equations.text import NUMPY_IMPLEMENTATIONS
from snngen.standalone.expm import exact_step

Recipe = tuple[str, tuple[str, ...], tuple[tuple[str, str, int, int], ...]]


def evaluate(recipe: Recipe, values: Mapping[str, object], dt: float) -> dict[str, np.ndarray]:
    """Numeric ``E`` and ``F`` entries, keyed by name: one value, or one per neuron when
    ``values`` holds arrays."""
    source, names, entries = recipe
    missing = [n for n in names if n not in values]
    if missing:
        raise KeyError(f"values needed for the propagator: {', '.join(missing)}")
    namespace: dict[str, object] = {"numpy": np, **NUMPY_IMPLEMENTATIONS}
    exec(source, namespace)  # our own printed code, not user text
    matrix = namespace["matrix"](*(np.asarray(values[n], dtype=float) for n in names))
    e, f = exact_step(matrix, dt)
    return {name: (e if kind == "E" else f)[..., i, j] for name, kind, i, j in entries}
