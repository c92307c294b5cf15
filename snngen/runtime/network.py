"""``Network`` and ``run``: lower, build (or fetch from the cache) and run the compiled loop.

A run resolves external names; for a structure not seen before (in this process or, through
the memo of lowerings, in an earlier one) it checks units, lowers the network to a program and
renders it; it loads the module from the cache and calls it in chunks of about
:data:`CHUNK_SECONDS` of wall time, so that progress reports and Ctrl-C work. The loop runs
without the GIL, so an interrupt lands between chunks, where the network and its monitors are
consistent; the run can continue.
"""

from __future__ import annotations

import contextlib
import copy
import operator
import os
import pickle
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from snngen.equations.text import names_used
from snngen.errors import IdentifierError, ModelError, RunError
from snngen.runtime import propagate
from snngen.runtime.clock import SECOND, defaultclock, time_value
from snngen.runtime.group import CREATED, NeuronGroup, created_at
from snngen.runtime.heap import return_freed_memory
from snngen.runtime.inputs import PoissonInput
from snngen.runtime.monitors import _Monitor
from snngen.runtime.namespace import caller_namespace, resolve
from snngen.runtime.propagate import Recipe
from snngen.runtime.rng import spawn_bit_generator
from snngen.runtime.structure import structure_key
from snngen.runtime.synapses import Synapses
from snngen.runtime.timedarray import TimedArray
from snngen.standalone.addresses import AddressBook
from snngen.standalone.package import Package
from snngen.units.catalogue import UNITS
from snngen.units.quantity import Quantity, strip

CHUNK_SECONDS = 0.2
# The thread count of runs that do not pass ``threads=`` (unset: the serial module).
THREADS_ENV = "SNNGEN_THREADS"
# Set by `snngen run --duration`: every run() of the script lasts this long (seconds).
_DURATION_OVERRIDE: list[float | None] = [None]


# Set by `snngen build`: the first run() exports the network to this folder instead of running.
_EXPORTING: list[Path | None] = [None]


