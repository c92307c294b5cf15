"""Spike-timing-dependent plasticity drives a bimodal weight distribution (Song, Miller and
Abbott 2000, Nat. Neurosci. 3:919).

1000 Poisson inputs at 15 Hz excite one conductance-based LIF neuron through plastic synapses
with pair-based STDP written with two event-driven traces (depression slightly stronger than
potentiation). Starting from uniform weights, competition pushes weights towards 0 or w_max.
Writes stdp.png: the final weight distribution and the weights against input index.
"""

import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from snngen import Hz, NeuronGroup, PoissonGroup, Synapses, ms, mV, run, second, seed

seed(7)
n_inputs, rate = 1000, 15 * Hz
tau_m, tau_e = 10 * ms, 5 * ms
E_e, v_threshold, v_reset, E_leak = 0 * mV, -54 * mV, -60 * mV, -74 * mV
tau_plus = tau_minus = 20 * ms
w_max = 0.01
A_plus = 0.01 * w_max
A_minus = -A_plus * tau_plus / tau_minus * 1.05  # depression wins slightly: competition
duration = 100 * second

inputs = PoissonGroup(n_inputs, rate)
neuron = NeuronGroup(1, """
    dv/dt = (ge*(E_e - v) + E_leak - v)/tau_m : volt
    dge/dt = -ge/tau_e : 1
    """, threshold="v > v_threshold", reset="v = v_reset", method="euler")  # fmt: skip
neuron.v = v_reset
plastic = Synapses(inputs, neuron, """
    w : 1
    dtrace_pre/dt = -trace_pre/tau_plus : 1 (event-driven)
    dtrace_post/dt = -trace_post/tau_minus : 1 (event-driven)
    """,
    on_pre="""
    ge += w
    trace_pre += A_plus
    w = clip(w + trace_post, 0, w_max)
    """,
    on_post="""
    trace_post += A_minus
    w = clip(w + trace_pre, 0, w_max)
    """)  # fmt: skip
plastic.connect()
plastic.w = "rand()*w_max"
started = time.perf_counter()
run(duration, report="text", report_period=10 * second)
elapsed = time.perf_counter() - started

weights = np.asarray(plastic.w[:]) / w_max
near_bounds = np.mean((weights < 0.1) | (weights > 0.9))
print(f"{100 * near_bounds:.0f} % of weights within 10 % of 0 or w_max after "
      f"{float(duration / second):.0f} s; {elapsed:.1f} s of wall time")  # fmt: skip

figure, (histogram, scatter) = plt.subplots(1, 2, figsize=(10, 3.5))
histogram.hist(weights, bins=20, color="tab:blue")
histogram.set_xlabel("w / w_max")
histogram.set_ylabel("synapses")
scatter.plot(weights, ".", ms=3)
scatter.set_xlabel("input index")
scatter.set_ylabel("w / w_max")
figure.suptitle("STDP: weights after 100 s of 15 Hz Poisson input")
figure.tight_layout()
figure.savefig("stdp.png", dpi=120)
print("wrote stdp.png")
