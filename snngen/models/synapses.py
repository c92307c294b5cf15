"""Built-in synapse models: projections from one neuron model to another.

A projection adds a synaptic variable to the postsynaptic neurons and a current to their
input (BrainPy's ``ExpCOBA``: conductance ``g`` decaying with ``tau``, current ``g (E - V)``;
``ExpCUBA``: current ``g``; ``Delta``: a jump of ``V``). Parameters stay out of the equations'
text (they are named values), so changing them does not recompile.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from snngen.errors import ModelError
from snngen.models.neurons import MS, MV, NeuronModel, number

_NUMBERS = itertools.count()


class Projection:
    """Base: ``pre`` → ``post`` neurons, connected by ``conn``; ``g_max`` per spike."""

    def __init__(self, pre: NeuronModel, post: NeuronModel, conn: Any, g_max: Any = 1.0,
                 delay_step: int | None = None, **params: Any) -> None:  # fmt: skip
        for role, model in (("pre", pre), ("post", post)):
            if not isinstance(model, NeuronModel):
                raise ModelError(f"the {role} of {type(self).__name__} must be a neuron model "
                                 f"such as LIF(...), got {model!r}")  # fmt: skip
        if not hasattr(conn, "connect"):
            raise ModelError(f"conn must be a connector such as FixedProb(0.02), got {conn!r}")
        self.pre, self.post, self.conn = pre, post, conn
        self.delay_step = delay_step
        self.label = f"p{next(_NUMBERS)}"  # names this projection's variables in the post group
        self.values = {f"g_max_{self.label}": number(g_max, 1.0)}
        self.values.update({f"{k}_{self.label}": v for k, v in params.items()})

    def post_equations(self) -> str:
        """Lines added to the postsynaptic equations."""
        return ""

    def current(self) -> str:
        """The current this projection adds to the post neurons' input (mV)."""
        return "0"

    def on_pre(self, weighted: bool = False) -> str:
        """Code run per spike (``weighted``: times the synapse's ``weight``, see FromMatrix)."""
        scale = f"g_max_{self.label}" + ("*weight" if weighted else "")
        return f"{self.target_variable} += {scale}"

    @property
    def target_variable(self) -> str:
        return f"g_{self.label}_post"


class ExpCUBA(Projection):
    """Current-based exponential synapse: dg/dt = -g/tau, current g."""

    def __init__(self, pre: NeuronModel, post: NeuronModel, conn: Any, g_max: Any = 1.0,
                 tau: Any = 8.0, delay_step: int | None = None) -> None:  # fmt: skip
        super().__init__(pre, post, conn, g_max, delay_step, tau=number(tau, MS))

    def post_equations(self) -> str:
        return f"dg_{self.label}/dt = -g_{self.label}/(tau_{self.label}*ms) : 1"

    def current(self) -> str:
        return f"g_{self.label}"


class ExpCOBA(ExpCUBA):
    """Conductance-based exponential synapse: dg/dt = -g/tau, current g (E - V).

    ``g_max``, ``tau`` (ms) and ``E`` (mV) default to the class's ``DEFAULTS``.
    """

    DEFAULTS: ClassVar[dict[str, float]] = {"g_max": 1.0, "tau": 8.0, "E": 0.0}

    def __init__(self, pre: NeuronModel, post: NeuronModel, conn: Any, g_max: Any = None,
                 tau: Any = None, E: Any = None,
                 delay_step: int | None = None) -> None:  # fmt: skip
        given = {"g_max": g_max, "tau": tau, "E": E}
        value = {k: self.DEFAULTS[k] if v is None else v for k, v in given.items()}
        super().__init__(pre, post, conn, value["g_max"], value["tau"], delay_step)
        self.values[f"E_{self.label}"] = number(value["E"], MV)

    def current(self) -> str:
        return f"g_{self.label}*(E_{self.label} - V)"


class Delta(Projection):
    """A spike moves the postsynaptic V by ``g_max`` (mV) at once."""

    @property
    def target_variable(self) -> str:
        return "V_post"


