"""Monitors with Brian2's names: ``SpikeMonitor``, ``StateMonitor``, ``PopulationRateMonitor``.

The compiled loop writes into numpy buffers (see :mod:`snngen.codegen.monitors`). A state
monitor's size is known before a run, so it is estimated and refused if it would not fit in
memory; a spike monitor's buffers grow between chunks of the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from snngen.errors import ModelError, RunError
from snngen.runtime.clock import SECOND, time_value
from snngen.runtime.group import Group, created_at, default_name, register
from snngen.standalone.buffers import (
    LAST_RECORDABLE_STEP,
    SPIKE_BUFFERS,
    Segments,
    grow_spike_buffers,
    recorded_spikes,
    sample_steps,
    spike_counts,
    spikes_expected,
    stored_spikes,
)
from snngen.units.catalogue import UNITS
from snngen.units.dimensions import DIMENSIONLESS
from snngen.units.quantity import Quantity

HERTZ = UNITS["Hz"].dim
# A state monitor may use at most this fraction of the memory available when a run starts.
MEMORY_FRACTION = 0.5


def _check_source(source: Any, monitor: str) -> Group:
    if not isinstance(source, Group):
        raise ModelError(f"{monitor} records from a NeuronGroup or subgroup, got {source!r}")
    return source


def _seconds(values: np.ndarray) -> Quantity:
    return Quantity(values, SECOND.dim)


class _Monitor:
    """Run hooks shared by the monitors (all no-ops unless overridden)."""

    when = "end"
    source: Group
    _times: list[np.ndarray]  # recording times of each run, for monitors sampling on a grid

    @property
    def t(self) -> Quantity:
        return _seconds(self.t_)

    @property
    def t_(self) -> np.ndarray:
        """Recording times in seconds, as plain numbers."""
        return np.concatenate(self._times) if self._times else np.zeros(0)

    def structure(self, position: Callable[[Any], int]) -> tuple:
        """What of the monitor decides the generated code (see
        :mod:`snngen.runtime.structure`)."""
        # A StateMonitor's variables; whether a SpikeMonitor records each spike.
        recorded = getattr(self, "record_variables", getattr(self, "record", None))
        return type(self).__name__, position(self.source), self.when, recorded

    def before_run(self, run: Any) -> None:
        """Allocate this run's buffers."""

    def after_chunk(self, run: Any) -> None:
        """Make room for the next chunk."""

    def after_run(self, run: Any) -> None:
        """Keep what the run recorded."""


class SpikeMonitor(_Monitor):
    """Records the spikes of a group: ``t`` and ``i`` (if ``record``), and ``count``."""

    when = "thresholds"

    def __init__(self, source: Group, variables: Any = None, record: bool = True,
                 name: str | None = None) -> None:  # fmt: skip
        self.source = _check_source(source, "SpikeMonitor")
        if variables:
            raise ModelError("SpikeMonitor(variables=...) is not supported yet; record them "
                             "with a StateMonitor")  # fmt: skip
        self.record = bool(record)
        self.name = name or default_name("spikemonitor")
        self.created_at = created_at(1)
        self.capacity = 4 * source.N if self.record else 0
        self.buffers = {
            "stored": np.zeros(1, dtype=np.int64),
            "indices": np.zeros(self.capacity, dtype=np.int32),
            "steps": np.zeros(self.capacity, dtype=np.int32),  # times are steps times dt
        }
        if not self.record:  # spikes per neuron, counted in the loop (else from the indices)
            self.buffers["counts"] = np.zeros(source.N, dtype=np.int64)
        self.segments: Segments = []  # full buffers, in order
        self._run_began = (0, 0)  # spikes stored and step when the current run began
        self._dts: list[tuple[int, float]] = []  # (first spike, dt) wherever a run changed dt
        register(self)

    def after_chunk(self, run: Any) -> None:
        if self.record:
            recorded, first_step = self._run_began
            step = int(run.progress[0])
            expected = spikes_expected(self._stored() - recorded, step - first_step,
                                       run.stop - step)  # fmt: skip
            self.capacity = grow_spike_buffers(self.buffers, self.segments, self.source.N,
                                               self.capacity, expected)  # fmt: skip

    def before_run(self, run: Any) -> None:
        if self.record and run.stop > LAST_RECORDABLE_STEP:
            raise RunError(f"{self.name} records spike times as 32-bit step numbers, which end "
                           f"at step {LAST_RECORDABLE_STEP} ({LAST_RECORDABLE_STEP * run.dt:g} s "
                           f"at this dt); this run would end at step {run.stop}")  # fmt: skip
        if not self._dts or self._dts[-1][1] != run.dt:
            self._dts.append((self._stored(), run.dt))
        self._run_began = (self._stored(), run.start)
        self.after_chunk(run)

    def dts_other_than(self, dt: float) -> bool:
        """Whether spikes were recorded at a time step other than ``dt``."""
        return any(other != dt for _, other in self._dts)

    def _stored(self) -> int:
        return stored_spikes(self.buffers, self.segments)

    def join_segments(self) -> None:
        """Every spike recorded so far in one buffer (what a standalone package starts from)."""
        if not self.segments:
            return
        recorded = {name: recorded_spikes(self.buffers, self.segments, name)
                    for name in SPIKE_BUFFERS}  # fmt: skip
        stored = len(recorded["indices"])
        self.segments.clear()
        self.capacity = stored + 4 * self.source.N
        for name, values in recorded.items():
            self.buffers[name] = np.zeros(self.capacity, dtype=values.dtype)
            self.buffers[name][:stored] = values
        self.buffers["stored"][0] = stored

    @property
    def num_spikes(self) -> int:
        return self._stored() if self.record else int(self.buffers["counts"].sum())

    @property
    def count(self) -> np.ndarray:
        """Spikes per neuron."""
        if self.record:
            return spike_counts(self.buffers, self.segments, self.source.N)
        return self.buffers["counts"].copy()

    @property
    def i(self) -> np.ndarray:
        return recorded_spikes(self.buffers, self.segments, "indices")

    @property
    def t_(self) -> np.ndarray:
        """Spike times in seconds, as plain numbers."""
        times = recorded_spikes(self.buffers, self.segments, "steps").astype(np.float64)
        ends = [first for first, _ in self._dts[1:]] + [len(times)]
        for (first, dt), end in zip(self._dts, ends):
            times[first:end] *= dt
        return times

    @property
    def it(self) -> tuple[np.ndarray, Quantity]:
        return self.i, self.t

    def spike_trains(self) -> dict[int, Quantity]:
        """Spike times of each neuron, keyed by index."""
        order = np.argsort(self.i, kind="stable")
        indices, times = self.i[order], self.t_[order]
        bounds = np.searchsorted(indices, np.arange(self.source.N + 1))
        return {k: _seconds(times[bounds[k] : bounds[k + 1]]) for k in range(self.source.N)}

    def __repr__(self) -> str:
        return f"<SpikeMonitor of {self.source.name}: {self.num_spikes} spikes>"


