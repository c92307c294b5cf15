"""An N-point parameter sweep of the E/I network: one sweep vs N separate scripts (vs Brian2).

    python benchmarks/sweep.py [--points 8] [--duration 0.5] [--workers 2]
                               [--brian2-python PATH] [--brian2-points 3]

The swept parameter is the inhibitory weight. Every variant starts from an empty module cache
and reports its whole wall time (processes included):
- snngen, N separate scripts: one fresh process per point (the first compiles, the others
  load the cached module: a new process each time still imports snngen and builds the network);
- snngen.sweep, in one process (serial), in local worker processes and on a local Dask cluster
  (if installed): the network is built and compiled once and every point only sets `w_inh`;
- Brian2 C++ standalone, separate scripts (if Brian2 is found): constants are compiled into its
  code, so every new value rebuilds the project.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ei_network import BRIAN2, BUILD, NETWORK, SCRIPT, SNNGEN, W_INH, brian2_python

SWEEP = (
    """
import sys, time
from snngen import *
from snngen.sweeps import grid
seed(1)
"""
    + BUILD
    + """
net = Network(P, E, I, SpikeMonitor(P))
runner = {runner}
if runner == "dask":
    from dask.distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers={workers}, threads_per_worker=1, dashboard_address=None)
    runner = Client(cluster)
table = sweep(net, grid(w_inh={values}), {duration}*second, runner=runner, workers={workers})
assert not table.failed, table.failed[0]["error"]
"""
)


def timed(command: list[str], env: dict[str, str], cwd: str) -> float:
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return time.perf_counter() - began


def separate_scripts(python: str, settings: dict, values: list[float], duration: float) -> float:
    """Wall time of one fresh process per point, sharing one (initially empty) cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SNNGEN_CACHE_DIR": cache}
        total = 0.0
        for value in values:
            code = SCRIPT.format(n=4000, duration=duration, network=NETWORK, w_inh=value,
                                 **settings)  # fmt: skip
            total += timed([python, "-c", code], env, cache)
        return total


def one_sweep(runner: str, values: list[float], duration: float, workers: int) -> float:
    code = SWEEP.format(network=NETWORK, n=4000, w_inh=W_INH, runner=repr(runner),
                        values=values, duration=duration, workers=workers)  # fmt: skip
    with tempfile.TemporaryDirectory() as cache:
        return timed([sys.executable, "-c", code], {**os.environ, "SNNGEN_CACHE_DIR": cache}, cache)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=8)
    parser.add_argument("--duration", type=float, default=0.5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--brian2-python", default=None)
    parser.add_argument("--brian2-points", type=int, default=None,
                        help="points for Brian2 (default: all; each one recompiles)")  # fmt: skip
    args = parser.parse_args()
    values = [round(4.0 + 6.0 * k / max(1, args.points - 1), 3) for k in range(args.points)]
    print(f"E/I network, 4000 neurons, {args.points} values of w_inh, {args.duration} s each, "
          f"empty cache at the start of each variant\n")  # fmt: skip
    rows = [("snngen, separate scripts", separate_scripts(sys.executable, SNNGEN, values,
                                                           args.duration))]  # fmt: skip
    rows.append(("snngen.sweep, serial", one_sweep("serial", values, args.duration, 1)))
    rows.append((f"snngen.sweep, {args.workers} processes",
                 one_sweep("processes", values, args.duration, args.workers)))  # fmt: skip
    if importlib.util.find_spec("distributed") is not None:
        rows.append((f"snngen.sweep, Dask LocalCluster ({args.workers} workers)",
                     one_sweep("dask", values, args.duration, args.workers)))  # fmt: skip
    brian2 = brian2_python(args.brian2_python)
    if brian2:
        subset = values[: args.brian2_points or len(values)]
        seconds = separate_scripts(brian2, BRIAN2["cpp_standalone"], subset, args.duration)
        rows.append((f"Brian2 C++ standalone, separate scripts (per {len(subset)} points → "
                     f"{args.points})", seconds * args.points / len(subset)))  # fmt: skip
    print(f"| variant | wall time for {args.points} points (s) | per point (s) |")
    print("|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / args.points:.3f} |")
    if not brian2:
        print("\n(Brian2 not found: pass --brian2-python to compare)")


if __name__ == "__main__":
    main()
