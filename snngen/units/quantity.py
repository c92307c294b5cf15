"""Quantities: numpy arrays stored in SI units, carrying a physical dimension.

The semantics are Brian2's: ``20*ms`` is 0.02 with the dimension of time, arithmetic checks and
combines dimensions through numpy's ufunc protocol, and a dimensionless result is returned as a
plain number or array, so that ``(3*second)/ms == 3000`` and ``mon.t/ms`` is an ordinary array.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import Any

import numpy as np

from snngen.errors import DimensionMismatchError
from snngen.units.dimensions import DIMENSIONLESS, Dimension


def get_dimension(value: object) -> Dimension:
    """The dimension of a quantity; plain numbers and arrays are dimensionless."""
    return getattr(value, "dim", DIMENSIONLESS)


def _describe(dim: Dimension) -> str:
    from snngen.units.catalogue import unit_string  # the catalogue builds on Quantity

    return unit_string(dim)


def _mismatch(operation: str, dims: list[Dimension]) -> DimensionMismatchError:
    shown = ", ".join(_describe(d) for d in dims)
    return DimensionMismatchError(
        f"{operation} needs arguments of the same dimension, got {shown}", *dims
    )


def _same(name: str) -> Callable[[list[Dimension], tuple], Dimension]:
    def rule(dims: list[Dimension], inputs: tuple) -> Dimension:
        if any(d != dims[0] for d in dims[1:]):
            raise _mismatch(name, dims)
        return dims[0]

    return rule


def _dimensionless_arguments(name: str) -> Callable[[list[Dimension], tuple], Dimension]:
    def rule(dims: list[Dimension], inputs: tuple) -> Dimension:
        for d in dims:
            if not d.is_dimensionless:
                raise DimensionMismatchError(
                    f"{name} needs a dimensionless argument, got {_describe(d)}", d
                )
        return DIMENSIONLESS

    return rule


def _power(dims: list[Dimension], inputs: tuple) -> Dimension:
    base, exponent_dim = dims
    if not exponent_dim.is_dimensionless:
        raise DimensionMismatchError(
            f"an exponent must be dimensionless, got {_describe(exponent_dim)}", exponent_dim
        )
    if base.is_dimensionless:
        return base
    exponent = np.asarray(inputs[1])
    if exponent.size != 1 and not np.all(exponent == exponent.flat[0]):
        raise DimensionMismatchError(
            "raising a quantity with units to an array of different powers "
            "would give elements of different dimensions",
            base,
        )
    return base ** float(exponent.flat[0])


def _keep_dimension(dims: list[Dimension], inputs: tuple) -> Dimension:
    return dims[0]


_SAME = {
    name: _same(name)
    for name in (
        "add",
        "subtract",
        "maximum",
        "minimum",
        "fmax",
        "fmin",
        "hypot",
        "remainder",
        "fmod",
        "clip",
    )
}
_COMPARE = {
    name: _same(name)
    for name in ("less", "less_equal", "greater", "greater_equal", "equal", "not_equal")
}
_KEEP = {
    name: _keep_dimension
    for name in (
        "negative",
        "positive",
        "absolute",
        "fabs",
        "rint",
        "floor",
        "ceil",
        "trunc",
        "conjugate",
    )
}
_DIMENSIONLESS_IN = {
    name: _dimensionless_arguments(name)
    for name in (
        "exp",
        "exp2",
        "expm1",
        "log",
        "log2",
        "log10",
        "log1p",
        "sin",
        "cos",
        "tan",
        "arcsin",
        "arccos",
        "arctan",
        "sinh",
        "cosh",
        "tanh",
        "arcsinh",
        "arccosh",
        "arctanh",
        "logical_and",
        "logical_or",
        "logical_not",
        "logical_xor",
    )
}
_JOINING = frozenset({"concatenate", "stack", "hstack", "vstack", "column_stack"})
_PREDICATES = ("isnan", "isfinite", "isinf", "signbit", "sign")

_RULES: dict[str, Callable[[list[Dimension], tuple], Dimension]] = {
    **_SAME,
    **_COMPARE,
    **_KEEP,
    **_DIMENSIONLESS_IN,
    "multiply": lambda d, _: d[0] * d[1],
    "matmul": lambda d, _: d[0] * d[1],
    "divide": lambda d, _: d[0] / d[1],
    "true_divide": lambda d, _: d[0] / d[1],
    "floor_divide": lambda d, _: d[0] / d[1],
    "reciprocal": lambda d, _: d[0] ** -1,
    "sqrt": lambda d, _: d[0] ** 0.5,
    "cbrt": lambda d, _: d[0] ** (1 / 3),
    "square": lambda d, _: d[0] ** 2,
    "power": _power,
    "float_power": _power,
    **{name: (lambda d, _: DIMENSIONLESS) for name in _PREDICATES},
}


class Quantity(np.ndarray):
    """A numpy array in SI units with a physical :class:`Dimension`.

    Create quantities by multiplying numbers or arrays with units (``20*ms``); ``Quantity(value,
    dim)`` takes a value already in SI units.
    """

    __array_priority__ = 1000
    dim: Dimension

    def __new__(cls, value: Any, dim: Dimension = DIMENSIONLESS) -> Quantity:
        array = np.asarray(value, dtype=float).view(cls)
        array.dim = dim
        return array

    def __array_finalize__(self, obj: Any) -> None:
        self.dim = getattr(obj, "dim", DIMENSIONLESS)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        rule = _RULES.get(ufunc.__name__)
        dims = [get_dimension(x) for x in inputs]
        if rule is None:
            if any(not d.is_dimensionless for d in dims):
                raise DimensionMismatchError(
                    f"numpy function {ufunc.__name__!r} is not supported on quantities with "
                    "units; divide by a unit first to get plain numbers",
                    *dims,
                )
            dim = DIMENSIONLESS
        elif method == "reduce" and ufunc.__name__ == "multiply":
            if not dims[0].is_dimensionless:
                raise DimensionMismatchError("a product over a quantity with units", dims[0])
            dim = DIMENSIONLESS
        elif method in ("reduce", "accumulate", "reduceat"):
            dim = dims[0]
        else:
            dim = rule(dims, inputs)
        plain = [x.view(np.ndarray) if isinstance(x, Quantity) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(
                o.view(np.ndarray) if isinstance(o, Quantity) else o for o in kwargs["out"]
            )
        result = getattr(ufunc, method)(*plain, **kwargs)
        boolean = ufunc.__name__ in _COMPARE or ufunc.__name__ in _PREDICATES
        if boolean or dim.is_dimensionless or result is NotImplemented:
            return result
        return Quantity(result, dim)

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        # Joining functions copy data without ufuncs, so they would silently drop units.
        if func.__name__ in _JOINING:
            arrays = list(args[0])
            dims = [get_dimension(a) for a in arrays]
            dim = _same(func.__name__)(dims, ())
            plain = [
                np.asarray(a.view(np.ndarray) if isinstance(a, Quantity) else a) for a in arrays
            ]
            result = func(plain, *args[1:], **kwargs)
            return result if dim.is_dimensionless else Quantity(result, dim)
        return super().__array_function__(func, types, args, kwargs)

    def __getitem__(self, key: Any) -> Any:
        item = super().__getitem__(key)
        # A single element comes back from numpy as a bare scalar: keep its units attached.
        return item if isinstance(item, np.ndarray) else Quantity(item, self.dim)

    def __setitem__(self, key: Any, value: Any) -> None:
        dim = get_dimension(value)
        if dim != self.dim:
            raise DimensionMismatchError(
                f"cannot assign a value in {_describe(dim)} to a quantity in {_describe(self.dim)}",
                dim,
                self.dim,
            )
        super().__setitem__(key, value.view(np.ndarray) if isinstance(value, Quantity) else value)

    def __float__(self) -> float:
        if not self.dim.is_dimensionless:
            raise DimensionMismatchError(
                f"cannot convert a quantity in {_describe(self.dim)} to a plain float; "
                "divide by a unit first (e.g. value/ms)",
                self.dim,
            )
        return float(self.view(np.ndarray))

    def __reduce__(self) -> tuple:
        return (Quantity, (self.view(np.ndarray).copy(), self.dim))

    @property
    def value(self) -> np.ndarray | float:
        """The value in SI units, without the dimension."""
        plain = self.view(np.ndarray)
        return float(plain) if plain.ndim == 0 else plain

    def in_unit(self, unit: Quantity) -> np.ndarray | float:
        """This quantity as numbers in ``unit``: ``(20*ms).in_unit(second) == 0.02``."""
        return self / unit

    def has_same_dimensions(self, other: object) -> bool:
        return self.dim == get_dimension(other)

    def __repr__(self) -> str:
        from snngen.units.catalogue import format_quantity

        return format_quantity(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def strip(value: Any) -> Any:
    """The SI value of a quantity, or the value itself if it has no units."""
    if isinstance(value, Quantity):
        return value.value
    if isinstance(value, Real):
        return float(value)
    return value
