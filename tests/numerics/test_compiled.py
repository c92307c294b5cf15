"""The compiled loop against the update rule evaluated by numpy, and single neurons against
closed forms and scipy."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from snngen import (
    Network,
    NeuronGroup,
    NumpyStepper,
    RunError,
    SpikeMonitor,
    StateMonitor,
    ms,
    mV,
    nA,
    nS,
    pF,
    second,
)

pytestmark = pytest.mark.usefixtures("shared_cache")

COBA = """
dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v) + I)/C : volt
dge/dt = -ge/taue : siemens
dgi/dt = -gi/taui : siemens
I : amp
"""
COBA_VALUES = dict(gl=10 * nS, El=-60 * mV, Ee=0 * mV, Ei=-80 * mV, C=200 * pF,
                   taue=5 * ms, taui=10 * ms)  # fmt: skip

LINEAR = """
dv/dt = (ge - v)/tau : volt
dge/dt = -ge/tau_e : volt
tau : second
"""

HH = """
dv/dt = (gl*(El - v) - g_na*m**3*h*(v - ENa) - g_kd*n**4*(v - EK) + I)/Cm : volt
dm/dt = (0.32*(mV**-1)*4*mV/exprel((13*mV - v + VT)/(4*mV))/ms*(1 - m)
         - 0.28*(mV**-1)*5*mV/exprel((v - VT - 40*mV)/(5*mV))/ms*m) : 1
dn/dt = (0.032*(mV**-1)*5*mV/exprel((15*mV - v + VT)/(5*mV))/ms*(1 - n)
         - 0.5*exp((10*mV - v + VT)/(40*mV))/ms*n) : 1
dh/dt = (0.128*exp((17*mV - v + VT)/(18*mV))/ms*(1 - h)
         - 4/(1 + exp((40*mV - v + VT)/(5*mV)))/ms*h) : 1
