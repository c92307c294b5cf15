"""Resolution of external identifiers (``tau``, ``v_rest``, a ``TimedArray``) at run time.

As in Brian2, in order: the object's own ``namespace=``, then the ``namespace=`` given to
``run()``, else the scope that called ``run()`` (its locals, then its globals).
"""

from __future__ import annotations

import sys
from collections import ChainMap
from collections.abc import Mapping
from typing import Any

from snngen.equations.names import Unresolved
from snngen.equations.text import names_used
from snngen.units.catalogue import UNITS
from snngen.units.dimensions import Dimension
from snngen.units.quantity import get_dimension


def caller_namespace(level: int) -> ChainMap[str, Any]:
    """Locals and globals of the frame ``level`` calls above the caller of this function (a
    script's top level has one dict for both, which is not copied: a star import puts hundreds
    of names in it)."""
    frame = sys._getframe(level + 2)
    if frame.f_locals is frame.f_globals:
        return ChainMap(frame.f_globals)
    return ChainMap(dict(frame.f_locals), frame.f_globals)


def names_in_code(obj: Any) -> set[str]:
    """Every name that the equations and the code texts (``code_texts()``) of ``obj`` use."""
    used = set(obj.equations.identifiers) | set(obj.equations.functions)
    for text in obj.code_texts():
        used |= names_used(text).all
    return used


def resolve(
    names: frozenset[str] | set[str],
    own: Mapping[str, Any] | None,
    run_namespace: Mapping[str, Any],
) -> tuple[dict[str, Any], list[str]]:
    """Values of ``names`` and the names found nowhere."""
    values, missing = {}, []
    for name in sorted(names):
        for source in (own or {}, run_namespace):
            if name in source:
                values[name] = source[name]
                break
        else:
            missing.append(name)
    return values, missing


def external_dimension(
    name: str, constants: Mapping[str, Any], namespace: Mapping[str, Any]
) -> Dimension:
    """The dimension of an external name: a bound constant, a namespace value, or a unit."""
    for values in (constants, namespace):
        if name in values:
            return get_dimension(values[name])
    if name in UNITS:
        return UNITS[name].dim
    raise Unresolved(name)
