"""Brian2's ``dtype`` argument: float variables stored in single precision, and the code that
updates only single-precision variables computing in float (the float32 mode)."""

import re

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
    # Far from threshold crossings, float arithmetic and storage round the state by about an
    # ulp (1.2e-7 near 1) per step; the dynamics contract by dt/tau = 1 % per step, so the
    # errors sum as a geometric series to at most 100 ulp: 1e-5 bounds it, 1e-3 would not be
    # float32 at all.
    assert spikes.num_spikes == spikes64.num_spikes
    np.testing.assert_allclose(np.asarray(spikes.t_), np.asarray(spikes64.t_))
    np.testing.assert_allclose(trace.v, trace64.v, rtol=0, atol=1e-5)
    assert np.abs(np.asarray(trace.v) - np.asarray(trace64.v)).max() > 0  # really rounded


COBA = """
dv/dt = (1.2 - v + g*(2 - v))/(10*ms) : 1 (unless refractory)
dg/dt = -g/(5*ms) : 1
"""


@pytest.mark.parametrize("method", ["exponential_euler", "rk4"])
def test_float_arithmetic_follows_the_double_precision_run(method):
    """Conductance input makes exponential Euler call exprel per neuron (``_exprelf`` in float)
    and RK4 keeps stage temporaries: both in float here."""

    def simulate_coba(dtype):
        group = NeuronGroup(3, COBA, threshold="v > 1", reset="v = 0", refractory=2 * ms,
                            method=method, dtype=dtype)  # fmt: skip
        synapses = Synapses(group, group, "w : 1", on_pre="g += w", dtype=dtype and {"w": dtype})
        synapses.connect(p=1.0)
        synapses.w = 0.05
        group.v = [0.0, 0.5, 0.9]
        trace, spikes = StateMonitor(group, ["v", "g"], record=True), SpikeMonitor(group)
        Network(group, synapses, trace, spikes).run(30 * ms)
        return trace, spikes

    (trace, spikes), (trace64, spikes64) = simulate_coba(np.float32), simulate_coba(None)
    np.testing.assert_array_equal(np.asarray(spikes.t_), np.asarray(spikes64.t_))
    # As above: about an ulp per step, contracted by at least 1 % per step (measured: 4e-7).
    for name in ("v", "g"):
        np.testing.assert_allclose(getattr(trace, name), getattr(trace64, name), atol=1e-5)


def operation_bodies(dtype, synaptic_dtype=None):
    """The printed bodies of the neuron pass, reset and pathway of a two-variable group."""
    group = NeuronGroup(3, COBA, threshold="v > 1", reset="v = 0; g += 0.5", refractory=2 * ms,
                        method="exponential_euler", dtype=dtype)  # fmt: skip
    synapses = Synapses(group, group, "w : 1", on_pre="g += 0.1*w", dtype=synaptic_dtype)
    synapses.connect(p=1.0)
    operations = lower([group, synapses]).program.operations
    return {op.kind: "\n".join(op.fields["body"]) for op in operations if "body" in op.fields}


def test_a_single_precision_group_computes_in_float():
    bodies = operation_bodies(np.float32, {"w": np.float32})
    for kind, body in bodies.items():
        uncast = re.sub(r"\(<float>-?[0-9.e+-]+\)", "", body)
        assert not re.search(r"\d\.\d", uncast), (kind, body)  # every literal a float
        # The only double: lastspike (a time), read by the refractoriness test.
        assert len(set(re.findall(r"_d\d+", body))) <= 1, (kind, body)
    assert "_exprelf(" in bodies["neuron_pass"]


def test_code_storing_a_double_variable_computes_in_double():
    bodies = operation_bodies({"v": np.float32})  # g stays double: pass and reset store it
    for kind in ("neuron_pass", "reset"):
        assert "<float>" not in bodies[kind]  # the float printer casts every literal
    assert "_exprel(" in bodies["neuron_pass"]


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


@pytest.mark.parametrize("dtype", [None, np.float32])
def test_every_spike_is_found(dtype):
    """The pass's spike flags are scanned 32 at a time. Uncoupled neurons (40, so the second 32
    are mostly padding) with drive a = 1.1 + 0.05 i reach threshold from 0 after
    n = floor(tau ln(a / (a - 1)) / dt) + 1 steps, and again n steps after each reset: each
    neuron spikes at steps n - 1, 2n - 1, ... (the step whose update crosses), in float as in
    double (no crossing lies within float rounding of the threshold)."""
    group = NeuronGroup(40, "dv/dt = (1.1 + 0.05*i - v)/(10*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact", dtype=dtype)  # fmt: skip
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(30 * ms)
    drive = 1.1 + 0.05 * np.arange(40)
    period = np.floor(10e-3 * np.log(drive / (drive - 1)) / 1e-4) + 1
    expected = sorted((int(m * n - 1), i) for i, n in enumerate(period)
                      for m in range(1, int(300 // n) + 1))  # fmt: skip
    steps = np.round(np.asarray(spikes.t_) / 1e-4).astype(int)
    assert sorted(zip(steps.tolist(), np.asarray(spikes.i).tolist())) == expected
