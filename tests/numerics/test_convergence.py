"""Convergence orders of the explicit methods against a high-accuracy scipy solution.

The test system is a forced, damped pendulum: smooth, nonlinear, non-stiff, and explicitly
time-dependent, so that a wrong stage time (c_s) in a tableau would spoil the order.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from snngen import Equations, convergence, integrate, spike_time_convergence

MODEL = """
dx/dt = y/tau : 1
dy/dt = (-sin(x) - 0.3*y + 0.5*cos(2*t/tau))/tau : 1
"""
TAU = 10e-3
T_END = 5 * TAU
X0 = {"x": 1.0, "y": 0.0}


def reference():
    def f(t, z):
        x, y = z
        return [y / TAU, (-np.sin(x) - 0.3 * y + 0.5 * np.cos(2 * t / TAU)) / TAU]

    solution = solve_ivp(f, (0, T_END), [1.0, 0.0], method="DOP853", rtol=1e-13, atol=1e-13)
    return solution.y[:, -1]


# Step sizes from tau/20 to tau/160: small enough to be in the asymptotic range for all methods
# (checked: successive error ratios are within 10 % of 2^order), large enough that rk4's error
# (~1e-9 at the finest step) stays far above the reference's 1e-13 and double rounding.
DTS = TAU / np.array([20, 40, 80, 160])


@pytest.mark.parametrize(
    ("method", "order"),
    [("euler", 1), ("rk2", 2), ("heun", 2), ("rk4", 4), ("exponential_euler", 1)],
)
def test_convergence_order(method, order):
    result = convergence(MODEL, X0, T_END, {"tau": TAU}, methods=[method], dts=DTS,
                         reference=lambda t: dict(zip("xy", reference())))  # fmt: skip
    slope, errors = result.orders[method], result.errors[method]
    # A fitted slope within 0.15 of the theoretical order: the pre-asymptotic terms shift the
    # slope by a few hundredths here, while an order lower or higher would be off by 1.
    assert abs(slope - order) < 0.15, (slope, errors)


def test_rule_records_its_order():
    assert integrate(Equations(MODEL), "rk4").order == 4
    assert integrate(Equations(MODEL), "rk2").order == 2


def test_default_reference_and_report():
    # Without a reference, rk4 at a 32 times smaller step stands in; the orders come out the same.
    result = convergence(MODEL, X0, T_END, {"tau": TAU}, methods=["euler", "rk4"], dts=DTS)
    assert abs(result.orders["euler"] - 1) < 0.15 and abs(result.orders["rk4"] - 4) < 0.15
    assert "order" in str(result) and len(str(result).splitlines()) == len(DTS) + 2


def test_exact_integration_is_exact_at_every_step():
    """A linear system: exact integration's error is rounding (relative 1e-14 allows a few ulps
    per step over up to 160 steps), at every dt; Euler's error is many orders larger."""
    model = "dv/dt = (v_inf - v)/tau : 1"
    values = {"tau": TAU, "v_inf": 2.0}
    truth = lambda t: {"v": 2.0 - 2.0 * np.exp(-t / TAU)}  # noqa: E731
    result = convergence(model, {"v": 0.0}, T_END, values, methods=["exact", "euler"], dts=DTS,
                         reference=truth)  # fmt: skip
    assert np.all(result.errors["exact"] < 1e-14 * 2.0)
    assert np.all(result.errors["euler"] > 1e-4)


def test_spike_times_converge_with_order_one_for_every_method():
    """LIF neurons driven to threshold (v: 0 → 1, tau dv/dt = I - v) fire with the period
    tau ln(I/(I - 1)). On the time grid with resets at step ends, even exact integration and
    rk4 are first order in spike time: each spike is up to one step late."""
    drives = np.linspace(1.2, 3.0, 40)
    periods = TAU * np.log(drives / (drives - 1))
    truth = [period * np.arange(1, 200) for period in periods]
    result = spike_time_convergence(
        "dv/dt = (I - v)/tau : 1", {"v": 0.0}, 10 * TAU, ("v", 1.0), {"v": 0.0},
        {"tau": TAU, "I": drives}, methods=["exact", "euler", "rk4"],
        dts=TAU / np.array([25, 50, 100, 200]), reference=truth,
    )  # fmt: skip
    # The grid delay of each spike falls anywhere in [0, dt) depending on how the period meets
    # the grid; averaged over 40 neurons x about 10 spikes the fitted slopes scatter by less
    # than 0.1 around 1 (measured), while a second-order effect would give 2.
    for method, order in result.orders.items():
        assert abs(order - 1) < 0.2, (method, order, result.errors[method])
    assert result.quantity == "mean spike-time error (s)"
