"""Built-in neuron models (BrainPy's names and defaults; numbers in mV and ms).

A model is a specification: its equations take the synaptic currents that projections add
(``currents``), and :class:`~snngen.models.network.Network` builds the neuron group from it.
``input`` is the external current (mV, as BrainPy's ``R*I``), set by the runner's inputs.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from snngen.errors import ModelError
from snngen.units.quantity import Quantity, strip

METHODS = {"exp_auto": "exponential_euler", "euler": "euler", "rk2": "rk2", "rk4": "rk4",
           "exact": "exact", "exponential_euler": "exponential_euler", None: None}  # fmt: skip


MS = MV = 1e-3
Defaults = dict[str, tuple[float, float]]  # parameter → (default, its unit in SI)


def number(value: Any, unit: float) -> float:
    """A BrainPy-style number: plain floats stay; quantities become numbers in ``unit`` (SI)."""
    return float(strip(value)) / unit if isinstance(value, Quantity) else float(value)


class NeuronModel:
    """Base of the built-in neurons: ``size`` neurons, BrainPy-style keyword parameters.

    Subclasses give ``defaults`` (name → (default, unit in SI: 1e-3 for mV and ms)), the
    equations, threshold, reset and (optionally) the refractory-period parameter.
    """

    defaults: ClassVar[dict[str, tuple[float, float]]] = {}
    threshold: ClassVar[str] = ""
    reset: ClassVar[str] = ""
    refractory_parameter: ClassVar[str | None] = None  # a duration parameter (ms) ...
    refractory_condition: ClassVar[str | None] = None  # ... or a condition, while it holds

    def __init__(self, size: int, method: str | None = "exp_auto", name: str | None = None,
                 **params: Any) -> None:  # fmt: skip
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ModelError(f"size must be a positive integer, got {size!r}")
        if method not in METHODS:
            known = ", ".join(m for m in METHODS if m)
            raise ModelError(f"unknown method {method!r}; use one of: {known}")
        unknown = set(params) - set(self.defaults)
        if unknown:
            raise ModelError(f"{type(self).__name__} has no parameter {sorted(unknown)[0]!r}; "
                             f"its parameters: {', '.join(self.defaults)}")  # fmt: skip
        self.size, self.method, self.name = size, METHODS[method], name
        self.values = {k: number(params.get(k, d), unit) for k, (d, unit) in self.defaults.items()}
        self.group = None  # the NeuronGroup, once a Network has built it
        # Initial state, set as in BrainPy (E.V[:] = ...); V starts at V_rest where it exists.
        start = self.values.get("V_rest", self.values.get("c", 0.0))
        self.initial = {"V": np.full(size, start)}

    def __getattr__(self, name: str) -> np.ndarray:
        group = self.__dict__.get("group")
        if group is not None and name in group.storage:
            return group.storage[name]
        initial = self.__dict__.get("initial", {})
        if name in initial:
            return initial[name]
        raise AttributeError(f"{type(self).__name__} has no variable {name!r}")

    def equations(self, currents: str = "0") -> str:
        """The model's equations, with ``currents`` (synaptic inputs, mV) added to its input."""
        raise NotImplementedError


class LIF(NeuronModel):
    """Leaky integrate-and-fire: tau dV/dt = -(V - V_rest) + R (input + synaptic currents)."""

    defaults: ClassVar[Defaults] = {
        "V_rest": (0.0, MV),
        "V_reset": (-5.0, MV),
        "V_th": (20.0, MV),
        "R": (1.0, 1.0),
        "tau": (10.0, MS),
        "tau_ref": (0.0, MS),
    }
    threshold = "V > V_th"
    reset = "V = V_reset"
    refractory_parameter = "tau_ref"

    def equations(self, currents: str = "0") -> str:
        return f"""
        dV/dt = (-(V - V_rest) + R*(input + {currents}))/(tau*ms) : 1 (unless refractory)
        input : 1
        """


# BrainPy's defaults shared by the exponential integrate-and-fire models.
_EXPONENTIAL: Defaults = {
    "V_rest": (-65.0, MV),
    "V_reset": (-68.0, MV),
    "V_th": (-30.0, MV),
    "V_T": (-59.9, MV),
    "delta_T": (3.48, MV),
    "R": (1.0, 1.0),
    "tau": (10.0, MS),
}


