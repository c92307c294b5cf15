"""A packed network: compiled module, data and manifest, in memory or in a build folder.

A :class:`Package` is what a standalone run needs and nothing more: the compiled extension's
bytes, every runtime argument of the loop (arrays, scalars, integers) as it was when the network
was packed, the numpy source of its propagator matrices, and a JSON manifest saying which slot
holds what (parameters, monitors' buffers, state variables). It pickles, so parameter sweeps ship
it to worker processes or a Dask cluster, where it runs without sympy, Cython or a compiler.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

FORMAT = 2
MANIFEST = "manifest.json"
DATA = "data.npz"
PROPAGATORS = "propagators.py"

# Modules loaded in this process, by the hash of their bytes: a worker loads each module once.
_LOADED: dict[str, ModuleType] = {}


class PackageError(Exception):
    """A build folder or package that cannot be read or run as asked."""


@dataclass
class Package:
    """See the module docstring. ``data`` holds ``a0``, ``a1``, ... (the arrays), ``scalars``,
    ``integers``, and the per-neuron values that propagators read (``p0_tau``, ...)."""

    manifest: dict[str, Any]
    data: dict[str, np.ndarray]
    binary: bytes
    propagators: str
    folder: Path | None = field(default=None, compare=False)

    @property
    def module_file(self) -> str:
        return self.manifest["module"] + self.manifest["suffix"]

    def write(self, folder: Path) -> None:
        """Write the manifest, data, module and propagator source into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MANIFEST).write_text(json.dumps(self.manifest, indent=1))
        np.savez(folder / DATA, **self.data)
        (folder / self.module_file).write_bytes(self.binary)
        (folder / PROPAGATORS).write_text(self.propagators)

    @classmethod
    def read(cls, folder: str | Path) -> Package:
        folder = Path(folder)
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError) as err:
            raise PackageError(f"{folder} is not a snngen build folder ({err})") from None
        if manifest.get("format") != FORMAT:
            raise PackageError(f"{folder} has build format {manifest.get('format')}, this "
                               f"runner reads format {FORMAT}")  # fmt: skip
        with np.load(folder / DATA) as data:
            arrays = {name: data[name] for name in data.files}
        binary = (folder / (manifest["module"] + manifest["suffix"])).read_bytes()
        propagators = (folder / PROPAGATORS).read_text()
        return cls(manifest, arrays, binary, propagators, folder)

    def load_module(self) -> ModuleType:
        """The compiled module: from the build folder, or (a package shipped to a worker)
        written once per machine to a temporary folder named by the module's hash."""
        digest = hashlib.sha256(self.binary).hexdigest()
        if digest in _LOADED:
            return _LOADED[digest]
        if self.folder is not None:
            path = self.folder / self.module_file
        else:
            directory = Path(tempfile.gettempdir()) / f"snngen-module-{digest[:16]}"
            path = directory / self.module_file
            if not path.exists():
                directory.mkdir(exist_ok=True)
                partial = path.with_suffix(f".{os.getpid()}.part")
                partial.write_bytes(self.binary)
                os.replace(partial, path)  # atomic: concurrent workers never see half a file
        spec = importlib.util.spec_from_file_location(self.manifest["module"], path)
        if spec is None or spec.loader is None:
            raise PackageError(f"cannot load the compiled module {path}")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except ImportError as err:
            raise PackageError(
                f"the compiled module {path} does not load here ({err}); it was built for "
                f"{self.manifest['platform']}, Python {self.manifest['python']}"
            ) from None
        _LOADED[digest] = module
        return module

    def propagator_functions(self) -> dict[str, Any]:
        """The functions of the propagator source (our own printed numpy code)."""
        namespace: dict[str, Any] = {}
        exec(compile(self.propagators, PROPAGATORS, "exec"), namespace)
        return namespace
