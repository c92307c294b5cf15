"""The performance suite: snngen beside Brian2's C++ standalone, the NumPy original and the
hand-written C limit, in one invocation.

    python benchmarks/run.py [--quick] [--repeats 3] [--cold-repeats 3]
                             [--brian2-python PATH] [--json results.json] [--markdown results.md]

Workloads: the E/I network (4000 neurons, 1 s and 10 s), its scaling series (20k and 100k
neurons at in-degree 80), a CUBA variant, the E/I network with forward Euler (what Brian2 picks
for this model when no method is given) beside Brian2 and ``coba_limit.c`` (compiled here from
../shared/reference with ``--geuler``: the same arithmetic), in float64 and in float32 (the
neurons' ``dtype``: snngen's float32 mode, coba_limit's ``--prec 32``),
the E/I network on one and two OpenMP threads (``SNNGEN_THREADS``) beside the serial module,
and the Nicola & Clopath network against its NumPy original. Every run is a new process:
*cold* with an empty module cache (Brian2: an empty build folder), *warm* with the cache of
the last cold run. Cold runs, then warm runs, are repeated, the simulators alternating; a cold
or warm time is the median over its repeats, a loop time the minimum, and snngen's times are
given as ratios to each row's, repeat by repeat, min/median/max: absolute times drift on shared
machines, and a cold start (a parallel build on two cores) drifts most.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ei_network import BRIAN2, BUILD, NETWORK, SCRIPT, SNNGEN, W_INH, brian2_python

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[1] / "shared" / "reference"
DT = 1e-4  # the E/I network's step (s)

CUBA = """
dv/dt = (ge + gi - (v - v_rest - 11*mV))/tau : volt (unless refractory)
dge/dt = -ge/tau_exc : volt
dgi/dt = -gi/tau_inh : volt
"""
# CUBA's jumps (Brian2's CUBA example: 1.62 mV and -9 mV); the conductances' names are kept.
CUBA_BUILD = BUILD.replace("on_pre='ge += 0.6'", "on_pre='ge += 1.62*mV'").replace(
    "on_pre='gi += w_inh'", "on_pre='gi += -9*mV'"
)

# Times the compiled loop of any script (the Nicola & Clopath example) from outside it.
TIMED_SCRIPT = """
import json, resource, runpy, sys, time
start = time.perf_counter()
import snngen.runtime.network as network
loop = [0.0]
call = network.Network._call_loop
def timed(self, *args, **kwargs):
    began = time.perf_counter()
    call(self, *args, **kwargs)
    loop[0] += time.perf_counter() - began
