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

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from snngen.build.checked import code_fingerprint
from snngen.units.quantity import get_dimension


def structure_key(objects: Sequence[Any], namespaces: Mapping[Any, Mapping[str, Any]],
                  parallel: bool) -> str:  # fmt: skip
    """The digest of the network of ``objects`` run with the resolved ``namespaces``."""
    positions = {id(obj): k for k, obj in enumerate(objects)}

    def position(group: Any) -> int:  # membership was checked when the names were resolved
        return positions[id(getattr(group, "_owner", group))]

    parts = [code_fingerprint(), parallel]
    for obj in objects:
        names = namespaces.get(obj, {})
        parts.append((obj.structure(position), sorted((n, signature(v)) for n, v in names.items())))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def signature(value: Any) -> tuple:
    """What the code and the unit checks see of an external name's value (for a
    ``TimedArray``, whether it is called with one argument or two)."""
    shape = np.ndim(value.values) if hasattr(value, "dimension_rule") else np.ndim(value)
    return type(value).__name__, repr(get_dimension(value)), shape
