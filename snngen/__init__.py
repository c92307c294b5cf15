"""snngen: a code-generating simulator compiler for spiking neural networks.

Public API only; nothing heavy happens at import time.
"""

from snngen import units
from snngen.equations import Equations
from snngen.errors import (
    DimensionMismatchError,
    EquationSyntaxError,
    IdentifierError,
    ModelError,
    SnngenError,
    UnitMismatchError,
    UnsupportedEquationsError,
)
from snngen.integration import NumpyStepper, explain, integrate
from snngen.units import *  # noqa: F403 - the unit names, as in Brian2
from snngen.units import Quantity

__version__ = "0.1.0"

__all__ = [
    "DimensionMismatchError",
    "EquationSyntaxError",
    "Equations",
    "IdentifierError",
    "ModelError",
    "NumpyStepper",
    "Quantity",
    "SnngenError",
    "UnitMismatchError",
    "UnsupportedEquationsError",
    "explain",
    "integrate",
    "units",
    *units.UNITS,
]
