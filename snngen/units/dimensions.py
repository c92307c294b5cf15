"""Physical dimensions as vectors of exponents over the seven SI base units.

Exponents are :class:`fractions.Fraction` so that noise (``second**-0.5``) and square roots stay
exact and comparable: ``sqrt(second**-1) == second**-0.5`` must hold for dimension checks.
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Real

BASE_NAMES = ("metre", "kilogram", "second", "amp", "kelvin", "mole", "candela")
BASE_SYMBOLS = ("m", "kg", "s", "A", "K", "mol", "cd")


def _fraction(value: Real) -> Fraction:
    return Fraction(value).limit_denominator(1000)


class Dimension:
    """An immutable, hashable vector of SI base-unit exponents."""

    __slots__ = ("_exponents", "_text")

    def __init__(self, exponents: tuple[Real, ...] = (0,) * 7) -> None:
        if len(exponents) != 7:
            raise ValueError("a dimension has exactly seven exponents")
        self._exponents = tuple(_fraction(e) for e in exponents)
        self._text: str | None = None  # base_string, made once: every run's structure key reads it

    @classmethod
    def base(cls, index: int) -> Dimension:
        exponents = [0] * 7
        exponents[index] = 1
        return cls(tuple(exponents))

    @property
    def exponents(self) -> tuple[Fraction, ...]:
        return self._exponents

    @property
    def is_dimensionless(self) -> bool:
        return not any(self._exponents)

    def __mul__(self, other: Dimension) -> Dimension:
        if other.is_dimensionless:  # a number times a quantity: no Fraction arithmetic
            return self
        if self.is_dimensionless:
            return other
        return Dimension(tuple(a + b for a, b in zip(self._exponents, other._exponents)))

    def __truediv__(self, other: Dimension) -> Dimension:
        if other.is_dimensionless:
            return self
        return Dimension(tuple(a - b for a, b in zip(self._exponents, other._exponents)))

    def __pow__(self, power: Real) -> Dimension:
        p = _fraction(power)
        return Dimension(tuple(e * p for e in self._exponents))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dimension) and self._exponents == other._exponents

    def __hash__(self) -> int:
        return hash(self._exponents)

    def base_string(self) -> str:
        """The dimension in SI base units, e.g. ``m^2 kg s^-3 A^-1``; ``1`` if dimensionless."""
        if self._text is None:
            parts = []
            for symbol, exponent in zip(BASE_SYMBOLS, self._exponents):
                if exponent == 1:
                    parts.append(symbol)
                elif exponent:
                    parts.append(f"{symbol}^{exponent}")
            self._text = " ".join(parts) or "1"
        return self._text

    __str__ = base_string

    def __repr__(self) -> str:
        return f"Dimension({self.base_string()})"


DIMENSIONLESS = Dimension()