I : amp
"""
# Brian2's COBAHH example: a 20000 µm² patch.
HH_VALUES = dict(gl=10 * nS, El=-60 * mV, ENa=50 * mV, EK=-90 * mV, g_na=20000 * nS,
                 g_kd=6000 * nS, Cm=200 * pF, VT=-63 * mV)  # fmt: skip

IZHIKEVICH = """
dv/dt = (0.04*v**2 + 5*v + 140 - u + I)/ms : 1
du/dt = a*(b*v - u)/ms : 1
I : 1
"""


def _compiled_trajectory(model, values, method, initial, steps, dt=0.02 * ms):
    group = NeuronGroup(len(next(iter(initial.values()))), model, method=method,
                        namespace=values, dt=dt)  # fmt: skip
    for name, value in initial.items():
        setattr(group, name, value)
    recorded = [n for n in group.rule.variables]
    monitor = StateMonitor(group, recorded, record=True)
    Network(group, monitor).run(steps * dt, namespace={})
    return group, {n: monitor.recorded(n) for n in recorded}


def _reference(group, values, initial, steps, dt=0.02 * ms):
    parameters = {n: group.storage[n] for n in group.variables}
    stepper = NumpyStepper(group.rule, {**values, **parameters}, dt)
    state = {n: np.asarray(initial[n]) for n in group.rule.variables}
    return stepper.run(state, steps - 1)


CASES = [
    ("coba exponential Euler", COBA, COBA_VALUES, None,
     dict(v=np.linspace(-70, -50, 8) * mV, ge=np.linspace(0, 20, 8) * nS,
          gi=np.linspace(0, 50, 8) * nS, I=np.linspace(0, 0.3, 8) * nA)),
    ("coba rk4", COBA, COBA_VALUES, "rk4",
     dict(v=np.linspace(-70, -50, 8) * mV, ge=np.linspace(0, 20, 8) * nS,
          gi=np.linspace(0, 50, 8) * nS, I=np.linspace(0, 0.3, 8) * nA)),
    ("linear exact per-neuron tau", LINEAR, dict(tau_e=3 * ms), "exact",
     dict(v=np.linspace(-1, 1, 5) * mV, ge=np.linspace(2, 3, 5) * mV,
          tau=np.array([3, 4, 5, 6, 7]) * ms)),
    ("hh rk4", HH, HH_VALUES, "rk4",
     dict(v=np.linspace(-70, -40, 4) * mV, m=np.full(4, 0.05), n=np.full(4, 0.3),
          h=np.full(4, 0.6), I=np.linspace(0, 1, 4) * nA)),
    ("hh exponential Euler", HH, HH_VALUES, "exponential_euler",
     dict(v=np.linspace(-70, -40, 4) * mV, m=np.full(4, 0.05), n=np.full(4, 0.3),
          h=np.full(4, 0.6), I=np.linspace(0, 1, 4) * nA)),
    ("izhikevich heun", IZHIKEVICH, dict(a=0.02, b=0.2), "heun",
     dict(v=np.linspace(-70, -60, 3), u=np.full(3, -14.0), I=np.array([0.0, 5.0, 10.0]))),
    ("izhikevich rk2", IZHIKEVICH, dict(a=0.02, b=0.2), "rk2",
     dict(v=np.linspace(-70, -60, 3), u=np.full(3, -14.0), I=np.array([0.0, 5.0, 10.0]))),
]  # fmt: skip


@pytest.mark.parametrize(("label", "model", "values", "method", "initial"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_compiled_update_matches_numpy_rule(label, model, values, method, initial):
    steps = 40
    group, compiled = _compiled_trajectory(model, values, method, initial, steps)
    reference = _reference(group, values, initial, steps)
    for name, trajectory in compiled.items():
        # Hoisting and CSE reorder floating-point operations: each step differs from numpy by a
        # few ulps, and 40 steps of these contracting/mildly expanding maps keep the relative
        # difference far below 1e-10 (observed: ~1e-14).
        scale = np.max(np.abs(reference[name])) + 1e-300
        np.testing.assert_allclose(trajectory, reference[name].T, rtol=1e-10,
                                   atol=1e-10 * scale, err_msg=f"{label}: {name}")  # fmt: skip


def test_lif_interspike_interval_matches_the_closed_form():
    # v relaxes to I from 0; it reaches theta after T = tau*log(I/(I - theta)).
    tau, theta, refractory, dt = 10 * ms, 1.0, 2 * ms, 0.01 * ms
    drive = np.array([1.2, 1.5, 2.0, 3.0])
    group = NeuronGroup(4, "dv/dt = (I - v)/tau : 1 (unless refractory)\nI : 1",
                        threshold="v > theta", reset="v = 0", refractory=refractory,
                        method="exact", dt=dt)  # fmt: skip
    group.I = drive
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(200 * ms, namespace={"tau": tau, "theta": theta})
    expected = float(tau / second) * np.log(drive / (drive - theta)) + float(refractory / second)
    for k, train in spikes.spike_trains().items():
        intervals = np.diff(np.asarray(train / second))
        assert len(intervals) >= 5
        # Spikes are reported on the step grid: each interval is within one dt of the truth.
        assert np.all(np.abs(intervals - expected[k]) <= float(dt / second) + 1e-12)


def _hh_scipy(values, v0, current, duration):
    def rhs(_t, y):
        v, m, n, h = y
        vt = values["VT"]
        exprel = lambda x: np.expm1(x) / x if abs(x) > 1e-12 else 1.0  # noqa: E731
        alpha_m = 0.32e3 * 4 / exprel((13e-3 - v + vt) / 4e-3)
        beta_m = 0.28e3 * 5 / exprel((v - vt - 40e-3) / 5e-3)
        alpha_n = 0.032e3 * 5 / exprel((15e-3 - v + vt) / 5e-3)
        beta_n = 0.5e3 * np.exp((10e-3 - v + vt) / 40e-3)
        alpha_h = 0.128e3 * np.exp((17e-3 - v + vt) / 18e-3)
        beta_h = 4e3 / (1 + np.exp((40e-3 - v + vt) / 5e-3))
        dv = (values["gl"] * (values["El"] - v) - values["g_na"] * m**3 * h * (v - values["ENa"])
              - values["g_kd"] * n**4 * (v - values["EK"]) + current) / values["Cm"]  # fmt: skip
        return [dv, alpha_m * (1 - m) - beta_m * m, alpha_n * (1 - n) - beta_n * n,
                alpha_h * (1 - h) - beta_h * h]  # fmt: skip

    times = np.arange(0, duration, 1e-5)
    solution = solve_ivp(rhs, (0, duration), [v0, 0.05, 0.3, 0.6], t_eval=times,
                         rtol=1e-10, atol=1e-12, method="LSODA")  # fmt: skip
    return times, solution.y[0]


def _spike_times(times, v, threshold=0.0):
    """Upward crossings of ``threshold``, linearly interpolated between samples."""
    k = np.flatnonzero((v[:-1] <= threshold) & (v[1:] > threshold))
    return times[k] + (threshold - v[k]) / (v[k + 1] - v[k]) * (times[k + 1] - times[k])


@pytest.mark.parametrize(("method", "dt", "tolerance"), [
    # rk4 is fourth order: at 10 µs the interpolated spike times agree with scipy (rtol 1e-10)
    # to a few ns (observed 4 ns); 100 ns leaves room for libm differences between machines.
    ("rk4", 0.01 * ms, 1e-7),
    # Exponential Euler is first order in the gating variables: at 10 µs the spike times drift
    # by ~0.3 ms over 30 ms (observed 0.31 ms); 0.5 ms bounds that drift, and still catches an
    # error in the method (a wrong rate function shifts spikes by milliseconds).
    ("exponential_euler", 0.01 * ms, 0.5e-3),
])  # fmt: skip
def test_hodgkin_huxley_against_scipy(method, dt, tolerance):
    values = {k: float(np.asarray(v)) for k, v in HH_VALUES.items()}
    current, duration = 0.5e-9, 0.03
    group = NeuronGroup(1, HH, method=method, dt=dt, namespace=HH_VALUES)
    group.v, group.m, group.n, group.h, group.I = -65 * mV, 0.05, 0.3, 0.6, current * 1e9 * nA
    monitor = StateMonitor(group, "v", record=0)
    Network(group, monitor).run(duration * second)
    times, reference = _hh_scipy(values, -65e-3, current, duration)
    compiled = _spike_times(np.asarray(monitor.t / second), np.asarray(monitor.v[0] / mV) * 1e-3)
    expected = _spike_times(times, reference)
    assert len(expected) >= 2
    assert len(compiled) == len(expected)
    np.testing.assert_allclose(compiled, expected, atol=tolerance)


def test_izhikevich_spikes_match_a_hand_written_loop():
    # Independent truth: Izhikevich's published Euler scheme, written out by hand in numpy,
    # with Brian2's schedule (update, then threshold, then reset).
    a, b, c, d, dt, steps = 0.02, 0.2, -65.0, 8.0, 0.1, 3000
    drive = np.array([5.0, 10.0, 15.0])
    group = NeuronGroup(3, IZHIKEVICH, threshold="v >= 30", reset="v = c; u += d",
                        method="euler", dt=dt * ms)  # fmt: skip
    group.v, group.u, group.I = -65.0, b * -65.0, drive
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(steps * dt * ms, namespace=dict(a=a, b=b, c=c, d=d))
    v, u = np.full(3, -65.0), np.full(3, b * -65.0)
    expected_i, expected_t = [], []
    for step in range(steps):
        v, u = v + dt * (0.04 * v**2 + 5 * v + 140 - u + drive), u + dt * a * (b * v - u)
        fired = np.flatnonzero(v >= 30)
        expected_i += list(fired)
        expected_t += [step * dt] * len(fired)
        v[fired], u[fired] = c, u[fired] + d
    assert len(expected_i) > 20
    np.testing.assert_array_equal(spikes.i, expected_i)
    np.testing.assert_allclose(np.asarray(spikes.t / ms), expected_t, rtol=1e-12)


ADEX = """
dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) - w + I)/C : volt
dw/dt = (a*(v - EL) - w)/tauw : amp
I : amp
"""
ADEX_VALUES = dict(C=281 * pF, gL=30 * nS, EL=-70.6 * mV, VT=-50.4 * mV, DeltaT=2 * mV,
                   tauw=144 * ms, a=4 * nS, b=0.0805 * nA)  # fmt: skip


@pytest.mark.parametrize("method", ["rk4", "euler"])
def test_adex_with_the_usual_cut_is_finite_and_regular(method):
    group = NeuronGroup(1, ADEX, threshold="v > VT + 5*DeltaT", reset="v = EL; w += b",
                        method=method, namespace=ADEX_VALUES, dt=0.1 * ms)  # fmt: skip
    group.v, group.I = -70.6 * mV, 1 * nA
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(300 * ms)
    intervals = np.diff(np.asarray(spikes.t / ms))
    assert spikes.num_spikes > 5
    # Adaptation: intervals grow and then settle (tonic firing with adaptation).
    assert intervals[-1] >= intervals[0]
    assert np.isfinite(group.storage["v"]).all() and np.isfinite(group.storage["w"]).all()


def test_adex_overflow_is_reported_not_spread():
    # With the cut far above VT, one step jumps past exp's range and the state overflows:
    # the run stops with an error naming the variable instead of continuing with NaN.
    group = NeuronGroup(1, ADEX, threshold="v > 200*mV", reset="v = EL; w += b", method="rk4",
                        namespace=ADEX_VALUES, dt=0.5 * ms)  # fmt: skip
    group.v, group.I = -70.6 * mV, 3 * nA
    with pytest.raises(RunError, match="not finite"):
        Network(group).run(100 * ms)
