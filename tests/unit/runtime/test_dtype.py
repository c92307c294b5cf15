"""Brian2's ``dtype`` argument: float variables stored in single precision, arithmetic in double."""

import numpy as np
import pytest

from snngen import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms
from snngen.codegen.lower import lower
from snngen.codegen.render import render
from snngen.errors import ModelError

pytestmark = pytest.mark.usefixtures("shared_cache")

MODEL = "dv/dt = (1.2 - v)/(10*ms) : 1 (unless refractory)"


def simulate(dtype):
    group = NeuronGroup(3, MODEL, threshold="v > 1", reset="v = 0", refractory=2 * ms,
                        method="exact", dtype=dtype)  # fmt: skip
    weights = None if dtype is None else {"w": dtype}
    synapses = Synapses(group, group, "w : 1", on_pre="v += w", dtype=weights)
    synapses.connect(p=1.0)
    synapses.w = 0.01
    group.v = [0.0, 0.5, 0.9]
    trace, spikes = StateMonitor(group, "v", record=True), SpikeMonitor(group)
    Network(group, synapses, trace, spikes).run(30 * ms)
    return group, synapses, trace, spikes


def test_single_precision_storage_follows_the_double_precision_run():
    group, synapses, trace, spikes = simulate(np.float32)
    assert group.v_.dtype == np.float32 and synapses.w_.dtype == np.float32
    _, _, trace64, spikes64 = simulate(None)
    # Far from threshold crossings, rounding the state to float32 each step moves it by a few
    # float32 ulp per step, accumulated over 300 steps: 1e-5 bounds it, 1e-3 would not be
    # float32 storage at all.
    assert spikes.num_spikes == spikes64.num_spikes
    np.testing.assert_allclose(np.asarray(spikes.t_), np.asarray(spikes64.t_))
    np.testing.assert_allclose(trace.v, trace64.v, rtol=0, atol=1e-5)
    assert np.abs(np.asarray(trace.v) - np.asarray(trace64.v)).max() > 0  # really rounded


def test_the_generated_code_declares_the_storage_type():
    def source(dtype):
        return render(lower([NeuronGroup(3, MODEL, dtype=dtype)]).program)

    assert "cdef float*" in source(np.float32)
    assert "cdef float*" not in source(None)


@pytest.mark.parametrize(
    ("dtype", "message"),
    [
        (np.int32, "must be float32 or float64, got"),
        ({"u": np.float32}, "names 'u', which is not a float variable"),
        ("not a type", "must be float32 or float64"),
    ],
)
def test_a_wrong_dtype_is_a_model_error(dtype, message):
    with pytest.raises(ModelError, match=message):
        NeuronGroup(3, MODEL, dtype=dtype)
