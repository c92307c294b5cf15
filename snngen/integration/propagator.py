"""Exact integration of linear systems ``dX/dt = M X + c`` with coefficients constant over a step.

Over one step the exact solution is ``X(t+dt) = E X(t) + F c`` with

    E = exp(M dt),    F = ∫_0^dt exp(M s) ds,

both read off one exponential of the augmented matrix ``[[M dt, I dt], [0, 0]]`` (Van Loan), which
also covers singular ``M`` (a variable with ``dc/dt = k`` gets ``F = dt``).

**Why the propagator is evaluated numerically at run time, not derived symbolically.** Symbolic
propagators divide by differences of eigenvalues: ``(exp(-dt/τ1) - exp(-dt/τ2))/(1/τ2 - 1/τ1)``.
They are wrong (0/0) when time constants are equal, lose digits when they are nearly equal, need
a case split for complex eigenvalues, and sympy's matrix exponential is slow and fails on
symbolic degenerate cases, which it cannot detect because ``τ1`` and ``τ2`` are distinct symbols
until values arrive. The entries of ``E`` and ``F`` depend only on parameters and ``dt``, which
snngen passes at run time anyway (generated code depends on structure only), so they are
computed once per run by a scaling-and-squaring matrix exponential in numpy: exact to rounding in
every degenerate case, with no case analysis. Only the *pattern* of non-zero entries (which
variable feeds which) is structural, and the generated update uses just those entries. If ``M``
depends on per-neuron parameters, one propagator per neuron is computed in a batched call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter

from snngen.runtime import propagate
from snngen.runtime.propagate import Recipe


@dataclass(frozen=True)
class LinearPropagator:
    """The propagator entries an ``exact`` update rule uses, and how to compute them.

    ``matrix`` is ``M`` (sympy, in parameters only); ``pattern`` holds the ``(i, j)`` pairs where
    ``E`` and ``F`` may be non-zero (``j`` influences ``i`` directly or through others).
    """

    variables: tuple[str, ...]
    matrix: sympy.Matrix
    pattern: frozenset[tuple[int, int]]

    def entry(self, kind: str, i: int, j: int) -> sympy.Symbol:
        """Symbol of entry ``(i, j)`` of ``E`` or ``F`` in the update rule, e.g. ``_E_v_ge``."""
        return sympy.Symbol(f"_{kind}_{self.variables[i]}_{self.variables[j]}", real=True)

    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        return tuple(self.entry(k, i, j) for k in "EF" for i, j in sorted(self.pattern))

    @property
    def identifiers(self) -> frozenset[str]:
        """Names whose values the propagator needs (besides ``dt``)."""
        return frozenset(s.name for s in self.matrix.free_symbols) - {"dt"}

    def numpy_source(self, name: str) -> str:
        """Python source of ``name(*sorted(identifiers))``, returning the entries of ``M`` in
        row order as numpy expressions. Printed once, it serves the run-time evaluation here
        and a standalone build folder (which has numpy but not sympy) alike."""
        printer = NumPyPrinter({"fully_qualified_modules": True})
        entries = ", ".join(printer.doprint(entry) for entry in self.matrix)
        return f"def {name}({', '.join(sorted(self.identifiers))}):\n    return [{entries}]\n"

    def recipe(self) -> Recipe:
        """What a run needs to compute the entries with numpy (see
        :mod:`snngen.runtime.propagate`)."""
        entries = tuple(
            (self.entry(kind, i, j).name, kind, i, j)
            for kind in "EF" for i, j in sorted(self.pattern)
        )  # fmt: skip
        return self.numpy_source("matrix"), tuple(sorted(self.identifiers)), entries

    def evaluate(self, values: Mapping[str, object], dt: float) -> dict[str, np.ndarray]:
        """Numeric ``E`` and ``F`` entries, keyed by symbol name.

        ``values`` maps the names in :attr:`identifiers` to SI numbers or per-neuron arrays;
        with arrays the result holds one value per neuron.
        """
        return propagate.evaluate(self.recipe(), values, dt)


def influence_pattern(matrix: sympy.Matrix) -> frozenset[tuple[int, int]]:
    """Pairs ``(i, j)`` such that ``x_j`` reaches ``dx_i/dt`` in the graph of non-zero ``M_ij``.

    ``exp(M dt)`` is non-zero exactly there (for generic parameter values), plus the diagonal.
    """
    k = matrix.shape[0]
    reach = {(i, i) for i in range(k)}
    reach |= {(i, j) for i in range(k) for j in range(k) if matrix[i, j] != 0}
    changed = True
    while changed:
        closure = {(i, m) for i, j in reach for j2, m in reach if j == j2}
        changed = not closure <= reach
        reach |= closure
    return frozenset(reach)
