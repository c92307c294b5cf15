"""The arguments of ``Synapses.connect``, turned into (i, j) pairs.

Conditions, probabilities and ``j`` expressions may use ``i``, ``j``, neuron variables as
``x_pre``/``x_post``, ``N_pre``, ``N_post``, units and names from the caller's scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from snngen.equations.text import names_used
from snngen.errors import IdentifierError, ModelError
from snngen.runtime.connect import (
    evaluated_pairs,
    fixed_probability,
    parse_condition,
    parse_probability,
)
from snngen.runtime.namespace import caller_namespace
from snngen.runtime.pyeval import check_syntax, evaluate
from snngen.units.catalogue import UNITS
from snngen.units.quantity import strip


def pairs_for(synapses: Any, condition: Any, i: Any, j: Any, p: Any, skip_if_invalid: bool,
              level: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The pairs ``connect`` creates (see :meth:`Synapses.connect`), sorted by i then j."""
    n_pre, n_post = synapses.source.N, synapses.target.N
    namespace = {**caller_namespace(level), **synapses.namespace}
    values = values_function(synapses, namespace)

    def run(expr: Any, known: Mapping[str, Any], size: int) -> np.ndarray:
        return evaluate(expr, known, namespace, size)

    if isinstance(j, str):
        if condition is not None or i is not None:
            raise ModelError("connect(j='...') computes j from each i; it takes no condition or i")
        if " for " in j:
            raise ModelError("generator syntax in connect(j=...) is not supported; use "
                             "condition='...' with p=... instead")  # fmt: skip
        pre = np.arange(n_pre)
        names = set(names_used(check_syntax(j)).identifiers)
        post = np.rint(run(j, values(pre, pre, names), n_pre)).astype(int)
        return _valid(synapses, pre, post, skip_if_invalid)
    if i is not None or j is not None:
        if i is None or j is None or condition is not None:
            raise ModelError("connect(i=..., j=...) needs both index arrays and no condition")
        pre, post = np.broadcast_arrays(np.asarray(i, dtype=int), np.asarray(j, dtype=int))
        pre, post = _valid(synapses, pre.ravel(), post.ravel(), skip_if_invalid)
        order = np.lexsort((post, pre))
        return pre[order], post[order]
    expr = parse_condition(True if condition is None else condition)
    probability = parse_probability(p)
    if expr is None and not isinstance(probability, str):
        return fixed_probability(n_pre, n_post, probability)
    return evaluated_pairs(n_pre, n_post, expr, probability, values, run)


def _valid(synapses: Any, pre: np.ndarray, post: np.ndarray,
           skip: bool) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    ok = (pre >= 0) & (pre < synapses.source.N) & (post >= 0) & (post < synapses.target.N)
    if not ok.all() and not skip:
        bad = np.flatnonzero(~ok)[0]
        raise ModelError(
            f"connect of {synapses.name}: the pair ({pre[bad]}, {post[bad]}) is outside "
            f"[0, {synapses.source.N}) × [0, {synapses.target.N}); pass skip_if_invalid=True "
            "to leave such pairs out"
        )
    return pre[ok], post[ok]


def values_function(synapses: Any, namespace: Mapping[str, Any]) -> Any:
    source, target = synapses.source, synapses.target

    def values(i: np.ndarray, j: np.ndarray, names: set[str]) -> dict[str, Any]:
        result: dict[str, Any] = {"i": i, "j": j, "N_pre": source.N, "N_post": target.N}
        for name in names - set(result):
            if name.endswith("_pre") and name[:-4] in source._owner.variables:
                result[name] = source._owner.storage[name[:-4]][source._start + i]
            elif name.endswith("_post") and name[:-5] in target._owner.variables:
                result[name] = target._owner.storage[name[:-5]][target._start + j]
            elif name in target._owner.variables:
                result[name] = target._owner.storage[name][target._start + j]
            elif name in namespace:
                result[name] = strip(namespace[name])
            elif name in UNITS:
                result[name] = strip(UNITS[name])
            else:
                raise IdentifierError(f"unknown identifier {name!r} in connect of "
                                      f"{synapses.name}", identifier=name)  # fmt: skip
        return result

    return values
