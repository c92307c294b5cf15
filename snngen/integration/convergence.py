"""``convergence``: measure how a method's error shrinks with the step, for teaching.

Runs one model with several methods and step sizes (numpy evaluation of the derived update
rules, no compilation), compares the state at the end with a reference, and fits the order:
the slope of log(error) against log(dt). A method of order p has error ~ C dt^p once dt is in
the asymptotic range, so the fitted slopes should approach 1 (Euler), 2 (RK2, Heun), 4 (RK4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from snngen.equations.system import Equations
from snngen.errors import ModelError
from snngen.integration.evaluate import NumpyStepper
from snngen.integration.registry import integrate
from snngen.units.quantity import strip

Reference = Callable[[float], Mapping[str, float]]


@dataclass(frozen=True)
class Convergence:
    """Errors per method and step size, and the fitted orders."""

    dts: np.ndarray
    errors: dict[str, np.ndarray]
    quantity: str = "error at the end"

    @property
    def orders(self) -> dict[str, float]:
        """Least-squares slope of log(error) against log(dt), per method."""
        return {
            m: float(np.polyfit(np.log(self.dts), np.log(e), 1)[0]) for m, e in self.errors.items()
        }

    def __str__(self) -> str:
        header = f"{'dt':>10} " + " ".join(f"{m:>18}" for m in self.errors)
        rows = [f"{dt:10.3g} " + " ".join(f"{self.errors[m][k]:18.3e}" for m in self.errors)
                for k, dt in enumerate(self.dts)]  # fmt: skip
        orders = f"{'order':>10} " + " ".join(f"{o:18.2f}" for o in self.orders.values())
        return "\n".join([header, *rows, orders])

    def plot(self, ax: Any = None) -> Any:
        """Error against dt on log axes, each method's fitted slope in its label."""
        if ax is None:
            import matplotlib.pyplot as plt

            ax = plt.gca()
        for method, errors in self.errors.items():
            ax.loglog(self.dts, errors, "o-", label=f"{method} (slope {self.orders[method]:.2f})")
        ax.set_xlabel("dt (s)")
        ax.set_ylabel(self.quantity)
        ax.legend()
        return ax


def convergence(
    model: Equations | str,
    initial: Mapping[str, Any],
    duration: Any,
    values: Mapping[str, Any] | None = None,
    methods: Sequence[str] = ("euler", "rk2", "rk4"),
    dts: Sequence[Any] | None = None,
    reference: Reference | None = None,
) -> Convergence:
    """Errors of ``methods`` at time ``duration`` for each step in ``dts``.

    ``reference(t)`` gives the true state (variable → SI value); without one, rk4 with a step
    32 times smaller than the smallest of ``dts`` stands in (its error is then 32**4 ≈ 10**6
    times below rk4's own at that step). The error is the Euclidean norm over the variables.
    """
    equations = model if isinstance(model, Equations) else Equations(model)
    values = dict(values or {})
    end = float(strip(duration))
    if dts is None:
        steps = end / 2.0 ** np.arange(5, 10)
    else:
        steps = np.asarray([float(strip(dt)) for dt in dts])
    names = equations.diff_eq_names
    if reference is None:
        fine = steps.min() / 32
        final = _final_state(integrate(equations, "rk4"), values, initial, fine, end)
        truth = np.array([final[n] for n in names])
    else:
        exact = reference(end)
        truth = np.array([float(strip(exact[n])) for n in names])
    errors = {}
    for method in methods:
        rule = integrate(equations, method)
        finals = [_final_state(rule, values, initial, dt, end) for dt in steps]
        errors[method] = np.array([np.linalg.norm([f[n] for n in names] - truth) for f in finals])
    return Convergence(steps, errors)


def spike_time_convergence(
    model: Equations | str,
    initial: Mapping[str, Any],
    duration: Any,
    threshold: tuple[str, Any],
    reset: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    methods: Sequence[str] = ("euler", "rk2", "rk4"),
    dts: Sequence[Any] | None = None,
    reference: Sequence[Sequence[Any]] | None = None,
) -> Convergence:
    """The mean spike-time error of ``methods`` for each step in ``dts``.

    A neuron spikes at the end of the first step after which ``threshold = (variable, value)``
    is exceeded, and ``reset`` (variable → value) is applied, as in the compiled loop. Spike
    times then lie on the time grid, and each reset starts the next interval up to one step
    late, so *every* method converges with order 1 in dt, however accurate between spikes: the
    lesson of this measurement. Initial values and parameters may be arrays (one neuron each);
    many neurons with different intervals average out how each interval happens to fall on the
    grid. ``reference``: the true spike times of each neuron (e.g. analytic); without it, rk4
    with a step 64 times smaller than the smallest of ``dts`` (its grid error is then 64 times
    below the smallest step's). Each neuron's first spikes common to both are compared.
    """
    equations = model if isinstance(model, Equations) else Equations(model)
    values = dict(values or {})
    end = float(strip(duration))
    steps = (
        end / 2.0 ** np.arange(8, 13) if dts is None else np.array([float(strip(d)) for d in dts])
    )
    if reference is None:
        truth = _spike_times(integrate(equations, "rk4"), values, initial, steps.min() / 64, end,
                             threshold, reset)  # fmt: skip
    else:
        truth = [np.array([float(strip(t)) for t in times]) for times in reference]
    errors = {}
    for method in methods:
        rule = integrate(equations, method)
        errors[method] = np.array([
            _mean_difference(_spike_times(rule, values, initial, dt, end, threshold, reset), truth)
            for dt in steps
        ])  # fmt: skip
    return Convergence(steps, errors, "mean spike-time error (s)")


def _spike_times(rule: Any, values: Mapping[str, Any], initial: Mapping[str, Any], dt: float,
                 end: float, threshold: tuple[str, Any],
                 reset: Mapping[str, Any]) -> list[np.ndarray]:  # fmt: skip
    """Each neuron's spike times."""
    variable, level = threshold[0], float(strip(threshold[1]))
    stepper = NumpyStepper(rule, values, dt)
    arrays = [np.asarray(strip(v), dtype=float) for v in [*initial.values(), *values.values()]]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    state = {n: np.broadcast_to(strip(initial[n]), shape).astype(float) for n in rule.variables}
    spikes: list[list[float]] = [[] for _ in range(int(np.prod(shape)))]
    for k in range(round(end / dt)):
        state = stepper.step(state, k * dt)
        fired = state[variable] > level
        for neuron in np.flatnonzero(fired):
            spikes[neuron].append((k + 1) * dt)
        for name, value in reset.items():
            state[name] = np.where(fired, float(strip(value)), state[name])
    return [np.array(times) for times in spikes]


def _mean_difference(times: list[np.ndarray], truth: list[np.ndarray]) -> float:
    differences = [np.abs(t[: len(r)] - r[: len(t)]) for t, r in zip(times, truth)]
    compared = np.concatenate(differences) if differences else np.zeros(0)
    if compared.size == 0:
        raise ModelError("no spikes to compare: lengthen the duration or lower the threshold")
    return float(compared.mean())


def _final_state(rule: Any, values: Mapping[str, Any], initial: Mapping[str, Any], dt: float,
                 end: float) -> dict[str, float]:  # fmt: skip
    count = round(end / dt)
    trajectory = NumpyStepper(rule, values, dt).run(initial, count)
    return {name: float(np.ravel(path[-1])[0]) for name, path in trajectory.items()}
