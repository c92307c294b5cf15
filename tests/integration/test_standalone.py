"""Standalone build folders and packages: a rerun with numpy alone gives the in-process spikes."""

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from snngen import (
    Hz,
    Network,
    NeuronGroup,
    PoissonInput,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    ms,
    mV,
    seed,
)
from snngen.cli import main as cli
from snngen.standalone.package import Package, PackageError
from snngen.standalone.runner import simulate

pytestmark = pytest.mark.usefixtures("shared_cache")

# Random input, refractoriness, a gated exact propagator, delays and three monitors: every kind
# of state the loop carries between steps.
EQUATIONS = """
dv/dt = (v0 - v + ge)/tau : volt (unless refractory)
dge/dt = -ge/tau_e : volt
"""
VALUES = dict(v0=14 * mV, tau=10 * ms, tau_e=5 * ms)


def network(tau=10 * ms):
    seed(11)
    group = NeuronGroup(60, EQUATIONS, threshold="v > 15*mV", reset="v = 0*mV",
                        refractory=2 * ms, method="exact", namespace={**VALUES, "tau": tau},
                        name="G")  # fmt: skip
    group.v = "rand()*15*mV"
    synapses = Synapses(group, group, on_pre="ge += 1*mV", delay=1 * ms)
    synapses.connect(p=0.1)
    noise = PoissonInput(group, "ge", 20, 50 * Hz, weight=2 * mV)
    monitors = (SpikeMonitor(group, name="spikes"), StateMonitor(group, "v", record=[0, 7],
                name="trace"), PopulationRateMonitor(group, name="rate"))  # fmt: skip
    return Network(group, synapses, noise, *monitors), monitors


def in_process(net, monitors, duration):
    net.run(duration)
    spikes, trace, rate = monitors
    return spikes.i, spikes.t_, trace.recorded("v"), rate.rate_


# Run with Python's path emptied of everything but numpy: importing any of these fails.
BLOCKED = textwrap.dedent("""
    import sys, runpy
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"snngen", "sympy", "jinja2", "Cython", "pyximport"}:
                raise ImportError(f"{name} is blocked in this test")
    sys.meta_path.insert(0, Block())
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
""")