class Exported(Exception):
    """Raised by ``run`` in export mode after writing the build folder, to end the script."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"exported to {folder}")
        self.folder = folder


@contextlib.contextmanager
def exporting(folder: Path) -> Iterator[None]:
    """Within the block, the first ``run`` writes a build folder and raises :class:`Exported`."""
    _EXPORTING[0] = folder
    try:
        yield
    finally:
        _EXPORTING[0] = None


@contextlib.contextmanager
def override_duration(seconds: float | None) -> Iterator[None]:
    """Within the block, every ``run`` lasts ``seconds`` (``None``: as the script says)."""
    _DURATION_OVERRIDE[0] = seconds
    try:
        yield
    finally:
        _DURATION_OVERRIDE[0] = None


Report = Callable[[float, float, float, float], None]


class RunState:
    """What one run needs besides the objects: dt, steps, resolved names, propagators."""

    def __init__(self, network: Network, dt: float, start: int, stop: int,
                 namespaces: dict[NeuronGroup, dict[str, Any]],
                 threads: int | None = None) -> None:  # fmt: skip
        self.dt = dt
        self.start, self.stop = start, stop
        self.threads = threads  # None: the serial module
        self.rng_saved = network._rng_saved
        self.progress = np.array([start], dtype=np.int64)  # written by the loop as it goes
        self._namespaces = namespaces
        self._propagators: dict[tuple, dict[str, np.ndarray]] = {}
        self._constants: dict[tuple, float] = {}  # resolved once per run, read every chunk

    def constant(self, group: NeuronGroup, name: str) -> float:
        key = (group, name)
        if key not in self._constants:
            value = np.asarray(strip(self._namespaces[group][name]))
            if value.ndim != 0 or value.dtype.kind not in "biuf":
                raise RunError(
                    f"{name!r} in {group.name} (created at {group.created_at}) must be a single "
                    f"number or quantity, got {self._namespaces[group][name]!r}; per-neuron "
                    f"values belong in a parameter of the equations ('{name} : <unit>')"
                )
            self._constants[key] = float(value)
        return self._constants[key]

    def function(self, group: NeuronGroup, name: str) -> TimedArray:
        value = self._namespaces[group][name]
        if not isinstance(value, TimedArray):
            raise RunError(f"{name!r} is called in {group.name}'s equations, but it is "
                           f"{type(value).__name__}, not a TimedArray")  # fmt: skip
        return value

    def propagator(self, group: Any, gate: float, recipe: Recipe) -> dict[str, Any]:
        """Entries of the exact propagator of a group's (or synapses') equations (``gate``: the
        ``not_refractory`` value)."""
        key = (group, gate)
        if key not in self._propagators:
            values = {name: self.propagator_value(group, name, gate) for name in recipe[1]}
            self._propagators[key] = {
                name: float(v) if np.ndim(v) == 0 else np.ascontiguousarray(
                    np.broadcast_to(v, group.N), dtype=np.float64)
                for name, v in propagate.evaluate(recipe, values, self.dt).items()
            }  # fmt: skip
        return self._propagators[key]

    def propagator_value(self, group: Any, name: str, gate: float) -> Any:
        """The value of ``name`` in ``group``'s propagator matrix: the gate for
        ``not_refractory``, a variable's array, an equation constant, a unit or an external
        constant."""
        if name == "not_refractory":
            return gate
        if name in group.variables:
            return group.storage[name]
        if name in group.equations.constants:
            return strip(group.equations.constants[name])
        if name in UNITS:
            return strip(UNITS[name])
        return self.constant(group, name)


class Network:
    """A set of groups and monitors that run together (Brian2's ``Network``)."""

    def __init__(self, *objects: Any, name: str | None = None) -> None:
        self.objects: list[Any] = []
        self.name = name or "network"
        self.created_at = created_at(1)
        self.step = 0
        self._dt: float | None = None
        self._lowered: Any = None
        self._structure: str | None = None  # the structure key that _lowered was made for
        self._module: Any = None
        self._bit_generator: np.random.PCG64 | None = None
        self._rng_saved = np.zeros(2)
        self._addresses = AddressBook()  # of the loop's arrays, from one call to the next
        self.add(*objects)

    def add(self, *objects: Any) -> None:
        for obj in objects:
            if isinstance(obj, list | tuple | set):
                self.add(*obj)
            elif isinstance(obj, NeuronGroup | Synapses | _Monitor | PoissonInput):
                if obj not in self.objects:
                    self.objects.append(obj)
            else:
                raise ModelError(f"a Network holds groups, synapses and monitors, got {obj!r}")

    def remove(self, *objects: Any) -> None:
        for obj in objects:
            self.objects.remove(obj)

    @property
    def t(self) -> Quantity:
        return Quantity(self.t_, SECOND.dim)

    @property
    def t_(self) -> float:
        return self.step * (self._dt or defaultclock.dt_)

    # -- running ------------------------------------------------------------------------------

    def run(self, duration: Quantity, report: str | Report | None = None,
            report_period: Quantity = 10 * SECOND, namespace: Mapping[str, Any] | None = None,
            level: int = 0, threads: int | None = None) -> None:  # fmt: skip
        """Run for ``duration``.

        ``report`` is ``None``, ``'text'``/``'stdout'``, ``'stderr'`` or a function
        ``report(elapsed, completed, start, duration)`` called every ``report_period`` of wall
        time. External names come from ``namespace`` or, if it is not given, from the scope
        that called ``run`` (``level`` frames further up).

        ``threads`` (default: ``$SNNGEN_THREADS``) runs the neurons' updates on that many
        OpenMP threads, in a module compiled for threads; spikes and states do not depend on
        the number. Without it the serial module runs, whose results agree with the threaded
        one's to rounding (gcc optimises the arithmetic of an OpenMP region differently). Loops
        that draw random numbers or write other neurons' variables (synaptic propagation)
        stay serial.
        """
        if _EXPORTING[0] is not None:  # export resolves the names itself
            self.export(_EXPORTING[0], duration, namespace=namespace, level=level + 1,
                        threads=threads)  # fmt: skip
            raise Exported(_EXPORTING[0])
        state = self._run_state(duration, namespace, level + 1, threads)
        module, lowered = self._compiled(state)
        period = time_value(report_period, "report_period")
        seconds = (state.stop - state.start) * state.dt
        reporter = _reporter(report, period, state.start * state.dt, seconds)
        self._call_loop(module, lowered, state, reporter)

    def pack(self, duration: Quantity, namespace: Mapping[str, Any] | None = None,
             level: int = 0, threads: int | None = None) -> Package:  # fmt: skip
        """The network as it stands, ready to ``duration`` with numpy alone: its compiled
        module, data and manifest (a picklable :class:`~snngen.standalone.package.Package`).
        External names and ``threads`` are resolved as ``run`` resolves them."""
        from snngen.runtime.export import pack

        state = self._run_state(duration, namespace, level + 1, threads)
        _, lowered = self._compiled(state)
        return pack(self, lowered, state)

    def export(self, folder: str | Path, duration: Quantity,
               namespace: Mapping[str, Any] | None = None, level: int = 0,
               threads: int | None = None) -> Path:  # fmt: skip
        """Write a standalone build folder: rerun it with ``python FOLDER`` (Python and numpy
        only; see the README inside it). With ``threads``, its module needs the OpenMP runtime
        (libgomp) on the machine that reruns it."""
        from snngen.runtime.export import write_folder

        package = self.pack(duration, namespace, level + 1, threads)
        return write_folder(package, Path(folder), self._source)

    def _run_state(self, duration: Quantity, namespace: Mapping[str, Any] | None,
                   level: int, threads: int | None) -> RunState:  # fmt: skip
        """Resolve names and check units for a run of ``duration`` from the current step."""
        seconds = time_value(duration, "the run duration")
        if _DURATION_OVERRIDE[0] is not None:
            seconds = _DURATION_OVERRIDE[0]
        if seconds < 0:
            raise ModelError(f"the run duration must not be negative, got {duration!r}")
        run_namespace = namespace if namespace is not None else caller_namespace(level)
        dt = self._clock_dt()
        self._dt = dt
        start = self.step
        return RunState(self, dt, start, start + round(seconds / dt), self._resolve(run_namespace),
                        _thread_count(threads))  # fmt: skip

    def _clock_dt(self) -> float:
        groups = self._groups()
        if not groups:
            raise RunError(f"{self.name} (created at {self.created_at}) has no NeuronGroup")
        values = {g.clock.dt_ for g in groups}
        if len(values) > 1:
            raise RunError(f"the groups of {self.name} use different dt ({sorted(values)} s); "
                           "snngen runs one clock per network")  # fmt: skip
        return values.pop()

    def _groups(self) -> list[NeuronGroup]:
        return [obj for obj in self.objects if isinstance(obj, NeuronGroup)]

    def _resolve(self, run_namespace: Mapping[str, Any]) -> dict[Any, dict[str, Any]]:
        """Values of every object's external names (their units are checked by
        :meth:`_check_units` when the network's structure is new)."""
        namespaces = {}
        inputs: dict[Any, set[str]] = {}  # names in Poisson inputs' weights, by target group
        for obj in self.objects:
            if isinstance(obj, PoissonInput) and obj._code is not None:
                names = set(names_used(obj._code).identifiers)
                inputs.setdefault(obj.source._owner, set()).update(names)
        for obj in self.objects:
            if isinstance(obj, _Monitor | PoissonInput):
                self._check_member(obj, obj.source._owner)
                continue
            if isinstance(obj, Synapses):
                self._check_member(obj, obj.source._owner)
                self._check_member(obj, obj.target._owner)
            names = obj.external_identifiers() | _unknown(obj, inputs.get(obj, set()))
            values, missing = resolve(names, obj.namespace, run_namespace)
            if missing:
                raise IdentifierError(
                    f"{obj.name} (created at {obj.created_at}) uses {missing[0]!r}"
                    f"{_where_used(obj, missing[0])}, which it does not define and which was "
                    "not found in its namespace or the namespace of run()",
                    identifier=missing[0],
                )
            namespaces[obj] = values
        return namespaces

    def _check_units(self, namespaces: Mapping[Any, Mapping[str, Any]]) -> None:
        """Check the units of every object's code with the resolved ``namespaces``."""
        for obj, values in namespaces.items():
            if isinstance(obj, NeuronGroup):
                variables = {name: v.dim for name, v in obj.variables.items()}
                obj.equations.check_units(values, variables, require_all=True)
            obj.check_code_units(values)

    def _check_member(self, user: Any, group: Any) -> None:
        if group not in self.objects:
            raise RunError(
                f"{user.name} (created at {user.created_at}) uses {group.name}, which is not "
                f"part of {self.name}; add it"
            )

    def _compiled(self, state: RunState) -> tuple[Any, Any]:
        """The module and lowering of the network as it stands, for ``state``'s names and
        threads; a new structure (e.g. per-synapse delays set since the last run) is looked up
        in the memo of lowerings, else checked, lowered and rendered."""
        from snngen.build.cache import load_module
        from snngen.codegen.memo import recall

        parallel = state.threads is not None
        key = structure_key(self.objects, state._namespaces, parallel)
        if key != self._structure:

            def lowered() -> tuple[Any, str]:
                from snngen.codegen.lower import lower
                from snngen.codegen.render import source

                self._check_units(state._namespaces)
                lowering = lower(self.objects, parallel)
                return lowering, source(lowering.program)

            self._lowered, self._source = recall(key, self.objects, lowered)
            self._module = load_module(self._source, openmp=parallel)
            self._structure = key
        return self._module, self._lowered

    def _call_loop(self, module: Any, lowered: Any, state: RunState,
                   reporter: Callable[[float, float], None] | None) -> None:  # fmt: skip
        from snngen.codegen.fetch import fetch_tables

        if self._bit_generator is None:
            self._bit_generator = spawn_bit_generator()
        bitgen = self._bit_generator.ctypes.bit_generator.value
        return_freed_memory()  # before the monitors' buffers grow on top of it
        monitors = self._monitors()
        for monitor in monitors:
            monitor.before_run(state)
        chunk = 100
        began = time.perf_counter()
        try:
            while self.step < state.stop:
                target = min(state.stop, self.step + chunk)
                addresses, scalars, integers, keep = fetch_tables(lowered, state, self._addresses)
                tick = time.perf_counter()
                module.run(addresses.ctypes.data, scalars.ctypes.data, integers.ctypes.data,
                           bitgen, self.step, target)  # fmt: skip
                elapsed = time.perf_counter() - tick
                del keep
                reached = int(state.progress[0])
                if reached == target and elapsed > 0:
                    rate = (reached - self.step) / elapsed
                    chunk = max(1, min(100 * chunk, int(rate * CHUNK_SECONDS)))
                self.step = reached
                self._check_finite()
                for monitor in monitors:
                    monitor.after_chunk(state)
                if reporter is not None:
                    done = (self.step - state.start) / max(1, state.stop - state.start)
                    reporter(time.perf_counter() - began, done)
        finally:  # also after Ctrl-C: the loop's progress counter says where it stopped
            self.step = int(state.progress[0])
            for monitor in monitors:
                monitor.after_run(state)
            for group in self._groups():
                group.fold_decay_scales()
                group.t_ = self.t_

    def _check_finite(self) -> None:
        """Stop with a clear error when a state variable overflowed (rather than spreading NaN)."""
        for group in self._groups():
            for name, variable in group.variables.items():
                values = group.storage[name]
                if variable.var_type == "float" and not np.isfinite(values).all():
                    bad = np.flatnonzero(~np.isfinite(values))
                    raise RunError(
                        f"{name} of {group.name} (created at {group.created_at}) is not finite "
                        f"(first: neuron {bad[0]}, value {values[bad[0]]}) at t = {self.t_:.6g} s. "
                        "Typical causes: an exponential term overflowing between threshold "
                        "checks (AdEx's exp((v - VT)/DeltaT) with a high threshold), or a dt too "
                        "large for the method; lower the threshold or dt, or use "
                        "method='exponential_euler'"
                    )

    def _monitors(self) -> list[Any]:
        """Objects with run hooks: monitors, synapses (which prepare their pathways), inputs."""
        return [obj for obj in self.objects if hasattr(obj, "before_run")]

    # -- store and restore -------------------------------------------------------------------

    def store(self, name: str = "default", filename: str | Path | None = None) -> None:
        """Keep the state of every object (and the random generator) under ``name``."""
        snapshot = {
            "step": self.step,
            "dt": self._dt,
            "rng": None if self._bit_generator is None else self._bit_generator.state,
            "rng_saved": self._rng_saved.copy(),
            "objects": [_object_state(obj) for obj in self.objects],
        }
        self._stored = getattr(self, "_stored", {})
        self._stored[name] = copy.deepcopy(snapshot)
        if filename is not None:
            with open(filename, "wb") as file:
                pickle.dump(self._stored, file)

    def restore(self, name: str = "default", filename: str | Path | None = None) -> None:
        """Return to the state stored under ``name`` (from ``filename``, if given)."""
        stored = getattr(self, "_stored", {})
        if filename is not None:
            with open(filename, "rb") as file:
                stored = pickle.load(file)
        if name not in stored:
            raise RunError(f"no state stored under {name!r} (stored: {', '.join(stored)})")
        snapshot = copy.deepcopy(stored[name])
        if len(snapshot["objects"]) != len(self.objects):
            raise RunError("the stored state belongs to a network with different objects")
        self.step, self._dt = snapshot["step"], snapshot["dt"]
        if snapshot["rng"] is not None:
            self._bit_generator = np.random.PCG64()
            self._bit_generator.state = snapshot["rng"]
        self._rng_saved[:] = snapshot["rng_saved"]
        for obj, state in zip(self.objects, snapshot["objects"]):
            _restore_object(obj, state)
        for group in self._groups():
            group.t_ = self.t_


def _thread_count(threads: int | None) -> int | None:
    """``threads``, else ``$SNNGEN_THREADS``, else ``None`` (serial); a whole number >= 1."""
    if threads is None and not os.environ.get(THREADS_ENV):
        return None
    given = threads if threads is not None else os.environ[THREADS_ENV]
    where = "threads" if threads is not None else f"${THREADS_ENV}"
    try:
        count = operator.index(given) if threads is not None else int(given)
    except (TypeError, ValueError):
        count = 0
    if count < 1:
        raise RunError(f"{where} must be a whole number of threads, 1 or more; got {given!r}")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if cores and count > cores:  # 3 threads on 2 cores: 14x slower at N = 1000
        warnings.warn(f"{where} = {count} is more than the {cores} cores this process may use; "
                      "the threads will wait on each other", RuntimeWarning,
                      stacklevel=4)  # fmt: skip
    return count


def _unknown(group: Any, names: set[str]) -> frozenset[str]:
    """Of ``names`` used in code on ``group``, those the group does not define."""
    known = set(group.variables) | set(group.equations.names) | {"t", "dt", "i", "N"}
    return frozenset(n for n in names if n not in known and n not in UNITS)


def _where_used(obj: Any, name: str) -> str:
    for eq in obj.equations:
        if name in eq.identifiers or name in eq.functions:
            return f" in '{eq}'"
    for text in obj.code_texts():
        if name in names_used(text).all:
            return f" in '{text.strip()}'"
    return ""


def _object_state(obj: Any) -> dict[str, Any]:
    if isinstance(obj, NeuronGroup):
        return {"storage": obj.storage}
    if isinstance(obj, Synapses):
        return {"storage": obj.storage, "runtime": obj.runtime}
    return {k: v for k, v in vars(obj).items() if k not in ("source", "created_at", "name")}


def _restore_object(obj: Any, state: dict[str, Any]) -> None:
    if isinstance(obj, NeuronGroup):
        for name, values in state["storage"].items():
            obj.storage[name][...] = values  # in place: the arrays are the loop's memory
    else:
        vars(obj).update(state)


def _reporter(
    report: str | Report | None, period: float, start: float, duration: float
) -> Callable[[float, float], None] | None:
    if report is None:
        return None
    if callable(report):
        write = None
    elif report in ("text", "stdout", "stderr"):
        stream = sys.stderr if report == "stderr" else sys.stdout
        write = stream.write
    else:
        raise ModelError(f"report must be None, 'text', 'stdout', 'stderr' or a function, "
                         f"got {report!r}")  # fmt: skip
    last = [-np.inf]

    def reporter(elapsed: float, completed: float) -> None:
        if elapsed - last[0] < period and completed < 1:
            return
        last[0] = elapsed
        if write is None:
            report(elapsed, completed, start, duration)  # type: ignore[operator]
            return
        remaining = elapsed * (1 - completed) / completed if completed > 0 else float("nan")
        write(f"{completed:6.1%} simulated in {elapsed:.1f} s"
              + (f", about {remaining:.0f} s remaining\n" if completed < 1 else "\n"))  # fmt: skip

    return reporter


def collect(level: int = 0) -> list[Any]:
    """The groups and monitors visible in the calling scope (``level`` frames further up)."""
    namespace = caller_namespace(level)
    # The values the names see, locals over globals, merged by dict: a ChainMap's own iteration
    # looks up every name of a script's globals (hundreds) one at a time, a third of a short run.
    visible: dict[str, Any] = {}
    for scope in reversed(namespace.maps):
        visible.update(scope)
    ids = set(map(id, visible.values()))
    return [obj for obj in list(CREATED) if id(obj) in ids]


_MAGIC: dict[str, Network] = {}


def run(duration: Quantity, report: str | Report | None = None,
        report_period: Quantity = 10 * SECOND, namespace: Mapping[str, Any] | None = None,
        level: int = 0, threads: int | None = None) -> None:  # fmt: skip
    """Run the groups and monitors defined in the calling scope, as Brian2's ``run``.

    Objects persist between calls: a second ``run`` continues where the first stopped.
    """
    objects = _ordered(collect(level + 1))
    network = _MAGIC.get("network")
    if network is None or set(map(id, network.objects)) != set(map(id, objects)):
        previous_step = network.step if network is not None else 0
        network = Network(*objects, name="the network of run()")
        network.step = previous_step
        _MAGIC["network"] = network
    network.run(duration, report, report_period, namespace, level=level + 1, threads=threads)


def _ordered(objects: Iterable[Any]) -> list[Any]:
    """Groups, synapses, then monitors, each in the order they were created."""
    kinds = (NeuronGroup, Synapses)
    return sorted(
        objects,
        key=lambda o: (next((k for k, c in enumerate(kinds) if isinstance(o, c)), 2),
                       o.creation_index),
    )  # fmt: skip
