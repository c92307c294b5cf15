"""A parameter sweep of the E/I balanced network that compiles once: inhibitory weight × input.

The network (3200 E + 800 I LIF neurons, p = 0.02, as in ei_network.py) is built and compiled
once; every grid point sets the parameters `w_inh` and `I_ext` in the same compiled module and
runs 0.5 s. With the `dask` extra the points run on a local Dask cluster, whose workers receive
the module's bytes (no compiler on the workers); without it, on local worker processes.
Writes sweep_ei.png: the mean excitatory rate against the inhibitory weight, one line per input.

    python examples/sweep_ei.py [--workers 2]
"""

import argparse
import importlib.util
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from snngen import Network, NeuronGroup, SpikeMonitor, Synapses, ms, mV, seed, sweep
from snngen.sweeps import grid


def mean_rates(results, **point):
    """Rates in Hz of the two populations (runs on the workers, so it is a plain function)."""
    return {
        "E rate (Hz)": results["E"].count.mean() / results.duration,
        "I rate (Hz)": results["I"].count.mean() / results.duration,
    }


def ei_network():
    v_rest, v_th, v_reset = -60 * mV, -50 * mV, -60 * mV
    tau, tau_exc, tau_inh, E_exc, E_inh = 20 * ms, 5 * ms, 10 * ms, 0 * mV, -80 * mV
    equations = """
    dv/dt = (v_rest - v + I_ext + ge*(E_exc - v) + gi*(E_inh - v))/tau : volt (unless refractory)
    dge/dt = -ge/tau_exc : 1
    dgi/dt = -gi/tau_inh : 1
    """
    constants = dict(v_rest=v_rest, v_th=v_th, v_reset=v_reset, tau=tau, tau_exc=tau_exc,
                     tau_inh=tau_inh, E_exc=E_exc, E_inh=E_inh)  # fmt: skip
    neurons = NeuronGroup(4000, equations, threshold="v > v_th", reset="v = v_reset",
                          refractory=5 * ms, method="exponential_euler",
                          namespace=constants)  # fmt: skip
    neurons.v = "v_rest + 2*mV*randn()"
    excitatory, inhibitory = neurons[:3200], neurons[3200:]
    to_all_e = Synapses(excitatory, neurons, on_pre="ge += 0.6")
    to_all_e.connect(p=0.02)
    to_all_i = Synapses(inhibitory, neurons, on_pre="gi += w_inh")
    to_all_i.connect(p=0.02)
    monitors = SpikeMonitor(excitatory, name="E"), SpikeMonitor(inhibitory, name="I")
    return Network(neurons, to_all_e, to_all_i, *monitors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seed(2024)
    network = ei_network()
    points = grid(w_inh=[3.0, 5.0, 6.7, 9.0, 12.0], I_ext=[15 * mV, 20 * mV, 25 * mV])
    first = {"w_inh": 6.7, "I_ext": 20 * mV}  # the values the network is packed with
    started = time.perf_counter()
    if importlib.util.find_spec("distributed") is not None:
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1,
                               dashboard_address=None)  # fmt: skip
        with cluster, Client(cluster) as client:
            table = sweep(network, points, 500 * ms, mean_rates, runner=client, namespace=first)
        where = f"a local Dask cluster of {args.workers} workers"
    else:
        table = sweep(network, points, 500 * ms, mean_rates, runner="processes",
                      workers=args.workers, namespace=first)  # fmt: skip
        where = f"{args.workers} local processes (install the dask extra for a Dask cluster)"
    elapsed = time.perf_counter() - started
    print(table)
    print(f"{len(table)} points on {where} in {elapsed:.1f} s, compiled once")
    if table.failed:
        raise SystemExit(f"{len(table.failed)} point(s) failed: {table.failed[0]['error']}")

    figure, ax = plt.subplots(figsize=(6, 4))
    inputs = np.array([float(row["I_ext"] / mV) for row in table.rows])
    for current in sorted(set(inputs)):
        rows = inputs == current
        weights = table.column("w_inh")[rows]
        ax.plot(weights, table.column("E rate (Hz)")[rows], "o-", label=f"I_ext = {current:g} mV")
    ax.set_xlabel("inhibitory weight w_inh (gi increment per spike)")
    ax.set_ylabel("mean E rate (Hz)")
    ax.set_yscale("log")
    ax.set_title("E/I network: rate against inhibition, one compiled module")
    ax.legend()
    figure.tight_layout()
    figure.savefig("sweep_ei.png", dpi=120)
    print("wrote sweep_ei.png")
    assert np.all(np.isfinite(table.column("E rate (Hz)")))


if __name__ == "__main__":
    main()
