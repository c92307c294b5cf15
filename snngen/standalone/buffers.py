"""Sizes of monitor buffers, shared by the in-process monitors and the standalone runner."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

import numpy as np

SPIKE_BUFFERS = ("indices", "steps")  # int32 both: 8 bytes per spike
LAST_RECORDABLE_STEP = np.iinfo(np.int32).max
Segments = list[dict[str, np.ndarray]]  # finished buffers, by name, in recording order


# The most spikes a buffer is sized for in advance (1 GiB of address space for both buffers):
# a burst at the start of a long run must not make the rate estimate reserve more.
EXPECTED_LIMIT = 1 << 27


def spikes_expected(recorded: int, steps_done: int, steps_left: int) -> int:
    """The spikes the rest of a run will record if it goes on at its rate so far, with a
    quarter more for fluctuations: a buffer sized for them spares the loop a return (and the
    run a Python round trip) per doubling. Pages of it that are never written cost no memory
    (numpy's zeros are mapped lazily)."""
    if steps_done <= 0:
        return 0
    return min(EXPECTED_LIMIT, int(1.25 * recorded * steps_left / steps_done))


def stored_spikes(buffers: Mapping[str, np.ndarray], segments: Segments) -> int:
    """The spikes recorded so far: in the finished ``segments`` and in the current buffers."""
    return sum(len(segment["indices"]) for segment in segments) + int(buffers["stored"][0])


def grow_spike_buffers(buffers: MutableMapping[str, np.ndarray], segments: Segments, size: int,
                       capacity: int, expected: int = 0) -> int:  # fmt: skip
    """Make room in a spike monitor's ``indices`` and ``times`` for one more step of a group of
    ``size`` neurons (the compiled loop returns before a step that could overflow them), and
    for the ``expected`` spikes of the rest of the run (see :func:`spikes_expected`).
    Full buffers are kept as finished ``segments`` and new ones begin, at least twice as large
    as all recorded so far: a run never copies what it recorded, so the peak memory is the
    record, not twice it. Returns the capacity."""
    stored = int(buffers["stored"][0])
    if stored + size + expected <= capacity:
        return capacity
    recorded = stored_spikes(buffers, segments)
    segments.append({name: buffers[name][:stored] for name in SPIKE_BUFFERS})
    capacity = max(2 * (recorded + size), expected + size)
    for name in SPIKE_BUFFERS:
        buffers[name] = np.zeros(capacity, dtype=buffers[name].dtype)
    buffers["stored"][0] = 0
    return capacity


def recorded_spikes(buffers: Mapping[str, np.ndarray], segments: Segments,
                    name: str) -> np.ndarray:  # fmt: skip
    """Every recorded spike's ``name`` (``indices`` or ``times``), in a new array."""
    current = buffers[name][: int(buffers["stored"][0])]
    return np.concatenate([*(segment[name] for segment in segments), current])


def spike_counts(buffers: Mapping[str, np.ndarray], segments: Segments, size: int) -> np.ndarray:
    """Spikes per neuron, counted from the recorded indices: a monitor that records each spike
    keeps no per-neuron count in the loop (an increment at a random address per spike cost as
    much as recording it, measured at 100k neurons)."""
    return np.bincount(recorded_spikes(buffers, segments, "indices"), minlength=size)


def sample_steps(start: int, stop: int, every: int) -> tuple[int, int]:
    """The first step on the ``every``-step grid at or after ``start``, and how many grid steps
    lie in ``[start, stop)``: where a state monitor records during a run."""
    first = -(-start // every) * every
    return first, max(0, (stop - 1 - first) // every + 1) if first < stop else 0
