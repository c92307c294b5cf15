"""Wang (2002) decision-making network: two selective pools compete; the one with the
stronger stimulus usually wins (Neuron 36:955).

2000 LIF neurons: pools A and B (240 excitatory each), 1120 non-selective excitatory and 400
inhibitory. Recurrent AMPA and NMDA (with the Mg2+ block) from excitatory, GABA_A from
inhibitory neurons, all-to-all with structured weights (w+ = 1.7 within a pool, w- for the
others); 2400 Hz Poisson background; from 0.2 s to 1.2 s, pool A (B) gets Poisson input at
40 ± 40·c/100 Hz, with 4 Hz noise resampled every 50 ms.

NMDA input is O(N) per step, not O(N²): the gating variable s_NMDA lives in the presynaptic
neuron (it depends only on its spikes); summed variables add it up per pool (three numbers),
then onto every target with the pool-to-target weight.

Usage: python decision_making.py [--coherence 25.6] [--trials 0] [--size 2000]
Plots the pools' rates and rasters of one trial to decision_making.png; with --trials N it
also runs a sweep over coherence and prints the fraction of trials pool A wins.
"""

import argparse

import numpy as np

from snngen import (
    Hz,
    Network,
    NeuronGroup,
    PoissonGroup,
    PoissonInput,
    PopulationRateMonitor,
    SpikeMonitor,
    Synapses,
    TimedArray,
    ms,
    mV,
    nF,
    nS,
    second,
    seed,
)

EQUATIONS = """
dv/dt = (-g_L*(v - V_L) - I_syn)/C_m : volt (unless refractory)
I_syn = I_AMPA_ext + I_AMPA + I_NMDA + I_GABA : amp
I_AMPA_ext = g_ext*(v - V_E)*s_ext : amp
I_AMPA = g_AMPA*(v - V_E)*s_AMPA : amp
I_NMDA = g_NMDA*(v - V_E)*s_NMDA_total/(1 + Mg*exp(-0.062*v/mV)/3.57) : amp
I_GABA = g_GABA*(v - V_I)*s_GABA : amp
ds_ext/dt = -s_ext/tau_AMPA : 1
ds_AMPA/dt = -s_AMPA/tau_AMPA : 1
ds_GABA/dt = -s_GABA/tau_GABA : 1
dx/dt = -x/tau_rise : 1
ds_NMDA/dt = -s_NMDA/tau_decay + alpha*x*(1 - s_NMDA) : 1
s_NMDA_total : 1
C_m : farad (constant)
g_L : siemens (constant)
g_ext : siemens (constant)
g_AMPA : siemens (constant)
g_NMDA : siemens (constant)
g_GABA : siemens (constant)
ref : second (constant)
"""
CONSTANTS = dict(V_L=-70 * mV, V_E=0 * mV, V_I=-70 * mV, Mg=1.0, tau_AMPA=2 * ms,
                 tau_GABA=5 * ms, tau_rise=2 * ms, tau_decay=100 * ms, alpha=0.5 / ms)  # fmt: skip


def decision_network(
    coherence: float, size: int = 2000, duration: float = 1.5, trial_seed: int = 0
):
    """One trial; returns (rate of A, rate of B) in the last 200 ms of the stimulus, and
    the monitors."""
    seed(trial_seed)
    n_e = size * 4 // 5
    n_pool = round(0.15 * n_e)
    scale = 2000 / size  # recurrent conductances scale with 1/N (Wang's values are for 2000)
    w_plus = 1.7
    w_minus = 1 - 0.15 * (w_plus - 1) / (1 - 0.15)
    neurons = NeuronGroup(size, EQUATIONS, threshold="v > -50*mV", reset="v = -55*mV; x += 1",
                          refractory="ref", method="euler", namespace=CONSTANTS)  # fmt: skip
    excitatory, inhibitory = neurons[:n_e], neurons[n_e:]
    excitatory.C_m, excitatory.g_L, excitatory.ref = 0.5 * nF, 25 * nS, 2 * ms
    inhibitory.C_m, inhibitory.g_L, inhibitory.ref = 0.2 * nF, 20 * nS, 1 * ms
    excitatory.g_ext, inhibitory.g_ext = 2.1 * nS, 1.62 * nS
    excitatory.g_AMPA, inhibitory.g_AMPA = 0.05 * nS * scale, 0.04 * nS * scale
    excitatory.g_NMDA, inhibitory.g_NMDA = 0.165 * nS * scale, 0.13 * nS * scale
    excitatory.g_GABA, inhibitory.g_GABA = 1.3 * nS * scale, 1.0 * nS * scale
    neurons.v = "-70*mV + 20*mV*rand()"
    pool = np.r_[np.zeros(n_pool), np.ones(n_pool), np.full(n_e - 2 * n_pool, 2)].astype(int)

    # Recurrent AMPA, all-to-all from excitatory neurons, with structured weights.
    ampa = Synapses(excitatory, neurons, "w : 1", on_pre="s_AMPA += w")
    ampa.connect()
    ampa.w = _weights(pool, ampa.i[:], ampa.j[:], n_e, w_plus, w_minus)
    gaba = Synapses(inhibitory, neurons, on_pre="s_GABA += 1")
    gaba.connect()
    # NMDA: per-pool sums of s_NMDA, then onto every neuron with the pool's weight.
    pools = NeuronGroup(3, "total : 1")
    pooling = Synapses(excitatory, pools, "total_post = s_NMDA_pre : 1 (summed)")
    pooling.connect(j="int(i >= n_pool) + int(i >= 2*n_pool)")
    nmda = Synapses(pools, neurons, "w : 1\ns_NMDA_total_post = w*total_pre : 1 (summed)")
    nmda.connect()
    nmda.w = _weights(np.arange(3), nmda.i[:], nmda.j[:], n_e, w_plus, w_minus, pool)

    background = PoissonInput(neurons, "s_ext", 1000, 2.4 * Hz, weight=1.0)
    rates = _stimulus(coherence, n_pool, duration, trial_seed)
    stimulus = PoissonGroup(2 * n_pool, "rates_table(t, i)", namespace={"rates_table": rates})
    drive = Synapses(stimulus, excitatory, on_pre="s_ext += 1")
    drive.connect(j="i")
    spikes = SpikeMonitor(excitatory)
    rate_a, rate_b = PopulationRateMonitor(neurons[:n_pool]), PopulationRateMonitor(
        neurons[n_pool : 2 * n_pool])  # fmt: skip
    Network(neurons, pools, stimulus, ampa, gaba, pooling, nmda, background, drive, spikes,
            rate_a, rate_b).run(duration * second, namespace={"n_pool": n_pool})  # fmt: skip
    window = slice(int(1.0 / 1e-4), int(1.2 / 1e-4))
    return (
        rate_a.rate_[window].mean(),
        rate_b.rate_[window].mean(),
        (spikes, rate_a, rate_b, n_pool),
    )


