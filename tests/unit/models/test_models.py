"""The BrainPy-style layer: models against closed forms, the runner, and its errors."""

import numpy as np
import pytest

import snngen.models as bp
from snngen import ModelError, Network, StateMonitor, ms, mV

pytestmark = pytest.mark.usefixtures("shared_cache")


@pytest.mark.filterwarnings("ignore:threads = 2 is more than")  # one core: slower, same result
@pytest.mark.parametrize("threads", [None, 2])
def test_lif_firing_rate_matches_the_closed_form(threads):
    # tau dV/dt = -(V - 0) + input: from V_reset = 0, V reaches 20 after tau*ln(25/5) = 16.09 ms.
    neurons = bp.LIF(1, V_rest=0.0, V_reset=0.0, V_th=20.0, tau=10.0, tau_ref=2.0)
    runner = bp.Runner(bp.Network(L=neurons), monitors=["L.spike", "L.V"],
                       inputs=[("L.input", 25.0)], dt=0.01)  # fmt: skip
    runner.run(500.0, threads=threads)
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


@pytest.mark.parametrize(("fraction", "fires"), [(0.9, False), (1.2, True)])
def test_exp_if_rheobase(fraction, fires):
    # Without spikes, dV/dt = 0 needs -(V - V_rest) + dT exp((V - V_T)/dT) + I = 0, which has a
    # solution only for I <= V_T - V_rest - dT (the rheobase, at V = V_T).
    neuron = bp.ExpIF(1, method="rk4")
    rheobase = -59.9 + 65.0 - 3.48
    runner = bp.Runner(bp.Network(X=neuron), monitors=["X.spike"],
                       inputs=[("X.input", fraction * rheobase)])  # fmt: skip
    runner.run(500.0)
    assert runner.mon["X.spike"].any() == fires


def test_hodgkin_huxley_is_silent_at_rest_and_fires_under_current():
    cells = bp.HH(2, method="exp_auto")
    runner = bp.Runner(bp.Network(H=cells), monitors=["H.spike"], inputs=[("H.input", [0, 10])],
                       dt=0.01)  # fmt: skip
    runner.run(200.0)
    counts = runner.mon["H.spike"].sum(axis=0)
    # 10 µA/cm² is above the squid axon's repetitive-firing threshold (~6.2): about 68 Hz.
    assert counts[0] == 0 and 10 <= counts[1] <= 16


def test_dual_exponential_peaks_at_g_max():
    source = bp.LIF(1, V_rest=0.0, V_th=1.0, V_reset=-1000.0, tau=10.0)
    target = bp.LIF(1, V_th=1e9, method="exact")  # exact: g and h integrate without drift
    synapse = bp.DualExpCUBA(source, target, bp.All2All(), g_max=0.7, tau_decay=10.0, tau_rise=1.0)
    runner = bp.Runner(bp.Network(synapse, S=source, T=target), inputs=[("S.input", 2.0)], dt=0.01)
    trace = StateMonitor(target.group, f"g_{synapse.label}", record=0)  # through the core
    Network(*runner.core.objects, trace).run(60 * ms, namespace={})
    # One spike (the source is reset far below threshold): the peak is g_max; sampling on the
    # 0.01 ms grid misses the maximum by O(dt²/tau²) ~ 1e-5 relative.
    assert trace.recorded(f"g_{synapse.label}").max() == pytest.approx(0.7, rel=1e-4)


@pytest.mark.parametrize("connector", ["pre", "post"])
def test_fixed_number_connectors(connector):
    a, b = bp.LIF(30), bp.LIF(20)
    conn = bp.FixedPreNum(5) if connector == "pre" else bp.FixedPostNum(4, include_self=False)
    projection = bp.ExpCUBA(a, b, conn) if connector == "pre" else bp.ExpCUBA(a, a, conn)
    runner = bp.Runner(bp.Network(projection, A=a, B=b))
    synapses = runner.synapses[0]
    if connector == "pre":
        assert np.all(np.bincount(synapses.j[:], minlength=20) == 5)
    else:
        assert np.all(np.bincount(synapses.i[:], minlength=30) == 4)
        assert not np.any(synapses.i[:] == synapses.j[:])


def test_adex_rests_without_input_and_adapts_under_current():
    cells = bp.AdEx(2, method="rk4", a=1.0, b=5.0, tau_w=100.0)
    # dt = 0.01 ms: near the -30 mV cut the exponential term moves V by ~40 mV/ms.
    runner = bp.Runner(bp.Network(A=cells), monitors=["A.spike"], inputs=[("A.input", [0, 30])],
                       dt=0.01)  # fmt: skip
    runner.run(500.0)
    spikes = runner.mon["A.spike"]
    assert not spikes[:, 0].any()
    # Without input the neuron settles where the right-hand side vanishes (just above V_rest,
    # where the exponential term balances the leak and the adaptation current).
    v, w = cells.V[0], cells.w[0]
    assert abs(-(v + 65.0) + 3.48 * np.exp((v + 59.9) / 3.48) - w) < 1e-6
    intervals = np.diff(runner.mon.ts[spikes[:, 1]])
    assert len(intervals) > 3 and intervals[-1] > intervals[0]  # spike-frequency adaptation


def test_receptor_presets_and_overrides():
    a, b = bp.LIF(2), bp.LIF(2)
    ampa, gaba = bp.AMPA(a, b, bp.All2All()), bp.GABA_A(a, b, bp.All2All(), g_max=2.0)
    assert sorted(ampa.values.values()) == [0.0, 0.05, 2.0]  # E = 0 mV, g_max, tau = 2 ms
    assert sorted(gaba.values.values()) == [-70.0, 2.0, 5.0]
    nmda = bp.NMDA(a, b, bp.All2All())
    assert "exp(-0.062*V)" in nmda.current()  # the Mg2+ block
