"""snngen: a code-generating simulator compiler for spiking neural networks.

Public API only; nothing heavy happens at import time. As in Brian2, ``from snngen import *``
brings the units, numpy's names and, when matplotlib is installed, pylab's plotting names.
"""

from snngen import units
from snngen.equations import Equations
from snngen.errors import (
    CacheError,
    CompilationError,
    DimensionMismatchError,
    EquationSyntaxError,
    IdentifierError,
    ModelError,
    RunError,
    SnngenError,
    UnitMismatchError,
    UnsupportedEquationsError,
)
from snngen.integration import NumpyStepper, explain, integrate
from snngen.runtime.clock import Clock, defaultclock
from snngen.runtime.group import NeuronGroup, Subgroup
from snngen.runtime.monitors import PopulationRateMonitor, SpikeMonitor, StateMonitor
from snngen.runtime.network import Network, collect, run
from snngen.runtime.rng import seed
from snngen.runtime.timedarray import TimedArray
from snngen.units import *  # noqa: F403 - the unit names, as in Brian2
from snngen.units import Quantity

__version__ = "0.1.0"

__all__ = [
    "CacheError",
    "Clock",
    "CompilationError",
    "DimensionMismatchError",
    "EquationSyntaxError",
    "Equations",
    "IdentifierError",
    "ModelError",
    "Network",
    "NeuronGroup",
    "NumpyStepper",
    "PopulationRateMonitor",
    "Quantity",
    "RunError",
    "SnngenError",
    "SpikeMonitor",
    "StateMonitor",
    "Subgroup",
    "TimedArray",
    "UnitMismatchError",
    "UnsupportedEquationsError",
    "collect",
    "defaultclock",
    "explain",
    "integrate",
    "run",
    "seed",
    "units",
    *units.UNITS,
]