network.Network._call_loop = timed
runpy.run_path({script!r}, run_name="__main__")
total = time.perf_counter() - start
who = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)  # Brian2's binary is a child
peak = sorted(resource.getrusage(w).ru_maxrss for w in who)[-1] / 1024  # not brian2's max
print("RESULT " + json.dumps(dict(setup=total - loop[0], loop=loop[0], peak_mib=peak)))
"""


def result_of(completed: subprocess.CompletedProcess) -> dict | None:
    lines = [x for x in completed.stdout.splitlines() if x.startswith("RESULT ")]
    if completed.returncode != 0 or not lines:
        print(f"  (failed: {completed.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
        return None
    return json.loads(lines[-1][len("RESULT ") :])


def run_process(python: str, code: str, folder: str, env: dict | None = None) -> dict | None:
    """One whole process in ``folder`` (which holds snngen's cache and Brian2's build), with
    ``env`` added to the environment."""
    env = {**os.environ, "SNNGEN_CACHE_DIR": folder, **(env or {})}
    # A user's Python caches compiled bytecode (Brian2's, installed by pip, has it already); a
    # shell that turns this off would make every snngen process compile its modules' source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    began = time.perf_counter()
    completed = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env,
                               cwd=folder)  # fmt: skip
    result = result_of(completed)
    if result is not None:
        result["process"] = time.perf_counter() - began
    return result


def ei_code(settings: dict, n: int, duration: float, method: str, build: str, network: str,
            single: bool = False) -> str:  # fmt: skip
    """The E/I script; ``single``: the neurons in float32 (snngen's float32 mode; Brian2's
    ``dtype``)."""
    dtype = ", dtype=__import__('numpy').float32" if single else ""
    body = build.replace("method='exponential_euler'", f"method='{method}'{dtype}")
    return SCRIPT.replace(BUILD, body).format(n=n, duration=duration, network=network,
                                              w_inh=W_INH, **settings)  # fmt: skip


def coba_limit(n: int, duration: float, folder: Path, single: bool = False) -> dict | None:
    """The hand-written C program, same arithmetic as snngen's Euler variant (``--geuler``),
    in float32 if ``single``."""
    source = REFERENCE / "coba_limit.c"
    binary = folder / "coba_limit"
    if not source.exists():
        return None
    if not binary.exists():
        subprocess.run(["gcc", "-O3", "-march=native", "-o", str(binary), str(source), "-lm"],
                       check=True)  # fmt: skip
    command = [str(binary), "--N", str(n), "--k", "80", "--T", str(duration), "--kernel", "lean",
               "--prec", "32" if single else "64", "--prop", "pf16" if n <= 65536 else "pfb16",
               "--geuler"]  # fmt: skip
    result = result_of(subprocess.run(command, capture_output=True, text=True))
    if result is not None:
        result = dict(loop=result["t_loop"], spikes=result["spikes"],
                      peak_mib=result["peak_rss_kb"] / 1024,
                      bytes_per_synapse=result["bytes_per_syn"])  # fmt: skip
    return result


def ratios(ours: list[float], theirs: list[float]) -> list[float]:
    """snngen's time over another's, repeat by repeat (the runs of a repeat were neighbours)."""
    return [o / t for o, t in zip(ours, theirs)]


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


class Suite:
    """Runs the workloads and collects rows (one per simulator and workload)."""

    def __init__(self, brian2: str | None, repeats: int, cold_repeats: int, folder: Path) -> None:
        self.brian2, self.repeats, self.cold_repeats, self.folder = (
            brian2, repeats, cold_repeats, folder)  # fmt: skip
        self.rows: list[dict] = []

    def workload(self, name: str, n: int, duration: float, method: str = "exponential_euler",
                 build: str = BUILD, network: str = NETWORK, limit: bool = False,
                 brian2: bool = True, threads: tuple[int, ...] = (),
                 single: bool = False) -> None:  # fmt: skip
        """One workload, snngen (serial, and on each of ``threads``) beside Brian2 and, if
        ``limit``, coba_limit.c; the neurons in float32 if ``single``."""
        print(f"\n{name}: N = {n}, {duration:g} s", flush=True)
        runners = {"snngen": (sys.executable, SNNGEN, {})}
        for k in threads:
            label = f"snngen, {k} thread{'s' if k > 1 else ''}"
            runners[label] = (sys.executable, SNNGEN, {"SNNGEN_THREADS": str(k)})
        if brian2 and self.brian2:
            runners["Brian2 C++ standalone"] = (self.brian2, BRIAN2["cpp_standalone"], {})
        rows, folders = {}, {}
        for _ in range(self.cold_repeats):  # alternating, as the loops below
            for label, (python, settings, env) in runners.items():
                if label in folders:
                    shutil.rmtree(folders[label])  # Brian2's build folder is tens of MB
                folders[label] = tempfile.mkdtemp(dir=self.folder)
                code = ei_code(settings, n, duration, method, build, network, single)
                cold = run_process(python, code, folders[label], env)
                if cold is not None:
                    fresh = dict(cold, code=code, colds=[], warms=[], loops=[])
                    rows.setdefault(label, fresh)["colds"].append(cold["process"])
        for _ in range(self.repeats):  # alternating, so that drift hits every simulator alike
            for label in [x for x in runners if x in rows]:
                row = rows[label]
                python, _, env = runners[label]
                warm = run_process(python, row["code"], folders[label], env)
                if warm is not None:  # the peak of a warm run: no compiler among the children
                    row["loops"].append(warm["loop"])
                    row["warms"].append(warm["process"])
                    row["peak_mib"] = warm["peak_mib"]
            if limit:
                c = coba_limit(n, duration, self.folder, single)
                if c is not None:
                    label = f"coba_limit.c (lean, f{32 if single else 64})"
                    rows.setdefault(label, dict(c, loops=[]))["loops"].append(c["loop"])
        ours = rows.get("snngen")
        for label, row in rows.items():
            row.pop("code", None)
            row.update(workload=name, simulator=label, n=n, duration=duration,
                       loop=min(row["loops"] or [row["loop"]]),
                       steps=round(duration / DT))  # fmt: skip
            if ours and ours["loops"] and row["loops"]:
                row["ratio"] = ratios(ours["loops"], row["loops"])
            for kind in ("cold", "warm"):
                if row.get(f"{kind}s"):
                    row[kind] = statistics.median(row[f"{kind}s"])
                    if ours and ours.get(f"{kind}s"):
                        row[f"{kind}_ratio"] = ratios(ours[f"{kind}s"], row[f"{kind}s"])
            self.rows.append(row)
            self.print_row(row)

    def nicola_clopath(self) -> None:
        print("\nNicola & Clopath: N = 2000, 2 s, dt = 0.05 ms", flush=True)
        reference = REFERENCE / "nicola_clopath_numpy.py"
        example = HERE.parent / "examples" / "nicola_clopath.py"
        folder = tempfile.mkdtemp(dir=self.folder)
        code = TIMED_SCRIPT.format(script=str(example))
        cold = run_process(sys.executable, code, folder)
        ours, theirs, warm_process = [], [], float("inf")
        for _ in range(self.repeats):
            warm = run_process(sys.executable, code, folder)
            if warm is not None:
                ours.append(warm["loop"])
                warm_process = min(warm_process, warm["process"])
            if reference.exists():
                original = subprocess.run([sys.executable, str(reference)], capture_output=True,
                                          text=True)  # fmt: skip
                numpy = result_of(original)
                if numpy is not None:
                    theirs.append(numpy["t_loop"])
        common = dict(workload="Nicola & Clopath", n=2000, duration=2.0, steps=40000)
        if cold is not None and ours:
            row = dict(common, simulator="snngen", cold=cold["process"], warm=warm_process,
                       loop=min(ours), loops=ours, peak_mib=cold["peak_mib"])  # fmt: skip
            self.rows.append(row)
            self.print_row(row)
        if theirs:
            row = dict(common, simulator="NumPy original", loop=min(theirs), loops=theirs)
            if ours:
                row["ratio"] = ratios(ours, theirs)
            self.rows.append(row)
            self.print_row(row)

    @staticmethod
    def print_row(row: dict) -> None:
        print(f"  {row['simulator']:26} loop {row['loop']:8.3f} s  "
              f"cold {row.get('cold', float('nan')):6.2f} s  "
              f"warm {row.get('warm', float('nan')):6.2f} s  "
              f"peak {row.get('peak_mib', float('nan')):6.0f} MiB  "
              f"snngen/this: loop {spread(row.get('ratio', []))}, "
              f"cold {spread(row.get('cold_ratio', []))}, "
              f"warm {spread(row.get('warm_ratio', []))}", flush=True)  # fmt: skip


def per_unit(row: dict) -> tuple[str, str, str]:
    """µs per step, ns per neuron update, ns per synaptic event (80 per spike)."""
    steps = row["steps"]
    per_step = row["loop"] / steps * 1e6
    per_neuron = row["loop"] / (steps * row["n"]) * 1e9
    spikes = row.get("spikes")
    per_event = f"{row['loop'] / (spikes * 80) * 1e9:.2f}" if spikes else "-"
    return f"{per_step:.1f}", f"{per_neuron:.2f}", per_event


def markdown(rows: list[dict], machine: str) -> str:
    lines = [
        f"Machine: {machine}", "",
        "| workload | N | T (s) | simulator | loop (s) | µs/step | ns/neuron·step | ns/event "
        "| cold (s) | warm (s) | peak MiB | B/syn | snngen loop / this (min/med/max) "
        "| snngen cold / this | snngen warm / this |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for row in rows:
        step, neuron, event = per_unit(row)
        bps = row.get("bytes_per_synapse")
        lines.append(
            f"| {row['workload']} | {row['n']} | {row['duration']:g} | {row['simulator']} "
            f"| {row['loop']:.3f} | {step} | {neuron} | {event} "
            f"| {row.get('cold', float('nan')):.2f} | {row.get('warm', float('nan')):.2f} "
            f"| {row.get('peak_mib', float('nan')):.0f} "
            f"| {'-' if bps is None or bps != bps else f'{bps:.1f}'} "
            f"| {spread(row.get('ratio', []))} | {spread(row.get('cold_ratio', []))} "
            f"| {spread(row.get('warm_ratio', []))} |"
        )
    return "\n".join(lines) + "\n"


def machine_description() -> str:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="4000 neurons, 1 s, one repeat of each kind"
    )
    parser.add_argument("--repeats", type=int, default=3, help="warm runs per simulator")
    parser.add_argument("--cold-repeats", type=int, default=3,
                        help="cold runs per simulator (Brian2's take 8-20 s each)")  # fmt: skip
    parser.add_argument("--brian2-python", default=None,
                        help="a Python with brian2 installed (default: this one)")  # fmt: skip
    parser.add_argument("--json", type=Path, default=Path("benchmark_results.json"))
    parser.add_argument("--markdown", type=Path, default=Path("benchmark_results.md"))
    args = parser.parse_args()
    brian2 = brian2_python(args.brian2_python)
    if brian2 is None:
        print("Brian2 not found: pass --brian2-python (see the compare extra)")
    repeats = 1 if args.quick else args.repeats
    with tempfile.TemporaryDirectory() as folder:
        suite = Suite(brian2, repeats, 1 if args.quick else args.cold_repeats, Path(folder))
        suite.workload("E/I (exp. Euler)", 4000, 1.0)
        if not args.quick:
            suite.workload("E/I (exp. Euler)", 4000, 10.0)
            for n in (20000, 100000):
                suite.workload("E/I (exp. Euler)", n, 1.0)
        for n in (4000,) if args.quick else (4000, 20000, 100000):
            suite.workload("E/I (Euler)", n, 1.0, method="euler", limit=True)
        for n in (4000,) if args.quick else (4000, 100000):
            suite.workload("E/I (Euler, float32)", n, 1.0, method="euler", limit=True,
                           single=True)  # fmt: skip
        for n in (4000,) if args.quick else (4000, 20000, 100000):
            suite.workload("E/I threads (exp. Euler)", n, 1.0, brian2=False, threads=(1, 2))
        suite.workload("CUBA", 4000, 1.0, build=CUBA_BUILD, network=CUBA)
        suite.nicola_clopath()
    machine = machine_description()
    args.json.write_text(json.dumps(dict(machine=machine, rows=suite.rows), indent=1))
    args.markdown.write_text(markdown(suite.rows, machine))
    print(f"\nwrote {args.json} and {args.markdown}")


if __name__ == "__main__":
    main()
