"""snngen: a code-generating simulator compiler for spiking neural networks.

Public API only; nothing heavy happens at import time (on an empty cache, a Cython translator
starts in the background: see :func:`snngen.build.checked.expect_first_checks`). As in Brian2,
``from snngen import *`` brings the units, numpy's names and, when matplotlib is installed,
pylab's plotting names.
"""

import builtins as _builtins
import importlib as _importlib
import importlib.util as _importlib_util

from snngen.build.checked import expect_first_checks as _expect_first_checks

_expect_first_checks()  # before the heavier imports: a translator started now is ready sooner

import numpy as _np

from snngen import units
from snngen.equations import Equations
from snngen.errors import (
    CacheError,
    CompilationError,
    DimensionMismatchError,
    EquationSyntaxError,
    IdentifierError,
    ModelError,
    RunError,
    SnngenError,
    UnitMismatchError,
    UnsupportedEquationsError,
)
from snngen.runtime.clock import Clock, defaultclock
from snngen.runtime.group import NeuronGroup, Subgroup
from snngen.runtime.inputs import PoissonGroup, PoissonInput, SpikeGeneratorGroup
from snngen.runtime.monitors import PopulationRateMonitor, SpikeMonitor, StateMonitor
from snngen.runtime.network import Network, collect, run
from snngen.runtime.rng import seed
from snngen.runtime.synapses import Synapses
from snngen.runtime.timedarray import TimedArray
from snngen.standalone.package import PackageError
from snngen.sweeps import sweep
from snngen.units import *  # noqa: F403 - the unit names, as in Brian2
from snngen.units import Quantity

__version__ = "0.1.0"

# As in Brian2, `from snngen import *` brings numpy's names (except those that would replace
# Python built-ins such as min, max, round and bool) and, with matplotlib, pylab's plotting names
# (imported only when first used).
# numpy's developer tools (f2py, testing: 75 ms of imports) are left out.
_NUMPY_TOOLS = {"f2py", "testing", "typing", "ctypeslib"}
_NUMPY_NAMES = [
    n for n in _np.__all__
    if not hasattr(_builtins, n) and n not in globals() and n not in _NUMPY_TOOLS
]  # fmt: skip
globals().update({name: getattr(_np, name) for name in _NUMPY_NAMES})
_PYLAB_NAMES = (
    "axhline", "axvline", "bar", "close", "colorbar", "errorbar", "figure", "fill_between",
    "gca", "gcf", "grid", "hist", "imshow", "legend", "loglog", "plot", "savefig", "scatter",
    "semilogx", "semilogy", "show", "subplot", "subplots", "suptitle", "text", "tight_layout",
    "title", "xlabel", "xlim", "xticks", "ylabel", "ylim", "yticks",
)  # fmt: skip
_HAS_MATPLOTLIB = _importlib_util.find_spec("matplotlib") is not None


def _deferred(module: str, name: str) -> object:
    """``<module>.<name>``, imported at the first call. ``from snngen import *`` binds every
    public name; importing pyplot then would add ~0.4 s to every script's start, and sympy
    (for the teaching functions) 0.25 s to a script whose model is in the cache."""

    def call(*args: object, **kwargs: object) -> object:
        return getattr(_importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module}.{name} ({module} is imported at the first call)."
    return call


# Integration for teaching: derive, explain and measure update rules (sympy).
NumpyStepper = _deferred("snngen.integration", "NumpyStepper")
convergence = _deferred("snngen.integration", "convergence")
explain = _deferred("snngen.integration", "explain")
integrate = _deferred("snngen.integration", "integrate")
spike_time_convergence = _deferred("snngen.integration", "spike_time_convergence")


def __getattr__(name: str) -> object:
    if name in _PYLAB_NAMES and _HAS_MATPLOTLIB:
        return _deferred("matplotlib.pyplot", name)
    raise AttributeError(f"module 'snngen' has no attribute {name!r}")


__all__ = [
    "CacheError",
    "Clock",
    "CompilationError",
    "DimensionMismatchError",
    "EquationSyntaxError",
    "Equations",
    "IdentifierError",
    "ModelError",
    "Network",
    "NeuronGroup",
    "NumpyStepper",
    "PackageError",
    "PoissonGroup",
    "PoissonInput",
    "PopulationRateMonitor",
    "Quantity",
    "RunError",
    "SnngenError",
    "SpikeGeneratorGroup",
    "SpikeMonitor",
    "StateMonitor",
    "Subgroup",
    "Synapses",
    "TimedArray",
    "UnitMismatchError",
    "UnsupportedEquationsError",
    "collect",
    "convergence",
    "defaultclock",
    "explain",
    "integrate",
    "run",
    "seed",
    "spike_time_convergence",
    "sweep",
    "units",
    *units.UNITS,
    *_NUMPY_NAMES,
    *(_PYLAB_NAMES if _HAS_MATPLOTLIB else ()),
]
