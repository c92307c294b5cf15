"""Parameter sweeps that compile once: ``sweep(model, params, duration, ...)``.

Every point runs through a :class:`~snngen.standalone.package.Package`, so the compiled module
is built (or taken from the cache) once in this process and the runs need only numpy: in this
process, in local worker processes, or on a Dask cluster, whose workers receive the module's
bytes with the package and load it without a compiler.

Two kinds of ``model``:

* a :class:`~snngen.Network`: packed once; each point sets parameters (external constants, as
  ``--set`` does for a build folder). Nothing is rebuilt, lowered or compiled per point.
* a function ``build(**point)`` returning a network (or its objects): called per point, so a
  point may change anything (sizes, connectivity, equations); points of equal structure share
  the compiled module through the cache. The point's values also resolve external names.

A point that fails keeps its row, with the error; the other points' results are kept.
"""

from __future__ import annotations

import concurrent.futures
import inspect
import itertools
import pickle
import time
import traceback
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from snngen.errors import ModelError
from snngen.runtime.namespace import caller_namespace
from snngen.runtime.network import Network
from snngen.standalone.package import Package
from snngen.standalone.runner import Results, simulate

Summary = Callable[..., Mapping[str, Any]]
SEED = "seed"  # a point's "seed" is the random seed of its run, not a parameter


def grid(**values: Iterable[Any]) -> list[dict[str, Any]]:
    """Every combination of the given values: ``grid(a=[1, 2], b=[3])`` → two points."""
    names = list(values)
    return [dict(zip(names, combination)) for combination in itertools.product(*values.values())]


def mean_rates(results: Results, **point: Any) -> dict[str, float]:
    """The default summary: each spike monitor's mean firing rate in Hz."""
    return {
        f"{name} rate (Hz)": float(recorded.count.mean() / results.duration)
        for name, recorded in results.items()
        if hasattr(recorded, "count")
    }


class SweepResults:
    """One row per point: its parameters, the summary's values, ``seconds`` (the loop's wall
    time) and ``error`` (``None`` if it ran; a failed row also has its ``traceback``)."""

    def __init__(self, rows: list[dict[str, Any]], seconds: float) -> None:
        self.rows = rows
        self.seconds = seconds

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(key for row in self.rows for key in row))

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["error"] is not None]

    def column(self, name: str) -> np.ndarray:
        """One column as an array (``nan`` where a point failed)."""
        return np.array([row.get(name, np.nan) for row in self.rows])

    def to_pandas(self) -> Any:
        import pandas

        return pandas.DataFrame(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __str__(self) -> str:
        columns = [c for c in self.columns if c != "traceback"]
        cells = [[_cell(row.get(c)) for c in columns] for row in self.rows]
        widths = [max(len(c), *(len(r[k]) for r in cells)) for k, c in enumerate(columns)]
        lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths))]
        lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in cells]
        return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).splitlines()[0][:60]


def sweep(model: Network | Callable[..., Any], params: Mapping[str, Sequence[Any]] |
          Sequence[Mapping[str, Any]], duration: Any, summary: Summary = mean_rates,
          runner: Any = "serial", workers: int | None = None,
          namespace: Mapping[str, Any] | None = None, level: int = 0) -> SweepResults:  # fmt: skip
    """Run ``model`` at every point of ``params`` for ``duration``; see the module docstring.

    ``params``: a list of points (dicts), or a dict of value lists meaning their :func:`grid`.
    ``summary(results, **point)`` turns a run's :class:`~snngen.standalone.runner.Results` into
    a row's values; it runs where the run does (so for ``'processes'`` it must be a module-level
    function). ``runner``: ``'serial'``, ``'processes'`` (``workers`` local processes) or a
    ``dask.distributed.Client``. Names the model uses come from the point, then ``namespace``,
    then the caller's scope.
    """
    points = grid(**params) if isinstance(params, Mapping) else [dict(p) for p in params]
    scope = ChainMap(dict(namespace or {}), caller_namespace(level))
    began = time.perf_counter()
    if isinstance(model, Network):
        shared = _pack(model, duration, ChainMap(points[0] if points else {}, scope))
        tasks = [(shared, point) for point in points]
    else:
        tasks = [(_build_and_pack(model, point, duration, scope), point) for point in points]
    values = _execute(tasks, isinstance(model, Network), summary, runner, workers)
    rows = [{**point, **row} for point, row in zip(points, values)]
    return SweepResults(rows, time.perf_counter() - began)