def _weights(pool_of_source, i, j, n_e, w_plus, w_minus, pool_of_neuron=None):
    """AMPA/NMDA weight of each synapse: w+ within a selective pool, w- from the other pools
    onto a selective pool, 1 otherwise (onto non-selective and inhibitory neurons)."""
    pool_of_neuron = pool_of_source if pool_of_neuron is None else pool_of_neuron
    source = pool_of_source[i]
    target = np.where(j < n_e, pool_of_neuron[np.minimum(j, n_e - 1)], 3)
    selective_target = target < 2
    return np.where(selective_target & (source == target), w_plus,
                    np.where(selective_target, w_minus, 1.0))  # fmt: skip


def _stimulus(coherence, n_pool, duration, trial_seed):
    """Rates per 50 ms and per stimulus neuron: on from 0.2 s to 1.2 s, noise per trial."""
    bins = int(np.ceil(duration / 0.05))
    t = np.arange(bins) * 0.05
    on = (t >= 0.2) & (t < 1.2)
    mean_a, mean_b = 40 + 40 * coherence / 100, 40 - 40 * coherence / 100
    noise = np.random.default_rng([trial_seed, int(1000 * coherence)]).normal(0, 4, (bins, 2))
    a = np.clip(mean_a + noise[:, 0], 0, None) * on
    b = np.clip(mean_b + noise[:, 1], 0, None) * on
    table = np.concatenate([np.repeat(a[:, None], n_pool, 1), np.repeat(b[:, None], n_pool, 1)], 1)
    return TimedArray(table * Hz, dt=50 * ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coherence", type=float, default=25.6)
    parser.add_argument("--trials", type=int, default=0)
    parser.add_argument("--size", type=int, default=2000)
    args = parser.parse_args()
    a, b, (spikes, rate_a, rate_b, n_pool) = decision_network(args.coherence, args.size)
    print(
        f"coherence {args.coherence}%: A {a:.1f} Hz, B {b:.1f} Hz -> {'A' if a > b else 'B'} wins"
    )
    _plot(spikes, rate_a, rate_b, n_pool)
    for coherence in (0.0, 6.4, 12.8, 25.6, 51.2) if args.trials else ():
        wins = [
            decision_network(coherence, args.size, trial_seed=k)[:2] for k in range(args.trials)
        ]
        fraction = np.mean([a > b for a, b in wins])
        print(f"coherence {coherence:5.1f}%: A wins {fraction:.0%} of {args.trials} trials")


def _plot(spikes, rate_a, rate_b, n_pool):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (raster, rates) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    selective = spikes.i < 2 * n_pool
    raster.plot(spikes.t[selective] / ms, spikes.i[selective], ",k")
    raster.set_ylabel("A (bottom), B (top)")
    for monitor, label in ((rate_a, "A"), (rate_b, "B")):
        rates.plot(monitor.t / ms, monitor.smooth_rate(width=25 * ms) / Hz, label=label)
    rates.axvspan(200, 1200, color="0.9")
    rates.set_xlabel("time (ms)")
    rates.set_ylabel("rate (Hz)")
    rates.legend()
    figure.tight_layout()
    figure.savefig("decision_making.png", dpi=110)
    print("wrote decision_making.png")


if __name__ == "__main__":
    main()
