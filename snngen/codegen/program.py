"""The lowered network: a small typed program that the templates turn into one Cython module.

A :class:`Program` holds structure only (DESIGN invariant 2): canonical names for the runtime
arguments (arrays, scalars, integers), printed code for the run-invariant *prepare* block and the
per-step prelude, and one :class:`Operation` per schedule slot. Values (parameters, N, ``dt``,
array addresses) arrive at run time through the argument tables, in slot order, so equal programs
render to equal source and share one compiled module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from snngen.codegen.fetch import Fetch

# C types of array elements and the numpy dtypes that hold them.
CTYPES = {"double": "float64", "float": "float32", "int16_t": "int16", "int32_t": "int32",
          "int64_t": "int64", "uint8_t": "uint8", "uint16_t": "uint16"}  # fmt: skip


@dataclass(frozen=True)
class ArraySlot:
    """A runtime array argument: its canonical name in the source and its element type."""

    name: str
    ctype: str


@dataclass(frozen=True)
class Operation:
    """One operation of the time step, rendered by the macro file ``templates/operations/<kind>``.

    ``fields`` holds canonical names and printed, unindented code lines for the macro.
    """

    kind: str
    comment: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Program:
    """Everything the module template needs; see the module docstring."""

    arrays: tuple[ArraySlot, ...]
    scalars: tuple[str, ...]
    integers: tuple[str, ...]
    doubles: tuple[str, ...]  # double locals
    singles: tuple[str, ...]  # float locals (the float32 mode's arithmetic)
    counts: tuple[str, ...]  # int64 locals
    prepare: tuple[str, ...]
    step: tuple[str, ...]
    capacity_checks: tuple[str, ...]  # conditions under which the loop returns before a step
    operations: tuple[Operation, ...]
    after_loop: tuple[str, ...]  # run once the loop stops (state kept only between runs)
    dt: str  # the scalar holding dt
    rng_saved: str  # the array keeping the normal generator's spare value between calls
    progress: str  # the array receiving the next step to run, read back after each call
    parallel: bool = False  # some loops run on OpenMP threads (compile and link with OpenMP)
    int32s: tuple[str, ...] = ()  # int32 locals (step counts)


@dataclass(frozen=True)
class Lowered:
    """What a run needs of a lowering, besides the module: the argument tables' layout (array
    element types, where dt, the generator's spare value and the progress counter go), how to
    fetch each slot's value, and which slot holds what.

    ``slots`` maps each slot's key (kind first, e.g. ``("scalar", group, "tau")``) to its
    canonical name: what a standalone package needs to say which slot holds what. ``program``
    is the lowered program itself, kept only until it is rendered (a lowering recalled from the
    memo has none; see :mod:`snngen.codegen.memo`).
    """

    arrays: tuple[ArraySlot, ...]
    array_fetch: tuple[Fetch, ...]
    scalar_fetch: tuple[Fetch, ...]
    integer_fetch: tuple[Fetch, ...]
    slots: Mapping[tuple, str]
    rng_saved: str
    progress: str
    program: Program | None = None
