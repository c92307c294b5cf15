"""Compile a Cython source to an extension module: Cython → C → the platform C compiler.

Separate steps (Cython, see :mod:`snngen.build.translator`, then the C compiler) so that each
failure comes with that tool's own output and command line.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import platform
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
             OPTIMISATION_FLAGS, MATH_FLAGS, LINK_FLAGS, platform.machine(),
             file_stamps(files))  # fmt: skip
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
    object_file = pyx.with_suffix(".o")
    compile_c = [
        *c_compiler(), *OPTIMISATION_FLAGS, *MATH_FLAGS, *openmp_flags, *QUIET_FLAGS, "-fPIC", "-c",
        f"-I{sysconfig.get_paths()['include']}", str(c_file), "-o", str(object_file),
    ]  # fmt: skip
    _run(compile_c, pyx)
    _run([*c_compiler(), str(object_file), "-o", str(target), *LINK_FLAGS, *openmp_flags], pyx)
    object_file.unlink()
    return target


def _run(command: list[str], pyx: Path) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=pyx.parent)
    except OSError as err:
        raise CompilationError(command, str(err), str(pyx)) from None
    if result.returncode != 0:
        raise CompilationError(command, result.stdout + result.stderr, str(pyx))
