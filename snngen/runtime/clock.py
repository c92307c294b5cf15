"""The simulation clock: ``defaultclock.dt``, as in Brian2.

One clock drives a network; monitors may record every k-th step of it (their own ``dt``).
"""

from __future__ import annotations

from typing import Any

from snngen.errors import ModelError
from snngen.units.catalogue import UNITS
from snngen.units.quantity import Quantity, get_dimension, strip

SECOND = UNITS["second"]


def time_value(value: Any, what: str) -> float:
    """``value`` in seconds; raises :class:`ModelError` unless it is a time (a quantity)."""
    if get_dimension(value) != SECOND.dim or not isinstance(value, Quantity):
        raise ModelError(f"{what} must be a time (e.g. 0.1*ms), got {value!r}")
    return float(strip(value))


class Clock:
    """A time step. Set ``dt`` before creating the objects it should drive."""

    def __init__(self, dt: Quantity = 0.1 * UNITS["ms"]) -> None:
        self.dt = dt

    @property
    def dt(self) -> Quantity:
        return Quantity(self._dt, SECOND.dim)

    @dt.setter
    def dt(self, value: Quantity) -> None:
        seconds = time_value(value, "dt")
        if not seconds > 0:
            raise ModelError(f"dt must be positive, got {value!r}")
        self._dt = seconds

    @property
    def dt_(self) -> float:
        """``dt`` in seconds, as a plain number."""
        return self._dt

    def __repr__(self) -> str:
        return f"Clock(dt={self.dt!r})"


defaultclock = Clock()
