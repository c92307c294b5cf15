"""Lowering and rendering: generated source depends on structure only (DESIGN invariant 2)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from snngen import Mohm, NeuronGroup, SpikeMonitor, StateMonitor, ms, mV
from snngen.codegen.lower import lower
from snngen.codegen.render import render

GOLDEN = Path(__file__).parents[2] / "golden" / "lif_network.pyx"
MODEL = """
dv/dt = (v_rest - v + R*I)/tau : volt (unless refractory)
dge/dt = -ge/tau_e : volt
I : amp
"""


def lif_source(n=10, tau=10 * ms, refractory=2 * ms, dt=0.1 * ms, name=None, v0=-70 * mV,
               record=(0, 1)):  # fmt: skip
    group = NeuronGroup(n, MODEL, threshold="v > v_th", reset="v = v_rest",
                        refractory=refractory, dt=dt, name=name,
                        namespace={"tau": tau})  # fmt: skip
    group.v = v0
    objects = [group, SpikeMonitor(group), StateMonitor(group, ["v", "ge"], record=list(record))]
    return render(lower(objects).program)


def test_source_does_not_depend_on_values_sizes_or_names():
    reference = lif_source()
    assert lif_source(n=4000, tau=20 * ms, refractory=5 * ms, dt=0.05 * ms, name="exc",
                      v0=-60 * mV, record=(3, 7, 9)) == reference  # fmt: skip


def test_source_has_no_user_names():
    source = lif_source(name="my_excitatory_group")
    for user_name in ("my_excitatory_group", "v_rest", "tau_e", "v_th"):
        assert user_name not in source


def test_source_is_the_same_in_every_process():
    # Slot numbering must not depend on set iteration order (hash randomisation).
    script = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_lower import lif_source\nprint(lif_source())\n"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in (1, 2, 3)
    }  # fmt: skip
    assert len(outputs) == 1


def test_golden_generated_code():
    """The generated module of a small LIF network, pinned: review changes like code.

    Regenerate with SNNGEN_UPDATE_GOLDEN=1 after an intended change of the templates or passes.
    """
    source = lif_source()
    if os.environ.get("SNNGEN_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(source)
    assert source == GOLDEN.read_text()


def test_hoisting_keeps_parameter_work_out_of_the_loop():
    source = lif_source()
    pass_start = "# state update and threshold of group 0"
    state_update = source.split(pass_start)[1].split("# the indices of the set flags")[0]
    # 1/tau and the propagator products are computed once per run, before the loop.
    assert "/" not in state_update
    prepare = source[source.index("cdef int64_t _c0") : source.index("with nogil:")]
    assert "/" in prepare


@pytest.mark.usefixtures("shared_cache")
def test_different_values_run_on_the_same_compiled_module(shared_cache):
    from snngen import Network

    def entries():
        return sorted(p.name for p in Path(shared_cache).iterdir() if len(p.name) == 64)

    results = []
    for n, tau, dt in [(3, 10 * ms, 0.1 * ms), (50, 20 * ms, 0.05 * ms)]:
        group = NeuronGroup(n, MODEL, threshold="v > v_th", reset="v = v_rest",
                            refractory=2 * ms, dt=dt, namespace={"tau": tau})  # fmt: skip
        group.v = -70 * mV
        spikes = SpikeMonitor(group)
        state = StateMonitor(group, ["v", "ge"], record=[0, 1])
        namespace = {"v_rest": -70 * mV, "v_th": -50 * mV, "R": 100 * Mohm, "tau_e": 5 * ms}
        Network(group, spikes, state).run(5 * ms, namespace=namespace)
        results.append(entries())
        assert np.isfinite(state.recorded("v")).all()
    assert results[0] == results[1]


def _pathway_source(synapses):
    source = render(lower([synapses.source._owner, synapses]).program)
    return source.split("# pathway pre of synapses 0")[1]


def test_a_pathway_prefetches_the_rows_it_reads():
    from snngen import Synapses

    group = NeuronGroup(5, "v : 1")
    plain = Synapses(group, group, on_pre="v += 1")
    plain.connect(p=0.5)
    weighted = Synapses(group, group, "w : 1", on_pre="v += w")
    weighted.connect(p=0.5)
    # Rows of j only; then of j and w: every per-synapse array the statements index. Either
    # way the row offsets once, further ahead. (4: PREFETCH_DISTANCE)
    for synapses, rows in ((plain, 1), (weighted, 2)):
        source = _pathway_source(synapses)
        assert source.count(" _prefetch(") == rows
        assert source.count("__builtin_prefetch(") == 1
        # the loop starts that many spikes early: the first spikes' rows are prefetched too
        assert "for _k in range(-4, " in source
    # Synapses of one neuron with different delays are not one row: no prefetch.
    weighted.delay = "j*ms"
    assert "_prefetch(" not in _pathway_source(weighted)
