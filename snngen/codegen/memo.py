"""Lowerings kept on disk by the network's structure, so that a warm start skips lowering,
unit checks and rendering (DESIGN invariant 4).

A lowering refers to the network's objects, in its slot keys and its fetches. On disk each
object is replaced by its position in the network; a process that builds the same network binds
the positions to its own objects. The key is a digest of everything that decides the generated
code (:func:`snngen.runtime.structure.structure_key`). A cold run goes through the same round
trip, so every run uses a lowering read back from the memo.

With ``$SNNGEN_VERIFY_MEMO`` set (the test suite sets it), a lowering recalled from the memo is
compared with a fresh one, and a difference is a :class:`~snngen.errors.CodegenError`: a
structural fact missing from the key would otherwise run another network's code.

The memo is a pickle in the cache, which is trusted as the compiled modules beside it are.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
from collections.abc import Callable, Sequence
from typing import Any

from snngen.build.cache import VERIFY_ENV, memoised
from snngen.codegen.fetch import Fetch
from snngen.codegen.program import ArraySlot, Lowered
from snngen.errors import CodegenError

_PLAIN = (str, int, float, bool, type(None), ArraySlot)


@dataclasses.dataclass(frozen=True)
class _Object:
    """A network object on disk: its position in the network."""

    position: int


def recall(key: str, objects: Sequence[Any],
           lower: Callable[[], tuple[Lowered, str]]) -> tuple[Lowered, str]:  # fmt: skip
    """The lowering and source of the network of ``objects``: from the memo under ``key``, or
    made by ``lower()`` and kept."""
    positions = {id(obj): k for k, obj in enumerate(objects)}
    made = []

    def make() -> bytes:
        made.append(True)
        lowered, source = lower()
        return pickle.dumps((_portable(lowered, positions), source))

    portable, source = pickle.loads(memoised("lowerings", key, make))
    if not made and os.environ.get(VERIFY_ENV):
        lowered, fresh_source = lower()
        if fresh_source != source or _portable(lowered, positions) != portable:
            raise CodegenError(f"the memoised lowering {key} differs from a fresh one: the "
                               "structure key misses a fact that decides the code")  # fmt: skip
    return _bound(portable, objects), source


def _portable(lowered: Lowered, positions: dict[int, int]) -> Lowered:
    """``lowered`` with the network's objects replaced by their positions (and no program)."""

    def leaf(value: Any) -> Any:
        if isinstance(value, _PLAIN):
            return value
        if id(value) in positions:
            return _Object(positions[id(value)])
        raise CodegenError(f"a lowering refers to {value!r}, which is not in the network")

    return _rebuilt(dataclasses.replace(lowered, program=None), leaf)


def _bound(lowered: Lowered, objects: Sequence[Any]) -> Lowered:
    """The inverse of :func:`_portable`, with the objects of this process."""
    return _rebuilt(lowered, lambda v: objects[v.position] if isinstance(v, _Object) else v)


def _rebuilt(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """``value`` rebuilt with ``leaf`` applied to everything that is not a container."""
    if isinstance(value, Lowered):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return Lowered(**{name: _rebuilt(v, leaf) for name, v in fields.items()})
    if isinstance(value, tuple | list):
        return type(value)(_rebuilt(v, leaf) for v in value)
    if isinstance(value, dict):
        return {_rebuilt(k, leaf): _rebuilt(v, leaf) for k, v in value.items()}
    if isinstance(value, Fetch):
        return Fetch(value.getter, *_rebuilt(value.args, leaf))
    return leaf(value)
