"""Raster, trace and rate plots (matplotlib: the optional ``plot`` extra).

Each function takes plain data, in the two styles users arrive with: BrainPy's (times and a
boolean spike matrix of shape ``(n_steps, n_neurons)``) or Brian2's (a ``SpikeMonitor``).
They draw into ``ax`` (default: the current axes) and return it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from snngen.errors import ModelError


def _axes(ax: Any) -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ModelError("plotting needs matplotlib: pip install 'snngen[plot]'") from None
    return ax if ax is not None else plt.gca()


def _milliseconds(values: Any) -> np.ndarray:
    from snngen.units.quantity import Quantity, strip

    return np.asarray(strip(values)) * 1e3 if isinstance(values, Quantity) else np.asarray(values)


def raster_plot(ts: Any, spikes: Any = None, ax: Any = None, offset: int = 0,
                **style: Any) -> Any:  # fmt: skip
    """Spikes as dots, neuron index against time (ms).

    ``raster_plot(monitor)`` for a :class:`~snngen.SpikeMonitor`, or ``raster_plot(ts, spikes)``
    with ``ts`` the step times and ``spikes`` a boolean array ``(n_steps, n_neurons)``.
    ``offset`` shifts the neuron indices (to stack populations).
    """
    ax = _axes(ax)
    if spikes is None:
        times, indices = _milliseconds(ts.t), np.asarray(ts.i)
    else:
        spikes = np.asarray(spikes)
        if spikes.ndim != 2 or spikes.shape[0] != len(ts):
            raise ModelError(f"spikes must have shape (len(ts), n_neurons), got {spikes.shape}")
        steps, indices = np.nonzero(spikes)
        times = _milliseconds(ts)[steps]
    ax.plot(times, indices + offset, **{"marker": ".", "ls": "", "ms": 1, **style})
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron index")
    return ax


def line_plot(ts: Any, values: Any, ax: Any = None, labels: Any = None, **style: Any) -> Any:
    """Traces against time (ms): ``values`` of shape ``(n_steps,)`` or ``(n_steps, n_traces)``."""
    ax = _axes(ax)
    data = np.asarray(values)
    data = data[:, None] if data.ndim == 1 else data
    for k in range(data.shape[1]):
        label = labels[k] if labels is not None else None
        ax.plot(_milliseconds(ts), data[:, k], label=label, **style)
    ax.set_xlabel("time (ms)")
    if labels is not None:
        ax.legend()
    return ax


def rate_plot(ts: Any, spikes: Any, width: float = 5.0, ax: Any = None, **style: Any) -> Any:
    """The population rate (Hz) of a spike matrix, smoothed by a Gaussian of s.d. ``width`` ms."""
    ax = _axes(ax)
    times = _milliseconds(ts)
    spikes = np.asarray(spikes)
    step = float(times[1] - times[0]) if len(times) > 1 else 1.0
    rate = spikes.mean(axis=1) / (step * 1e-3)
    half = int(np.ceil(3 * width / step))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) * step / width) ** 2)
    ax.plot(times, np.convolve(rate, kernel / kernel.sum(), mode="same"), **style)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("rate (Hz)")
    return ax
