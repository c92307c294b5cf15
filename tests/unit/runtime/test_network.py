"""Network runs: reproducibility, chunking, interruption, store/restore, run(), inputs."""

import numpy as np
import pytest

from snngen import (
    Network,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    TimedArray,
    ms,
    mV,
    run,
    second,
    seed,
)
from snngen.runtime import network as network_module

pytestmark = pytest.mark.usefixtures("shared_cache")
NOISY = """
dv/dt = (v_rest - v)/tau + sigma*sqrt(2/tau)*xi : volt
"""
VALUES = dict(v_rest=-60 * mV, tau=10 * ms, sigma=5 * mV)


def noisy_network(n=20):
    group = NeuronGroup(n, NOISY, threshold="v > -55*mV", reset="v = v_rest",
                        refractory=1 * ms, namespace=VALUES)  # fmt: skip
    group.v = -60 * mV
    spikes = SpikeMonitor(group)
    return Network(group, spikes), group, spikes


def test_seed_reproduces_a_run_exactly():
    results = []
    for _ in range(2):
        seed(42)
        net, group, spikes = noisy_network()
        net.run(50 * ms)
        results.append((spikes.i, spikes.t_, group.v[:].copy()))
    assert len(results[0][0]) > 10
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
    seed(43)
    net, group, spikes = noisy_network()
    net.run(50 * ms)
    assert not np.array_equal(group.v[:], results[0][2])


def test_chunked_runs_equal_one_run(monkeypatch):
    seed(7)
    net, group, spikes = noisy_network()
    net.run(50 * ms)
    whole = (spikes.i, group.v[:].copy())
    monkeypatch.setattr(network_module, "CHUNK_SECONDS", 1e-9)  # one step per chunk
    seed(7)
    net, group, spikes = noisy_network()
    net.run(20 * ms)
    net.run(30 * ms)
    np.testing.assert_array_equal(spikes.i, whole[0])
    np.testing.assert_array_equal(group.v[:], whole[1])


def test_interrupted_run_is_consistent_and_can_continue(monkeypatch):
    seed(3)
    net, group, spikes = noisy_network()
    net.run(60 * ms)
    expected = (spikes.i, group.v[:].copy())

    monkeypatch.setattr(network_module, "CHUNK_SECONDS", 1e-9)
    calls = []

    def interrupt(elapsed, completed, start, duration):
        calls.append(completed)
        if len(calls) == 40:
            raise KeyboardInterrupt

    seed(3)
    net, group, spikes = noisy_network()
    with pytest.raises(KeyboardInterrupt):
        net.run(60 * ms, report=interrupt, report_period=0 * second)
    assert 0 < net.t_ < 0.06
    assert len(spikes.t_) == 0 or spikes.t_[-1] < net.t_
    net.run(60 * ms - net.t)
    np.testing.assert_array_equal(spikes.i, expected[0])
    np.testing.assert_array_equal(group.v[:], expected[1])


def test_store_and_restore_in_memory_and_in_a_file(tmp_path):
    seed(5)
    net, group, spikes = noisy_network()
    net.run(10 * ms)
    net.store("warm", filename=tmp_path / "state.pkl")
    net.run(20 * ms)
    first = (spikes.i.copy(), group.v[:].copy())
    net.restore("warm")
    assert net.t_ == pytest.approx(0.01)
    net.run(20 * ms)
    np.testing.assert_array_equal(spikes.i, first[0])
    np.testing.assert_array_equal(group.v[:], first[1])
    net.restore("warm", filename=tmp_path / "state.pkl")
    net.run(20 * ms)
    np.testing.assert_array_equal(group.v[:], first[1])


def test_module_level_run_collects_the_callers_objects():
    group = NeuronGroup(3, "dv/dt = rate : 1\nrate : Hz", threshold="v > 1", reset="v = 0")
    group.rate = [0, 470, 930] * second**-1  # no crossing within rounding of 1
    spikes = SpikeMonitor(group)
    run(10 * ms)
    run(10 * ms)  # continues where the first run stopped
    v, count = np.zeros(3), np.zeros(3, dtype=int)
    for _ in range(200):  # the same Euler steps, by hand
        v = v + np.array([0, 470, 930]) * 1e-4
        count += v > 1
        v[v > 1] = 0
    np.testing.assert_array_equal(spikes.count, count)
    assert count[2] > count[1] > 0


def test_timed_array_input_per_step_and_per_neuron():
    stimulus = TimedArray(np.array([0.0, 1.0, 3.0]) * mV, dt=1 * ms)
    per_neuron = TimedArray(np.array([[0.0, 1.0], [2.0, 3.0]]), dt=2 * ms)
    group = NeuronGroup(2, "dv/dt = stimulus(t)/ms : volt\ndx/dt = per_neuron(t, i)/ms : 1",
                        method="euler", dt=0.5 * ms)  # fmt: skip
    monitor = StateMonitor(group, ["v", "x"], record=True)
    Network(group, monitor).run(5 * ms, namespace={"stimulus": stimulus, "per_neuron": per_neuron})
    # v integrates 0, 1, 3, 3 (last value held) mV/ms over successive ms.
    increments = np.diff(np.asarray(monitor.v[0] / mV)) / 0.5
    np.testing.assert_allclose(increments, [0, 0, 1, 1, 3, 3, 3, 3, 3])
    np.testing.assert_allclose(np.diff(monitor.x[1]) / 0.5, [1, 1, 1, 1, 3, 3, 3, 3, 3])


def test_noise_has_the_ornstein_uhlenbeck_variance():
    # Stationary OU: variance sigma**2 for dv = (mu - v)/tau dt + sigma*sqrt(2/tau) dW.
    seed(11)
    group = NeuronGroup(4000, NOISY, namespace=VALUES, dt=0.1 * ms)
    group.v = -60 * mV
    Network(group).run(100 * ms)  # 10 time constants: stationary to 5e-5
    values = np.asarray(group.v / mV)
    # 4000 samples: the sample s.d. has relative error ~1/sqrt(2*4000) = 1.1%; 5% is > 4 s.e.
    # Euler-Maruyama's stationary variance is sigma**2/(1 - dt/(2 tau)): 0.5% high at this dt.
    assert np.std(values) == pytest.approx(5.0, rel=0.05)
    assert np.mean(values) == pytest.approx(-60.0, abs=4 * 5 / np.sqrt(4000))
