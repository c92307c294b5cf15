"""The loop's fast forms compute exactly what the general forms compute.

The fused neuron pass (update and threshold in one branch-free loop) is used unless a monitor
looks at the group between the two; a presynaptic pathway reads CSR rows directly unless its
synapses' delays differ. Each test runs one network both ways and compares spike trains bit for
bit: the forms reorder no arithmetic, so any difference is a bug.
"""

import numpy as np

from snngen import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms, seed
from snngen.codegen.lower import lower

EQUATIONS = """
dv/dt = (-60*mV - v + 20*mV + ge*(0*mV - v) + gi*(-80*mV - v))/(20*ms) : volt (unless refractory)
dge/dt = -ge/(5*ms) : 1
dgi/dt = -gi/(10*ms) : 1
"""


def spikes_of(watch_update: bool = False, delays: str | None = None, method="exponential_euler"):
    """Spike trains of a small E/I network; ``watch_update`` puts a monitor between the state
    update and the threshold; ``delays`` sets per-synapse delays after connecting."""
    seed(7)
    group = NeuronGroup(200, EQUATIONS, threshold="v > -50*mV", reset="v = -60*mV",
                        refractory=5 * ms, method=method)  # fmt: skip
    group.v = "-60*mV + 10*mV*rand()"
    excitatory = Synapses(group[:160], group, on_pre="ge += 0.6", delay=1 * ms)
    excitatory.connect(p=0.1)
    inhibitory = Synapses(group[160:], group, on_pre="gi += 6.7", delay=1 * ms)
    inhibitory.connect(p=0.1)
    if delays is not None:
        excitatory.delay = delays
    spikes = SpikeMonitor(group)
    objects = [group, excitatory, inhibitory, spikes]
    if watch_update:
        watcher = StateMonitor(group, "v", record=[0])
        watcher.when = "groups"
        objects.append(watcher)
    network = Network(*objects)
    network.run(200 * ms)
    return np.asarray(spikes.i), np.asarray(spikes.t), network


def operations(network):
    return lower(network.objects).program.operations


def test_fused_neuron_pass_matches_separate_update_and_threshold():
    for method in ("exponential_euler", "euler"):
        fused_i, fused_t, fused = spikes_of(method=method)
        separate_i, separate_t, separate = spikes_of(watch_update=True, method=method)
        assert "neuron_pass" in {op.kind for op in operations(fused)}
        assert "threshold" in {op.kind for op in operations(separate)}
        assert len(fused_i) > 100  # the network is active: the comparison means something
        np.testing.assert_array_equal(fused_i, separate_i)
        np.testing.assert_array_equal(fused_t, separate_t)


def test_direct_pathway_matches_delay_sorted_pathway():
    direct_i, direct_t, direct = spikes_of()
    # 1.00 ms and 1.01 ms round to the same step: identical dynamics, but the delays differ,
    # so the pathway goes through the per-synapse order.
    sorted_i, sorted_t, general = spikes_of(delays="(1 + 0.01*(i % 2))*ms")
    kinds = [op.fields.get("order") is None for op in operations(direct)
             if op.kind == "synaptic_pathway"]  # fmt: skip
    assert kinds == [True, True]
    kinds = [op.fields.get("order") is None for op in operations(general)
             if op.kind == "synaptic_pathway"]  # fmt: skip
    assert kinds == [False, True]
    np.testing.assert_array_equal(direct_i, sorted_i)
    np.testing.assert_array_equal(direct_t, sorted_t)


def test_setting_per_synapse_delays_between_runs_recompiles():
    seed(3)
    group = NeuronGroup(2, "dv/dt = (1.5 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0")
    synapses = Synapses(group[:1], group[1:], on_pre="v_post += 0.0")
    synapses.connect(i=[0, 0], j=[0, 0])
    network = Network(group, synapses)
    network.run(1 * ms)
    first = network._lowered
    synapses.delay = [0, 1] * ms
    network.run(1 * ms)
    assert network._lowered is not first
    assert [op.fields["order"] is None for op in operations(network)
            if op.kind == "synaptic_pathway"] == [False]  # fmt: skip
