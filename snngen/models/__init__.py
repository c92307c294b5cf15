"""A BrainPy-style layer over the equation core: built-in neurons and synapses, connectors,
a network of named populations and a runner with monitors and inputs.

Numbers follow BrainPy's convention (plain floats in ms and mV; quantities work too). Every
model is equations a user could have written: ``LIF(10).equations()`` shows them.
"""

from snngen.models.connectors import All2All, FixedProb, FromMatrix, OneToOne
from snngen.models.network import Network, Runner
from snngen.models.neurons import LIF, AdEx, ExpIF, Izhikevich
from snngen.models.synapses import Delta, ExpCOBA, ExpCUBA

__all__ = [
    "LIF", "AdEx", "All2All", "Delta", "ExpCOBA", "ExpCUBA", "ExpIF", "FixedProb", "FromMatrix",
    "Izhikevich", "Network", "OneToOne", "Runner",
]  # fmt: skip
