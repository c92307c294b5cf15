"""Physical units with Brian2's semantics: SI-stored numpy quantities with a dimension.

Every unit of the catalogue is an attribute of this module (``snngen.units.ms``), so that
``from snngen.units import *`` brings them all.
"""

from snngen.errors import DimensionMismatchError
from snngen.units.catalogue import UNITS, Unit, unit_string
from snngen.units.dimensions import DIMENSIONLESS, Dimension
from snngen.units.quantity import Quantity, get_dimension

globals().update(UNITS)

__all__ = [
    "DIMENSIONLESS",
    "Dimension",
    "DimensionMismatchError",
    "Quantity",
    "Unit",
    "get_dimension",
    "unit_string",
    *UNITS,
]
