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


def test_star_import_binds_pylab_names_without_importing_pyplot():
    """``from snngen import *`` gives pylab's names (as Brian2 does), but pyplot is imported only
    when one is called: a fresh interpreter proves both."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from snngen import *\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported by the star import'\n"
        "import matplotlib; matplotlib.use('Agg')\n"
        "line, = plot([0, 1], [2, 3])\n"
        "assert list(line.get_ydata()) == [2, 3]\n"
        "assert 'matplotlib.pyplot' in sys.modules\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
