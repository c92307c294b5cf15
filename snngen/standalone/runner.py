"""Run a :class:`~.package.Package` with numpy alone: the loop of a build folder or a sweep worker.

The runner does what ``Network.run`` does once the module is built: it copies the packed
arguments, applies parameter overrides (recomputing the propagators that depend on them),
allocates the monitors' buffers for the duration asked, calls the compiled loop until it reaches
the end (growing spike buffers whenever the loop stops early to ask for room) and collects what
the monitors recorded into :class:`Results`.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

from .addresses import AddressBook
from .aligned import aligned_copy
from .buffers import (
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
from .expm import exact_step
from .package import Package, PackageError
from .scales import fold_scale


class Recorded(SimpleNamespace):
    """What one monitor recorded (numpy arrays in SI units), e.g. ``.i``, ``.t``, ``.count``."""

    @property
    def num_spikes(self) -> int:
        return int(self.count.sum())

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}: {np.shape(v)}" for k, v in vars(self).items())
        return f"Recorded({fields})"


class Results(dict):
    """What one run recorded: ``results["spikes"].i``, ``.t``, ``.count`` (spike monitors, by
    name), ``.t`` and one ``(neurons, samples)`` table per variable (state monitors), ``.t`` and
    ``.rate`` (rate monitors); ``results.state["E"]["v"]``, the final state; times in seconds.
    ``duration``: the simulated time; ``wall_time``: the loop's."""

    def __init__(self, monitors: dict[str, Recorded], state: dict[str, dict[str, Any]],
                 duration: float, wall_time: float) -> None:  # fmt: skip
        super().__init__(monitors)
        self.state = state
        self.duration = duration
        self.wall_time = wall_time

    def __repr__(self) -> str:
        return f"Results({', '.join(f'{k}={v!r}' for k, v in self.items())})"

    def save(self, path: str | Path) -> None:
        """One ``.npz`` with ``monitor.field`` and ``state.group.variable`` arrays."""
        arrays = {f"{name}.{k}": v for name, rec in self.items() for k, v in vars(rec).items()}
        for group, variables in self.state.items():
            arrays.update({f"state.{group}.{k}": v for k, v in variables.items()})
        np.savez(path, **arrays)


def parse_quantity(text: str, units: Mapping[str, list]) -> tuple[float, str]:
    """``'15*ms'``, ``'15 ms'``, ``'-65*mV'``, ``'3'`` → (SI value, base dimension text)."""
    match = re.fullmatch(r"\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*(?:\*?\s*([A-Za-z_]\w*))?\s*",
                         text)  # fmt: skip
    if match is None or (match[2] is not None and match[2] not in units):
        raise PackageError(f"expected a number with an optional unit, such as 15*ms, got {text!r}")
    if match[2] is None:
        return float(match[1]), "1"
    factor, dimension = units[match[2]]
    return float(match[1]) * factor, dimension


Override = str | float | tuple[float, str]


def simulate(package: Package, duration: float | None = None,
             overrides: Mapping[str, Override] | None = None, seed: int | None = None,
             module: ModuleType | None = None, threads: int | None = None) -> Results:  # fmt: skip
    """Run ``package`` for ``duration`` seconds (default: the duration it was packed for).

    ``overrides`` maps parameter names (``"tau"``, or ``"E.tau"`` for one group's) to values:
    text with units (``"15*ms"``), SI numbers, or (SI number, dimension) pairs. ``seed``
    replaces the packed random state. ``module``: the compiled module, if already loaded.
    ``threads`` replaces the thread count of a package packed with threads (the results do
    not depend on it).
    """
    manifest = package.manifest
    module = module or package.load_module()
    arrays = [aligned_copy(package.data[f"a{k}"]) for k in range(len(manifest["arrays"]))]
    scalars = package.data["scalars"].copy()
    integers = package.data["integers"].copy()
    if threads is not None:
        _set_threads(manifest, integers, threads)
    values = {(p["owner"], p["name"]): p["value"] for p in manifest["parameters"]}
    changed = _apply_overrides(manifest, scalars, values, overrides or {})
    if changed:
        _recompute_propagators(package, values, changed, arrays, scalars)
    dt = manifest["dt"]
    start = manifest["step"]
    seconds = manifest["duration"] if duration is None else float(duration)
    if seconds < 0:
        raise PackageError(f"the duration must not be negative, got {seconds} s")
    stop = start + round(seconds / dt)
    bit_generator = np.random.PCG64(seed)
    if seed is None:
        bit_generator.state = manifest["rng"]
    else:
        arrays[manifest["rng_saved"]][:] = 0  # no spare normal value carried over
    recorders = [_RECORDERS[entry["kind"]](entry) for entry in manifest["monitors"]]
    for recorder in recorders:
        recorder.allocate(arrays, integers, start, stop)
    progress = arrays[manifest["progress"]]
    progress[0] = step = start
    book = AddressBook()
    began = time.perf_counter()
    while step < stop:
        addresses = book.addresses(arrays)
        module.run(addresses.ctypes.data, scalars.ctypes.data, integers.ctypes.data,
                   bit_generator.ctypes.bit_generator.value, step, stop)  # fmt: skip
        step = int(progress[0])
        for recorder in recorders:
            recorder.make_room(arrays, integers, step)
    wall_time = time.perf_counter() - began
    for entry in manifest["state"]:
        if "scale" in entry:  # an implicitly decaying variable: its values again
            fold_scale(arrays[entry["array"]], arrays[entry["scale"]])
    monitors = {r.entry["name"]: r.collect(arrays, start, dt) for r in recorders}
    state: dict[str, dict[str, Any]] = {}
    for entry in manifest["state"]:
        state.setdefault(entry["group"], {})[entry["variable"]] = arrays[entry["array"]]
    return Results(monitors, state, (stop - start) * dt, wall_time)


