"""The on-disk cache of compiled modules (DESIGN.md, invariant 4).

The key is the sha256 of the generated source plus the toolchain fingerprint, so the source is
the cache key: equal structure, equal module, whatever the parameter values. Builds happen in a
temporary folder inside the cache root and are published with one atomic rename under a per-key
file lock, so concurrent processes never see a half-written entry and a killed build leaves
nothing behind. An entry that fails to load is rebuilt once, with a warning. A failed build's
folder is kept under ``failed/`` for inspection.

Root: ``$SNNGEN_CACHE_DIR``, else the platform's user cache directory.
Command line: ``snngen cache info|clear`` (or ``python -m snngen cache ...``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import platformdirs

from snngen.build.compiler import (
    OPENMP_FLAGS,
    compile_extension,
    extension_suffix,
    toolchain_fingerprint,
    toolchain_stamp,
)
from snngen.errors import CacheError, CompilationError

CACHE_ENV = "SNNGEN_CACHE_DIR"
# Set: memoised facts are checked against fresh ones (see snngen.codegen.memo, build.checked).
VERIFY_ENV = "SNNGEN_VERIFY_MEMO"
_FAILED = "failed"
_MEMO = "memo"
_LOADED: dict[str, ModuleType] = {}


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("snngen"))


@functools.cache
def memoised_toolchain() -> str:
    """:func:`~snngen.build.compiler.toolchain_fingerprint`, memoised by the toolchain's stamp."""
    return memoised_text("toolchain", toolchain_stamp(), toolchain_fingerprint)


def source_key(source: str, openmp: bool = False) -> str:
    toolchain = memoised_toolchain() + (f"\nOpenMP {' '.join(OPENMP_FLAGS)}" if openmp else "")
    return hashlib.sha256(f"{source}\0{toolchain}".encode()).hexdigest()


def module_name(key: str) -> str:
    return f"_snngen_{key[:24]}"


def load_module(source: str, openmp: bool = False) -> ModuleType:
    """The compiled module for ``source`` (built with OpenMP if ``openmp``), from the cache or
    built now."""
    key = source_key(source, openmp)
    if key in _LOADED:
        return _LOADED[key]
    root = cache_root()
    entry = root / key
    module = _import_existing(entry, key, locked=False)
    if module is None:
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise CacheError(f"cannot create the module cache at {root}: {err}") from None
        from filelock import FileLock  # 19 ms to import: only a process that may build needs it

        with FileLock(str(root / f"{key}.lock")):
            module = _import_existing(entry, key, locked=True)
            if module is None:
                _build(source, root, key, openmp)
                module = _import(entry, key)
    _LOADED[key] = module
    return module


def _import_existing(entry: Path, key: str, locked: bool) -> ModuleType | None:
    """The module of a published entry; ``None`` if there is none or it does not load. No lock
    is needed to load one (entries appear whole, by one rename); a ``locked`` process also
    removes one that does not load, so that it is built again."""
    if not entry.exists():
        return None
    try:
        return _import(entry, key)
    except ImportError as err:
        if not locked:
            return None
        warnings.warn(
            f"the cached module {entry} cannot be loaded ({err}); rebuilding it",
            RuntimeWarning,
            stacklevel=3,
        )
        shutil.rmtree(entry)
        return None


def _import(entry: Path, key: str) -> ModuleType:
    name = module_name(key)
    path = entry / f"{name}{extension_suffix()}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.exists():
        raise ImportError(f"no extension module at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build(source: str, root: Path, key: str, openmp: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix=f".build-{key[:12]}-", dir=root))
    try:
        pyx = work / f"{module_name(key)}.pyx"
        pyx.write_text(source)
        compile_extension(pyx, openmp)
        meta = {"fingerprint": memoised_toolchain(), "created": time.time()}
        (work / "meta.json").write_text(json.dumps(meta, indent=1))
        os.rename(work, root / key)
    except CompilationError as err:
        kept = root / _FAILED / key
        shutil.rmtree(kept, ignore_errors=True)
        kept.parent.mkdir(exist_ok=True)
        os.rename(work, kept)
        raise CompilationError(err.command, err.output, str(kept / pyx.name)) from None
    except BaseException:  # interrupted or killed: leave no partial entry
        shutil.rmtree(work, ignore_errors=True)
        raise


def memo_folder(kind: str) -> Path:
    return cache_root() / _MEMO / kind


def memoised(kind: str, key: str, make: Callable[[], bytes]) -> bytes:
    """``make()``, memoised in the cache under ``kind/key``. Each file starts with its data's
    sha256, so a damaged file is noticed and replaced; files are published by an atomic rename,
    so concurrent writers (who write the same data) are harmless."""
    path = memo_folder(kind) / key
    try:
        digest, _, data = path.read_bytes().partition(b"\n")
        if hashlib.sha256(data).hexdigest().encode() == digest:
            return data
        warnings.warn(f"the memoised {path} is damaged; writing it again", RuntimeWarning,
                      stacklevel=2)  # fmt: skip
    except OSError:
        pass  # not memoised yet
    data = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as partial:
            partial.write(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
        os.replace(partial.name, path)
    except OSError as err:
        raise CacheError(f"cannot write {path} in the module cache: {err}") from None
    return data


def memoised_text(kind: str, key: str, make: Callable[[], str]) -> str:
    """:func:`memoised` for text."""
    return memoised(kind, key, lambda: make().encode()).decode()


def entries() -> list[Path]:
    """The published cache entries."""
    root = cache_root()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and len(p.name) == 64)


def clear_cache() -> int:
    """Remove every entry (and kept failed builds); returns how many entries were removed."""
    from filelock import FileLock

    removed = entries()
    for entry in removed:
        with FileLock(str(entry.parent / f"{entry.name}.lock")):
            shutil.rmtree(entry, ignore_errors=True)
    shutil.rmtree(cache_root() / _FAILED, ignore_errors=True)
    shutil.rmtree(cache_root() / _MEMO, ignore_errors=True)
    return len(removed)


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def describe() -> str:
    """A summary of the cache: where it is, how many modules, how large, which toolchain."""
    found = entries()
    total = sum(_size(e) for e in found)
    fingerprint = memoised_toolchain().replace("\n", "\n  ")
    return (
        f"cache root: {cache_root()}\n"
        f"modules:    {len(found)} ({total / 2**20:.1f} MiB)\n"
        f"toolchain:\n  {fingerprint}"
    )
