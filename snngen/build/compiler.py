"""Compile a Cython source to an extension module: Cython → C → the platform C compiler.

Separate steps (Cython, see :mod:`snngen.build.translator`, then the C compiler) so that each
failure comes with that tool's own output and command line.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import logging
import os
import platform
import re
import shlex
import shutil
import subprocess
import sysconfig
from pathlib import Path

import snngen
from snngen.build.translator import cython_command, translate
from snngen.errors import CompilationError

# A fused neuron pass reads and writes many arrays; gcc proves them disjoint with run-time
# checks, one per pair, and by default gives up (a scalar loop) beyond 10 pairs.
OPTIMISATION_FLAGS = ("-O3", "-march=native", "--param=vect-max-version-for-alias-checks=200")
# The glue (argument parsing, the module's set-up) runs once per call of the loop, not per step,
# and -O3 spends most of its time on it: the E/I module's glue compiles in 0.23 s at -O1 and
# 0.42 s at -O3, longer than its loop (0.33 s), so the glue at -O3 decided the build's time.
GLUE_OPTIMISATION_FLAGS = ("-O1",)
# Lets gcc vectorise the neuron loops, exp included (glibc's vector maths), about 2.5x faster
# on the E/I network. Safe here: the loops never test errno, traps, NaN or infinity (a state
# that overflows is caught by the runtime between chunks), and reassociation changes results
# only at rounding level. Passed to the compile step only: linking with them would pull in
# crtfastmath.o, which flushes subnormals to zero for the whole Python process.
MATH_FLAGS = ("-fno-math-errno", "-funsafe-math-optimizations", "-ffinite-math-only")
# The vector maths library (libmvec) provides the vectorised exp the loops call.
LINK_FLAGS = ("-shared", "-lm", "-lmvec")
# A module whose loops run on threads (``threads=`` of a run) is compiled and linked with OpenMP;
# other modules are not, so that they (and build folders) never need the OpenMP runtime.
OPENMP_FLAGS = ("-fopenmp",)
# Warnings that Cython's generated C triggers by design; they are noise for users.
QUIET_FLAGS = ("-w",)
# The network template's time loop (templates/network.pyx.j2), public so that its C name is
# known. gcc spends about as long on a module's Python glue (0.3 s) as on its loop; compiled as
# two translation units, one per core, the E/I module builds in 0.33 s instead of 0.55 s.
LOOP_FUNCTION = "snngen_loop"

_logger = logging.getLogger("snngen.build")


def c_compiler() -> list[str]:
    """The C compiler command: ``$CC``, else the one Python was built with, else ``cc``."""
    configured = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shlex.split(configured)[:1]


def extension_suffix() -> str:
    return sysconfig.get_config_var("EXT_SUFFIX") or ".so"


def file_stamps(paths: list[Path]) -> list[tuple[str, int, int]]:
    """Path, size and modification time of each existing file: what tells a reinstalled or
    edited file from the one a memoised fact was made with, without reading it."""
    return [(str(p), stat.st_size, stat.st_mtime_ns) for p in paths if p.exists()
            for stat in [p.stat()]]  # fmt: skip


def toolchain_stamp() -> str:
    """A digest that changes whenever :func:`toolchain_fingerprint` may, computed without
    importing Cython or running the compiler (18 ms): the files of both, by size and
    modification time, and the rest of the fingerprint. The cache keeps the fingerprint under
    it, so that a warm start loads its module without either."""
    cython = importlib.util.find_spec("Cython")
    compiler = shutil.which(c_compiler()[0])
    files = [Path(p) for p in (cython.origin if cython else None, compiler) if p]
    parts = (snngen.__version__, sysconfig.get_config_var("SOABI"), c_compiler(),
             OPTIMISATION_FLAGS, GLUE_OPTIMISATION_FLAGS, MATH_FLAGS, LINK_FLAGS,
             platform.machine(), file_stamps(files))  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@functools.cache
def toolchain_fingerprint() -> str:
    """Everything besides the source that decides the compiled result (DESIGN invariant 4).

    snngen, Cython and Python ABI versions, the compiler's version, the flags, and the machine
    (``-march=native`` makes the binary specific to this CPU).
    """
    import Cython

    try:
        version = subprocess.run(
            [*c_compiler(), "--version"], capture_output=True, text=True, check=False
        ).stdout.splitlines()[:1]
    except OSError:
        version = ["no compiler"]
    parts = [
        f"snngen {snngen.__version__}",
        f"Cython {Cython.__version__}",
        f"SOABI {sysconfig.get_config_var('SOABI')}",
        f"compiler {' '.join(c_compiler())} {' '.join(version)}",
        f"compile {' '.join([*OPTIMISATION_FLAGS, *MATH_FLAGS])}; link {' '.join(LINK_FLAGS)}",
        f"glue (compiled apart from the loop) {' '.join(GLUE_OPTIMISATION_FLAGS)}",
        f"machine {platform.machine()} {_cpu_model()}",
    ]
    return "\n".join(parts)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def compile_extension(pyx: Path, openmp: bool = False) -> Path:
    """Compile ``pyx`` (whose stem is the module name) into an extension next to it, with
    OpenMP if ``openmp``."""
    openmp_flags = OPENMP_FLAGS if openmp else ()
    c_file = pyx.with_suffix(".c")
    target = pyx.with_name(pyx.stem + extension_suffix())
    status, output = translate(pyx, c_file)
    if status != 0:
        raise CompilationError(cython_command(pyx, c_file), output, str(pyx))
    if not _build_in_parts(c_file, target, openmp_flags):
        object_file = c_file.with_suffix(".o")
        _run(_compile_command(c_file, object_file, openmp_flags), pyx)
        _run(_link_command([object_file], target, openmp_flags), pyx)
        object_file.unlink()
    return target


def split_translation_unit(c_source: str) -> tuple[str, str] | None:
    """Cython's C for a module as two translation units, ``(glue, loop)``; None if it defines no
    :data:`LOOP_FUNCTION` or its sections are not where Cython 3 puts them.

    The glue's unit is the file without the loop's definition. The loop's is the file without
    the glue: the declarations, the functions up to the loop (the template's inline helpers),
    the loop and Cython's utility functions, which gcc drops unless the loop calls them; and
    without the one variable Cython defines with external linkage (the glue's unit does)."""
    start = c_source.find(f"\nvoid {LOOP_FUNCTION}(") + 1
    stop = c_source.find("\n}\n", start) + 3
    code_start, utilities_start = (
        c_source.find(f"/* #### Code section: {name} ### */")
        for name in ("module_code", "utility_code_pragmas")
    )
    if not 0 < code_start < start < stop < utilities_start:
        return None
    glue = c_source[:start] + c_source[stop:]
    declarations = re.sub(r"(?m)^int __pyx_module_is_main_\w+ = 0;$", "", c_source[:stop])
    return glue, declarations + c_source[utilities_start:]


def _build_in_parts(c_file: Path, target: Path, openmp_flags: tuple[str, ...]) -> bool:
    """Build ``target`` from the glue and the loop of ``c_file``, compiled at once as two
    translation units; False if it has no loop to split off or a step failed (the caller then
    compiles the file whole, and reports that compiler's message if it fails too)."""
    parts = split_translation_unit(c_file.read_text())
    if parts is None:
        _logger.debug("%s: compiled as one translation unit (no loop to split off)", c_file.name)
        return False
    sources = [c_file.with_name(f"{c_file.stem}_{part}.c") for part in ("glue", "loop")]
    objects = [source.with_suffix(".o") for source in sources]
    for source, text in zip(sources, parts):
        source.write_text(text)
    glue, loop = (_compile_command(*files, openmp_flags) for files in zip(sources, objects))
    compiles = [[*glue, *GLUE_OPTIMISATION_FLAGS], loop]  # the last -O given is the one gcc uses
    built = _succeed(compiles, c_file.parent) and _succeed(
        [_link_command(objects, target, openmp_flags)], c_file.parent
    )
    for path in [*sources, *objects]:
        path.unlink(missing_ok=True)
    outcome = "compiled as two translation units, glue and loop" if built else (
        "its glue and loop did not build apart; compiling it whole")  # fmt: skip
    _logger.debug("%s: %s", c_file.name, outcome)
    return built


def _succeed(commands: list[list[str]], folder: Path) -> bool:
    """Run ``commands`` at once, quietly: whether all succeeded (no compiler: they did not)."""
    processes: list[subprocess.Popen] = []
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
    with contextlib.suppress(OSError):
        for command in commands:
            processes.append(subprocess.Popen(command, **quiet))
    statuses = [process.wait() for process in processes]
    return len(statuses) == len(commands) and not any(statuses)


def _compile_command(c_file: Path, object_file: Path, openmp_flags: tuple[str, ...]) -> list[str]:
    return [
        *c_compiler(), *OPTIMISATION_FLAGS, *MATH_FLAGS, *openmp_flags, *QUIET_FLAGS, "-fPIC", "-c",
        f"-I{sysconfig.get_paths()['include']}", str(c_file), "-o", str(object_file),
    ]  # fmt: skip


def _link_command(objects: list[Path], target: Path, openmp_flags: tuple[str, ...]) -> list[str]:
    return [*c_compiler(), *map(str, objects), "-o", str(target), *LINK_FLAGS, *openmp_flags]


def _run(command: list[str], pyx: Path) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=pyx.parent)
    except OSError as err:
        raise CompilationError(command, str(err), str(pyx)) from None
    if result.returncode != 0:
        raise CompilationError(command, result.stdout + result.stderr, str(pyx))
