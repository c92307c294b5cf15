"""A warm start: a new process that builds a network whose model, checks, lowering and module
are in the cache imports neither sympy nor Jinja nor Cython (nor filelock: a published module
loads without the build lock), and runs exactly as the process that filled the cache."""

import json
import os
import subprocess
import sys

import pytest

from snngen.build.cache import VERIFY_ENV

pytestmark = pytest.mark.usefixtures("shared_cache")

# Equations, threshold, reset, refractoriness, string initial values (with a subexpression),
# a connection condition and probability, synaptic strings, a Poisson input, exact integration
# (a propagator computed at run time), monitors: what a script does before its run.
SCRIPT = """
import json, sys
from snngen import *

seed(11)
G = NeuronGroup(300, '''
dv/dt = (v_rest - v + I_syn)/tau : volt (unless refractory)
dg/dt = -g/tau_g : 1
I_syn = g*(E - v) : volt
''', threshold='v > v_rest + 15*mV', reset='v = v_rest', refractory=2*ms,
     method='exponential_euler')
v_rest, E, tau, tau_g = -60*mV, 0*mV, 10*ms, 5*ms
G.v = 'v_rest + 10*mV*rand() + 0*I_syn'
S = Synapses(G, G, 'w : 1', on_pre='g += w')
S.connect(condition='i != j', p='0.1*exp(-abs(i - j)/100.0)')
S.w = '0.2 + 0.05*rand()'
drive = PoissonInput(G, 'g', 20, 50*Hz, weight=0.05)
spikes = SpikeMonitor(G)
L = NeuronGroup(5, 'dv/dt = (v_rest + 20*mV*(1 + i/N) - v)/tau : volt', threshold='v > -45*mV',
                reset='v = v_rest', method='exact')
L.v = v_rest
exact = SpikeMonitor(L)
run(50*ms)
heavy = sorted(name for name in ('sympy', 'jinja2', 'Cython', 'filelock') if name in sys.modules)
print(json.dumps({'heavy': heavy, 'i': spikes.i.tolist(), 't': spikes.t_.tolist(),
                  'exact': exact.t_.tolist()}))
"""


def run_script(tmp_path):
    script = tmp_path / "warm.py"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != VERIFY_ENV}  # remember, do not verify
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_warm_process_needs_no_sympy_jinja_cython_or_lock_and_runs_the_same(tmp_path):
    first = run_script(tmp_path)  # fills the cache (or finds it full)
    warm = run_script(tmp_path)
    assert warm["heavy"] == []
    assert len(warm["i"]) > 100  # the network is active, so equal trains say something
    assert warm["i"] == first["i"]
    assert warm["t"] == first["t"]
    assert len(warm["exact"]) > 3
    assert warm["exact"] == first["exact"]
