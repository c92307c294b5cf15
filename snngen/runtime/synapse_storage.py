"""The synapses' data, compactly: CSR rows instead of ``i``, one value instead of equal ones.

Synapses are sorted by presynaptic index ``i``, then ``j`` (DESIGN invariant 7), so the row
offsets ``indptr`` (one entry per presynaptic neuron) say everything ``i`` would: ``i`` is not
stored but derived when something asks for it (and kept until the synapses change). A variable
that holds the same value for every synapse (``delay`` given to the constructor, a variable not
yet assigned) is kept as that value until a per-synapse value is written. A network whose
synapses carry no variable of their own then costs 2 or 4 bytes per synapse (``j``), not 16.

``j`` is held in the narrowest type that indexes the target group: ``uint16`` up to 65,536
neurons (half the bytes a spike's row brings from memory), else ``int32``. The type is part of
the synapses' layout (:meth:`~snngen.runtime.synapses.Synapses.layout`), so a target group that
grows past 65,536 neurons recompiles once. Readers get ``j`` as ``int32`` all the same, so that
arithmetic on it (``j - 1`` in an expression) cannot wrap around.

Reading ``storage[name]`` gives an array in synapse order (read-only when the value is held
once); code that writes, or hands the array to the compiled loop, asks for :meth:`writable`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from snngen.runtime.variables import Variable

INDEX = np.int32  # j (and the derived i) as read: neuron indices within the connected groups
NARROW_LIMIT = 1 << 16  # target groups up to this size hold j as uint16


def index_dtype(size: int) -> type[np.integer]:
    """The type ``j`` is held in for a target group of ``size`` neurons."""
    return np.uint16 if size <= NARROW_LIMIT else INDEX


BLOCK = 1 << 20  # synapses checked at once for CSR order (bounds the temporary memory)


class SynapseStorage:
    """Per-synapse values of one ``Synapses`` object; see the module docstring."""

    def __init__(self, variables: Mapping[str, Variable], n_pre: int, n_post: int,
                 initial: Mapping[str, float]) -> None:  # fmt: skip
        self.variables = variables
        self.initial = dict(initial)  # the value of new synapses, by variable (default 0)
        self.indptr = np.zeros(n_pre + 1, dtype=np.int64)
        self._arrays: dict[str, np.ndarray] = {"j": np.zeros(0, dtype=index_dtype(n_post))}
        self._uniform: dict[str, float] = {}
        self._rows: np.ndarray | None = None  # i, derived from indptr when asked for
        for name, variable in variables.items():
            if name in ("i", "j"):
                continue
            if variable.shared:
                self._arrays[name] = variable.allocate(1)
            else:
                self._uniform[name] = self.initial.get(name, 0)

    def held_type(self, name: str) -> type[np.integer]:
        """The type of the array the compiled loop gets for index ``name`` (``i`` or ``j``)."""
        return self._arrays["j"].dtype.type if name == "j" else INDEX

    @property
    def N(self) -> int:
        return int(self.indptr[-1])

    def __len__(self) -> int:
        return self.N

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def items(self) -> Iterator[tuple[str, np.ndarray]]:
        return ((name, self[name]) for name in self.variables)

    def __getitem__(self, name: str) -> np.ndarray:
        if name == "i":
            return self._presynaptic()
        if name == "j":
            return self._arrays["j"].astype(INDEX, copy=False)
        if name in self._uniform:
            value = np.asarray(self._uniform[name], dtype=self.variables[name].dtype)
            return np.broadcast_to(value, (self.N,))  # read-only, no memory per synapse
        return self._arrays[name]

    def writable(self, name: str) -> np.ndarray:
        """The variable's own array (created now if it was held as one value); ``j`` in the
        type it is held in."""
        if name in self._uniform:
            value = self._uniform.pop(name)
            self._arrays[name] = np.full(self.N, value, dtype=self.variables[name].dtype)
        return self._arrays["j"] if name == "j" else self[name]

    def set_all(self, name: str, value: float) -> None:
        """Every synapse's ``name`` to ``value``, held once."""
        if self.variables[name].shared:
            self._arrays[name][:] = value
        else:
            self._arrays.pop(name, None)
            self._uniform[name] = value

    def is_uniform(self, name: str) -> bool:
        """Whether ``name`` is held as one value (then every synapse has it)."""
        return name in self._uniform

    @property
    def nbytes(self) -> int:
        """Memory held: row offsets, arrays, and ``i`` if it was derived."""
        arrays = [self.indptr, *self._arrays.values(), *([self._rows] if self._rows is not None
                                                         else [])]  # fmt: skip
        return sum(a.nbytes for a in arrays)

    def _presynaptic(self) -> np.ndarray:
        if self._rows is None:
            rows = np.arange(len(self.indptr) - 1, dtype=INDEX)
            self._rows = np.repeat(rows, np.diff(self.indptr))
        return self._rows

    def add(self, pre: np.ndarray, post: np.ndarray) -> slice | np.ndarray:
        """Add synapses (``pre[k]`` → ``post[k]``) in CSR order; returns where they ended up.

        New synapses take the ``initial`` values; a variable held as another value becomes an
        array first. Pairs that come after the existing ones in CSR order (connectors generate
        rows in order) are appended without sorting anything (and their positions are a slice).
        """
        old, count = self.N, len(pre)
        for name, value in list(self._uniform.items()):
            if value != self.initial.get(name, 0):
                self.writable(name)
        grown = {
            name: np.concatenate([array, np.full(count, self.initial.get(name, 0), array.dtype)])
            for name, array in self._arrays.items()
            if name != "j" and not self.variables[name].shared
        }
        j = np.asarray(post).astype(self._arrays["j"].dtype, copy=False)
        if _appends(self, pre, j):
            self._arrays["j"] = np.concatenate([self._arrays["j"], j]) if old else j
            self._arrays.update(grown)
            self.indptr += _rows_before(pre, len(self.indptr))
            self._rows = None
            return slice(old, old + count)
        i = np.concatenate([self._presynaptic(), np.asarray(pre, dtype=INDEX)])
        j = np.concatenate([self._arrays["j"], j])
        order = np.lexsort((j, i))  # by i, then j; stable, so existing synapses keep their order
        self._arrays.update({name: array[order] for name, array in grown.items()})
        self._arrays["j"] = j[order]
        self.indptr[:] = _rows_before(i[order], len(self.indptr))
        self._rows = None
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        return position[old:]


def _rows_before(sorted_pre: np.ndarray, size: int) -> np.ndarray:
    """For each row r < ``size``, how many of ``sorted_pre`` are below r (no int64 copy of
    the indices, which bincount would make)."""
    return np.searchsorted(sorted_pre, np.arange(size, dtype=sorted_pre.dtype))


def _appends(storage: SynapseStorage, pre: np.ndarray, post: np.ndarray) -> bool:
    """Whether the pairs are in CSR order and come after every existing synapse."""
    if storage.N and len(pre):
        last_i = np.searchsorted(storage.indptr, storage.N, side="left") - 1
        last_j = storage.writable("j")[-1]
        if pre[0] < last_i or (pre[0] == last_i and post[0] < last_j):
            return False
    for first in range(0, max(len(pre) - 1, 0), BLOCK):
        i, j = pre[first : first + BLOCK + 1], post[first : first + BLOCK + 1]
        if not np.all((i[1:] > i[:-1]) | ((i[1:] == i[:-1]) & (j[1:] >= j[:-1]))):
            return False
    return True
