"""Synapses: connection generation, variables, propagation with delays, event-driven and
summed variables, against exact expectations."""

import numpy as np
import pytest
import scipy.sparse

from snngen import (
    IdentifierError,
    ModelError,
    Network,
    NeuronGroup,
    StateMonitor,
    Synapses,
    UnitMismatchError,
    ms,
    mV,
    seed,
)

pytestmark = pytest.mark.usefixtures("shared_cache")


def groups(n_pre=5, n_post=4):
    pre = NeuronGroup(n_pre, "v : 1", threshold="v > 1", reset="v = 0")
    post = NeuronGroup(n_post, "dv/dt = 0/ms : volt")
    return pre, post


# -- connecting -------------------------------------------------------------------------------


def test_connect_by_probability_is_reproducible_and_binomial():
    pre, post = groups(400, 300)
    counts = []
    for _ in range(2):
        seed(5)
        synapses = Synapses(pre, post)
        synapses.connect(p=0.1)
        counts.append((synapses.i[:].copy(), synapses.j[:].copy()))
    np.testing.assert_array_equal(counts[0][0], counts[1][0])
    np.testing.assert_array_equal(counts[0][1], counts[1][1])
    n = len(counts[0][0])
    # Binomial(120000, 0.1): mean 12000, s.d. 104; 5 s.d. makes a false failure negligible.
    assert abs(n - 12000) < 5 * 104
    i, j = counts[0]
    assert np.all(np.diff(i) >= 0)  # CSR order by presynaptic neuron
    assert len(set(zip(i.tolist(), j.tolist()))) == n  # no pair twice
    # Every pair equally likely: in-degrees are Binomial(400, 0.1), mean 40, s.d. 6.
    assert abs(np.bincount(j, minlength=300).mean() - 40) < 1.5


def test_connect_condition_with_a_fixed_probability_keeps_each_allowed_pair_at_that_rate():
    # The pairs are drawn at the probability first and the condition tested on those alone.
    pre, post = groups(400, 300)
    pre.v = np.arange(400) % 2
    synapses = Synapses(pre, post)
    synapses.connect(condition="i != j and v_pre > 0", p=0.25)
    i, j = synapses.i[:], synapses.j[:]
    assert not np.any(i == j) and np.all(i % 2 == 1)  # the condition holds for every pair
    assert np.all((np.diff(i) > 0) | ((np.diff(i) == 0) & (np.diff(j) > 0)))  # sorted, no twins
    # Allowed: 200 odd i times 300 j, less the 150 pairs (i, i) with i odd below 300: 59,850.
    # Binomial(59850, 0.25): mean 14962.5, s.d. 106; 5 s.d. makes a false failure negligible.
    assert abs(len(i) - 14962.5) < 5 * 106


def test_connect_condition_indices_one_to_one_and_multiplicity():
    pre, post = groups(4, 4)
    synapses = Synapses(pre, post)
    synapses.connect(condition="i != j")
    assert len(synapses) == 12 and not np.any(synapses.i[:] == synapses.j[:])
    one_to_one = Synapses(pre, post)
    one_to_one.connect(j="i")
    np.testing.assert_array_equal(one_to_one.j[:], [0, 1, 2, 3])
    shifted = Synapses(pre, post)
    shifted.connect(j="i + 2", skip_if_invalid=True)
    np.testing.assert_array_equal(shifted.i[:], [0, 1])
    with pytest.raises(ModelError, match="skip_if_invalid"):
        Synapses(pre, post).connect(j="i + 2")
    explicit = Synapses(pre, post)
    explicit.connect(i=[3, 0, 0], j=[1, 2, 1], n=2)
    np.testing.assert_array_equal(explicit.i[:], [0, 0, 0, 0, 3, 3])
    np.testing.assert_array_equal(explicit.j[:], [1, 1, 2, 2, 1, 1])


