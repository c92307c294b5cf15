"""How snngen turns the E/I network's neuron model into update rules.

The conductance-based LIF neuron of the E/I balanced network (BrainPy tutorial) is not linear
(conductances multiply the voltage), so snngen chooses exponential Euler; its synapse-free
current-based cousin is linear and gets exact integration. Run:

    python examples/explain_lif.py
"""

from snngen import Equations, explain
from snngen.units import ms, mV

COBA_LIF = Equations(
    """
    dv/dt = (v_rest - v + ge*(E_exc - v) + gi*(E_inh - v) + I_ext)/tau : volt (unless refractory)
    dge/dt = -ge/tau_exc : 1
    dgi/dt = -gi/tau_inh : 1
    """,
    v_rest=-60 * mV, E_exc=0 * mV, E_inh=-80 * mV, tau=20 * ms, tau_exc=5 * ms, tau_inh=10 * ms,
)  # fmt: skip

CUBA_LIF = Equations(
    """
    dv/dt = (v_rest - v + I_syn)/tau : volt (unless refractory)
    dI_syn/dt = -I_syn/tau_syn : volt
    """
)


def main() -> None:
    print("=" * 78)
    print("Conductance-based LIF (E/I network neuron)")
    print("=" * 78)
    print(explain(COBA_LIF))
    print()
    print("=" * 78)
    print("Current-based LIF with an exponential synaptic current")
    print("=" * 78)
    print(explain(CUBA_LIF))


if __name__ == "__main__":
    main()
