"""``not_refractory`` between runs and during them: stored every step only when other code reads
it, otherwise once when the loop stops; the same values either way, and Brian2's."""

import numpy as np
import pytest

from snngen import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms, second
from snngen.codegen.lower import lower
from snngen.codegen.render import render

pytestmark = pytest.mark.usefixtures("shared_cache")

DT = 0.1 * ms
T = 7.3 * ms  # 73 steps: the last one runs at 7.2 ms
# Each neuron is driven to threshold at its own rate, so that at the end of the run some are
# inside their refractory period and some are not.
MODEL = "dv/dt = (drive - v)/(5*ms) : 1 (unless refractory)\ndrive : 1"


def group(refractory):
    neurons = NeuronGroup(400, MODEL, threshold="v > 1", reset="v = 0", refractory=refractory,
                          dt=DT)  # fmt: skip
    neurons.drive = "1.05 + 0.005*i"
    return neurons


def test_not_refractory_after_a_run_matches_the_last_spikes():
    refractory = 2 * ms
    neurons = group(refractory)
    spikes = SpikeMonitor(neurons)
    Network(neurons, spikes).run(T)
    # Brian2: refractory while fewer than round(refractory/dt) steps passed since the spike.
    last_step = round(float(T / DT)) - 1
    expected = np.ones(400, bool)
    steps = np.round(np.asarray(spikes.t_) / 1e-4).astype(int)
    for i, step in zip(np.asarray(spikes.i), steps, strict=True):
        expected[i] = last_step - step >= round(float(refractory / DT))
    assert 0 < expected.sum() < 400  # both kinds present: the test can tell them apart
    np.testing.assert_array_equal(np.asarray(neurons.not_refractory), expected)


@pytest.mark.parametrize("refractory", [0 * ms, 2 * ms])
def test_stored_after_the_loop_or_every_step_the_same(refractory):
    lazy, read = group(refractory), group(refractory)
    # A synapse that reads not_refractory of its target makes the pass store it every step.
    reader = Synapses(read, read, "w : 1", on_pre="w += 1.0*not_refractory_post")
    reader.connect(j="i")
    spikes = SpikeMonitor(lazy)
    Network(lazy, read, reader, spikes).run(T)
    np.testing.assert_array_equal(np.asarray(lazy.not_refractory),
                                  np.asarray(read.not_refractory))  # fmt: skip
    # A neuron that spiked in the last step is refractory, even with a zero period.
    last_time = float((T - DT) / ms) * 1e-3
    last = np.asarray(spikes.i)[np.isclose(np.asarray(spikes.t_), last_time)]
    assert len(last) > 0
    assert not np.asarray(lazy.not_refractory)[last].any()


def test_the_pass_stores_not_refractory_only_for_a_reader():
    def pass_stores(objects):
        source = render(lower(objects).program)
        neuron_pass = source.split("# state update and threshold of group 0")[1]
        return neuron_pass.split("# the indices of the set flags")[0].count("<uint8_t>")

    alone = group(2 * ms)
    assert pass_stores([alone]) == 0
    watched = group(2 * ms)
    assert pass_stores([watched, StateMonitor(watched, "not_refractory", record=[0])]) == 1


def spike_steps(monitor):
    return np.asarray(monitor.i), np.round(np.asarray(monitor.t_) / 1e-4).astype(int)


def uses_step_counts(neurons):
    """Whether the loop tests the group's refractoriness on 16-bit steps (see
    snngen.codegen.refractory) rather than on lastspike in double."""
    return any(key[-1] == "refractory until" for key in lower([neurons]).slots)


