"""Equations → update rules: exact, exponential Euler, Runge-Kutta and stochastic methods."""

from snngen.integration.convergence import Convergence, convergence, spike_time_convergence
from snngen.integration.evaluate import NumpyStepper
from snngen.integration.explain import Explanation, explain
from snngen.integration.registry import METHODS, integrate
from snngen.integration.rule import UpdateRule

__all__ = [
    "METHODS", "Convergence", "Explanation", "NumpyStepper", "UpdateRule", "convergence",
    "explain", "integrate", "spike_time_convergence",
]  # fmt: skip