def test_connect_condition_on_neuron_variables_and_probability_expression():
    pre, post = groups(6, 6)
    pre.v = [0, 1, 2, 3, 4, 5]
    synapses = Synapses(pre, post)
    synapses.connect(condition="v_pre >= 4", p="int(j < 2)")
    np.testing.assert_array_equal(synapses.i[:], [4, 4, 5, 5])
    np.testing.assert_array_equal(synapses.j[:], [0, 1, 0, 1])


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_connect_weights_from_a_matrix_keeps_signs(kind):
    pre, post = groups(3, 4)
    weights = np.array([[0.0, 1.5, 0.0, -2.0], [0.0, 0.0, 0.0, 0.0], [3.0, 0.0, -0.5, 0.0]])
    synapses = Synapses(pre, post, "w : 1")
    synapses.connect_weights(scipy.sparse.csr_matrix(weights) if kind == "sparse" else weights)
    np.testing.assert_array_equal(synapses.i[:], [0, 0, 2, 2])
    np.testing.assert_array_equal(synapses.j[:], [1, 3, 0, 2])
    np.testing.assert_array_equal(synapses.w[:], [1.5, -2.0, 3.0, -0.5])


def test_synaptic_variables_by_pair_condition_and_string():
    pre, post = groups(3, 3)
    synapses = Synapses(pre, post, "w : volt")
    synapses.connect()
    synapses.w = "(i*10 + j)*mV"
    np.testing.assert_allclose(synapses.w[2, 1] / mV, [21])  # the synapses from 2 to 1
    np.testing.assert_allclose(synapses.w["i == j"] / mV, [0, 11, 22])
    synapses.w[0, 2] = 7 * mV
    np.testing.assert_allclose(synapses.w[0, 2] / mV, [7])
    with pytest.raises(UnitMismatchError):
        synapses.w = 3 * ms


# -- propagation ----------------------------------------------------------------------------


def _spike_at(step_values):
    """A source whose neuron k spikes at the steps listed in step_values[k]."""
    from snngen import TimedArray

    n = len(step_values)
    table = np.zeros((max(max(s) for s in step_values) + 2, n))
    for k, steps in enumerate(step_values):
        table[steps, k] = 1
    drive = TimedArray(table, dt=0.1 * ms)
    source = NeuronGroup(n, "x = drive(t, i) : 1", threshold="x > 0.5",
                         namespace={"drive": drive})  # fmt: skip
    return source


def test_delayed_spike_lands_on_the_right_step():
    source = _spike_at([[3], [5]])
    target = NeuronGroup(2, "v : volt")
    synapses = Synapses(source, target, "w : volt", on_pre="v_post += w", delay=1.5 * ms)
    synapses.connect(i=[0, 1], j=[0, 1])
    synapses.w = 1 * mV
    synapses.delay[1] = 0.3 * ms  # heterogeneous
    monitor = StateMonitor(target, "v", record=True)
    Network(source, target, synapses, monitor).run(3 * ms)
    # A spike at step s with delay d acts in the synapses slot of step s + d/dt; a state
    # monitor records at the start of a step, so it sees the effect one step later.
    first_nonzero = [int(np.flatnonzero(row)[0]) for row in np.asarray(monitor.v / mV)]
    assert first_nonzero == [3 + 15 + 1, 5 + 3 + 1]


def test_simultaneous_spikes_onto_one_target_sum():
    source = _spike_at([[2], [2], [2], [4]])
    target = NeuronGroup(1, "v : 1")
    synapses = Synapses(source, target, "w : 1", on_pre="v += w")
    synapses.connect(i=[0, 1, 2, 3], j=[0, 0, 0, 0])
    synapses.w = [1.0, 10.0, 100.0, 1000.0]
    Network(source, target, synapses).run(1 * ms)
    assert target.v[0] == 1111.0


