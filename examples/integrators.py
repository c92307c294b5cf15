"""Numerical integration for neuron models: a walk-through with measurements and figures.

Run it and read along (docs/integration.md discusses the figures):

    python examples/integrators.py [--out FOLDER]

It writes five PNG files: integrators_leaky.png, integrators_hh.png, integrators_stiff.png,
integrators_ou.png and integrators_spikes.png. Every update rule below is the one snngen
derives and compiles; here they are evaluated with numpy, step by step, so that nothing hides
between the equations and the numbers.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from snngen import NumpyStepper, convergence, explain, integrate, ms, mV, spike_time_convergence

# 1. A leaky membrane, tau dv/dt = v_inf - v, is linear with constant coefficients: its exact
#    solution over one step is v <- v_inf + (v - v_inf) exp(-dt/tau). snngen's "exact" method
#    finds that propagator; Euler replaces exp(-dt/tau) by 1 - dt/tau and is first order.
LEAKY = "dv/dt = (v_inf - v)/tau : volt"
LEAKY_VALUES = {"tau": 10 * ms, "v_inf": 20 * mV}


def leaky(out: Path) -> None:
    print(explain(LEAKY, method="exact"), end="\n\n")
    truth = lambda t: {"v": 0.02 * (1 - np.exp(-t / 0.01))}  # noqa: E731
    result = convergence(LEAKY, {"v": 0 * mV}, 50 * ms, LEAKY_VALUES,
                         methods=["exact", "euler", "rk2", "rk4"],
                         dts=np.array([1, 0.5, 0.25, 0.125, 0.0625]) * 1e-3,
                         reference=truth)  # fmt: skip
    print("Leaky membrane, error at 50 ms (volts):\n" + str(result), end="\n\n")
    # exact's error is rounding (~1e-18 V); a log axis needs it shown at a floor.
    result.errors["exact"] = np.maximum(result.errors["exact"], 1e-18)
    _save(result.plot(_axes()), out / "integrators_leaky.png",
          "Leaky membrane: exact is exact, the others have order 1, 2, 4")  # fmt: skip


# 2. Hodgkin-Huxley: each gating variable obeys dx/dt = a(v)(1 - x) - b(v) x, linear in x with
#    a coefficient that depends on v. Exponential Euler integrates each one exactly with v
#    frozen over the step (first order overall, but stable for any dt); rk4 is fourth order
#    while dt stays in its stability region.
HH = """
dV/dt = (120*m**3*h*(50 - V) + 36*n**4*(-77 - V) + 0.3*(-54.4 - V) + I)/ms : 1
dm/dt = ((1 - m)/exprel(-(V + 40)/10) - 4*exp(-(V + 65)/18)*m)/ms : 1
dh/dt = (0.07*exp(-(V + 65)/20)*(1 - h) - h/(1 + exp(-(V + 35)/10)))/ms : 1
dn/dt = (0.1*(1 - n)/exprel(-(V + 55)/10) - 0.125*exp(-(V + 65)/80)*n)/ms : 1
"""  # V in mV and I in uA/cm^2 as plain numbers, conductances in mS/cm^2, C = 1 uF/cm^2


def hodgkin_huxley(out: Path) -> None:
    print(explain(HH, method="exponential_euler").text.split("Update rule")[0])
    initial = {"V": -65.0, "m": 0.053, "h": 0.596, "n": 0.318}
    result = convergence(HH, initial, 10 * ms, {"I": 10.0},
                         methods=["exponential_euler", "euler", "rk2", "rk4"],
                         dts=np.array([0.04, 0.02, 0.01, 0.005]) * 1e-3)  # fmt: skip
    print("Hodgkin-Huxley (a spike within 10 ms), error of (V, m, h, n) at 10 ms:\n"
          + str(result), end="\n\n")  # fmt: skip
    _save(result.plot(_axes()), out / "integrators_hh.png",
          "Hodgkin-Huxley: exponential Euler is first order, rk4 fourth")  # fmt: skip


# 3. Stiffness: a fast variable (tau_fast = 0.1 ms) next to the step a network wants (0.3 ms).
#    rk4 is stable only while dt/tau < 2.79; beyond it the numerical solution grows without
#    bound, although the true one decays. Exact integration has no such limit.
STIFF = "dv/dt = -v/tau_fast : 1"


def stiffness(out: Path) -> None:
    dt, steps = 0.3e-3, 20
    ax = _axes()
    times = np.arange(steps + 1) * dt * 1e3
    for method in ("exact", "rk4", "euler"):
        rule = integrate(STIFF, method)
        path = NumpyStepper(rule, {"tau_fast": 0.1 * ms}, dt).run({"v": 1.0}, steps)["v"]
        ax.semilogy(times, np.abs(path) + 1e-300, "o-", label=method)
        print(f"stiff decay, dt/tau = 3, {method:>5}: |v| after {steps} steps: {abs(path[-1]):.3g}")
    print()
    ax.set_xlabel("t (ms)")
    ax.set_ylabel("|v| (true solution: exp(-t/0.1 ms))")
    ax.legend()
    _save(ax, out / "integrators_stiff.png", "dt = 3 tau: rk4 and Euler blow up, exact decays")


# 4. Noise: an Ornstein-Uhlenbeck process tau dv = -v dt + sigma sqrt(2 tau) dW has the
#    stationary variance sigma^2. Euler-Maruyama's discrete process has variance
#    sigma^2 / (1 - dt/(2 tau)): too large by about dt/(2 tau). Heun's method (the
#    Stratonovich-consistent predictor-corrector; for additive noise it agrees with Ito) has a
#    smaller bias, of order (dt/tau)^2. 20,000 independent paths estimate the variance.
OU = "dv/dt = -v/tau + sigma*sqrt(2/tau)*xi : 1"


def ornstein_uhlenbeck(out: Path) -> None:
    ratios = np.array([0.4, 0.2, 0.1, 0.05])
    tau, paths = 10e-3, 20_000
    ax = _axes()
    for method in ("euler", "heun"):
        rule = integrate(OU, method)
        variances = []
        for ratio in ratios:
            stepper = NumpyStepper(rule, {"tau": tau, "sigma": 1.0}, ratio * tau,
                                   rng=np.random.default_rng(1))  # fmt: skip
            state = {"v": np.zeros(paths)}
            for k in range(round(10 / ratio)):  # 10 tau: stationary to within exp(-20)
                state = stepper.step(state, k * ratio * tau)
            variances.append(float(np.var(state["v"])))
        print(f"OU stationary variance ({method}): " + ", ".join(
            f"dt/tau={r}: {v:.3f}" for r, v in zip(ratios, variances)))  # fmt: skip
        ax.plot(ratios, variances, "o-", label=method)
    ax.plot(ratios, 1 / (1 - ratios / 2), "k:", label="Euler-Maruyama's theory 1/(1 - dt/2tau)")
    ax.axhline(1.0, color="gray", label="true variance")
    ax.set_xlabel("dt / tau")
    ax.set_ylabel("stationary variance / sigma^2")
    ax.legend()
    print()
    _save(ax, out / "integrators_ou.png", "OU process: variance bias of the stochastic methods")


# 5. Spikes: the threshold is tested once per step and the reset happens at the step's end, so
#    spike times sit on the grid and each interval starts up to a step late. Whatever the
#    method, spike times converge with order 1 (unless spikes are interpolated between steps).
def spike_times(out: Path) -> None:
    drives = np.linspace(1.2, 3.0, 40)
    periods = 0.01 * np.log(drives / (drives - 1))
    result = spike_time_convergence(
        "dv/dt = (I - v)/tau : 1", {"v": 0.0}, 100 * ms, ("v", 1.0), {"v": 0.0},
        {"tau": 10 * ms, "I": drives}, methods=["exact", "euler", "rk4"],
        dts=np.array([0.4, 0.2, 0.1, 0.05]) * 1e-3,
        reference=[period * np.arange(1, 200) for period in periods],
    )  # fmt: skip
    print("Spike times of 40 LIF neurons, mean error (s):\n" + str(result))
    _save(result.plot(_axes()), out / "integrators_spikes.png",
          "Spike times: every method is first order")  # fmt: skip


def _axes() -> plt.Axes:
    return plt.figure(figsize=(6, 4)).gca()


def _save(ax: plt.Axes, path: Path, title: str) -> None:
    ax.set_title(title, fontsize=10)
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=110)
    plt.close(ax.figure)
    print(f"wrote {path}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the figures")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for section in (leaky, hodgkin_huxley, stiffness, ornstein_uhlenbeck, spike_times):
        section(out)


if __name__ == "__main__":
    main()
