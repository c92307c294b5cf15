"""Cython's translation step (``.pyx`` → ``.c``), by a worker process that keeps Cython warm.

Of the ~0.9 s Cython takes to translate a network's module, ~0.65 s is start-up that does not
depend on the source (building its lexer, declaring Python's builtins). A process that is about
to need a new module (its model checks had to run: see :mod:`snngen.build.checked`) calls
:func:`start`, which launches this file as a worker that warms up on the other core while the
process derives the model; :func:`translate` then hands the worker the source and waits only for
the translation proper. The worker stays, warm, for the process's next module (a new structure,
a sweep over structures, a test suite): it exits when the process does, or when no request came
for :data:`IDLE_SECONDS`. :func:`translate` starts one if none waits; if a worker fails, Cython's
command line translates instead.

This file runs as the worker by path, so that the worker imports neither snngen nor numpy.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

_worker: subprocess.Popen | None = None
_owner_pid = 0  # the process that started the worker (a forked child must not use it)
_asking = threading.Lock()  # one request at a time on the worker's pipes
# Generous: the translation proper takes a tenth of a second; a worker that hangs beyond this is
# killed and the command line used instead.
_TIMEOUT_SECONDS = 120.0
# An idle worker holds about 70 MB; one that nobody asked for this long exits.
IDLE_SECONDS = 600.0


def _arguments(pyx: Path | str, c_file: Path | str) -> list[str]:
    """Cython's arguments, the same for the command line and the worker (so, the same C)."""
    return ["-3", "--fast-fail", str(pyx), "-o", str(c_file)]


def cython_command(pyx: Path, c_file: Path) -> list[str]:
    """Cython's command line for ``pyx``: what the worker does, and what an error quotes."""
    return [sys.executable, "-m", "cython", *_arguments(pyx, c_file)]


def start() -> None:
    """Launch a worker unless one is waiting."""
    global _worker, _owner_pid
    if _serves_this_process() and _worker.poll() is None:
        return
    _owner_pid = os.getpid()
    try:
        _worker = subprocess.Popen(
            [sys.executable, __file__, str(IDLE_SECONDS)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
    except OSError:
        _worker = None


def translate(pyx: Path, c_file: Path) -> tuple[int, str]:
    """Translate ``pyx`` into ``c_file``: Cython's exit status and its messages."""
    global _worker
    request = json.dumps([str(pyx.resolve()), str(c_file.resolve())]) + "\n"
    with _asking:
        start()
        answer = _ask(_worker, request) if _serves_this_process() else None
        if answer is not None:
            return answer
        if _serves_this_process():  # a worker that could not translate: the command line decides
            _discard(_worker)
            _worker = None
    try:
        done = subprocess.run(cython_command(pyx, c_file), capture_output=True, text=True,
                              cwd=pyx.parent)  # fmt: skip
    except OSError as err:
        return 1, str(err)
    return done.returncode, done.stdout + done.stderr


def _ask(worker: subprocess.Popen, request: str) -> tuple[int, str] | None:
    """The worker's answer to ``request``; None if it gave none in time."""
    try:
        worker.stdin.write(request)
        worker.stdin.flush()
        ready, _, _ = select.select([worker.stdout], [], [], _TIMEOUT_SECONDS)
        result = json.loads(worker.stdout.readline()) if ready else None
        return None if result is None else (int(result["status"]), str(result["output"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _serves_this_process() -> bool:
    return _worker is not None and _owner_pid == os.getpid()


def _discard(worker: subprocess.Popen) -> None:
    worker.kill()
    for stream in (worker.stdin, worker.stdout):
        with contextlib.suppress(OSError):
            stream.close()
    worker.wait()


@atexit.register
def _stop() -> None:
    if _serves_this_process():
        _discard(_worker)


def _translate_here(pyx: str, c_file: str) -> int:
    """Cython's command line, run in this process."""
    from Cython.Compiler import Main

    sys.argv = ["cython", *_arguments(pyx, c_file)]
    try:
        Main.main(command_line=1)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 1
    return 0


def _serve(idle_seconds: float) -> None:
    """The worker: warm Cython up on a one-line module, then translate each request, until the
    process that started it closes the pipe or sends nothing for ``idle_seconds``."""
    with tempfile.TemporaryDirectory() as folder:
        warm = Path(folder) / "warm.pyx"
        warm.write_text("def f(int x):\n    return x\n")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            _translate_here(str(warm), str(warm.with_suffix(".c")))
    while select.select([sys.stdin], [], [], idle_seconds)[0]:
        request = sys.stdin.readline()
        if not request:
            return
        pyx, c_file = json.loads(request)
        os.chdir(Path(pyx).parent)  # as the command line runs
        output = io.StringIO()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            status = _translate_here(pyx, c_file)
        sys.stdout.write(json.dumps({"status": status, "output": output.getvalue()}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve(float(sys.argv[1]))