def _set_threads(manifest: Mapping[str, Any], integers: np.ndarray, threads: int) -> None:
    if "threads" not in manifest["integers"]:
        raise PackageError("this package's module runs serially; pack (or export) the network "
                           "with threads= to run it on threads")  # fmt: skip
    if isinstance(threads, bool) or not isinstance(threads, int | np.integer) or threads < 1:
        raise PackageError(f"threads must be a whole number, 1 or more; got {threads!r}")
    integers[manifest["integers"].index("threads")] = threads


def _apply_overrides(manifest: Mapping[str, Any], scalars: np.ndarray,
                     values: dict[tuple[str, str], float],
                     overrides: Mapping[str, Override]) -> set[tuple[str, str]]:  # fmt: skip
    """Write overridden parameters into ``values`` and their scalar slots; returns the
    (owner, name) pairs changed."""
    parameters = manifest["parameters"]
    changed = set()
    for key, given in overrides.items():
        owner, _, name = key.rpartition(".")
        matches = [p for p in parameters if p["name"] == name and owner in ("", p["owner"])]
        if not matches:
            known = sorted({p["name"] for p in parameters})
            raise PackageError(f"no parameter {key!r} to set; this network's parameters are "
                               f"{', '.join(known) or 'none'}")  # fmt: skip
        if isinstance(given, str):
            value, dimension = parse_quantity(given, manifest["units"])
        elif isinstance(given, tuple):
            value, dimension = float(given[0]), given[1]
        else:
            value, dimension = float(given), matches[0]["dimension"]  # SI numbers, as given
        for parameter in matches:
            if dimension != parameter["dimension"]:
                raise PackageError(
                    f"{key} = {value:g} (SI) has dimension {dimension}, but "
                    f"{parameter['name']} of {parameter['owner']} needs {parameter['dimension']}"
                )
            for slot in parameter["scalars"]:
                scalars[slot] = value
            values[(parameter["owner"], parameter["name"])] = value
            changed.add((parameter["owner"], parameter["name"]))
    return changed


def _recompute_propagators(package: Package, values: Mapping[tuple[str, str], float],
                           changed: set[tuple[str, str]], arrays: list,
                           scalars: np.ndarray) -> None:  # fmt: skip
    """Evaluate again the propagators that read a changed parameter (numpy, as at run time)."""
    manifest = package.manifest
    functions = package.propagator_functions()
    for propagator in manifest["propagators"]:
        owner = propagator["owner"]
        reads = {(owner, a["parameter"]) for a in propagator["arguments"] if "parameter" in a}
        if not reads & changed:
            continue
        arguments = []
        for argument in propagator["arguments"]:
            if "parameter" in argument:
                arguments.append(values[(owner, argument["parameter"])])
            elif "data" in argument:
                arguments.append(package.data[argument["data"]])
            elif "gate" in argument:
                arguments.append(propagator["gate"])
            else:
                arguments.append(argument["value"])
        e, f = exact_step(functions[propagator["function"]](*arguments), manifest["dt"])
        for output in propagator["outputs"]:
            value = (e if output["kind"] == "E" else f)[..., output["i"], output["j"]]
            if output["slot"] == "scalar":
                scalars[output["index"]] = value
            else:
                arrays[output["index"]][:] = value


