"""Plots draw the data they are given (checked on the artists, not on pixels)."""

import numpy as np
import pytest

from snngen import ModelError
from snngen.plotting import line_plot, raster_plot, rate_plot

plt = pytest.importorskip("matplotlib.pyplot")


def test_raster_from_a_spike_matrix():
    ts = np.arange(5) * 0.1
    spikes = np.zeros((5, 3), dtype=bool)
    spikes[1, 2] = spikes[3, 0] = True
    ax = raster_plot(ts, spikes, ax=plt.figure().gca(), offset=10)
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(x, [0.1, 0.3])
    np.testing.assert_array_equal(y, [12, 10])
    with pytest.raises(ModelError, match="shape"):
        raster_plot(ts, spikes[:3])


def test_lines_and_rate():
    ts = np.arange(100) * 0.1
    ax = line_plot(ts, np.c_[np.sin(ts), np.cos(ts)], ax=plt.figure().gca(), labels=["a", "b"])
    assert len(ax.lines) == 2
    spikes = np.ones((100, 4), dtype=bool)  # every neuron spikes every 0.1 ms: 10 kHz
    ax = rate_plot(ts, spikes, width=1.0, ax=plt.figure().gca())
    rate = ax.lines[0].get_ydata()
    assert rate[50] == pytest.approx(10_000)
    plt.close("all")
