"""What of a network decides its generated code, as a digest computed without lowering it.

The key of the memoised lowerings (:mod:`snngen.codegen.memo`): two runs with equal keys lower to
the same program, with the same slots and fetches, and pass the same unit checks. It is made of

- each object's :meth:`structure`: its kind and its code as written (equations, threshold,
  reset, refractoriness, pathways, method, what a monitor records), with other objects named
  by their position in the network; and the synapses' layout;
- the kind, dimension and shape of every external name each object resolved;
- whether the loops run on threads;
- the code that lowers and renders (snngen's files and templates, by size and modification
  time) and sympy's release.

Values (parameters, sizes, ``dt``, initial states) are not part of it: they are run-time
arguments (DESIGN invariant 2).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from snngen.codegen.render import template_directory
from snngen.units.quantity import get_dimension


def structure_key(objects: Sequence[Any], namespaces: Mapping[Any, Mapping[str, Any]],
                  parallel: bool) -> str:  # fmt: skip
    """The digest of the network of ``objects`` run with the resolved ``namespaces``."""
    positions = {id(obj): k for k, obj in enumerate(objects)}

    def position(group: Any) -> int:  # membership was checked when the names were resolved
        return positions[id(getattr(group, "_owner", group))]

    parts = [_code_fingerprint(), parallel]
    for obj in objects:
        names = namespaces.get(obj, {})
        parts.append(
            (obj.structure(position), sorted((n, _signature(v)) for n, v in names.items()))
        )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def describe_equations(equations: Any) -> tuple:
    """Equations as written (every line, flags and unit included) and their bound constants'
    dimensions."""
    constants = sorted((name, repr(get_dimension(v))) for name, v in equations.constants.items())
    return tuple(eq.line for eq in equations), tuple(constants)


def _signature(value: Any) -> tuple:
    """What the code and the unit checks see of an external name's value (for a
    ``TimedArray``, whether it is called with one argument or two)."""
    shape = np.ndim(value.values) if hasattr(value, "dimension_rule") else np.ndim(value)
    return type(value).__name__, repr(get_dimension(value)), shape


@functools.cache
def _code_fingerprint() -> str:
    package = Path(__file__).resolve().parent.parent
    files = sorted(package.rglob("*.py")) + sorted(template_directory().rglob("*.j2"))
    sympy = importlib.util.find_spec("sympy")
    if sympy is not None and sympy.origin is not None:
        files.append(Path(sympy.origin).parent / "release.py")
    stamps = [(str(f), stat.st_size, stat.st_mtime_ns) for f in files for stat in [f.stat()]]
    return hashlib.sha256(repr(stamps).encode()).hexdigest()
