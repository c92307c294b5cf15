"""The unit catalogue: named units with SI prefixes, and how quantities are displayed.

Names follow Brian2: long forms (``second``, ``msecond``, ``mvolt``, ``nsiemens``, ``Mohm``) and
short forms (``ms``, ``mV``, ``nS``, ``pF``, ``Hz``). Unprefixed one-letter symbols (``s``, ``V``,
``m``, ``S`` …) are deliberately not names here: they are common variable names in models (the HH
gating variable ``m``), so they appear only when quantities are displayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from snngen.units.dimensions import BASE_NAMES, DIMENSIONLESS, Dimension
from snngen.units.quantity import Quantity


class Unit(Quantity):
    """A named unit (``ms``, ``volt``); arithmetic with it yields plain quantities."""

    name: str

    def __new__(cls, scale: float, dim: Dimension, name: str) -> Unit:
        unit = super().__new__(cls, scale, dim)
        unit.name = name
        return unit

    def __array_finalize__(self, obj: object) -> None:
        super().__array_finalize__(obj)
        self.name = getattr(obj, "name", "")

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__

    def __reduce__(self) -> tuple:
        return (_lookup, (self.name,))


def _lookup(name: str) -> Unit:
    return UNITS[name]


_PREFIXES = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "c": 1e-2, "k": 1e3, "M": 1e6, "G": 1e9}


@dataclass(frozen=True)
class _Family:
    long: tuple[str, ...]  # unprefixed long names (spelling variants)
    short: str  # display symbol, prefixed to form short names
    scale: float  # value of the unprefixed unit in SI
    dim: Dimension
    prefixes: str  # which SI prefixes make sense for this unit


def _dim(**exponents: float) -> Dimension:
    order = {"m": 0, "kg": 1, "s": 2, "A": 3, "K": 4, "mol": 5, "cd": 6}
    values = [0.0] * 7
    for key, value in exponents.items():
        values[order[key]] = value
    return Dimension(tuple(values))


_VOLT = _dim(m=2, kg=1, s=-3, A=-1)
_FAMILIES = (
    _Family(("second",), "s", 1.0, _dim(s=1), "pnum"),
    _Family(("metre", "meter"), "m", 1.0, _dim(m=1), "numck"),
    _Family(("gram",), "g", 1e-3, _dim(kg=1), "umk"),
    _Family(("amp", "ampere"), "A", 1.0, _dim(A=1), "pnum"),
    _Family(("kelvin",), "K", 1.0, _dim(K=1), "m"),
    _Family(("mole",), "mol", 1.0, _dim(mol=1), "pnum"),
    _Family(("candela",), "cd", 1.0, _dim(cd=1), ""),
    _Family(("volt",), "V", 1.0, _VOLT, "pnumk"),
    _Family(("siemens",), "S", 1.0, _dim(m=-2, kg=-1, s=3, A=2), "pnum"),
    _Family(("farad",), "F", 1.0, _dim(m=-2, kg=-1, s=4, A=2), "pnum"),
    _Family(("ohm",), "ohm", 1.0, _dim(m=2, kg=1, s=-3, A=-2), "kMG"),
    _Family(("hertz",), "Hz", 1.0, _dim(s=-1), "kM"),
    _Family(("coulomb",), "C", 1.0, _dim(s=1, A=1), "pnum"),
    _Family(("joule",), "J", 1.0, _dim(m=2, kg=1, s=-2), "pnumk"),
    _Family(("watt",), "W", 1.0, _dim(m=2, kg=1, s=-3), "pnumk"),
    _Family(("litre", "liter"), "l", 1e-3, _dim(m=3), "mu"),
    _Family(("molar",), "M", 1e3, _dim(m=-3, mol=1), "pnum"),
)


def _build() -> tuple[dict[str, Unit], dict[Dimension, list[tuple[float, str]]]]:
    units: dict[str, Unit] = {}
    display: dict[Dimension, list[tuple[float, str]]] = {}
    for family in _FAMILIES:
        display.setdefault(family.dim, []).append((family.scale, family.short))
        for long in family.long:
            units[long] = Unit(family.scale, family.dim, long)
        if len(family.short) > 1:  # one-letter symbols stay free for variable names
            units[family.short] = Unit(family.scale, family.dim, family.short)
        for prefix in family.prefixes:
            scale = family.scale * _PREFIXES[prefix]
            short = prefix + family.short
            units[short] = Unit(scale, family.dim, short)
            display[family.dim].append((scale, short))
            for long in family.long:
                units[prefix + long] = Unit(scale, family.dim, prefix + long)
    units["kilogram"] = units["kgram"]
    del units["kgram"]
    return units, display


UNITS, _DISPLAY = _build()

# Named units checked, in this order, when a dimension is described in words (error messages).
_NAMED = ("volt", "amp", "siemens", "farad", "ohm", "coulomb", "joule", "watt", "molar", "hertz")


def _power_text(name: str, exponent: float) -> str:
    if exponent == 1:
        return name
    text = str(int(exponent)) if float(exponent).is_integer() else str(float(exponent))
    return f"{name}**{text}"


def _product_text(factors: list[tuple[str, float]]) -> str:
    numerator = [_power_text(n, e) for n, e in factors if e > 0]
    denominator = [_power_text(n, -e) for n, e in factors if e < 0]
    if not numerator:
        return "*".join(_power_text(n, e) for n, e in factors)
    text = "*".join(numerator)
    if denominator:
        text += "/" + ("/".join(denominator))
    return text


def unit_string(dim: Dimension) -> str:
    """Describe ``dim`` as a unit expression a user could write, e.g. ``volt/second``.

    Tries a named unit alone, then a named unit times powers of second and metre (``volt/second``,
    ``siemens/metre**2``), then falls back to base units.
    """
    if dim.is_dimensionless:
        return "1"
    for name in ("second", "metre", "kilogram", "mole", "kelvin", "candela", *_NAMED):
        if UNITS[name].dim == dim:
            return "Hz" if name == "hertz" else name
    second, metre = UNITS["second"].dim, UNITS["metre"].dim
    for name in _NAMED[:-1]:
        for s_exp, m_exp in product((0, -1, 1, -2, 2), (0, -1, -2, -3, 1, 2, 3)):
            if (s_exp, m_exp) == (0, 0):
                continue
            candidate = UNITS[name].dim * second**s_exp * metre**m_exp
            if candidate == dim:
                factors = [(name, 1), ("second", s_exp), ("metre", m_exp)]
                return _product_text([(n, e) for n, e in factors if e])
    factors = [(name, float(e)) for name, e in zip(BASE_NAMES, dim.exponents) if e]
    return _product_text(factors)


def display_unit(dim: Dimension, magnitude: float) -> tuple[float, str]:
    """The (scale, symbol) that shows a value of ``magnitude`` (in SI) with 1 <= |x| < 1000."""
    candidates = sorted(_DISPLAY.get(dim, []))
    if not candidates:
        return 1.0, unit_string(dim)
    base = next(((s, n) for s, n in candidates if s == 1.0), candidates[0])
    if magnitude == 0 or not np.isfinite(magnitude):
        return base
    fitting = [(s, n) for s, n in candidates if 1 <= magnitude / s < 1000]
    return fitting[-1] if fitting else base


def format_quantity(quantity: Quantity) -> str:
    """``20. ms``, ``[1. 2.] mV``: the value in a readable unit, numpy's number formatting."""
    plain = np.asarray(quantity.view(np.ndarray))
    if quantity.dim == DIMENSIONLESS:
        return np.array2string(plain)
    finite = np.abs(plain[np.isfinite(plain)]) if plain.size else np.array([])
    magnitude = float(np.max(finite)) if finite.size else 0.0
    scale, name = display_unit(quantity.dim, magnitude)
    return f"{np.array2string(plain / scale)} {name}"
