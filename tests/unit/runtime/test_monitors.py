"""Monitors record as Brian2's do: at the start of a step (state) and after thresholds (spikes)."""

import numpy as np
import pytest

from snngen import (
    Hz,
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    RunError,
    SpikeMonitor,
    StateMonitor,
    ms,
    second,
)
from snngen.runtime.group import NEVER_SPIKED
from snngen.standalone.buffers import EXPECTED_LIMIT, spikes_expected

pytestmark = pytest.mark.usefixtures("shared_cache")
# A ramp that crosses 1 every `period` and resets: spike times are known in closed form.
RAMP = "dv/dt = rate : 1\nrate : Hz"


def ramp(n, rates):
    group = NeuronGroup(n, RAMP, threshold="v > 1", reset="v = 0", dt=0.1 * ms)
    group.rate = rates
    return group


def test_state_monitor_records_before_the_update():
    group = ramp(2, [100, 200] * Hz)
    monitor = StateMonitor(group, "v", record=True)
    Network(group, monitor).run(1 * ms)
    assert monitor.v.shape == (2, 10)
    np.testing.assert_allclose(monitor.t / ms, np.arange(10) * 0.1)
    # v(t) = rate*t: the sample at t=0 is the initial value.
    np.testing.assert_allclose(monitor.v, np.outer([100, 200], np.arange(10) * 1e-4), atol=1e-15)
    np.testing.assert_allclose(monitor[1].v, monitor.v[1])


def test_state_monitor_with_its_own_dt_and_over_several_runs():
    group = ramp(3, [10, 20, 30] * Hz)
    monitor = StateMonitor(group, ["v", "rate"], record=[0, 2], dt=0.5 * ms)
    net = Network(group, monitor)
    net.run(2 * ms)
    net.run(1 * ms)
    np.testing.assert_allclose(monitor.t / ms, np.arange(6) * 0.5)
    assert monitor.rate.shape == (2, 6)
    np.testing.assert_allclose(monitor.rate[:, 0] / Hz, [10, 30])
    with pytest.raises(IndexError):
        monitor[1]


def test_state_monitor_refuses_a_recording_that_would_not_fit_in_memory():
    group = ramp(1000, 10 * Hz)
    monitor = StateMonitor(group, "v", record=True)
    with pytest.raises(RunError, match="GiB"):
        Network(group, monitor).run(10**7 * second)
    assert monitor.v.shape == (1000, 0)  # nothing recorded, nothing lost


def test_spike_monitor_times_indices_and_growth():
    # 50 neurons spiking every ~1 ms for 200 ms: far more spikes than the initial buffer holds.
    rates = np.linspace(1005, 1095, 50) * Hz  # 1/(rate*dt) never an integer: no ties
    group = ramp(50, rates)
    spikes = SpikeMonitor(group)
    # Counting alone is done in the loop; a recording monitor counts its recorded indices
    # (over all segments), and a subgroup's counts its own neurons from 0.
    counted, counted_tail = SpikeMonitor(group, record=False), SpikeMonitor(group[30:])
    Network(group, spikes, counted, counted_tail).run(200 * ms)
    # Closed form: v crosses 1 after ceil(1/(rate*dt)) steps, then resets to 0.
    steps_per_spike = np.floor(1 / (np.asarray(rates) * 1e-4)) + 1
    expected = np.floor(2000 / steps_per_spike)
    np.testing.assert_array_equal(spikes.count, expected)
    np.testing.assert_array_equal(counted.count, expected)
    np.testing.assert_array_equal(counted_tail.count, expected[30:])
    assert counted.num_spikes == expected.sum() and counted.i.size == 0
    assert spikes.num_spikes == len(spikes.i) == len(spikes.t) > 4 * 50
    # The first buffer (4 spikes per neuron) filled after ~40 steps; the record continued in a
    # buffer sized by the rate so far for the rest of the run (the rate is steady: one suffices).
    assert len(spikes.segments) == 1
    assert np.all(np.diff(spikes.t_) >= 0)
    train = spikes.spike_trains()[0]
    np.testing.assert_allclose(np.diff(train / ms), steps_per_spike[0] * 0.1)


