"""``TimedArray``: values given on a time grid, usable in equations as ``stimulus(t)``.

As in Brian2, ``stimulus(t)`` is the value of the time step containing ``t`` (the last value
after the end); a 2-D array gives one column per neuron, used as ``stimulus(t, i)``. The values
are run-time arguments of the compiled loop, so new values do not recompile.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from snngen.errors import ModelError
from snngen.runtime.clock import SECOND, time_value
from snngen.runtime.group import default_name
from snngen.units.dimensions import DIMENSIONLESS, Dimension
from snngen.units.quantity import Quantity, get_dimension, strip


class TimedArray:
    """Values on a grid of step ``dt``: shape ``(n_times,)`` or ``(n_times, n_neurons)``."""

    def __init__(self, values: Any, dt: Quantity, name: str | None = None) -> None:
        self.dim = get_dimension(values)
        array = np.asarray(strip(values), dtype=np.float64)
        if array.ndim not in (1, 2) or array.shape[0] == 0:
            raise ModelError(f"TimedArray values must be a non-empty 1-D or 2-D array, got "
                             f"shape {array.shape}")  # fmt: skip
        self.values = np.ascontiguousarray(array)
        self.dt_ = time_value(dt, "TimedArray dt")
        self.name = name or default_name("timedarray")

    @property
    def rows(self) -> int:
        return self.values.shape[0]

    @property
    def columns(self) -> int:
        return 1 if self.values.ndim == 1 else self.values.shape[1]

    @property
    def inverse_dt(self) -> float:
        return 1.0 / self.dt_

    def dimension_rule(self, dims: Sequence[Dimension]) -> Dimension:
        """Dimension of a call, for the unit checks of equations: ``f(t)`` or ``f(t, i)``."""
        expected = 1 if self.values.ndim == 1 else 2
        if len(dims) != expected:
            raise TypeError(f"{self.name} takes {expected} argument(s) (t{', i' * (expected - 1)})")
        if dims[0] != SECOND.dim:
            raise TypeError(f"the first argument of {self.name} must be a time")
        if expected == 2 and dims[1] != DIMENSIONLESS:
            raise TypeError(f"the second argument of {self.name} must be a neuron index")
        return self.dim

    def __call__(self, t: Any, i: Any = None) -> Any:
        """The values at times ``t`` (and columns ``i``); quantities in, quantities out."""
        with_units = isinstance(t, Quantity)
        seconds = np.asarray(strip(t), dtype=float)
        rows = np.clip(np.floor(seconds / self.dt_ + 1e-3).astype(np.int64), 0, self.rows - 1)
        if self.values.ndim == 1:
            result = self.values[rows]
        else:
            result = self.values[rows, np.asarray(i, dtype=np.int64)]
        return Quantity(result, self.dim) if with_units and self.dim != DIMENSIONLESS else result

    def __repr__(self) -> str:
        return f"TimedArray({self.name}, shape={self.values.shape}, dt={self.dt_} s)"
