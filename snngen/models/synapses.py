"""Built-in synapse models: projections from one neuron model to another.

A projection adds a synaptic variable to the postsynaptic neurons and a current to their
input (BrainPy's ``ExpCOBA``: conductance ``g`` decaying with ``tau``, current ``g (E - V)``;
``ExpCUBA``: current ``g``; ``Delta``: a jump of ``V``). Parameters stay out of the equations'
text (they are named values), so changing them does not recompile.
"""

from __future__ import annotations

import itertools
from typing import Any

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
    """Conductance-based exponential synapse: dg/dt = -g/tau, current g (E - V)."""

    def __init__(
        self,
        pre: NeuronModel,
        post: NeuronModel,
        conn: Any,
        g_max: Any = 1.0,
        tau: Any = 8.0,
        E: Any = 0.0,
        delay_step: int | None = None,
    ) -> None:
        super().__init__(pre, post, conn, g_max, tau, delay_step)
        self.values[f"E_{self.label}"] = number(E, MV)

    def current(self) -> str:
        return f"g_{self.label}*(E_{self.label} - V)"


class Delta(Projection):
    """A spike moves the postsynaptic V by ``g_max`` (mV) at once."""

    @property
    def target_variable(self) -> str:
        return "V_post"