class _SpikeRecorder:
    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry
        self.capacity = entry["capacity"]
        self.segments: Segments = []

    def _buffers(self, arrays: list) -> dict[str, np.ndarray]:
        return {name: arrays[self.entry[name]] for name in ("stored", *SPIKE_BUFFERS)}

    def allocate(self, arrays: list, integers: np.ndarray, start: int, stop: int) -> None:
        if self.entry["record"] and stop > LAST_RECORDABLE_STEP:
            raise PackageError(f"{self.entry['name']} records spike times as 32-bit step numbers, "
                               f"which end at step {LAST_RECORDABLE_STEP}; this run would end "
                               f"at step {stop}")  # fmt: skip
        self.start, self.stop = start, stop
        self.stored_before = int(arrays[self.entry["stored"]][0])  # spikes of earlier runs
        self.make_room(arrays, integers, start)

    def make_room(self, arrays: list, integers: np.ndarray, step: int) -> None:
        if not self.entry["record"]:
            return
        buffers = self._buffers(arrays)
        stored = stored_spikes(buffers, self.segments)
        expected = spikes_expected(stored - self.stored_before, step - self.start,
                                   self.stop - step)  # fmt: skip
        self.capacity = grow_spike_buffers(buffers, self.segments, self.entry["size"],
                                           self.capacity, expected)  # fmt: skip
        for name in SPIKE_BUFFERS:
            arrays[self.entry[name]] = buffers[name]
        integers[self.entry["capacity_slot"]] = self.capacity

    def collect(self, arrays: list, start: int, dt: float) -> Recorded:
        if not self.entry["record"]:
            return Recorded(count=arrays[self.entry["counts"]].copy())
        buffers = self._buffers(arrays)
        return Recorded(i=recorded_spikes(buffers, self.segments, "indices"),
                        t=recorded_spikes(buffers, self.segments, "steps") * dt,
                        count=spike_counts(buffers, self.segments, self.entry["size"]))  # fmt: skip


class _StateRecorder:
    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry

    def allocate(self, arrays: list, integers: np.ndarray, start: int, stop: int) -> None:
        entry = self.entry
        self.first, self.columns = sample_steps(start, stop, entry["every"])
        for slot in entry["variables"].values():
            arrays[slot] = np.zeros(entry["rows"] * self.columns)
        arrays[entry["column"]] = np.zeros(1, dtype=np.int64)
        integers[entry["columns_slot"]] = self.columns

    def make_room(self, arrays: list, integers: np.ndarray, step: int) -> None:
        """State monitors' buffers are sized for the whole run when it starts."""

    def collect(self, arrays: list, start: int, dt: float) -> Recorded:
        entry = self.entry
        done = int(arrays[entry["column"]][0])
        recorded = {
            name: arrays[slot].reshape(entry["rows"], self.columns)[:, :done].copy()
            for name, slot in entry["variables"].items()
        }
        times = (self.first + entry["every"] * np.arange(done)) * dt
        return Recorded(t=times, **recorded)


class _RateRecorder:
    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry

    def allocate(self, arrays: list, integers: np.ndarray, start: int, stop: int) -> None:
        arrays[self.entry["rate"]] = np.zeros(stop - start)
        arrays[self.entry["column"]] = np.zeros(1, dtype=np.int64)

    def make_room(self, arrays: list, integers: np.ndarray, step: int) -> None:
        """A rate monitor's buffer is sized for the whole run when it starts."""

    def collect(self, arrays: list, start: int, dt: float) -> Recorded:
        done = int(arrays[self.entry["column"]][0])
        return Recorded(t=(start + np.arange(done)) * dt,
                               rate=arrays[self.entry["rate"]][:done].copy())  # fmt: skip


_RECORDERS = {"spike": _SpikeRecorder, "state": _StateRecorder, "rate": _RateRecorder}


def main(argv: list[str] | None = None, folder: Path | None = None) -> int:
    """``python FOLDER [--duration 2s] [--set tau=15*ms] [--seed 1] [--threads 2]
    [-o results.npz]``."""
    parser = argparse.ArgumentParser(prog=f"python {folder or 'FOLDER'}",
                                     description="Rerun a snngen build folder.")  # fmt: skip
    parser.add_argument("--folder", type=Path, default=folder, required=folder is None)
    parser.add_argument("--duration", default=None, help="e.g. 500*ms or 2*second")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter, e.g. tau=15*ms or E.tau=15*ms")  # fmt: skip
    parser.add_argument("--seed", type=int, default=None, help="a new random seed")
    parser.add_argument("--threads", type=int, default=None,
                        help="OpenMP threads (a folder exported with threads=)")  # fmt: skip
    parser.add_argument("-o", "--output", default=None, help="results file (.npz)")
    args = parser.parse_args(argv)
    try:
        package = Package.read(args.folder)
        duration = None
        if args.duration is not None:
            duration, dimension = parse_quantity(args.duration, package.manifest["units"])
            if dimension != "s":
                raise PackageError(f"--duration needs a time, such as 500*ms, got {args.duration}")
        overrides = dict(_assignment(text) for text in args.set)
        results = simulate(package, duration, overrides, args.seed, threads=args.threads)
    except PackageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    output = Path(args.output or args.folder / "results.npz")
    results.save(output)
    print(f"simulated in {results.wall_time:.3f} s; results in {output}")
    for name, recorded in results.items():
        if hasattr(recorded, "count"):
            print(f"  {name}: {recorded.num_spikes} spikes")
    return 0


def _assignment(text: str) -> tuple[str, str]:
    name, sign, value = text.partition("=")
    if not sign or not name.strip():
        raise PackageError(f"--set needs NAME=VALUE, such as tau=15*ms, got {text!r}")
    return name.strip(), value
