"""The f–I curve of a leaky integrate-and-fire neuron: one group, one input current per neuron.

Compares the simulated firing rates with the closed form
f(I) = 1 / (t_ref + tau * log(R I / (R I - (v_th - v_rest)))) and writes fi_curve.png.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from snngen import Mohm, NeuronGroup, SpikeMonitor, ms, mV, nA, run, second

tau, v_rest, v_th, v_reset = 20 * ms, -70 * mV, -50 * mV, -70 * mV
R, t_ref = 100 * Mohm, 2 * ms
duration = 2 * second

neurons = NeuronGroup(
    500,
    """
    dv/dt = (v_rest - v + R*I)/tau : volt (unless refractory)
    I : amp
    """,
    threshold="v > v_th",
    reset="v = v_reset",
    refractory=t_ref,
    method="exact",
)
neurons.v = v_rest
neurons.I = "0.5*nA*i/(N - 1)"
spikes = SpikeMonitor(neurons)
run(duration)

current = np.asarray(neurons.I / nA)
rate = spikes.count / float(duration / second)
drive = np.asarray(R * neurons.I / mV)
gap = float((v_th - v_rest) / mV)
with np.errstate(divide="ignore", invalid="ignore"):
    interval = float(t_ref / second) + float(tau / second) * np.log(drive / (drive - gap))
theory = np.where(drive > gap, 1 / interval, 0.0)

print(f"{spikes.num_spikes} spikes; largest |simulated - theory| = "
      f"{np.max(np.abs(rate - theory)):.2f} Hz (spike times fall on the 0.1 ms grid)")  # fmt: skip
plt.figure(figsize=(5, 3.5))
plt.plot(current, theory, "k-", lw=1, label="closed form")
plt.plot(current[::10], rate[::10], "o", ms=4, label="snngen")
plt.xlabel("input current (nA)")
plt.ylabel("firing rate (Hz)")
plt.title("LIF f–I curve")
plt.legend()
plt.tight_layout()
plt.savefig("fi_curve.png", dpi=120)
print("wrote fi_curve.png")
