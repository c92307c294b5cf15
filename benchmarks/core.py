"""Cold and warm whole-process times, and the compiled loop's cost per neuron per step.

    python benchmarks/core.py [--neurons 4000] [--duration 1.0]

*cold*: a new process with an empty module cache (parse, derive, generate, compile, run);
*warm*: a new process whose module is cached; *loop*: the compiled run alone, divided by
neurons × steps. The model is a conductance-based LIF group with exponential Euler, driven so
that it fires at a few Hz per neuron, with a spike monitor (the neuron part of the E/I network).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

SCRIPT = """
import json, sys, time
start = time.perf_counter()
from snngen import NeuronGroup, Network, SpikeMonitor, mV, ms, nS, pF, second
group = NeuronGroup({neurons}, '''
dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v) + I)/C : volt (unless refractory)
dge/dt = -ge/taue : siemens
dgi/dt = -gi/taui : siemens
I : amp
''', threshold='v > -50*mV', reset='v = -60*mV', refractory=5*ms, method='exponential_euler',
   namespace=dict(gl=10*nS, El=-60*mV, Ee=0*mV, Ei=-80*mV, C=200*pF, taue=5*ms, taui=10*ms))
group.v = '-60*mV + rand()*10*mV'
group.I = '(0.1 + 0.02*rand())*nA'
spikes = SpikeMonitor(group)
net = Network(group, spikes)
net.run(0*ms)
ready = time.perf_counter()
net.run({duration}*second)
done = time.perf_counter()
print(json.dumps(dict(setup=ready - start, loop=done - ready, total=done - start,
                      spikes=spikes.num_spikes)))
"""


def run_process(neurons: int, duration: float, cache: str) -> dict:
    code = SCRIPT.format(neurons=neurons, duration=duration)
    env = {**os.environ, "SNNGEN_CACHE_DIR": cache}
    began = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    result = json.loads(output.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - began
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    args = parser.parse_args()
    steps = round(args.duration / 1e-4)
    with tempfile.TemporaryDirectory() as cache:
        cold = run_process(args.neurons, args.duration, cache)
        warm = run_process(args.neurons, args.duration, cache)
    print(f"{args.neurons} neurons, {args.duration} s simulated ({steps} steps of 0.1 ms), "
          f"{warm['spikes']} spikes\n")  # fmt: skip
    print(f"{'':6} {'process (s)':>12} {'setup (s)':>10} {'loop (s)':>9}")
    for name, result in (("cold", cold), ("warm", warm)):
        print(f"{name:6} {result['process']:12.2f} {result['setup']:10.2f} {result['loop']:9.3f}")
    per = warm["loop"] / (args.neurons * steps) * 1e9
    print(f"\ncompiled loop: {per:.2f} ns per neuron per step")


if __name__ == "__main__":
    main()
