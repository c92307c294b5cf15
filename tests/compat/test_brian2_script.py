"""A Brian2-style script runs with only its import line changed, and gives the right numbers."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


@pytest.mark.usefixtures("shared_cache")
def test_brian2_style_script():
    script = Path(__file__).with_name("brian2_script.py")
    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    lines = dict(line.split(" ", 1) for line in output.strip().splitlines())
    # v0 = 3: threshold after tau*log(3/2) = 4.05 ms, plus 5 ms refractory; spike times sit
    # on the 0.05 ms grid, so the mean interval is within one step of 9.05 ms.
    expected = 10 * np.log(3 / 2) + 5
    assert abs(float(lines["ISI"]) - expected) <= 0.05
    # Spike counts in 100 ms from the same closed form: v0 = 0 never fires; v0 = 1.5 first
    # fires at 10 log 3 = 11.0 ms, then every 16.0 ms; v0 = 3 at 4.05 ms, then every 9.05 ms.
    first, period = np.array([10 * np.log(3), 10 * np.log(1.5)]), np.array([16.0, 9.05])
    counts = [0, *(np.floor((100 - first) / period).astype(int) + 1).tolist()]
    assert lines["counts"] == str(counts)
    assert lines["trace"] == "(1, 2000) 0.05"
