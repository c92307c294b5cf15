"""The ``snngen`` command line (also ``python -m snngen``).

snngen explain "dv/dt = -v/tau : volt" [--method exact] [--latex]
snngen run SCRIPT_OR_MODULE [--duration 100ms] [--plot raster.png]
snngen build SCRIPT_OR_MODULE -o FOLDER [--duration 1s]
snngen cache info|clear
"""

from __future__ import annotations

import argparse
import re
import runpy
import sys
from pathlib import Path


def _seconds(text: str) -> float:
    """``'100ms'``, ``'1.5 s'``, ``'2 second'`` → seconds."""
    from snngen.units.catalogue import UNITS
    from snngen.units.quantity import strip

    match = re.fullmatch(r"\s*([0-9.eE+-]+)\s*\*?\s*([A-Za-z]+)\s*", text)
    unit = UNITS.get(match[2]) if match else None
    if unit is None or unit.dim != UNITS["second"].dim:
        raise argparse.ArgumentTypeError(f"expected a duration such as 100ms or 1s, got {text!r}")
    return float(match[1]) * strip(unit)


def _explain(args: argparse.Namespace) -> int:
    from snngen.integration.explain import explain

    explanation = explain(args.equations, method=args.method, latex=args.latex)
    print(explanation)
    if args.code and not args.latex:
        print("\nGenerated code\n" + explanation.code)
    return 0


def _execute(target: str) -> None:
    """Run a script (a path) or a module (a name) as ``__main__``."""
    sys.argv = [target]
    if Path(target).exists():
        runpy.run_path(target, run_name="__main__")
    else:
        runpy.run_module(target, run_name="__main__", alter_sys=True)


def _run(args: argparse.Namespace) -> int:
    from snngen.runtime.network import override_duration

    with override_duration(args.duration):
        _execute(args.script)
    if args.plot:
        _plot_spikes(args.plot)
    return 0


def _build(args: argparse.Namespace) -> int:
    """Run the script up to its first ``run()``, which writes the build folder instead."""
    from snngen.runtime.network import Exported, exporting, override_duration

    folder = Path(args.output)
    with exporting(folder), override_duration(args.duration):
        try:
            _execute(args.script)
        except Exported:
            print(f"wrote {folder}; rerun it with: python {folder} [--duration ...] "
                  "[--set NAME=VALUE]")  # fmt: skip
            return 0
    print(f"error: {args.script} never called run(), so there is no network to build",
          file=sys.stderr)  # fmt: skip
    return 2


def _plot_spikes(path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from snngen.plotting import raster_plot
    from snngen.runtime.group import CREATED
    from snngen.runtime.monitors import SpikeMonitor

    monitors = sorted((m for m in CREATED if isinstance(m, SpikeMonitor)),
                      key=lambda m: m.creation_index)  # fmt: skip
    figure, axes = plt.subplots(max(1, len(monitors)), 1, squeeze=False, sharex=True,
                                figsize=(10, 2 + 2 * len(monitors)))  # fmt: skip
    for ax, monitor in zip(axes[:, 0], monitors):
        raster_plot(monitor, ax=ax)
        ax.set_title(monitor.source.name, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    print(f"wrote {path} ({len(monitors)} spike monitor(s))")


def _cache(args: argparse.Namespace) -> int:
    from snngen.build import cache as module_cache

    if args.action == "clear":
        removed = module_cache.clear_cache()
        print(f"removed {removed} cached module(s) from {module_cache.cache_root()}")
    else:
        print(module_cache.describe())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="snngen", description="snngen: spiking neural networks compiled from equations."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    explain = commands.add_parser("explain", help="show the update rule derived from equations")
    explain.add_argument("equations", help='model text, e.g. "dv/dt = -v/tau : volt"')
    explain.add_argument("--method", default=None, help="integration method (default: automatic)")
    explain.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    explain.add_argument("--code", action="store_true", help="also show the generated Cython")
    explain.set_defaults(handler=_explain)
    run = commands.add_parser("run", help="run a simulation script or module")
    run.add_argument("script", help="a script path or a module name")
    run.add_argument("--duration", type=_seconds, default=None,
                     help="run every run() of the script for this long (e.g. 100ms)")  # fmt: skip
    run.add_argument("--plot", default=None, help="write the rasters of all spike monitors here")
    run.set_defaults(handler=_run)
    build = commands.add_parser(
        "build", help="write a standalone build folder of a script's network (numpy-only rerun)"
    )
    build.add_argument("script", help="a script path or a module name")
    build.add_argument("-o", "--output", required=True, help="the folder to write")
    build.add_argument("--duration", type=_seconds, default=None,
                       help="the rerun's default duration (default: the script's)")  # fmt: skip
    build.set_defaults(handler=_build)
    cache = commands.add_parser("cache", help="inspect or clear the compiled-module cache")
    cache.add_argument("action", choices=["info", "clear"])
    cache.set_defaults(handler=_cache)
    args = parser.parse_args(argv)
    return args.handler(args)