def _record_indices(record: Any, size: int) -> np.ndarray:
    if record is True:
        return np.arange(size)
    if record is False or record is None:
        return np.arange(0)
    indices = np.atleast_1d(np.asarray(record))
    if indices.dtype.kind not in "iu" or indices.ndim != 1:
        raise ModelError(
            f"record must be True, False, an index or a list of indices, got {record!r}"
        )
    if indices.size and (indices.min() < 0 or indices.max() >= size):
        raise ModelError(f"record indices must lie in [0, {size}), got {record!r}")
    return indices.astype(np.int64)


def available_memory() -> int:
    """Bytes of memory available to a new allocation (Linux: MemAvailable; else total/2)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


class StateMonitor(_Monitor):
    """Records variables (or subexpressions) of chosen neurons at every (k-th) step.

    ``mon.v`` has shape ``(n_recorded, n_samples)``; ``mon[k].v`` is neuron ``k``'s trace.
    Values are recorded at the start of each step, before the state update, as in Brian2.
    """

    when = "start"

    def __init__(self, source: Group, variables: str | Sequence[str], record: Any,
                 dt: Quantity | None = None, name: str | None = None) -> None:  # fmt: skip
        self.source = _check_source(source, "StateMonitor")
        owner = source._owner
        names = [variables] if isinstance(variables, str) else list(variables)
        if variables is True:
            names = list(owner.variables)
        for variable in names:
            if variable not in owner.variables and variable not in owner.equations:
                raise ModelError(
                    f"StateMonitor cannot record {variable!r}: {owner.name} has no such variable "
                    f"(its variables are {', '.join([*owner.variables, *owner.equations.names])})"
                )
        self.record_variables = tuple(dict.fromkeys(names))
        self.record = _record_indices(record, source.N)
        self.dt_ = None if dt is None else time_value(dt, "StateMonitor dt")
        self.name = name or default_name("statemonitor")
        self.created_at = created_at(1)
        self._chunks: dict[str, list[np.ndarray]] = {v: [] for v in self.record_variables}
        self._times: list[np.ndarray] = []
        self.buffers: dict[str, np.ndarray] = {}
        self.every = 1
        self.columns = 0
        register(self)

    def before_run(self, run: Any) -> None:
        ratio = 1.0 if self.dt_ is None else self.dt_ / run.dt
        self.every = round(ratio)
        if self.every < 1 or abs(ratio - self.every) > 1e-6 * ratio:
            raise RunError(
                f"{self.name} (created at {self.created_at}) records every {self.dt_} s, which "
                f"is not a multiple of the network's dt ({run.dt} s)"
            )
        self._first_step, self.columns = sample_steps(run.start, run.stop, self.every)
        needed = 8 * self.columns * len(self.record) * len(self.record_variables)
        available = available_memory()
        if needed > MEMORY_FRACTION * available:
            raise RunError(
                f"{self.name} (created at {self.created_at}) would need {needed / 2**30:.1f} GiB "
                f"to record {len(self.record_variables)} variable(s) of {len(self.record)} "
                f"neurons for {self.columns} samples, but only {available / 2**30:.1f} GiB are "
                "available; record fewer neurons, use a larger dt for the monitor, or run for "
                "a shorter time"
            )
        self.buffers = {
            name: np.zeros(len(self.record) * self.columns) for name in self.record_variables
        }
        self.buffers["indices"] = (self.record + self.source._start).astype(np.int32)
        self.buffers["column"] = np.zeros(1, dtype=np.int64)

    def after_run(self, run: Any) -> None:
        done = int(self.buffers["column"][0])
        for name in self.record_variables:
            table = self.buffers[name].reshape(len(self.record), self.columns)
            self._chunks[name].append(table[:, :done].copy())
        steps = self._first_step + self.every * np.arange(done)
        self._times.append(steps * run.dt)

    def recorded(self, name: str) -> np.ndarray:
        """The recorded values of ``name`` in SI units, shape ``(n_recorded, n_samples)``."""
        chunks = self._chunks[name]
        return np.concatenate(chunks, axis=1) if chunks else np.zeros((len(self.record), 0))

    def __getattr__(self, name: str) -> Any:
        chunks = self.__dict__.get("_chunks", {})
        if name in chunks:
            return _with_units(self.recorded(name), self.source._owner, name)
        if name.endswith("_") and name[:-1] in chunks:
            return self.recorded(name[:-1])
        raise AttributeError(f"StateMonitor has no attribute {name!r}")

    def __getitem__(self, index: int) -> _RecordedNeuron:
        rows = np.flatnonzero(self.record == index)
        if not rows.size:
            raise IndexError(f"neuron {index} is not recorded by {self.name}")
        return _RecordedNeuron(self, int(rows[0]))


def _with_units(values: np.ndarray, owner: Any, name: str) -> Any:
    dim = owner.variables[name].dim if name in owner.variables else owner.equations[name].dim
    return values if dim == DIMENSIONLESS else Quantity(values, dim)


class _RecordedNeuron:
    """One neuron's traces in a :class:`StateMonitor`: ``mon[k].v``."""

    def __init__(self, monitor: StateMonitor, row: int) -> None:
        self._monitor, self._row = monitor, row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._monitor, name)[self._row]