def test_on_post_and_event_driven_traces_give_the_stdp_closed_form():
    # One pre spike at 2 ms, one post spike at 7 ms: pair-based STDP with exponential traces.
    taupre, taupost, Apre, Apost = 20 * ms, 20 * ms, 0.01, -0.0105
    pre = _spike_at([[20]])
    post = _spike_at([[70]])
    stdp = Synapses(pre, post, """
        w : 1
        dapre/dt = -apre/taupre : 1 (event-driven)
        dapost/dt = -apost/taupost : 1 (event-driven)
        """, on_pre="apre += Apre; w = w + apost",
        on_post="apost += Apost; w = w + apre",
        namespace=dict(taupre=taupre, taupost=taupost, Apre=Apre, Apost=Apost))  # fmt: skip
    stdp.connect()
    stdp.w = 0.5
    Network(pre, post, stdp).run(10 * ms)
    # Potentiation: the pre trace decayed for 5 ms when the post spike reads it.
    expected = 0.5 + Apre * np.exp(-5 / 20)
    assert float(stdp.w[0]) == pytest.approx(expected, rel=1e-12)


def test_summed_variable_and_clock_driven_synapses():
    source = NeuronGroup(3, "v : 1")
    target = NeuronGroup(2, "total : 1")
    synapses = Synapses(source, target, """
        dg/dt = -g/(10*ms) : 1 (clock-driven)
        total_post = g*v_pre : 1 (summed)
        """, method="exact")  # fmt: skip
    synapses.connect(i=[0, 1, 2], j=[0, 0, 1])
    synapses.g = [1.0, 2.0, 3.0]
    source.v = [1.0, 10.0, 100.0]
    Network(source, target, synapses).run(1 * ms)  # 10 steps
    decay = np.exp(-1 / 10)
    np.testing.assert_allclose(synapses.g[:], np.array([1.0, 2.0, 3.0]) * decay, rtol=1e-12)
    # The sum is taken after the synapses' update of the step (and before the neurons').
    np.testing.assert_allclose(target.total[:], [(1 + 20) * decay, 300 * decay], rtol=1e-12)


def test_named_pathways_and_code_errors():
    source = _spike_at([[1]])
    target = NeuronGroup(1, "v : volt\nu : 1")
    synapses = Synapses(source, target, "w : volt",
                        on_pre={"fast": "v_post += w", "slow": "u_post += 1"})  # fmt: skip
    synapses.connect()
    synapses.w = 2 * mV
    Network(source, target, synapses).run(1 * ms)
    assert float(target.v[0] / mV) == pytest.approx(2) and target.u[0] == 1
    wrong_units = Synapses(source, target, "w : 1", on_pre="v_post += w")
    wrong_units.connect()
    with pytest.raises(UnitMismatchError, match=r"on_pre of .* must be in volt"):
        Network(source, target, wrong_units).run(1 * ms)
    unknown = Synapses(source, target, on_pre="v_post += jump")
    unknown.connect()
    with pytest.raises(IdentifierError, match="'jump'"):
        Network(source, target, unknown).run(1 * ms)
    with pytest.raises(IdentifierError, match="not a variable"):
        Synapses(source, target, on_pre="x_post += 1")
    with pytest.raises(UnitMismatchError, match="summed variable"):
        Synapses(source, target, "u_post = 1*mV : volt (summed)")


def test_connect_keeps_csr_order_and_values_across_calls():
    """Pairs that arrive in order are appended as they are; pairs that do not are sorted in,
    and the variables set earlier move with their synapses."""
    pre, post = groups(4, 4)
    synapses = Synapses(pre, post, "w : 1")
    synapses.connect(i=[1, 1, 3], j=[0, 2, 1])
    synapses.w = [10.0, 12.0, 31.0]
    synapses.connect(i=[3], j=[3])  # after the last pair: appended
    synapses.connect(i=[0, 2], j=[3, 0])  # before: sorted in
    np.testing.assert_array_equal(synapses.i[:], [0, 1, 1, 2, 3, 3])
    np.testing.assert_array_equal(synapses.j[:], [3, 0, 2, 0, 1, 3])
    np.testing.assert_array_equal(synapses.w[:], [0.0, 10.0, 12.0, 0.0, 31.0, 0.0])
