"""``not_refractory`` between runs and during them: stored every step only when other code reads
it, otherwise once when the loop stops; the same values either way, and Brian2's."""

import numpy as np
import pytest

from snngen import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms
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
        return neuron_pass.split("# the flags")[0].count("<uint8_t>")

    alone = group(2 * ms)
    assert pass_stores([alone]) == 0
    watched = group(2 * ms)
    assert pass_stores([watched, StateMonitor(watched, "not_refractory", record=[0])]) == 1