def test_the_rest_of_a_run_is_expected_at_its_rate_so_far_within_a_limit():
    assert spikes_expected(1000, 100, 900) == 11250  # 10 per step for 900 steps, a quarter more
    assert spikes_expected(5, 0, 100) == 0  # no step run yet: no rate to go by
    # A burst in the first steps of a long run reserves no more than the limit.
    assert spikes_expected(10**6, 10, 10**9) == EXPECTED_LIMIT


def test_spike_times_are_recorded_steps_times_the_dt_of_their_run():
    # Spikes are stored as int32 step numbers; a run at another dt must not rescale the
    # earlier ones. Truth: the loop's own time, step*dt of the step's run, simulated here.
    rate = 1234.0  # Hz; v grows by rate*dt per step and resets after crossing 1
    group = ramp(1, rate * Hz)
    spikes = SpikeMonitor(group)
    net = Network(group, spikes)
    expected, v, step = [], 0.0, 0
    for dt, duration in ((1e-4, 20 * ms), (0.5e-4, 10 * ms)):
        group.clock.dt = dt * second
        net.run(duration)
        for _ in range(round(float(duration / second) / dt)):
            v += rate * dt
            if v > 1:
                expected.append(step * dt)
                v = 0.0
            step += 1
    assert len(expected) > 20
    # Exact up to the rounding of one product (step*dt in float64).
    np.testing.assert_allclose(spikes.t_, expected, rtol=1e-15)
    with pytest.raises(RunError, match="another dt"):
        net.pack(1 * ms)


def test_simultaneous_spikes_are_each_listed_once_in_order():
    # Neurons 0-16 and 18 of 20 cross together every 10 steps: a full group of 16 flags and a
    # partial one with silent neurons. The scan writes every index of a group that has a spike
    # and counts only the spiking ones; a spike's own store (lastspike) runs over the list.
    spiking = np.r_[np.arange(17), 18]
    group = NeuronGroup(20, RAMP, threshold="v > 1", reset="v = 0", refractory=0.5 * ms,
                        dt=0.1 * ms)  # fmt: skip
    rates = np.zeros(20)
    rates[spiking] = 1005  # v = 0.1005 per step: above 1 after 10 steps, no tie
    group.rate = rates * Hz
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(10 * ms)
    steps = np.arange(9, 100, 10)
    np.testing.assert_array_equal(spikes.i, np.tile(spiking, len(steps)))
    np.testing.assert_allclose(spikes.t_, np.repeat(steps * 1e-4, len(spiking)), rtol=1e-15)
    lastspike = np.where(np.isin(np.arange(20), spiking), 99 * 1e-4, NEVER_SPIKED)
    np.testing.assert_allclose(group.lastspike_, lastspike, rtol=1e-15)


def test_spike_monitor_refuses_a_run_beyond_its_last_recordable_step():
    group = ramp(1, 10 * Hz)
    spikes = SpikeMonitor(group)
    with pytest.raises(RunError, match="32-bit step numbers"):
        Network(group, spikes).run(3 * 10**5 * second)  # 3e9 steps of 0.1 ms
    assert spikes.num_spikes == 0


def test_monitors_of_a_subgroup_count_only_its_neurons():
    group = ramp(10, np.r_[np.full(5, 990), np.zeros(5)] * Hz)
    spikes = SpikeMonitor(group[3:7])
    rate = PopulationRateMonitor(group[3:7])
    Network(group, spikes, rate).run(20 * ms)
    assert set(spikes.i) == {0, 1}  # neurons 3 and 4, numbered from the subgroup's start
    # Two of four neurons spike every 1.1 ms: mean rate 2/4/1.1 ms.
    np.testing.assert_allclose(np.mean(rate.rate / Hz), 2 / 4 / 1.1e-3, rtol=0.05)
    assert rate.smooth_rate(width=1 * ms).shape == rate.rate.shape


def test_monitor_of_a_group_outside_the_network_is_an_error():
    group = ramp(2, 10 * Hz)
    other = ramp(2, 10 * Hz)
    with pytest.raises(RunError, match="not part of"):
        Network(group, SpikeMonitor(other)).run(1 * ms)
