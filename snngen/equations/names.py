"""Names with a fixed meaning in every model (``t``, ``dt``, ``i``, ``N``, noise, reserved names).

Free of sympy: a process whose network is in the memo of lowerings resolves names with these alone.
"""

from __future__ import annotations

import keyword

from snngen.equations.text import CONSTANT_NAMES, FUNCTION_NAMES
from snngen.units.catalogue import UNITS
from snngen.units.dimensions import DIMENSIONLESS, Dimension

SECOND = UNITS["second"].dim
NOISE_DIMENSION = SECOND**-0.5

# Names with a fixed meaning in every model, and their dimensions.
SPECIAL_DIMENSIONS: dict[str, Dimension] = {
    "t": SECOND,
    "dt": SECOND,
    "i": DIMENSIONLESS,
    "N": DIMENSIONLESS,
}
# Reserved for the runtime's refractoriness bookkeeping.
RUNTIME_NAMES = frozenset({"not_refractory", "lastspike"})


def is_noise(name: str) -> bool:
    """``xi`` and ``xi_<anything>`` are white-noise sources."""
    return name == "xi" or name.startswith("xi_")


def reserved_reason(name: str) -> str | None:
    """Why ``name`` cannot be defined by a model, or ``None`` if it can."""
    if name.startswith("_"):
        return "names starting with '_' are reserved for generated code"
    if name in SPECIAL_DIMENSIONS:
        return f"{name!r} is a built-in name (t: time, dt: time step, i: index, N: group size)"
    if is_noise(name):
        return f"{name!r} denotes white noise (xi, xi_<name>)"
    if name in RUNTIME_NAMES:
        return f"{name!r} is maintained by snngen for refractoriness"
    if name in UNITS:
        return f"{name!r} is the name of a unit"
    if name in FUNCTION_NAMES or name in CONSTANT_NAMES:
        return f"{name!r} is the name of a built-in function or constant"
    if keyword.iskeyword(name) or name in ("True", "False", "boolean", "integer"):
        return f"{name!r} is a keyword"
    return None


class Unresolved(Exception):
    """Internal: an identifier or function whose dimension is not known (yet)."""

    def __init__(self, name: str, is_function: bool = False) -> None:
        super().__init__(name)
        self.name = name
        self.is_function = is_function
