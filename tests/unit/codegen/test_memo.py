"""The memo of lowerings: a network built again (as a warm process does) is not lowered again,
runs the same, and is checked and lowered again whenever its structure or its names' units
change."""

import numpy as np
import pytest

from snngen import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms, mV, seed
from snngen.build.cache import VERIFY_ENV
from snngen.codegen import lower as lowering
from snngen.codegen import memo
from snngen.codegen.fetch import fetch_tables
from snngen.codegen.lower import lower
from snngen.errors import CodegenError, UnitMismatchError
from snngen.runtime import network as network_module

pytestmark = pytest.mark.usefixtures("shared_cache")

MODEL = "dv/dt = (I - v)/tau : volt (unless refractory)\nI : volt"


def build(when: str | None = None):
    """A small recurrent network; ``when`` moves a state monitor to another schedule slot."""
    seed(3)
    group = NeuronGroup(50, MODEL, threshold="v > 10*mV", reset="v = 0*mV", refractory=2 * ms)
    group.I = "(5 + 10*rand())*mV"
    synapses = Synapses(group, group, on_pre="v += 0.5*mV")
    synapses.connect(p=0.2)
    spikes = SpikeMonitor(group)
    trace = StateMonitor(group, "v", record=[0])
    if when is not None:
        trace.when = when
    return Network(group, synapses, spikes, trace), spikes


def count_lowerings(monkeypatch):
    calls = []
    real = lowering.lower

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(lowering, "lower", counted)
    return calls


def test_a_network_built_again_is_not_lowered_again_and_runs_the_same(monkeypatch):
    monkeypatch.delenv(VERIFY_ENV)  # verification lowers on purpose
    first, first_spikes = build()
    first.run(50 * ms, namespace={"tau": 10 * ms})
    calls = count_lowerings(monkeypatch)
    again, again_spikes = build()
    again.run(50 * ms, namespace={"tau": 10 * ms})
    assert calls == []
    assert first_spikes.num_spikes > 20  # active, so the comparison means something
    np.testing.assert_array_equal(first_spikes.i, again_spikes.i)
    np.testing.assert_array_equal(first_spikes.t, again_spikes.t)


def test_a_new_parameter_value_keeps_the_lowering_but_new_units_are_checked(monkeypatch):
    monkeypatch.delenv(VERIFY_ENV)
    network, _ = build()
    network.run(1 * ms, namespace={"tau": 10 * ms})
    calls = count_lowerings(monkeypatch)
    network.run(1 * ms, namespace={"tau": 20 * ms})
    assert calls == []
    with pytest.raises(UnitMismatchError, match=r"tau|per second"):
        network.run(1 * ms, namespace={"tau": 10 * mV})


def test_moving_a_monitor_in_the_schedule_changes_the_key(monkeypatch):
    keys = []
    real = network_module.structure_key
    monkeypatch.setattr(
        network_module, "structure_key", lambda *a: keys.append(real(*a)) or keys[-1]
    )
    for when in (None, "groups"):
        network, _ = build(when)
        network.run(1 * ms, namespace={"tau": 10 * ms})
    assert len(set(keys)) == 2


def test_verification_catches_a_key_that_misses_a_structural_fact(monkeypatch):
    monkeypatch.setattr(network_module, "structure_key", lambda *a: "0" * 64 + "-stale-test")
    network, _ = build()
    network.run(1 * ms, namespace={"tau": 10 * ms})
    moved, _ = build("groups")  # another program under the same (wrong) key
    with pytest.raises(CodegenError, match="differs from a fresh one"):
        moved.run(1 * ms, namespace={"tau": 10 * ms})


def test_a_lowering_read_back_fetches_the_same_tables():
    network, _ = build()
    network.run(1 * ms, namespace={"tau": 10 * ms})
    state = network._run_state(1 * ms, {"tau": 10 * ms}, 0, None)
    fresh = lower(network.objects)
    positions = {id(obj): k for k, obj in enumerate(network.objects)}
    bound = memo._bound(memo._portable(fresh, positions), network.objects)
    for ours, theirs in zip(fetch_tables(fresh, state)[:3], fetch_tables(bound, state)[:3]):
        np.testing.assert_array_equal(ours, theirs)
    assert bound.slots == fresh.slots and bound.program is None


def test_an_object_outside_the_network_cannot_be_kept():
    network, _ = build()
    stranger = lower(network.objects[:1])  # refers to the group only
    with pytest.raises(CodegenError, match="not in the network"):
        memo._portable(stranger, {})
