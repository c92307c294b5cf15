"""Every example runs and writes its figure (the README's main example is also run by CI)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[2] / "examples"
FIGURES = {
    "ei_network.py": "ei_network.png",
    "brainpy_style_ei.py": "brainpy_style_ei.png",
    "nicola_clopath.py": "nicola_clopath.png",
    "cuba.py": "cuba.png",
    "decision_making.py": "decision_making.png",
    "stdp.py": "stdp.png",
    "sweep_ei.py": "sweep_ei.png",
    "integrators.py": "integrators_spikes.png",
    "fi_curve.py": "fi_curve.png",
    "explain_lif.py": None,
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(FIGURES))
def test_example_runs(script, tmp_path, shared_cache):
    pytest.importorskip("matplotlib")
    env = {**os.environ, "SNNGEN_CACHE_DIR": str(shared_cache)}
    result = subprocess.run([sys.executable, str(EXAMPLES / script)], cwd=tmp_path, env=env,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    if FIGURES[script]:
        assert (tmp_path / FIGURES[script]).stat().st_size > 10_000


def test_every_example_is_listed():
    assert {p.name for p in EXAMPLES.glob("*.py")} == set(FIGURES)