def _pack(network: Network, duration: Any, names: Mapping[str, Any]) -> Package:
    return network.pack(duration, namespace={k: v for k, v in names.items() if k != SEED})


def _build_and_pack(build: Callable[..., Any], point: dict[str, Any], duration: Any,
                    scope: Mapping[str, Any]) -> Package | str:  # fmt: skip
    """The point's package, or the error that prevented building it."""
    try:
        built = build(**_arguments(build, point))
        network = built if isinstance(built, Network) else Network(built)
        return _pack(network, duration, ChainMap(point, scope))
    except Exception as err:  # one point's failure must not lose the others
        return f"{type(err).__name__}: {err}"


def _arguments(build: Callable[..., Any], point: Mapping[str, Any]) -> dict[str, Any]:
    """The point's values that ``build`` takes as arguments (all, if it takes ``**kwargs``)."""
    parameters = inspect.signature(build).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return {k: v for k, v in point.items() if k != SEED}
    return {p.name: point[p.name] for p in parameters if p.name in point}


def _run_point(package: Package | str, point: dict[str, Any], overrides: bool,
               summary: Summary) -> dict[str, Any]:  # fmt: skip
    """A row's values besides the point's (which the caller adds, as it sent them); runs in
    a worker. Errors become the row's ``error`` (and ``traceback``)."""
    row: dict[str, Any] = {}
    error, seconds = package if isinstance(package, str) else None, None
    if error is None:
        try:
            parameters = {k: v for k, v in point.items() if k != SEED} if overrides else {}
            results = simulate(package, overrides=_si(parameters), seed=point.get(SEED))
            row.update(summary(results, **point))
            seconds = results.wall_time
        except Exception as err:  # reported with the point's parameters, the sweep goes on
            error = f"{type(err).__name__}: {err}"
            row["traceback"] = traceback.format_exc()
    row.update(seconds=seconds, error=error)
    return row


def _si(values: Mapping[str, Any]) -> dict[str, Any]:
    """Quantities as (SI value, dimension) pairs, which the runner checks; the rest as given."""
    from snngen.units.quantity import Quantity

    overrides: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, Quantity):
            if np.ndim(value.value) != 0:
                raise ModelError(f"a swept parameter must be a single value, got {name}={value!r}")
            value = (float(value.value), value.dim.base_string())
        overrides[name] = value
    return overrides


Task = tuple[Package | str, dict[str, Any]]  # a package (or why building it failed), a point


def _execute(tasks: list[Task], overrides: bool, summary: Summary, runner: Any,
             workers: int | None) -> list[dict[str, Any]]:  # fmt: skip
    if runner == "serial":
        return [_run_point(package, point, overrides, summary) for package, point in tasks]
    if runner == "processes":
        try:
            pickle.dumps(summary)
        except (pickle.PicklingError, AttributeError, TypeError) as err:
            raise ModelError(f"runner='processes' sends the summary to worker processes, so it "
                             f"must be a module-level function ({err})") from None  # fmt: skip
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_run_point, p, point, overrides, summary)
                       for p, point in tasks]  # fmt: skip
            return [future.result() for future in futures]
    if hasattr(runner, "submit") and hasattr(runner, "gather"):  # a dask.distributed.Client
        return _on_dask(runner, tasks, overrides, summary)
    raise ModelError(f"runner must be 'serial', 'processes' or a dask.distributed.Client, "
                     f"got {runner!r}")  # fmt: skip


def _on_dask(client: Any, tasks: list[Task], overrides: bool,
             summary: Summary) -> list[dict[str, Any]]:  # fmt: skip
    """Send each distinct package to the workers once (scattered), then one task per point."""
    scattered: dict[int, Any] = {}
    futures = []
    for package, point in tasks:
        if not isinstance(package, str) and id(package) not in scattered:
            scattered[id(package)] = client.scatter(package, broadcast=True)
        shipped = package if isinstance(package, str) else scattered[id(package)]
        futures.append(client.submit(_run_point, shipped, point, overrides, summary, pure=False))
    return client.gather(futures)
