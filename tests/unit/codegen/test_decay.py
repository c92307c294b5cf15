"""Implicit decay: which variables are stored times a scale, and that the values every operation
sees and sets are still the variable's (against the eager recursion, in numpy)."""

import re

import numpy as np
import pytest

from snngen import (
    Network,
    NeuronGroup,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    ms,
)
from snngen.codegen.decay import find_implicit_decays
from snngen.codegen.lower import Lowering, lower
from snngen.codegen.scope import GroupScope

pytestmark = pytest.mark.usefixtures("shared_cache")

TAU = 1 * ms  # with dt = 0.1 ms a factor of 0.9 per step: the scale leaves its bounds often


def decaying(model, method, **keywords):
    """The names of the variables of a group of ``model`` that decay implicitly."""
    group = NeuronGroup(2, model, method=method, namespace={"tau": TAU}, **keywords)
    low = Lowering()
    find_implicit_decays(low, GroupScope(low, group, 0))
    return {name for _, name in low.decays}


@pytest.mark.parametrize("method", ["euler", "exponential_euler", "exact", "rk2", "rk4", "heun"])
def test_a_decay_by_a_constant_is_implicit_with_every_method(method):
    assert decaying("dg/dt = -g/tau : 1", method) == {"g"}


@pytest.mark.parametrize(
    ("model", "method", "expected"),
    [
        # Only h decays alone; g follows h.
        ("dg/dt = (h - g)/tau : 1\ndh/dt = -h/tau : 1", "euler", {"h"}),
        ("dg/dt = (h - g)/tau : 1\ndh/dt = -h/tau : 1", "exact", {"h"}),
        ("dg/dt = (1 - g)/tau : 1", "euler", set()),  # relaxes to 1, not to 0
        ("dg/dt = -g/tau_g : 1\ntau_g : second", "euler", set()),  # a factor per neuron
        ("dg/dt = -g*t/tau**2 : 1", "euler", set()),  # a factor per step
        ("dg/dt = -g/tau + xi/tau**0.5 : 1", "euler", set()),  # noise
        ("dg/dt = -g**2/tau : 1", "euler", set()),  # not linear
    ],
)
def test_what_does_not_decay_by_a_constant_is_stored(model, method, expected):
    assert decaying(model, method) == expected


@pytest.mark.parametrize("method", ["euler", "exact"])
def test_a_variable_held_during_refractoriness_is_stored(method):
    model = "dv/dt = -v/tau : 1 (unless refractory)\ndg/dt = -g/tau : 1"
    assert decaying(model, method, threshold="v > 1", refractory=1 * ms) == {"g"}


# An increment alone adds to the stored value (G += 3/scale); one that other code reads is
# loaded and stored through the scale (g = G*scale; g += 3; v += ...g; G = g/scale).
ON_PRE = {"alone": "g += 3", "read": "g += 3\nv += 1e-9*g"}


def decaying_network(method="euler", dtype=None, on_pre="alone"):
    """Input spikes add to g, a reset halves it, a monitor records it and the pass reads it
    (it drives v)."""
    generator = SpikeGeneratorGroup(1, [0] * 12, np.arange(12) * 25 * ms + 3 * ms)
    group = NeuronGroup(
        1, "dv/dt = (2 - v + g)/(5*tau) : 1\ndg/dt = -g/tau : 1", threshold="v > 1",
        reset="v = 0; g = 0.5*g + 1", method=method, namespace={"tau": TAU}, dtype=dtype,
    )  # fmt: skip
    synapses = Synapses(generator, group, on_pre=ON_PRE[on_pre])
    synapses.connect()
    trace, spikes = StateMonitor(group, "g", record=True), SpikeMonitor(group)
    return Network(generator, group, synapses, trace, spikes), group, trace, spikes


@pytest.mark.parametrize(("method", "factor"), [("euler", 1 - 0.1), ("exact", np.exp(-0.1))])
@pytest.mark.parametrize(("dtype", "rtol"), [(None, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize(("chunks", "on_pre"), [(1, "alone"), (3, "alone"), (1, "read")])
def test_every_operation_sees_the_decaying_value(method, factor, dtype, rtol, chunks, on_pre):
    """The network above over 3,000 steps, in which the scale is folded into the array some
    four times, in one run or three. The reference is the eager recursion with the
    simulation's own spike steps. rtol: in double each step rounds g within a few ulp and the
    decay contracts the errors, so they stay near 1e-15; in float the stored value rounds to
    6e-8 at each input and reset, and 1e-5 leaves room for a hundred of them."""
    network, group, trace, spikes = decaying_network(method, dtype, on_pre)
    for _ in range(chunks):
        network.run(300 * ms / chunks)

    steps = 3000
    inputs = np.zeros(steps, bool)
    inputs[np.round((np.arange(12) * 25 + 3) / 0.1).astype(int)] = True
    resets = np.zeros(steps, bool)
    resets[np.round(np.asarray(spikes.t / ms) / 0.1).astype(int)] = True
    assert resets.sum() > 10  # the reset path is exercised
    expected, g = np.empty(steps), 0.0
    for n in range(steps):
        expected[n] = g  # the monitor records before the update
        g = factor * g + 3 * inputs[n]
        g = 0.5 * g + 1 if resets[n] else g
    np.testing.assert_allclose(trace.g[0], expected, rtol=rtol)
    np.testing.assert_allclose(group.g[0], g, rtol=rtol)  # the array holds g between runs


@pytest.mark.parametrize(("on_pre", "scaled"), [("alone", False), ("read", True)])
def test_an_increment_alone_adds_to_the_stored_value(on_pre, scaled):
    """The pathway's load and store of g go through the scale only where other code reads g
    (a load ``x = G[_post]*scale``, a store ``G[_post] = x*inverse``); alone, the increment
    is divided by the scale instead."""
    network, *_ = decaying_network(on_pre=on_pre)
    [pathway] = [op for op in lower(network.objects).program.operations
                 if op.kind == "synaptic_pathway"]  # fmt: skip
    lines = pathway.fields["body"] + pathway.fields["stores"]
    scaled_loads = [line for line in lines if re.search(r"\[_post\]\*", line)]
    scaled_stores = [line for line in lines if re.search(r"\[_post\] = \w+\*", line)]
    assert len(scaled_loads) == len(scaled_stores) == int(scaled)


@pytest.mark.parametrize("dtype", [None, np.float32])
def test_the_threshold_reads_the_new_value(dtype):
    """g = 2 (0.9)^k after k steps is first below 0.5 at k = 14: a threshold on the updated g
    fires at step 13 after each reset (step 14 if it read the old value)."""
    group = NeuronGroup(1, "dg/dt = -g/tau : 1", threshold="g < 0.5", reset="g = 2",
                        method="euler", namespace={"tau": TAU}, dtype=dtype)  # fmt: skip
    group.g = 2
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(10 * ms)
    np.testing.assert_array_equal(np.round(spikes.t / ms / 0.1), np.arange(13, 100, 14))


def test_a_run_gives_the_same_bits_however_it_is_cut_into_calls(monkeypatch):
    """The scale is carried from call to call, not folded: one-step calls (after the first
    hundred steps) change nothing."""
    import snngen.runtime.network as network_module

    def simulate():
        network, group, trace, _ = decaying_network()
        network.run(300 * ms)
        return trace.g[0], group.g[0]

    trace, final = simulate()
    monkeypatch.setattr(network_module, "CHUNK_SECONDS", 0.0)
    one_step_trace, one_step_final = simulate()
    np.testing.assert_array_equal(one_step_trace, trace)
    assert one_step_final == final