class DualExpCUBA(Projection):
    """Difference of exponentials: dg/dt = -g/tau_decay + h, dh/dt = -h/tau_rise; a spike adds
    ``g_max`` to ``h`` (scaled so that a lone spike's ``g`` peaks at ``g_max``); current g."""

    def __init__(self, pre: NeuronModel, post: NeuronModel, conn: Any, g_max: Any = 1.0,
                 tau_decay: Any = 10.0, tau_rise: Any = 1.0,
                 delay_step: int | None = None) -> None:  # fmt: skip
        decay, rise = number(tau_decay, MS), number(tau_rise, MS)
        if not decay > rise > 0:
            raise ModelError("DualExp synapses need tau_decay > tau_rise > 0")
        peak = (rise / decay) ** (rise / (decay - rise))  # exp(-t*/decay) at the peak time t*
        super().__init__(pre, post, conn, number(g_max, 1.0) / (rise * peak), delay_step,
                         tau_decay=decay, tau_rise=rise)  # fmt: skip

    def post_equations(self) -> str:
        k = self.label
        return (f"dg_{k}/dt = (-g_{k}/tau_decay_{k} + h_{k})/ms : 1\n"
                f"dh_{k}/dt = -h_{k}/(tau_rise_{k}*ms) : 1")  # fmt: skip

    def current(self) -> str:
        return f"g_{self.label}"

    @property
    def target_variable(self) -> str:
        return f"h_{self.label}_post"


class DualExpCOBA(DualExpCUBA):
    """Conductance-based difference of exponentials: current g (E - V)."""

    def __init__(self, pre: NeuronModel, post: NeuronModel, conn: Any, g_max: Any = 1.0,
                 tau_decay: Any = 10.0, tau_rise: Any = 1.0, E: Any = 0.0,
                 delay_step: int | None = None) -> None:  # fmt: skip
        super().__init__(pre, post, conn, g_max, tau_decay, tau_rise, delay_step)
        self.values[f"E_{self.label}"] = number(E, MV)

    def current(self) -> str:
        return f"g_{self.label}*(E_{self.label} - V)"


class AMPA(ExpCOBA):
    """AMPA receptors in Wang's (2002) exponential form: tau = 2 ms, E = 0 mV."""

    DEFAULTS: ClassVar[dict[str, float]] = {"g_max": 0.05, "tau": 2.0, "E": 0.0}


class GABA_A(ExpCOBA):
    """GABA_A receptors in Wang's (2002) exponential form: tau = 5 ms, E = -70 mV."""

    DEFAULTS: ClassVar[dict[str, float]] = {"g_max": 1.3, "tau": 5.0, "E": -70.0}


class NMDA(Projection):
    """NMDA receptors with the Mg2+ block (Jahr & Stevens 1990), Wang's (2002) kinetics:
    dx/dt = -x/tau_rise, ds/dt = -s/tau_decay + alpha x (1 - s), current
    g_max s (E - V)/(1 + [Mg] exp(-0.062 V)/3.57).

    The gating is pooled per postsynaptic neuron (spikes add to its ``x``), so saturation acts
    on the summed gating, not per synapse (Wang's per-presynaptic-neuron form is in
    examples/decision_making.py).
    """

    def __init__(self, pre: NeuronModel, post: NeuronModel, conn: Any, g_max: Any = 0.165,
                 E: Any = 0.0, tau_rise: Any = 2.0, tau_decay: Any = 100.0,
                 alpha: float = 0.5, Mg: float = 1.0,
                 delay_step: int | None = None) -> None:  # fmt: skip
        super().__init__(pre, post, conn, 1.0, delay_step, E=number(E, MV),
                         tau_rise=number(tau_rise, MS), tau_decay=number(tau_decay, MS),
                         alpha=float(alpha), Mg=float(Mg), g_nmda=number(g_max, 1.0))  # fmt: skip

    def post_equations(self) -> str:
        k = self.label
        return (
            f"dx_{k}/dt = -x_{k}/(tau_rise_{k}*ms) : 1\n"
            f"ds_{k}/dt = (-s_{k}/tau_decay_{k} + alpha_{k}*x_{k}*(1 - s_{k}))/ms : 1"
        )

    def current(self) -> str:
        k = self.label
        return f"g_nmda_{k}*s_{k}*(E_{k} - V)/(1 + Mg_{k}*exp(-0.062*V)/3.57)"

    @property
    def target_variable(self) -> str:
        return f"x_{self.label}_post"
