"""Fetches: how a run obtains the value of each runtime argument (slot) of the loop.

A fetch is data, not a closure: one of the getters below and its arguments (network objects,
names, numbers). A lowering's fetches can therefore be kept on disk, with the network's objects
replaced by their positions, and bound to the objects of another process that builds the same
network: a warm start then needs no lowering (see :mod:`snngen.codegen.memo`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from snngen.codegen.program import CTYPES
from snngen.errors import CodegenError
from snngen.standalone.addresses import AddressBook
from snngen.units.quantity import strip

if TYPE_CHECKING:
    from snngen.codegen.program import Lowered


class Fetch:
    """``getter(run, *args)``: the value of one slot when a run (or a chunk of it) starts."""

    __slots__ = ("args", "getter")

    def __init__(self, getter: Callable[..., Any], *args: Any) -> None:
        self.getter = getter
        self.args = args

    def __call__(self, run: Any) -> Any:
        return self.getter(run, *self.args)

    def __reduce__(self) -> tuple:
        return (Fetch, (self.getter, *self.args))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fetch):
            return NotImplemented
        return self.getter is other.getter and self.args == other.args

    def __hash__(self) -> int:
        return hash((self.getter, self.args))

    def __repr__(self) -> str:
        return f"Fetch({self.getter.__name__}, {', '.join(map(repr, self.args))})"


def run_value(run: Any, name: str) -> Any:
    """A value of the run itself: ``dt``, ``progress``, ``rng_saved``, ``threads``."""
    return getattr(run, name)


def attribute(run: Any, obj: Any, path: str) -> Any:
    """``obj.<path>``, e.g. ``N``, ``source._start``, ``refractory.seconds``."""
    return _getter(path)(obj)


@functools.cache
def _getter(path: str) -> Callable[[Any], Any]:
    return operator.attrgetter(path)


def number(run: Any, obj: Any, path: str) -> float:
    """``obj.<path>`` as a number in SI units (a quantity's value)."""
    return float(strip(attribute(run, obj, path)))


def entry(run: Any, obj: Any, mapping: str, key: str) -> Any:
    """``obj.<mapping>[key]``, e.g. a monitor's buffer or a synapses' prepared array."""
    return getattr(obj, mapping)[key]


def length(run: Any, obj: Any, path: str) -> int:
    """``len(obj.<path>)``."""
    return len(attribute(run, obj, path))


def storage(run: Any, owner: Any, name: str) -> Any:
    """The array of variable ``name`` of a group or synapses (for synapses, an array even for
    a variable held as one value; see :mod:`snngen.runtime.synapse_storage`)."""
    held = owner.storage
    return held.writable(name) if hasattr(held, "writable") else held[name]


def decay_scale(run: Any, group: Any, name: str) -> np.ndarray:
    """The one-element array carrying the scale of ``group``'s implicitly decaying variable
    ``name`` from one call of the loop to the next (see :mod:`snngen.codegen.decay`)."""
    return group.decay_scales.setdefault(name, np.ones(1))


def constant(run: Any, owner: Any, name: str) -> float:
    """The resolved external constant ``name`` of ``owner``'s code."""
    return run.constant(owner, name)


def timed_array(run: Any, owner: Any, name: str, part: str) -> Any:
    """A part (``values``, ``rows``, ...) of the ``TimedArray`` that ``owner`` calls ``name``."""
    return getattr(run.function(owner, name), part)


def propagator(run: Any, owner: Any, gate: float, name: str, recipe: tuple) -> Any:
    """An entry of the exact propagator of ``owner``'s equations, for the gate value ``gate``
    (``recipe``: see :mod:`snngen.runtime.propagate`)."""
    return run.propagator(owner, gate, recipe)[name]


@functools.cache
def _allowed_dtypes(ctype: str) -> frozenset[np.dtype]:
    allowed = {np.dtype(CTYPES[ctype])}
    if ctype == "uint8_t":
        allowed.add(np.dtype(bool))  # numpy booleans are one byte, 0 or 1
    return frozenset(allowed)


def fetch_tables(lowered: Lowered, run: Any, book: AddressBook | None = None,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:  # fmt: skip
    """The argument tables of one call: array addresses (from ``book``, which remembers the
    previous call's), scalars, integers, and the arrays themselves (which must stay alive during
    the call)."""
    arrays = [f(run) for f in lowered.array_fetch]
    for slot, array in zip(lowered.arrays, arrays):
        if not array.flags.c_contiguous or array.dtype not in _allowed_dtypes(slot.ctype):
            raise CodegenError(f"array {slot.name} is not a contiguous {slot.ctype} array")
    addresses = (book or AddressBook()).addresses(arrays)
    scalars = np.array([f(run) for f in lowered.scalar_fetch], dtype=np.float64)
    integers = np.array([f(run) for f in lowered.integer_fetch], dtype=np.int64)
    return addresses, scalars, integers, arrays
