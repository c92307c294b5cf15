"""Exact integration against closed-form solutions, including the degenerate cases.

Tolerance: 1e-12 relative. The propagator comes from a Padé-13 scaling-and-squaring exponential,
accurate to a few units of double rounding for these small, well-conditioned matrices; over
``STEPS`` steps the rounding errors add up to at most ~STEPS * 1e-16 = 1e-14, so 1e-12 leaves a
margin while still catching any error of the method itself (a wrong limit is off by O(1)).
"""

import mpmath
import numpy as np
import pytest

from snngen import Equations, NumpyStepper, integrate
from snngen.units import ms, mV

RTOL = 1e-12
STEPS = 100
DT = 0.1e-3


def run_exact(model, values, state, steps=STEPS, dt=DT):
    rule = integrate(Equations(model), "exact")
    assert rule.method == "exact"
    return NumpyStepper(rule, values, dt).run(state, steps)


def test_scalar_decay_with_input_matches_closed_form():
    tau, v_rest, drive = 20e-3, -60e-3, 15e-3
    out = run_exact(
        "dv/dt = (v_rest - v + drive)/tau : volt",
        {"tau": tau, "v_rest": v_rest, "drive": drive},
        {"v": -70e-3},
    )
    t = np.arange(STEPS + 1) * DT
    v_inf = v_rest + drive
    expected = v_inf + (-70e-3 - v_inf) * np.exp(-t / tau)
    np.testing.assert_allclose(out["v"], expected, rtol=RTOL)


CHAIN = """
dv/dt = (I - v)/tau_m : volt
dI/dt = -I/tau_s : volt
"""


def chain_solution(t, tau_m, tau_s, v0, i0):
    """v(t) for the synaptic chain, by the textbook formula (distinct time constants)."""
    a, b = 1 / tau_m, 1 / tau_s
    return v0 * mpmath.exp(-a * t) + i0 * a * (mpmath.exp(-b * t) - mpmath.exp(-a * t)) / (a - b)


@pytest.mark.parametrize(
    "tau_s",
    [
        5e-3,  # distinct time constants
        10e-3 * (1 + 1e-9),  # nearly equal: the textbook formula cancels 9 digits in doubles
    ],
)
def test_synaptic_chain_matches_closed_form(tau_s):
    tau_m, v0, i0 = 10e-3, 2e-3, 5e-3
    out = run_exact(CHAIN, {"tau_m": tau_m, "tau_s": tau_s}, {"v": v0, "I": i0})
    with mpmath.workdps(50):  # the reference is evaluated with 50 digits, so it does not cancel
        expected = [
            float(chain_solution(mpmath.mpf(k) * DT, tau_m, mpmath.mpf(tau_s), v0, i0))
            for k in range(STEPS + 1)
        ]
    np.testing.assert_allclose(out["v"], expected, rtol=RTOL)


def test_equal_time_constants_give_the_alpha_function():
    tau, v0, i0 = 10e-3, 2e-3, 5e-3
    out = run_exact(CHAIN, {"tau_m": tau, "tau_s": tau}, {"v": v0, "I": i0})
    t = np.arange(STEPS + 1) * DT
    expected = v0 * np.exp(-t / tau) + i0 * (t / tau) * np.exp(-t / tau)
    assert np.all(np.isfinite(out["v"]))
    np.testing.assert_allclose(out["v"], expected, rtol=RTOL)


def test_complex_eigenvalues_damped_oscillator():
    omega, zeta = 2 * np.pi * 50.0, 0.1
    out = run_exact(
        "dx/dt = y : 1\ndy/dt = -omega**2*x - 2*zeta*omega*y : Hz",
        {"omega": omega, "zeta": zeta},
        {"x": 1.0, "y": 0.0},
        steps=400,
    )
    t = np.arange(401) * DT
    omega_d = omega * np.sqrt(1 - zeta**2)
    expected = np.exp(-zeta * omega * t) * (
        np.cos(omega_d * t) + zeta * omega / omega_d * np.sin(omega_d * t)
    )
    # x oscillates through zero, so compare against the amplitude scale (1) rather than pointwise.
    np.testing.assert_allclose(out["x"], expected, rtol=0, atol=RTOL)


def test_singular_matrix_ramp_input():
    tau, k, v0, c0 = 10e-3, 2.0, 0.0, 1e-3
    out = run_exact(
        "dv/dt = (c - v)/tau : volt\ndc/dt = k : volt",
        {"tau": tau, "k": k},
        {"v": v0, "c": c0},
    )
    t = np.arange(STEPS + 1) * DT
    np.testing.assert_allclose(out["c"], c0 + k * t, rtol=RTOL)
    expected_v = (v0 - c0 + k * tau) * np.exp(-t / tau) + c0 + k * t - k * tau
    np.testing.assert_allclose(out["v"], expected_v, rtol=RTOL)


def test_per_neuron_time_constants_get_per_neuron_propagators():
    taus = np.array([5e-3, 10e-3, 20e-3])
    rule = integrate(Equations("dv/dt = -v/tau : volt\ntau : second"), "exact")
    out = NumpyStepper(rule, {"tau": taus}, DT).run({"v": np.ones(3)}, STEPS)
    expected = np.exp(-STEPS * DT / taus)
    np.testing.assert_allclose(out["v"][-1], expected, rtol=RTOL)


def test_units_in_expressions_are_resolved():
    out = run_exact("dv/dt = (-60*mV - v)/(20*ms) : volt", {}, {"v": 0.0}, steps=1)
    expected = -60e-3 * (1 - np.exp(-DT / 20e-3))
    np.testing.assert_allclose(out["v"][1], expected, rtol=RTOL)
    assert mV and ms  # the names the model uses are the catalogue's


def test_pattern_only_uses_entries_that_can_be_nonzero():
    rule = integrate(Equations(CHAIN), "exact")
    names = {s.name for _, e in rule.updates for s in e.free_symbols}
    assert "_E_v_I" in names
    assert "_E_I_v" not in names  # v does not feed I