class ExpIF(NeuronModel):
    """Exponential integrate-and-fire (Fourcaud-Trocmé et al. 2003)."""

    defaults: ClassVar[Defaults] = {**_EXPONENTIAL, "tau_ref": (1.7, MS)}
    threshold = "V > V_th"
    reset = "V = V_reset"
    refractory_parameter = "tau_ref"

    def equations(self, currents: str = "0") -> str:
        return f"""
        dV/dt = (-(V - V_rest) + delta_T*exp((V - V_T)/delta_T)
                 + R*(input + {currents}))/(tau*ms) : 1 (unless refractory)
        input : 1
        """


class AdEx(NeuronModel):
    """Adaptive exponential integrate-and-fire (Brette & Gerstner 2005), BrainPy's form."""

    defaults: ClassVar[Defaults] = {
        **_EXPONENTIAL,
        "a": (1.0, 1.0),
        "b": (1.0, 1.0),
        "tau_w": (30.0, MS),
    }
    threshold = "V > V_th"
    reset = "V = V_reset; w += b"

    def equations(self, currents: str = "0") -> str:
        return f"""
        dV/dt = (-(V - V_rest) + delta_T*exp((V - V_T)/delta_T) - R*w
                 + R*(input + {currents}))/(tau*ms) : 1
        dw/dt = (a*(V - V_rest) - w)/(tau_w*ms) : 1
        input : 1
        """


class Izhikevich(NeuronModel):
    """Izhikevich (2003): dV/dt = 0.04 V² + 5 V + 140 - u + I, du/dt = a (b V - u)."""

    defaults: ClassVar[Defaults] = {
        "a": (0.02, 1.0),
        "b": (0.2, 1.0),
        "c": (-65.0, MV),
        "d": (8.0, 1.0),
        "V_th": (30.0, MV),
    }
    threshold = "V >= V_th"
    reset = "V = c; u += d"

    def equations(self, currents: str = "0") -> str:
        return f"""
        dV/dt = (0.04*V**2 + 5*V + 140 - u + input + {currents})/ms : 1
        du/dt = a*(b*V - u)/ms : 1
        input : 1
        """


class HH(NeuronModel):
    """Hodgkin-Huxley (1952) squid axon, BrainPy's parameters (mV, ms, µF/cm², mS/cm²).

    A spike is V crossing ``V_th``: the neuron counts as refractory while V stays above it.
    """

    defaults: ClassVar[Defaults] = {
        "ENa": (50.0, MV),
        "gNa": (120.0, 1.0),
        "EK": (-77.0, MV),
        "gK": (36.0, 1.0),
        "EL": (-54.387, MV),
        "gL": (0.03, 1.0),
        "V_th": (20.0, MV),
        "C": (1.0, 1.0),
    }
    threshold = "V > V_th"
    refractory_condition = "V > V_th"

    def __init__(self, size: int, method: str | None = "exp_auto", name: str | None = None,
                 **params: Any) -> None:  # fmt: skip
        super().__init__(size, method, name, **params)
        # Resting values of the gates at V = -65 mV.
        self.initial.update(V=np.full(size, -65.0), m=np.full(size, 0.053),
                            h=np.full(size, 0.596), n=np.full(size, 0.318))  # fmt: skip

    def equations(self, currents: str = "0") -> str:
        return f"""
        dV/dt = (gNa*m**3*h*(ENa - V) + gK*n**4*(EK - V) + gL*(EL - V)
                 + input + {currents})/(C*ms) : 1
        dm/dt = ((1 - m)/exprel(-(V + 40)/10) - 4*exp(-(V + 65)/18)*m)/ms : 1
        dh/dt = (0.07*exp(-(V + 65)/20)*(1 - h) - h/(1 + exp(-(V + 35)/10)))/ms : 1
        dn/dt = (0.1*(1 - n)/exprel(-(V + 55)/10) - 0.125*exp(-(V + 65)/80)*n)/ms : 1
        input : 1
        """
