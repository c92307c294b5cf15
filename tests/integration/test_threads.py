"""Runs on OpenMP threads (``run(..., threads=k)``): the same spikes and states for every k."""

import numpy as np
import pytest

from snngen import (
    Network,
    NeuronGroup,
    RunError,
    SpikeMonitor,
    Synapses,
    ms,
    mV,
    seed,
)
from snngen.codegen.lower import lower
from snngen.runtime.network import THREADS_ENV
from snngen.standalone.package import PackageError
from snngen.standalone.runner import main as rerun_folder
from snngen.standalone.runner import simulate

pytestmark = [
    pytest.mark.usefixtures("shared_cache"),
    # A machine with one core warns that two threads wait on each other; results are the same.
    pytest.mark.filterwarnings("ignore:threads = 2 is more than"),
]

COBA = """
dv/dt = (v_rest - v + I + ge*(E_exc - v) + gi*(E_inh - v))/tau : volt (unless refractory)
dge/dt = -ge/tau_exc : 1
dgi/dt = -gi/tau_inh : 1
I : volt
"""
VALUES = dict(v_rest=-60 * mV, E_exc=0 * mV, E_inh=-80 * mV, tau=20 * ms, tau_exc=5 * ms,
              tau_inh=10 * ms, v_th=-50 * mV)  # fmt: skip
# Not a multiple of the 512-neuron blocks the threads share out (two: one for each thread), nor
# of a vector's width.
SIZE = 1000


def ei_network(recurrent=True, dtype=None):
    """The E/I network (exponential Euler, refractoriness), small; without synapses, with
    neurons driven apart by a constant input each, a network without chaos."""
    seed(5)
    group = NeuronGroup(SIZE, COBA, threshold="v > v_th", reset="v = v_rest", refractory=5 * ms,
                        method="exponential_euler", namespace=VALUES, dtype=dtype)  # fmt: skip
    group.v = "v_rest + 10*mV*rand()"
    group.I = "15*mV + 10*mV*rand()" if not recurrent else "20*mV"
    objects = [group, SpikeMonitor(group, name="spikes")]
    if recurrent:
        excitatory = Synapses(group[:800], group, on_pre="ge += 0.6")
        excitatory.connect(p=0.08)
        inhibitory = Synapses(group[800:], group, on_pre="gi += 6.7")
        inhibitory.connect(p=0.08)
        objects += [excitatory, inhibitory]
    return Network(*objects), group, objects[1]


def outcome(threads, recurrent=True, duration=100 * ms, dtype=None):
    net, group, spikes = ei_network(recurrent, dtype)
    net.run(duration, threads=threads)
    return spikes.i, spikes.t_, *(np.array(group.storage[name]) for name in ("v", "ge", "gi"))


# float32: the pass computes in float, 16 neurons to a vector instead of 8.
@pytest.mark.parametrize("dtype", [None, np.float32])
def test_spikes_and_states_do_not_depend_on_the_thread_count(dtype):
    one, two = outcome(threads=1, dtype=dtype), outcome(threads=2, dtype=dtype)
    assert len(one[0]) > 1000  # a network that spikes, so equality below means something
    # Each neuron's update is the same machine code whichever thread runs its block: equal bits.
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def test_threads_agree_with_the_serial_module_to_rounding():
    threaded, serial = outcome(threads=2, recurrent=False), outcome(None, recurrent=False)
    assert len(serial[0]) > 1000
    # Every neuron (the partial last block included) is updated, and spikes at the same step.
    np.testing.assert_array_equal(threaded[0], serial[0])
    np.testing.assert_array_equal(threaded[1], serial[1])
    # The modules differ only in how gcc associates sums (a few ulp per step); the leak damps
    # such differences, so after 1000 steps they stay near 1e-16 relative, far below 1e-12.
    np.testing.assert_allclose(threaded[2], serial[2], rtol=1e-12)


def test_a_package_of_a_threaded_run_reruns_the_same():
    net, _, spikes = ei_network()
    package = net.pack(50 * ms, threads=2)
    net.run(50 * ms, threads=2)
    for threads in (None, 1):  # as packed (2), and on one thread
        result = simulate(package, threads=threads)
        np.testing.assert_array_equal(result["spikes"].i, spikes.i)
        np.testing.assert_array_equal(result["spikes"].t, spikes.t_)


def test_a_threaded_build_folder_reruns_on_another_thread_count(tmp_path):
    net, _, spikes = ei_network(recurrent=False)
    folder = net.export(tmp_path / "build", 20 * ms, threads=2)
    net.run(20 * ms, threads=2)
    assert "--threads" in (folder / "README.md").read_text()
    assert (
        rerun_folder(["--folder", str(folder), "--threads", "1", "-o", str(tmp_path / "o.npz")])
        == 0
    )
    results = np.load(tmp_path / "o.npz")
    assert len(spikes.i) > 100
    np.testing.assert_array_equal(results["spikes.i"], spikes.i)
    assert rerun_folder(["--folder", str(folder), "--threads", "0"]) == 2  # refused, said why


def test_a_serial_package_cannot_be_given_threads():
    package = ei_network(recurrent=False)[0].pack(1 * ms)
    with pytest.raises(PackageError, match=r"runs serially; pack \(or export\) the network"):
        simulate(package, threads=2)


def test_only_loops_without_random_draws_run_on_threads():
    quiet = NeuronGroup(10, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0")
    noisy = NeuronGroup(10, "dv/dt = -v/(10*ms) + xi/sqrt(10*ms) : 1", threshold="v > 1",
                        reset="v = 0")  # fmt: skip
    poisson = NeuronGroup(10, "", threshold="rand() < 0.1")
    program = lower([quiet, noisy, poisson], parallel=True).program
    passes = [op for op in program.operations if op.kind == "neuron_pass"]
    # One generator drawn in neuron order keeps runs reproducible from the seed: serial.
    assert [op.fields["threads"] is not None for op in passes] == [True, False, False]
    assert program.parallel and not lower([quiet]).program.parallel


@pytest.mark.parametrize("threads", [0, -2, 1.5, "2"])
def test_a_bad_thread_count_is_refused(threads):
    net, _, _ = ei_network(recurrent=False)
    with pytest.raises(RunError, match=r"threads must be a whole number of threads, 1 or more"):
        net.run(1 * ms, threads=threads)


def test_the_thread_count_comes_from_the_environment(monkeypatch):
    net, _, _ = ei_network(recurrent=False)
    monkeypatch.setenv(THREADS_ENV, "two")
    with pytest.raises(RunError, match=r"\$SNNGEN_THREADS must be a whole number"):
        net.run(1 * ms)