class PopulationRateMonitor(_Monitor):
    """The instantaneous firing rate of a group at every step (spikes / (N dt))."""

    def __init__(self, source: Group, name: str | None = None) -> None:
        self.source = _check_source(source, "PopulationRateMonitor")
        self.name = name or default_name("ratemonitor")
        self.created_at = created_at(1)
        self._rates: list[np.ndarray] = []
        self._times: list[np.ndarray] = []
        self.buffers: dict[str, np.ndarray] = {}
        register(self)

    def before_run(self, run: Any) -> None:
        self.buffers = {
            "rate": np.zeros(run.stop - run.start),
            "column": np.zeros(1, dtype=np.int64),
        }
        self._start = run.start

    def after_run(self, run: Any) -> None:
        done = int(self.buffers["column"][0])
        self._rates.append(self.buffers["rate"][:done].copy())
        self._times.append((self._start + np.arange(done)) * run.dt)

    @property
    def rate(self) -> Quantity:
        return Quantity(self.rate_, HERTZ)

    @property
    def rate_(self) -> np.ndarray:
        return np.concatenate(self._rates) if self._rates else np.zeros(0)

    def smooth_rate(self, window: str = "gaussian", width: Quantity | None = None) -> Quantity:
        """The rate convolved with a ``gaussian`` (s.d. ``width``) or ``flat`` window."""
        if width is None:
            raise ModelError("smooth_rate needs a width, e.g. width=5*ms")
        times = self.t_
        dt = float(times[1] - times[0]) if len(times) > 1 else 1.0
        scaled = time_value(width, "width") / dt
        if window == "gaussian":
            half = int(np.round(2 * scaled))
            offsets = np.arange(-half, half + 1)
            kernel = np.exp(-(offsets**2) / (2 * scaled**2))
        elif window == "flat":
            kernel = np.ones(2 * int(scaled / 2) + 1)
        else:
            raise ModelError(f"window must be 'gaussian' or 'flat', got {window!r}")
        smoothed = np.convolve(self.rate_, kernel / kernel.sum(), mode="same")
        return Quantity(smoothed, HERTZ)
