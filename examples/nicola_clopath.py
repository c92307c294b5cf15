"""The Nicola & Clopath balanced network of the design documents' NumPy seed, in snngen.

2000 LIF neurons (tau_m = 10 ms, v_reset = -65 mV, v_peak = -40 mV, tau_ref = 2 ms, offset
-40 mV) coupled by double-exponential synapses (tau_rise = 2 ms, tau_decay = 20 ms) through a
dense random weight matrix w = g N(0,1) (U < p)/(sqrt(n) p), p = 0.1, g = 0.04, with each row's
non-zero entries centred on zero; dt = 0.05 ms, T = 2 s. Voltages are numbers in mV, as in the
original. The weight matrix and the initial voltages are drawn exactly as the NumPy code draws
them (numpy's global generator, seed 100), so both programs simulate the same network.

How it was checked against the NumPy original (../shared/reference/nicola_clopath_numpy.py,
with spike times recorded): with seed 100 the original gives 18.71 Hz and a mean CV of
interspike intervals of 0.905; with seeds 101-103, 18.83/18.73/18.70 Hz and 0.920/0.875/0.879.
This script (seed 100) gives 18.63 Hz and 0.881: within that seed-to-seed spread. The two
programs differ in one detail: the original integrates v with Euler steps and ipsc/hm with
per-variable exponential factors, snngen integrates the linear system (v, ipsc, hm) exactly;
the network is chaotic, so individual spike times diverge and only statistics can agree.

Writes nicola_clopath.png: three voltage traces (spikes drawn to 30 mV, as the original records
them) and a raster of 200 neurons.
"""

import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from snngen import NeuronGroup, SpikeMonitor, StateMonitor, Synapses, defaultclock, ms, run, second

n, p, g, seed = 2000, 0.1, 0.04, 100
tm, tr, td, tref = 10 * ms, 2 * ms, 20 * ms, 2 * ms
v_reset, v_peak, offset = -65.0, -40.0, -40.0
duration = 2 * second
defaultclock.dt = 0.05 * ms

# The NumPy seed's draws, in its order: weights (w[post, pre]), then initial voltages.
np.random.seed(seed)
weights = g * np.random.randn(n, n) * (np.random.rand(n, n) < p) / (np.sqrt(n) * p)
nonzero = np.abs(weights) > 0
row_means = np.mean(weights, axis=1, where=nonzero)[:, None]
weights[nonzero] -= np.repeat(row_means, n, axis=1)[nonzero]
v_initial = v_reset + np.random.rand(n) * (30 - v_reset)

neurons = NeuronGroup(
    n,
    """
    dv/dt = (-v + ipsc + offset)/tm : 1 (unless refractory)
    dipsc/dt = -ipsc/tr + hm : 1
    dhm/dt = -hm/td : Hz
    """,
    threshold="v >= v_peak",
    reset="v = v_reset",
    refractory=tref,
)
neurons.v = v_initial
neurons.lastspike = 0 * ms  # the original starts with every neuron refractory (tlast = 0)
# Weights are the original's numbers in its units (mV·s): a spike adds w/(tau_r tau_d) to hm.
synapses = Synapses(neurons, neurons, "w : second", on_pre="hm_post += w/(tr*td)")
synapses.connect_weights(weights.T * second)  # connect_weights takes (pre, post)
spikes = SpikeMonitor(neurons)
voltage = StateMonitor(neurons, "v", record=[0, 1, 2])
started = time.perf_counter()
run(duration)
elapsed = time.perf_counter() - started

seconds = float(duration / second)
trains = spikes.spike_trains()
intervals = [np.diff(np.asarray(trains[k] / second)) for k in range(n)]
cv = np.mean([np.std(d) / np.mean(d) for d in intervals if len(d) > 2])
rate = spikes.num_spikes / n / seconds
print(f"{len(synapses)} synapses; mean rate {rate:.2f} Hz, mean CV of interspike intervals "
      f"{cv:.3f}; {elapsed:.1f} s including compilation")  # fmt: skip

figure, axes = plt.subplots(4, 1, figsize=(10, 8), sharex=True)
t = np.asarray(voltage.t / ms)
for row, k in enumerate([0, 1, 2]):
    trace = np.array(voltage.v[row])
    spike_steps = np.searchsorted(t, np.asarray(trains[k] / ms) + 0.025)
    trace[spike_steps[spike_steps < len(trace)]] = 30  # spikes drawn to 30 mV
    axes[row].plot(t, trace, lw=0.6)
    axes[row].set_ylabel(f"v{k} (mV)")
shown = spikes.i < 200
axes[3].plot(np.asarray(spikes.t / ms)[shown], spikes.i[shown], ",k")
axes[3].set_ylabel("neuron")
axes[3].set_xlabel("time (ms)")
axes[0].set_title("Nicola & Clopath balanced network (2000 LIF neurons, dense weights)")
figure.tight_layout()
figure.savefig("nicola_clopath.png", dpi=110)
print("wrote nicola_clopath.png")
