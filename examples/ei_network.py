"""The E/I balanced network of the BrainPy tutorial this project grew from, in Brian2's terms.

3200 excitatory and 800 inhibitory leaky integrate-and-fire neurons, conductance-based synapses
with exponential decay, random connections with p = 0.02, a constant input; 1 s at dt = 0.1 ms.
Brian2 2.11 gives about 20.4 Hz (E) and 21.2 Hz (I) on this network. Writes ei_network.png.
"""

import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from snngen import (
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    Synapses,
    ms,
    mV,
    run,
    second,
    seed,
)

seed(2024)
v_rest, v_th, v_reset = -60 * mV, -50 * mV, -60 * mV
tau, tau_ref = 20 * ms, 5 * ms
E_exc, E_inh, tau_exc, tau_inh = 0 * mV, -80 * mV, 5 * ms, 10 * ms
I_ext = 20 * mV
duration = 1 * second

equations = """
dv/dt = (v_rest - v + I_ext + ge*(E_exc - v) + gi*(E_inh - v))/tau : volt (unless refractory)
dge/dt = -ge/tau_exc : 1
dgi/dt = -gi/tau_inh : 1
"""
neurons = NeuronGroup(4000, equations, threshold="v > v_th", reset="v = v_reset",
                      refractory=tau_ref, method="exponential_euler")  # fmt: skip
neurons.v = "v_rest + 2*mV*randn()"
excitatory, inhibitory = neurons[:3200], neurons[3200:]

to_excitatory = Synapses(excitatory, neurons, on_pre="ge += 0.6")
to_excitatory.connect(p=0.02)
to_inhibitory = Synapses(inhibitory, neurons, on_pre="gi += 6.7")
to_inhibitory.connect(p=0.02)

spikes_e, spikes_i = SpikeMonitor(excitatory), SpikeMonitor(inhibitory)
rate_e = PopulationRateMonitor(excitatory)
started = time.perf_counter()
run(duration)
elapsed = time.perf_counter() - started

seconds = float(duration / second)
rate_of = {"E": spikes_e.num_spikes / 3200 / seconds, "I": spikes_i.num_spikes / 800 / seconds}
print(f"E: {rate_of['E']:.1f} Hz, I: {rate_of['I']:.1f} Hz (Brian2: about 20.4 Hz and 21.2 Hz); "
      f"{elapsed:.2f} s including compilation")  # fmt: skip

figure, (raster, rate) = plt.subplots(2, 1, figsize=(10, 5), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1]})  # fmt: skip
raster.plot(spikes_e.t / ms, spikes_e.i, ",", color="tab:blue", label="E")
raster.plot(spikes_i.t / ms, spikes_i.i + 3200, ",", color="tab:red", label="I")
raster.set_ylabel("neuron")
raster.set_title("E/I balanced network: 3200 E + 800 I LIF neurons")
rate.plot(rate_e.t / ms, rate_e.smooth_rate(width=2 * ms) / (1 / second), color="tab:blue")
rate.set_xlabel("time (ms)")
rate.set_ylabel("E rate (Hz)")
figure.tight_layout()
figure.savefig("ei_network.png", dpi=120)
print("wrote ei_network.png")
