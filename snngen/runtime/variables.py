"""State variables of groups: their declaration, storage and Brian2-style access.

Storage is one contiguous numpy array per variable in SI units (DESIGN invariant 7): float64
(or float32 where a group's ``dtype`` asks for it, as Brian2's ``dtype`` argument), numpy bool
for ``boolean`` and int64 for ``integer`` variables. Reading ``G.v`` gives a view
of that storage (a :class:`Quantity` when the variable has units), so ``G.v[:10] = -70*mV``
writes through, as in Brian2; ``G.v_`` is the same storage as plain numbers in SI units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from snngen.equations.model import EquationKind, SingleEquation
from snngen.errors import ModelError, UnitMismatchError
from snngen.standalone.aligned import aligned_zeros
from snngen.units.dimensions import DIMENSIONLESS, Dimension
from snngen.units.quantity import Quantity, get_dimension

# "index": the neuron indices i and j of synapses.
DTYPES = {"float": np.float64, "boolean": np.bool_, "integer": np.int64, "index": np.int32}
CTYPE_OF_DTYPE = {
    np.float64: "double",
    np.float32: "float",
    np.bool_: "uint8_t",
    np.int64: "int64_t",
    np.int32: "int32_t",
    np.uint16: "uint16_t",  # j of synapses onto up to 65,536 neurons
}


@dataclass(frozen=True)
class Variable:
    """A state variable: stored, one value per neuron (or one in all, if ``shared``)."""

    name: str
    dim: Dimension
    var_type: str = "float"
    shared: bool = False
    constant: bool = False
    single: bool = False  # a float variable stored in single precision

    @property
    def dtype(self) -> type:
        return np.float32 if self.single else DTYPES[self.var_type]

    @property
    def ctype(self) -> str:
        return CTYPE_OF_DTYPE[self.dtype]

    def allocate(self, size: int) -> np.ndarray:
        return aligned_zeros(1 if self.shared else size, self.dtype)


def declared_variables(equations: Any, dtype: Any = None, owner: str = "") -> dict[str, Variable]:
    """Variables of differential equations and parameters, in the order they are written.
    ``dtype`` (Brian2's argument: one numpy float type for every float variable, or a dict of
    them by name) may store float variables in single precision (see
    :meth:`snngen.codegen.scope.Scope.in_single` for the arithmetic)."""
    single = _single_precision(equations, dtype, owner)
    result = {}
    for eq in equations:
        eq: SingleEquation
        if eq.kind is not EquationKind.SUBEXPRESSION:
            result[eq.name] = Variable(eq.name, eq.dim, eq.var_type, "shared" in eq.flags,
                                       "constant" in eq.flags, eq.name in single)  # fmt: skip
    return result


def single_precision_names(variables: Mapping[str, Variable]) -> tuple[str, ...]:
    """The variables stored as float32: part of the structure (the code declares them so)."""
    return tuple(name for name, variable in variables.items() if variable.single)


def _single_precision(equations: Any, dtype: Any, owner: str) -> frozenset[str]:
    """The float variables that ``dtype`` stores as float32 (a ``ModelError`` for anything
    else: a type other than float32/float64, or a name that is no float variable)."""
    floats = [eq.name for eq in equations
              if eq.kind is not EquationKind.SUBEXPRESSION and eq.var_type == "float"]  # fmt: skip
    if dtype is None:
        return frozenset()
    chosen = dict(dtype) if isinstance(dtype, Mapping) else dict.fromkeys(floats, dtype)
    single = set()
    for name, value in chosen.items():
        if name not in floats:
            raise ModelError(
                f"dtype of {owner} names {name!r}, which is not a float variable "
                f"of its model (float variables: {', '.join(floats) or 'none'})"
            )
        try:
            kind = np.dtype(value)
        except TypeError:
            kind = np.dtype(object)  # not None: numpy reads None as float64
        if kind not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ModelError(f"dtype of {owner} for {name!r} must be float32 or float64, "
                             f"got {value!r}")  # fmt: skip
        if kind == np.float32:
            single.add(name)
    return frozenset(single)


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
