"""Pack a network for standalone runs, and write build folders.

Packing fetches every runtime argument of the compiled loop, as ``Network.run`` does when a run
starts, and describes in a manifest which slot holds what: parameters (resolved external
constants, which ``--set`` may change), the propagators that depend on them (with their matrices
printed as numpy source, so that a changed parameter gives a new propagator without sympy), the
monitors' buffers and the state variables. See :mod:`snngen.standalone`.
"""

from __future__ import annotations

import datetime
import platform
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from snngen.codegen.fetch import fetch_tables
from snngen.codegen.render import render_text
from snngen.errors import ModelError, RunError
from snngen.runtime.group import NeuronGroup
from snngen.runtime.monitors import PopulationRateMonitor, SpikeMonitor, StateMonitor
from snngen.runtime.rng import spawn_bit_generator
from snngen.runtime.synapses import Synapses
from snngen.standalone import package as packaging
from snngen.units.catalogue import UNITS
from snngen.units.dimensions import DIMENSIONLESS
from snngen.units.quantity import Quantity, strip

STANDALONE_SOURCE = Path(packaging.__file__).resolve().parent


def pack(network: Any, lowered: Any, state: Any) -> packaging.Package:
    """The package of ``network`` for the run that ``state`` describes (see the module doc)."""
    if network._bit_generator is None:
        network._bit_generator = spawn_bit_generator()
    for obj in network._monitors():  # allocate buffers and prepare pathways, as a run does
        if isinstance(obj, SpikeMonitor):
            obj.join_segments()  # the package starts from one buffer with all spikes so far
            if obj.dts_other_than(state.dt):
                raise RunError(f"{obj.name} recorded spikes at another dt than {state.dt:g} s; "
                               "a package converts all its recorded steps with one dt")  # fmt: skip
        obj.before_run(state)
    _, scalars, integers, arrays = fetch_tables(lowered, state)
    index = {name: _position(name) for name in lowered.slots.values()}
    data: dict[str, np.ndarray] = {f"a{k}": np.array(a) for k, a in enumerate(arrays)}
    data["scalars"], data["integers"] = scalars, integers
    parameters = _parameters(lowered, state)
    propagators, source = _propagators(network, lowered, state, parameters, data)
    manifest = {
        "format": packaging.FORMAT,
        "created": datetime.datetime.now().isoformat(timespec="seconds"),
        "snngen": _version(),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "module": network._module.__name__,
        "suffix": Path(network._module.__file__).name[len(network._module.__name__):],
        "network": network.name,
        "dt": state.dt,
        "step": state.start,
        "duration": (state.stop - state.start) * state.dt,
        "rng": network._bit_generator.state,
        "rng_saved": index[lowered.rng_saved],
        "progress": index[lowered.progress],
        **{f"{kind}s": _labels(lowered, kind) for kind in ("array", "scalar", "integer")},
        "parameters": list(parameters.values()),
        "propagators": propagators,
        "monitors": [_monitor(m, lowered, index) for m in network.objects
                     if isinstance(m, SpikeMonitor | StateMonitor | PopulationRateMonitor)],
        "state": [
            {"group": key[1].name, "variable": key[3], "array": index[name],
             **_decay_scale(lowered, index, key)}
            for key, name in lowered.slots.items()
            if key[0] == "array" and isinstance(key[1], NeuronGroup | Synapses)
            and len(key) == 4 and key[2] == "var"
        ],
        "units": {name: [float(strip(u)), u.dim.base_string()] for name, u in UNITS.items()},
    }  # fmt: skip
    binary = Path(network._module.__file__).read_bytes()
    return packaging.Package(manifest, data, binary, source)


def _decay_scale(lowered: Any, index: dict[str, int], key: tuple) -> dict[str, int]:
    """``{"scale": array}`` for an implicitly decaying variable: the runner folds the scale
    into the variable's array after the run (see :mod:`snngen.codegen.decay`)."""
    scale = lowered.slots.get(("array", key[1], "decay scale", key[3]))
    return {} if scale is None else {"scale": index[scale]}


def _position(name: str) -> int:
    """``_a3`` → 3: a slot's position in its table."""
    return int(name[2:])


def _version() -> str:
    from snngen import __version__

    return __version__


def _labels(lowered: Any, kind: str) -> list[str]:
    """What each slot of one kind holds, in slot order."""
    slots = sorted((_position(name), key[1:]) for key, name in lowered.slots.items()
                   if key[0] == kind)  # fmt: skip
    return [_label(key) for _, key in slots]


def _label(key: tuple) -> str:
    """``(group E, "var", "v")`` → ``'E.var.v'``: what a slot holds, for people reading it."""
    return ".".join(getattr(part, "name", None) or str(part) for part in key)


def _dimension(value: Any) -> str:
    return (value.dim if isinstance(value, Quantity) else DIMENSIONLESS).base_string()