def test_a_period_for_all_and_one_per_neuron_give_the_same_spikes():
    # One value for the whole run is tested on 16-bit steps, a per-neuron value on lastspike in
    # double: the two must agree at every step, over two runs (the steps are recomputed from
    # lastspike when the loop starts).
    trains = []
    for refractory in (2 * ms, "period"):
        neurons = NeuronGroup(400, MODEL + "\nperiod : second", threshold="v > 1", reset="v = 0",
                              refractory=refractory, dt=DT)  # fmt: skip
        neurons.drive = "1.05 + 0.005*i"
        neurons.period = 2 * ms
        spikes = SpikeMonitor(neurons)
        network = Network(neurons, spikes)
        network.run(T)
        network.run(T)
        trains.append(spike_steps(spikes))
        assert uses_step_counts(neurons) != isinstance(refractory, str)
    assert len(trains[0][0]) > 400  # most neurons spike more than once
    for constant, per_neuron in zip(*trains, strict=True):
        np.testing.assert_array_equal(constant, per_neuron)


@pytest.mark.parametrize("refractory", [0.3 * ms, 2 * second])
def test_16_bit_steps_hold_over_long_runs_and_long_periods(refractory):
    # 90,000 steps: the 16-bit ends wrap around (at 65,536) and are refreshed from lastspike
    # every 8,192 steps. A 2 s period (20,000 steps) is longer than a spike can store (16,383
    # steps ahead), so the refreshes must renew it. The per-neuron period, tested on lastspike in
    # double, is the independent truth; the same spikes, step for step.
    trains = []
    for period in (refractory, "period"):
        neurons = NeuronGroup(20, MODEL + "\nperiod : second", threshold="v > 1", reset="v = 0",
                              refractory=period, dt=DT)  # fmt: skip
        neurons.drive = "1.05 + 0.05*i"
        neurons.period = refractory
        spikes = SpikeMonitor(neurons)
        Network(neurons, spikes).run(90_000 * DT)
        trains.append(spike_steps(spikes))
        assert uses_step_counts(neurons) != isinstance(period, str)
    indices, steps = trains[0]
    assert np.bincount(indices, minlength=20).min() >= 4  # every neuron held and released
    assert steps.max() > 2**16
    for constant, per_neuron in zip(*trains, strict=True):
        np.testing.assert_array_equal(constant, per_neuron)


def test_lastspike_written_before_a_run_holds_the_neurons():
    # lastspike = 1 ms with a 2 ms period: Brian2 holds v until t - lastspike reaches the
    # period, at step 30; from there each neuron integrates from v = 0 as a free one does from
    # step 0, so every first spike comes exactly 30 steps later. A first run of 1 ms makes
    # the second one start at step 10, to check that steps count from where a run starts.
    first = {}
    for held in (False, True):
        neurons = group(2 * ms)
        if held:
            neurons.lastspike = 1 * ms
        spikes = SpikeMonitor(neurons)
        network = Network(neurons, spikes)
        network.run(1 * ms)
        network.run(T)
        assert uses_step_counts(neurons)
        indices, steps = spike_steps(spikes)
        first[held] = {i: s for i, s in zip(indices[::-1], steps[::-1], strict=True)}
    assert min(first[False].values()) < 30  # some would spike while the others are held
    assert first[True].keys() <= first[False].keys() and len(first[True]) > 100
    for i, step in first[True].items():
        assert step == first[False][i] + 30


def test_a_reset_that_moves_lastspike_lengthens_the_period_as_much():
    # Code that writes lastspike during the loop also moves the 16-bit copy the gate reads:
    # a reset setting it 1 ms after the spike makes every interval 10 steps longer.
    intervals = {}
    for reset in ("v = 0", "v = 0\nlastspike = t + 1*ms"):
        neurons = NeuronGroup(3, MODEL, threshold="v > 1", reset=reset, refractory=2 * ms, dt=DT)
        neurons.drive = "1.5 + 0.5*i"
        spikes = SpikeMonitor(neurons)
        Network(neurons, spikes).run(40 * ms)
        indices, steps = spike_steps(spikes)
        intervals[reset] = [np.diff(steps[indices == i]) for i in range(3)]
    for plain, moved in zip(*intervals.values(), strict=True):
        assert len(moved) >= 3
        np.testing.assert_array_equal(moved, plain[: len(moved)] + 10)
