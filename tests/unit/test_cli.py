"""The snngen command: explain, run (with --duration and --plot) and cache."""

import subprocess
import sys

import pytest

from snngen.cli import main

SCRIPT = """
from snngen import *
G = NeuronGroup(5, 'dv/dt = (2 - v)/(10*ms) : 1', threshold='v > 1', reset='v = 0')
spikes = SpikeMonitor(G)
run(1*second)
print('spikes', spikes.num_spikes)
"""


def test_explain_prints_the_update_rule(capsys):
    assert main(["explain", "dv/dt = -v/tau : volt", "--method", "euler"]) == 0
    output = capsys.readouterr().out
    assert "Method: euler" in output and "dt" in output
    main(["explain", "dv/dt = -v/tau : volt", "--latex"])
    assert "\\frac" in capsys.readouterr().out


@pytest.mark.usefixtures("shared_cache")
def test_run_overrides_the_duration_and_plots(tmp_path):
    pytest.importorskip("matplotlib")
    script = tmp_path / "model.py"
    script.write_text(SCRIPT)
    png = tmp_path / "raster.png"
    result = subprocess.run(
        [sys.executable, "-m", "snngen", "run", str(script), "--duration", "20ms",
         "--plot", str(png)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    # v reaches 1 after 10 ms·ln 2 = 6.9 ms: two spikes per neuron in 20 ms, not ~144 in 1 s.
    assert "spikes 10" in result.stdout
    assert png.stat().st_size > 5000


def test_bad_duration_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        main(["run", "x.py", "--duration", "5 volt"])
    assert "expected a duration" in capsys.readouterr().err
