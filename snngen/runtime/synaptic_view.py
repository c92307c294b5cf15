"""``S.w``: a synaptic variable, indexed as in Brian2.

``S.w[:]`` (all synapses, in storage order), ``S.w[k]`` (synapse indices), ``S.w[i, j]``
(the synapses from ``i`` to ``j``, arrays allowed), ``S.w['i > j']`` (a condition). Values are
set from numbers, quantities, arrays, or strings evaluated per synapse, which may use ``i``,
``j``, synaptic variables, ``x_pre``/``x_post`` and names from the caller's scope.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from snngen.equations.text import is_condition_text, names_used
from snngen.errors import ModelError, UnitMismatchError
from snngen.runtime.assign import check_text
from snngen.runtime.namespace import caller_namespace
from snngen.runtime.pyeval import check_syntax, evaluate
from snngen.runtime.variables import view
from snngen.units.catalogue import unit_string
from snngen.units.quantity import get_dimension, strip


class SynapticView(np.lib.mixins.NDArrayOperatorsMixin):
    """One variable of a :class:`~snngen.runtime.synapses.Synapses` object."""

    def __init__(self, synapses: Any, name: str) -> None:
        self.synapses, self.name = synapses, name

    @property
    def _values(self) -> np.ndarray:
        values = self.synapses.storage[self.name]
        if not values.flags.writeable:  # held as one value: a copy, so `S.x[:] += ...` works
            values = np.array(values)
        return view(values, self.synapses.variables[self.name])

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self.synapses.storage[self.name], dtype=dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        inputs = tuple(x._values if isinstance(x, SynapticView) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __len__(self) -> int:
        return len(self.synapses.storage[self.name])

    def __repr__(self) -> str:
        return f"<{self.synapses.name}.{self.name}: {self._values!r}>"

    def __getitem__(self, key: Any) -> Any:
        return self._values[self._indices(key, level=1)]

    def __setitem__(self, key: Any, value: Any) -> None:
        self.assign(key, value, level=1)

    def _indices(self, key: Any, level: int) -> Any:
        storage = self.synapses.storage
        if isinstance(key, str):
            if not is_condition_text(check_syntax(key)):
                raise ModelError(f"S.{self.name}['...'] takes a condition, got {key!r}")
            return np.flatnonzero(self._evaluate(key, level + 1).astype(bool))
        if isinstance(key, tuple) and len(key) == 2:
            pre, post = (np.atleast_1d(np.asarray(k)) for k in key)
            match = np.isin(storage["i"], pre) & np.isin(storage["j"], post)
            if pre.size > 1 and post.size > 1:  # pairs, not all combinations
                pairs = set(zip(np.broadcast_to(pre, post.shape).tolist(), post.tolist()))
                found = zip(storage["i"][match].tolist(), storage["j"][match].tolist())
                keep = np.array([pair in pairs for pair in found], dtype=bool)
                return np.flatnonzero(match)[keep]
            return np.flatnonzero(match)
        return key

    def assign(self, key: Any, value: Any, level: int) -> None:
        variable = self.synapses.variables[self.name]
        if self.name in ("i", "j"):
            raise ModelError(f"{self.synapses.name}.{self.name} is set by connect, not assigned")
        indices = self._indices(key, level + 1)
        if isinstance(value, str):
            self._check_units(value, variable.dim, level + 1)
            value = self._evaluate(value, level + 1)[indices]
        elif variable.var_type == "float" and get_dimension(value) != variable.dim:
            raise UnitMismatchError(
                f"{self.name} of {self.synapses.name} is in {_describe(variable.dim)}, cannot "
                f"set it to a value in {_describe(get_dimension(value))}",
                identifier=self.name,
            )
        value = np.asarray(strip(value))
        storage = self.synapses.storage
        if value.ndim == 0 and isinstance(indices, slice) and indices == slice(None):
            storage.set_all(self.name, value.item())  # held once, not per synapse
        else:
            storage.writable(self.name)[indices] = value

    def _namespace(self, level: int) -> dict[str, Any]:
        return {**caller_namespace(level), **self.synapses.namespace}

    def _evaluate(self, text: str, level: int) -> np.ndarray:
        synapses = self.synapses
        storage = synapses.storage
        namespace = self._namespace(level + 1)
        from snngen.runtime.connect_values import values_function

        names = set(names_used(text).identifiers)
        own = {n: storage[n] for n in names if n in synapses.variables}
        rest = values_function(synapses, namespace)(storage["i"], storage["j"], names - set(own))
        return evaluate(text, {**rest, **own}, namespace, synapses.N)

    def _check_units(self, text: str, expected: Any, level: int) -> None:
        synapses = self.synapses
        namespace = self._namespace(level + 1)
        check_text(
            lambda name: synapses.dimension_of(name, namespace), text, expected,
            f"the assignment to {synapses.name}.{self.name}", namespace,
        )  # fmt: skip


def _describe(dim: Any) -> str:
    return "1 (dimensionless)" if dim.is_dimensionless else unit_string(dim)
