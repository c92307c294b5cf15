"""Compile a Cython source to an extension module: Cython → C → the platform C compiler.

Two subprocesses (Cython, then the C compiler) so that each failure comes with that tool's own
output and command line.
"""

from __future__ import annotations

import functools
import os
import platform
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

import snngen
from snngen.errors import CompilationError

OPTIMISATION_FLAGS = ("-O3", "-march=native")
# Warnings that Cython's generated C triggers by design; they are noise for users.
QUIET_FLAGS = ("-w",)


def c_compiler() -> list[str]:
    """The C compiler command: ``$CC``, else the one Python was built with, else ``cc``."""
    configured = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shlex.split(configured)[:1]


def extension_suffix() -> str:
    return sysconfig.get_config_var("EXT_SUFFIX") or ".so"


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
        f"flags {' '.join(OPTIMISATION_FLAGS)}",
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


def compile_extension(pyx: Path) -> Path:
    """Compile ``pyx`` (whose stem is the module name) into an extension next to it."""
    c_file = pyx.with_suffix(".c")
    target = pyx.with_name(pyx.stem + extension_suffix())
    cython = [sys.executable, "-m", "cython", "-3", "--fast-fail", str(pyx), "-o", str(c_file)]
    _run(cython, pyx)
    compiler = [
        *c_compiler(), *OPTIMISATION_FLAGS, *QUIET_FLAGS, "-fPIC", "-shared",
        f"-I{sysconfig.get_paths()['include']}", str(c_file), "-o", str(target), "-lm",
    ]  # fmt: skip
    _run(compiler, pyx)
    return target


def _run(command: list[str], pyx: Path) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=pyx.parent)
    except OSError as err:
        raise CompilationError(command, str(err), str(pyx)) from None
    if result.returncode != 0:
        raise CompilationError(command, result.stdout + result.stderr, str(pyx))