def rerun(folder, *arguments, cwd):
    command = [sys.executable, "-c", BLOCKED, str(folder / "run.py"), *arguments]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def test_folder_reruns_without_snngen_and_gives_the_same_results(tmp_path):
    net, monitors = network()
    folder = net.export(tmp_path / "build", 100 * ms)
    expected = in_process(net, monitors, 100 * ms)
    done = rerun(folder, "-o", str(tmp_path / "out.npz"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    results = np.load(tmp_path / "out.npz")
    assert len(expected[0]) > 50  # the network spikes, so equality below means something
    # Same module, same arguments, same random stream: equal to the last bit.
    np.testing.assert_array_equal(results["spikes.i"], expected[0])
    np.testing.assert_array_equal(results["spikes.t"], expected[1])
    np.testing.assert_array_equal(results["trace.v"], expected[2])
    np.testing.assert_array_equal(results["rate.rate"], expected[3])
    assert "# build: a snngen build folder" in (folder / "README.md").read_text()


def test_a_longer_rerun_continues_the_same_trajectory(tmp_path):
    net, _ = network()
    package = net.pack(50 * ms)
    short, long = simulate(package), simulate(package, duration=0.1)
    # The first 50 ms of a 100 ms run are the 50 ms run: buffers are sized per duration.
    early = long["spikes"].t < 0.05
    np.testing.assert_array_equal(long["spikes"].i[early], short["spikes"].i)
    np.testing.assert_array_equal(long["trace"].v[:, :500], short["trace"].v)
    assert long["trace"].v.shape == (2, 1000) and long["rate"].rate.shape == (1000,)


def test_a_rerun_ends_in_the_in_process_state():
    """ge decays implicitly (its array holds ge over a scale during the run): both runs fold
    the scale back in the same way."""
    net, _ = network()
    result = simulate(net.pack(50 * ms))
    net.run(50 * ms)
    group = net.objects[0]
    assert np.ptp(group.ge_) > 0
    for name in ("v", "ge"):
        np.testing.assert_array_equal(result.state["G"][name], getattr(group, name + "_"))


def test_a_package_made_after_a_run_keeps_the_spikes_recorded_so_far():
    net, (spikes, _, _) = network()
    net.run(100 * ms)
    assert spikes.segments  # the record outgrew its first buffer: it continues in a new one
    result = simulate(net.pack(50 * ms))
    net.run(50 * ms)  # what the package's run must give, earlier spikes included
    np.testing.assert_array_equal(result["spikes"].i, spikes.i)
    np.testing.assert_array_equal(result["spikes"].t, spikes.t_)


def test_a_standalone_run_past_the_last_recordable_spike_step_is_refused():
    group = NeuronGroup(2, "dv/dt = 100*Hz : 1", threshold="v > 1", reset="v = 0")
    package = Network(group, SpikeMonitor(group, name="spikes")).pack(1 * ms)
    with pytest.raises(PackageError, match="spikes records spike times as 32-bit step numbers"):
        simulate(package, duration=3e5)  # 3e9 steps of 0.1 ms


def test_a_parameter_override_equals_a_network_built_with_that_value():
    """tau enters the exact propagator only; the runner recomputes it with numpy."""
    package = network()[0].pack(100 * ms)
    overridden = simulate(package, overrides={"tau": "15*ms"})
    net, monitors = network(tau=15 * ms)
    expected = in_process(net, monitors, 100 * ms)
    np.testing.assert_array_equal(overridden["spikes"].i, expected[0])
    np.testing.assert_array_equal(overridden["spikes"].t, expected[1])
    assert len(overridden["spikes"].i) != len(simulate(package)["spikes"].i)


def test_overrides_are_checked():
    package = network()[0].pack(10 * ms)
    with pytest.raises(PackageError, match=r"tau of G needs s"):
        simulate(package, overrides={"tau": "15*mV"})
    with pytest.raises(PackageError, match=r"no parameter 'tau_x'.*tau, tau_e, v0"):
        simulate(package, overrides={"tau_x": "1*ms"})
    with pytest.raises(PackageError, match=r"expected a number with an optional unit"):
        simulate(package, overrides={"tau": "fast"})


def test_a_package_pickles_and_its_seed_changes_the_noise():
    package = pickle.loads(pickle.dumps(network()[0].pack(50 * ms)))
    package.folder = None  # as on a worker: the module is loaded from the shipped bytes
    first, again = simulate(package, seed=5), simulate(package, seed=5)
    other = simulate(package, seed=6)
    np.testing.assert_array_equal(first["spikes"].t, again["spikes"].t)
    assert not np.array_equal(first["spikes"].t, other["spikes"].t)


def test_snngen_build_exports_at_the_first_run(tmp_path):
    script = tmp_path / "model.py"
    script.write_text(
        textwrap.dedent("""
        from snngen import *
        tau = 10*ms
        G = NeuronGroup(5, "dv/dt = (2 - v)/tau : 1", threshold="v > 1", reset="v = 0")
        M = SpikeMonitor(G, name="spikes")
        run(100*ms)
        raise SystemExit("not reached: build stops at run()")
    """)
    )
    assert cli(["build", str(script), "-o", str(tmp_path / "out"), "--duration", "20ms"]) == 0
    package = Package.read(tmp_path / "out")
    assert package.manifest["duration"] == pytest.approx(0.02)
    # v(t) = 2(1 - exp(-t/tau)) crosses 1 at t = tau ln 2 = 6.93 ms: spikes every 7 steps... of
    # 0.1 ms, so 2 spikes per neuron in 20 ms (at 6.9 and 13.9 ms).
    assert simulate(package)["spikes"].num_spikes == 10
    assert simulate(package, overrides={"tau": "5*ms"})["spikes"].num_spikes == 25


def test_snngen_build_needs_a_run(tmp_path, capsys):
    script = tmp_path / "empty.py"
    script.write_text("x = 1\n")
    assert cli(["build", str(script), "-o", str(tmp_path / "out")]) == 2
    assert "never called run()" in capsys.readouterr().err


def test_reading_something_that_is_not_a_build_folder(tmp_path):
    with pytest.raises(PackageError, match="not a snngen build folder"):
        Package.read(tmp_path)
