"""A BrainPy-style layer over the equation core: built-in neurons and synapses, connectors,
a network of named populations and a runner with monitors and inputs.

Numbers follow BrainPy's convention (plain floats in ms and mV; quantities work too). Every
model is equations a user could have written: ``LIF(10).equations()`` shows them.
"""

from snngen.models.connectors import (
    All2All,
    FixedPostNum,
    FixedPreNum,
    FixedProb,
    FromMatrix,
    OneToOne,
)
from snngen.models.network import Network, Runner
from snngen.models.neurons import HH, LIF, AdEx, ExpIF, Izhikevich
from snngen.models.synapses import (
    AMPA,
    GABA_A,
    NMDA,
    Delta,
    DualExpCOBA,
    DualExpCUBA,
    ExpCOBA,
    ExpCUBA,
)
from snngen.plotting import line_plot, raster_plot, rate_plot

__all__ = [
    "AMPA", "GABA_A", "HH", "LIF", "NMDA", "AdEx", "All2All", "Delta", "DualExpCOBA",
    "DualExpCUBA", "ExpCOBA", "ExpCUBA", "ExpIF", "FixedPostNum", "FixedPreNum", "FixedProb",
    "FromMatrix", "Izhikevich", "Network", "OneToOne", "Runner", "line_plot", "raster_plot",
    "rate_plot",
]  # fmt: skip
