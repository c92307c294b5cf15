"""The E/I network benchmark: snngen, and Brian2 and the NumPy original when available.

    python benchmarks/ei_network.py [--sizes 4000 20000 100000] [--durations 1 10]
                                    [--brian2-python PATH] [--brian2-targets cython cpp_standalone]
                                    [--numpy-reference PATH]

For each network size (constant in-degree 80: p = 80/N, 80 % excitatory) and duration, every
simulator runs in a fresh process with an empty cache and reports: setup time (building the
network, generating and compiling code), loop time, peak resident memory and the synapses'
storage per synapse. Brian2 runs in the interpreter given by --brian2-python (default: this
one, if it can import brian2). The Nicola & Clopath network is timed against its NumPy original
(--numpy-reference, default ../shared/reference/nicola_clopath_numpy.py if present).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

NETWORK = """
dv/dt = (v_rest - v + I_ext + ge*(E_exc - v) + gi*(E_inh - v))/tau : volt (unless refractory)
dge/dt = -ge/tau_exc : 1
dgi/dt = -gi/tau_inh : 1
"""

# The network's construction, shared with benchmarks/sweep.py (which sweeps w_inh).
BUILD = """
v_rest, v_th, I_ext, E_exc, E_inh = -60*mV, -50*mV, 20*mV, 0*mV, -80*mV
tau, tau_exc, tau_inh, w_inh = 20*ms, 5*ms, 10*ms, {w_inh}
n = {n}
P = NeuronGroup(n, '''{network}''', threshold='v > v_th', reset='v = v_rest', refractory=5*ms,
                method='exponential_euler')
P.v = 'v_rest + 2*mV*randn()'
E = Synapses(P[:4*n//5], P, on_pre='ge += 0.6')
E.connect(p=80.0/n)
I = Synapses(P[4*n//5:], P, on_pre='gi += w_inh')
I.connect(p=80.0/n)
"""
W_INH = 6.7  # the BrainPy tutorial's inhibitory weight

SCRIPT = (
    """
import json, resource, sys, time
start = time.perf_counter()
from {module} import *
{preamble}
"""
    + BUILD
    + """
spikes = SpikeMonitor(P)
{run_zero}
ready = time.perf_counter()
run({duration}*second)
loop = time.perf_counter() - ready
{build}
done = time.perf_counter()
synapses = len(E) + len(I)
who = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)  # Brian2's binary is a child
peak = sorted(resource.getrusage(w).ru_maxrss for w in who)[-1] / 1024  # not brian2's max
print("RESULT " + json.dumps(dict(setup=done - start - loop, loop=loop, synapses=int(synapses),
      spikes=int(spikes.num_spikes), peak_mib=peak, bytes_per_synapse={bytes_per_synapse})))
"""
)

SNNGEN = dict(
    module="snngen", preamble="", run_zero="run(0*ms)", build="",
    bytes_per_synapse="(E.nbytes + I.nbytes) / synapses",
)  # fmt: skip
BRIAN2 = {
    "cython": dict(
        module="brian2", preamble="prefs.codegen.target = 'cython'", run_zero="run(0*ms)",
        build="", bytes_per_synapse="float('nan')",
    ),
    "cpp_standalone": dict(
        module="brian2",
        build="device.build(directory='brian2_build', compile=True, run=True); "
              "loop = device._last_run_time",
        preamble="set_device('cpp_standalone', build_on_run=False)", run_zero="",
        bytes_per_synapse="float('nan')",
    ),
}  # fmt: skip


def measure(python: str, settings: dict, n: int, duration: float) -> dict | None:
    code = SCRIPT.format(n=n, duration=duration, network=NETWORK, w_inh=W_INH, **settings)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SNNGEN_CACHE_DIR": cache}
        result = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env,
                                cwd=cache)  # fmt: skip
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode != 0 or not lines:
        print(f"  ({settings['module']} failed: {result.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(lines[-1][len("RESULT ") :])


def brian2_python(requested: str | None) -> str | None:
    python = requested or sys.executable
    found = subprocess.run([python, "-c", "import brian2"], capture_output=True).returncode == 0
    return python if found else None


def nicola_clopath(reference: Path) -> None:
    if not reference.exists():
        print(f"\nNicola & Clopath: NumPy original not found at {reference}; skipped")
        return
    original = subprocess.run([sys.executable, str(reference)], capture_output=True, text=True)
    line = next(x for x in original.stdout.splitlines() if x.startswith("RESULT "))
    numpy_result = json.loads(line[len("RESULT ") :])
    example = Path(__file__).parents[1] / "examples" / "nicola_clopath.py"
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "SNNGEN_CACHE_DIR": folder}
        ours = subprocess.run([sys.executable, str(example)], capture_output=True, text=True,
                              env=env, cwd=folder).stdout  # fmt: skip
        warm = subprocess.run([sys.executable, str(example)], capture_output=True, text=True,
                              env=env, cwd=folder).stdout  # fmt: skip
    print("\nNicola & Clopath (2000 neurons, 2 s, dt = 0.05 ms)")
    print(
        f"  NumPy original: loop {numpy_result['t_loop']:.2f} s, {numpy_result['rate_Hz']:.2f} Hz"
    )
    print(f"  snngen, cold:   {ours.strip().splitlines()[0]}")
    print(f"  snngen, warm:   {warm.strip().splitlines()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 20000, 100000])
    parser.add_argument("--durations", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--brian2-python", default=None)
    parser.add_argument("--brian2-targets", nargs="+", default=["cython", "cpp_standalone"])
    parser.add_argument("--brian2-max-size", type=int, default=20000,
                        help="skip Brian2 above this size (its runs take minutes)")  # fmt: skip
    default_reference = Path(__file__).parents[2] / "shared/reference/nicola_clopath_numpy.py"
    parser.add_argument("--numpy-reference", type=Path, default=default_reference)
    args = parser.parse_args()
    brian2 = brian2_python(args.brian2_python)
    header = f"{'simulator':24} {'N':>7} {'T (s)':>6} {'setup (s)':>9} {'loop (s)':>9} "
    header += f"{'rate (Hz)':>9} {'peak MiB':>9} {'B/syn':>6} {'loop ratio':>10}"
    print(header)
    for n in args.sizes:
        for duration in args.durations:
            ours = measure(sys.executable, SNNGEN, n, duration)
            rows = [("snngen", ours)]
            if brian2 and n <= args.brian2_max_size:
                rows += [(f"brian2 {t}", measure(brian2, BRIAN2[t], n, duration))
                         for t in args.brian2_targets]  # fmt: skip
            for name, result in rows:
                if result is None:
                    continue
                ratio = result["loop"] / ours["loop"] if ours else float("nan")
                rate = result["spikes"] / n / duration
                print(f"{name:24} {n:7d} {duration:6.0f} {result['setup']:9.2f} "
                      f"{result['loop']:9.3f} {rate:9.1f} {result['peak_mib']:9.0f} "
                      f"{result['bytes_per_synapse']:6.1f} {ratio:10.1f}")  # fmt: skip
    if not brian2:
        print("(Brian2 not found: pass --brian2-python to compare)")
    nicola_clopath(args.numpy_reference)


if __name__ == "__main__":
    main()