def _parameters(lowered: Any, state: Any) -> dict[tuple, dict[str, Any]]:
    """The resolved external constants that the code reads from scalar slots, by (owner, name).
    A parameter a propagator reads is added by :func:`_propagators`."""
    parameters: dict[tuple, dict[str, Any]] = {}
    for key, slot in lowered.slots.items():
        if key[0] != "scalar" or len(key) != 3 or not isinstance(key[2], str):
            continue
        owner, name = key[1], key[2]
        if name in state._namespaces.get(owner, {}):
            entry = _parameter(parameters, state, owner, name)
            entry["scalars"].append(_position(slot))
    return parameters


def _parameter(parameters: dict, state: Any, owner: Any, name: str) -> dict[str, Any]:
    if (owner, name) not in parameters:
        value = state._namespaces[owner][name]
        parameters[(owner, name)] = {
            "owner": owner.name, "name": name, "value": state.constant(owner, name),
            "dimension": _dimension(value), "scalars": [],
        }  # fmt: skip
    return parameters[(owner, name)]


def _propagators(network: Any, lowered: Any, state: Any, parameters: dict,
                 data: dict[str, np.ndarray]) -> tuple[list[dict[str, Any]], str]:  # fmt: skip
    """Manifest entries of the propagators (one per group and gate value), and the numpy
    source of their matrices."""
    outputs: dict[tuple, list[dict[str, Any]]] = {}
    for key, name in lowered.slots.items():
        if len(key) == 5 and key[2] == "propagator":
            kind, owner, _, entry, gate = key
            slot = {"slot": kind, "index": _position(name), "entry": entry}
            outputs.setdefault((owner, gate), []).append(slot)
    entries, sources = [], ["import numpy\n"]
    functions: dict[Any, str] = {}
    for (owner, gate), slots in outputs.items():
        propagator = owner.rule.propagator
        if owner not in functions:
            functions[owner] = f"matrix_{len(functions)}"
            sources.append(propagator.numpy_source(functions[owner]))
        positions = {
            propagator.entry(kind, i, j).name: (kind, i, j)
            for kind in "EF" for i, j in propagator.pattern
        }  # fmt: skip
        arguments = []
        for name in sorted(propagator.identifiers):
            if name == "not_refractory":
                arguments.append({"gate": True})
            elif name in owner.variables:
                key = f"{functions[owner]}_{name}"
                data[key] = np.array(owner.storage[name])
                arguments.append({"data": key})
            elif name in state._namespaces.get(owner, {}):
                _parameter(parameters, state, owner, name)
                arguments.append({"parameter": name})
            else:
                arguments.append({"value": float(state.propagator_value(owner, name, gate))})
        for slot in slots:
            slot["kind"], slot["i"], slot["j"] = positions[slot["entry"]]
        entries.append({"owner": owner.name, "function": functions[owner], "gate": gate,
                        "arguments": arguments, "outputs": slots})  # fmt: skip
    return entries, "\n\n".join(sources)


def _monitor(monitor: Any, lowered: Any, index: dict[str, int]) -> dict[str, Any]:
    def slot(kind: str, name: str) -> int:
        return index[lowered.slots[(kind, monitor, name)]]

    entry: dict[str, Any] = {"name": monitor.name}
    if isinstance(monitor, SpikeMonitor):
        entry.update(kind="spike", record=monitor.record, size=monitor.source.N,
                     capacity=monitor.capacity, stored=slot("array", "stored"))  # fmt: skip
        if monitor.record:
            entry.update(indices=slot("array", "indices"), steps=slot("array", "steps"),
                         capacity_slot=slot("integer", "capacity"))  # fmt: skip
        else:
            entry.update(counts=slot("array", "counts"))
    elif isinstance(monitor, StateMonitor):
        entry.update(kind="state", every=monitor.every, rows=len(monitor.record),
                     record=monitor.record.tolist(), column=slot("array", "column"),
                     columns_slot=slot("integer", "columns"),
                     variables={v: slot("array", v) for v in monitor.record_variables})  # fmt: skip
    else:
        entry.update(kind="rate", rate=slot("array", "rate"), column=slot("array", "column"))
    return entry


def write_folder(package: packaging.Package, folder: Path, source: str) -> Path:
    """A build folder: the package, the generated source, the runner (a copy of
    :mod:`snngen.standalone`), ``run.py``, ``__main__.py`` and a README."""
    if folder.exists() and any(folder.iterdir()) and not (folder / packaging.MANIFEST).exists():
        raise ModelError(f"{folder} exists and is not a snngen build folder; choose an empty "
                         "or new folder")  # fmt: skip
    package.write(folder)
    (folder / "network.pyx").write_text(source)
    runner = folder / "snngen_standalone"
    shutil.rmtree(runner, ignore_errors=True)
    runner.mkdir()
    for path in STANDALONE_SOURCE.glob("*.py"):
        shutil.copy(path, runner / path.name)
    (folder / "run.py").write_text(render_text("standalone/run.py.j2"))
    (folder / "__main__.py").write_text(render_text("standalone/main.py.j2"))
    readme = render_text("standalone/README.md.j2", manifest=package.manifest,
                         folder=folder.name, command=" ".join(sys.argv))  # fmt: skip
    (folder / "README.md").write_text(readme)
    return folder
