"""The current-based (CUBA) variant of the E/I network: exponential synaptic currents instead
of conductances (the Vogels & Abbott 2005 benchmark network, as in Brian2's examples).

4000 LIF neurons (3200 E, 800 I), p = 0.02; a spike adds a fixed voltage jump to a synaptic
current variable that decays with 5 ms (E) or 10 ms (I). Writes cuba.png, a raster plot.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from snngen import NeuronGroup, SpikeMonitor, Synapses, ms, mV, run, second, seed

seed(11)
tau_m, tau_e, tau_i = 20 * ms, 5 * ms, 10 * ms
v_threshold, v_reset, E_leak = -50 * mV, -60 * mV, -49 * mV
w_e, w_i = 60 * 0.27 / 10 * mV, -20 * 4.5 / 10 * mV  # jumps scaled from the benchmark

neurons = NeuronGroup(4000, """
    dv/dt = (ge + gi - (v - E_leak))/tau_m : volt (unless refractory)
    dge/dt = -ge/tau_e : volt
    dgi/dt = -gi/tau_i : volt
    """, threshold="v > v_threshold", reset="v = v_reset", refractory=5 * ms)  # fmt: skip
neurons.v = "v_reset + rand()*(v_threshold - v_reset)"
excitatory = Synapses(neurons[:3200], neurons, on_pre="ge += w_e")
excitatory.connect(p=0.02)
inhibitory = Synapses(neurons[3200:], neurons, on_pre="gi += w_i")
inhibitory.connect(p=0.02)
spikes = SpikeMonitor(neurons)
run(1 * second)
print(f"mean rate {spikes.num_spikes / 4000:.1f} Hz")
plt.figure(figsize=(10, 4))
plt.plot(spikes.t / ms, spikes.i, ",k")
plt.xlabel("time (ms)")
plt.ylabel("neuron")
plt.title("CUBA network: 4000 LIF neurons with current-based synapses")
plt.tight_layout()
plt.savefig("cuba.png", dpi=120)
print("wrote cuba.png")
