"""Checks that pass once per structure: remembered in the cache, skipped when it comes again.

Parsing model text into sympy, checking its dimensions and deriving its update rule need sympy
(a quarter of a second to import) and take a tenth of a second more. Their outcome depends only
on the code as written, the dimensions of bound constants and snngen's own code, so once they
passed for a structure, a later process that builds the same structure skips them; the sympy
forms are then made only if something asks for them (such as a lowering the memo does not hold).

With ``$SNNGEN_VERIFY_MEMO`` set (the test suite sets it), checks always run.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from snngen.build import translator
from snngen.build.cache import VERIFY_ENV, memo_folder, memoised
from snngen.build.compiler import file_stamps
from snngen.errors import CacheError

_PASSED: set[str] = set()


def check_once(kind: str, structure: Any, check: Callable[[], None]) -> None:
    """Run ``check()`` (which raises if the code is wrong) unless it passed for ``structure``
    (a value whose ``repr`` is the code as written) in this or an earlier process."""
    key = hashlib.sha256(repr((code_fingerprint(), kind, structure)).encode()).hexdigest()
    if os.environ.get(VERIFY_ENV):
        check()
    elif key not in _PASSED:
        # An unwritable cache only costs the check again in the next process.
        with contextlib.suppress(CacheError):
            memoised("checked", key, lambda: _first_time(check))
        _PASSED.add(key)


def expect_first_checks() -> None:
    """Start Cython's translator now if the cache holds no passed check at all (a first run,
    or an emptied cache): this process will derive its models and compile their module, and
    the translator's start-up then overlaps even the imports. Called when snngen is imported."""
    if not os.environ.get(VERIFY_ENV) and not memo_folder("checked").is_dir():
        translator.start()


def _first_time(check: Callable[[], None]) -> bytes:
    """Run a check that has not passed before. The structure is probably new, and so is the
    module it will need: Cython's translator starts warming up now, beside the derivation."""
    translator.start()
    check()
    return b""


@functools.cache
def code_fingerprint() -> str:
    """The size and modification time of snngen's files and templates and of sympy's release:
    the code whose behaviour memoised checks and lowerings depend on."""
    from snngen.codegen.render import template_directory

    package = Path(__file__).resolve().parent.parent
    files = sorted(package.rglob("*.py")) + sorted(template_directory().rglob("*.j2"))
    sympy = importlib.util.find_spec("sympy")
    if sympy is not None and sympy.origin is not None:
        files.append(Path(sympy.origin).parent / "release.py")
    return hashlib.sha256(repr(file_stamps(files)).encode()).hexdigest()
