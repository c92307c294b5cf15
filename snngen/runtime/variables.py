"""State variables of groups: their declaration, storage and Brian2-style access.

Storage is one contiguous numpy array per variable in SI units (DESIGN invariant 7): float64,
numpy bool for ``boolean`` and int64 for ``integer`` variables. Reading ``G.v`` gives a view
of that storage (a :class:`Quantity` when the variable has units), so ``G.v[:10] = -70*mV``
writes through, as in Brian2; ``G.v_`` is the same storage as plain numbers in SI units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from snngen.equations.model import EquationKind, SingleEquation
from snngen.errors import UnitMismatchError
from snngen.standalone.aligned import aligned_zeros
from snngen.units.dimensions import DIMENSIONLESS, Dimension
from snngen.units.quantity import Quantity, get_dimension

# "index": the neuron indices i and j of synapses.
DTYPES = {"float": np.float64, "boolean": np.bool_, "integer": np.int64, "index": np.int32}
CTYPE_OF_DTYPE = {
    np.float64: "double",
    np.bool_: "uint8_t",
    np.int64: "int64_t",
    np.int32: "int32_t",
}


@dataclass(frozen=True)
class Variable:
    """A state variable: stored, one value per neuron (or one in all, if ``shared``)."""

    name: str
    dim: Dimension
    var_type: str = "float"
    shared: bool = False
    constant: bool = False

    @property
    def dtype(self) -> type:
        return DTYPES[self.var_type]

    @property
    def ctype(self) -> str:
        return CTYPE_OF_DTYPE[self.dtype]

    def allocate(self, size: int) -> np.ndarray:
        return aligned_zeros(1 if self.shared else size, self.dtype)


def declared_variables(equations: object) -> dict[str, Variable]:
    """Variables of differential equations and parameters, in the order they are written."""
    result = {}
    for eq in equations:  # type: ignore[attr-defined]
        eq: SingleEquation
        if eq.kind is not EquationKind.SUBEXPRESSION:
            result[eq.name] = Variable(
                eq.name, eq.dim, eq.var_type, "shared" in eq.flags, "constant" in eq.flags
            )
    return result


def view(array: np.ndarray, variable: Variable) -> np.ndarray:
    """The storage as the user sees it: with units when it has any."""
    if variable.dim == DIMENSIONLESS or variable.var_type != "float":
        return array
    result = array.view(Quantity)
    result.dim = variable.dim
    return result


def unitless(name: str, variables: Mapping[str, Any]) -> str | None:
    """The variable that Brian2's unitless name ``name`` (``v_`` for ``v``) stands for, if any."""
    stem = name[:-1]
    return stem if name.endswith("_") and name not in variables and stem in variables else None


def with_units(value: Any, variable: Variable, owner: str) -> Any:
    """A value given without units (``G.v_ = -0.07``), as the quantity it stands for."""
    if isinstance(value, str) or variable.dim == DIMENSIONLESS or variable.var_type != "float":
        return value
    if get_dimension(value) != DIMENSIONLESS:
        raise UnitMismatchError(
            f"{variable.name}_ of {owner} takes plain numbers in SI units; set "
            f"{variable.name} (without the underscore) to assign a quantity",
            identifier=variable.name,
        )
    return Quantity(value, variable.dim)
