"""The BrainPy-style layer: models against closed forms, the runner, and its errors."""

import numpy as np
import pytest

import snngen.models as bp
from snngen import ModelError, ms, mV

pytestmark = pytest.mark.usefixtures("shared_cache")


def test_lif_firing_rate_matches_the_closed_form():
    # tau dV/dt = -(V - 0) + input: from V_reset = 0, V reaches 20 after tau*ln(25/5) = 16.09 ms.
    neurons = bp.LIF(1, V_rest=0.0, V_reset=0.0, V_th=20.0, tau=10.0, tau_ref=2.0)
    runner = bp.Runner(bp.Network(L=neurons), monitors=["L.spike", "L.V"],
                       inputs=[("L.input", 25.0)], dt=0.01)  # fmt: skip
    runner.run(500.0)
    times = runner.mon.ts[runner.mon["L.spike"][:, 0]]
    # Each interval is the charging time plus the refractory period, on the 0.01 ms grid.
    np.testing.assert_allclose(np.diff(times), 10 * np.log(5) + 2.0, atol=0.011)
    assert runner.mon["L.V"].shape == (50000, 1)
    assert runner.mon.ts[1] == pytest.approx(0.01)


def test_units_are_accepted_as_well_as_numbers():
    neuron = bp.LIF(1, tau=20 * ms, V_th=-50 * mV)
    assert neuron.values["tau"] == pytest.approx(20.0)
    assert neuron.values["V_th"] == pytest.approx(-50.0)


def test_izhikevich_through_the_layer_matches_a_hand_written_loop():
    cell = bp.Izhikevich(2, method="euler")
    cell.V[:] = -65.0
    runner = bp.Runner(bp.Network(N=cell), monitors=["N.spike"],
                       inputs=[("N.input", [5.0, 10.0])])  # fmt: skip
    runner.run(300.0)
    v, u = np.full(2, -65.0), np.zeros(2)
    expected = np.zeros((3000, 2), dtype=bool)
    for step in range(3000):  # Izhikevich's Euler scheme with Brian2's schedule
        drive = 0.04 * v**2 + 5 * v + 140 - u + np.array([5.0, 10.0])
        v, u = v + 0.1 * drive, u + 0.1 * 0.02 * (0.2 * v - u)
        expected[step] = v >= 30
        u[v >= 30] += 8.0
        v[v >= 30] = -65.0
    assert expected.sum() > 5
    np.testing.assert_array_equal(runner.mon["N.spike"], expected)


def test_exp_coba_conductance_jumps_and_decays():
    source = bp.LIF(1, V_rest=0.0, V_th=1.0, V_reset=0.0, tau=10.0)
    target = bp.LIF(1, V_rest=-60.0, V_th=100.0, tau=20.0)
    projection = bp.ExpCOBA(source, target, bp.All2All(), g_max=0.5, tau=5.0, E=0.0)
    runner = bp.Runner(bp.Network(projection, S=source, T=target), monitors=["S.spike"],
                       inputs=[("S.input", 2.0)])  # fmt: skip
    runner.run(20.0)
    first = np.flatnonzero(runner.mon["S.spike"][:, 0])[0]
    conductance = target.group.storage[f"g_{projection.label}"][0]
    # After the last spike the conductance decayed with 5 ms; it is positive and below g_max·n.
    assert first > 0 and 0 < conductance < 0.5 * runner.mon["S.spike"].sum()


@pytest.mark.parametrize(("make", "match"), [
    (lambda: bp.FixedProb(1.5), "prob must lie"),
    (lambda: bp.LIF(0), "positive integer"),
    (lambda: bp.LIF(3, tau_m=4.0), "no parameter 'tau_m'"),
    (lambda: bp.LIF(3, method="leapfrog"), "unknown method"),
    (lambda: bp.ExpCOBA(bp.LIF(2), "x", bp.FixedProb(0.1)), "neuron model"),
])  # fmt: skip
def test_construction_errors(make, match):
    with pytest.raises(ModelError, match=match):
        make()


@pytest.mark.parametrize(("option", "match"), [
    (dict(monitors=["X.spike"]), "no population 'X'"),
    (dict(monitors=["E.W"]), "no variable 'W'"),
    (dict(inputs=[("E.current", 1.0)]), "no variable 'current'"),
])  # fmt: skip
def test_runner_errors_name_the_target(option, match):
    with pytest.raises(ModelError, match=match):
        bp.Runner(bp.Network(E=bp.LIF(2)), **option)
