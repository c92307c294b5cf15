"""Compact synapse storage: CSR rows instead of ``i``, one value for variables that hold one.

The storage must behave exactly like plain parallel arrays sorted by (i, j); the reference
here is that naive layout built with numpy.
"""

import numpy as np
import pytest

from snngen import Network, NeuronGroup, SpikeMonitor, Synapses, ms, seed

pytestmark = pytest.mark.usefixtures("shared_cache")


def pair_groups(n_pre=30, n_post=20):
    return NeuronGroup(n_pre, "v : 1"), NeuronGroup(n_post, "v : 1")


def test_a_synapse_without_variables_costs_its_target_index():
    pre, post = pair_groups(1000, 800)
    synapses = Synapses(pre, post, on_pre="v_post += 1", delay=1 * ms)
    synapses.connect(p=0.05)
    n = len(synapses)
    assert n > 30_000
    # j as uint16 (800 targets) plus the row offsets (int64 per presynaptic neuron); i and
    # delay not stored
    assert synapses.storage.nbytes == 2 * n + 8 * (pre.N + 1)
    Network(pre, post, synapses).run(0 * ms)  # a direct pathway: nothing per synapse added
    steps = 10 + 1  # the delayed spike lists: int32 per neuron and step, and their lengths
    assert synapses.nbytes - synapses.storage.nbytes == (4 * pre.N + 8) * steps
    np.testing.assert_array_equal(synapses.delay[:] / ms, np.ones(n))
    assert synapses.storage.is_uniform("delay")


@pytest.mark.parametrize(("n_post", "held"), [(65_536, np.uint16), (65_537, np.int32)])
def test_j_is_held_in_the_narrowest_type_and_read_as_int32(n_post, held):
    source = NeuronGroup(2, "v : 1", threshold="True")
    target = NeuronGroup(n_post, "v : 1")
    synapses = Synapses(source, target, "w : 1", on_pre="v_post += w")
    last = n_post - 1  # the largest index, 65,535 or 65,536: each type's edge
    synapses.connect(i=[0, 0, 1], j=[0, last, last - 1])
    assert synapses.storage.held_type("j") is held
    assert synapses.j[:].dtype == np.int32
    synapses.w = "j - 1"  # arithmetic on j as int32: j = 0 gives -1, not 65,535
    np.testing.assert_array_equal(synapses.w[:], [-1, last - 1, last - 2])
    Network(source, target, synapses).run(0.1 * ms)  # one step: each synapse delivers once
    touched = target.v[:][[0, last - 1, last]]
    np.testing.assert_array_equal(touched, [-1, last - 2, last - 1])
    assert np.count_nonzero(target.v[:]) == 3


def test_derived_i_matches_the_pairs_and_appends_and_merges_keep_csr_order():
    """Three connects (in order, appended, then interleaved) against the naive layout."""
    pre, post = pair_groups()
    synapses = Synapses(pre, post, "w : 1")
    rng = np.random.default_rng(3)
    batches = [([0, 0, 4, 4], [1, 2, 2, 5]), ([7, 9], [0, 3]),
               (rng.integers(0, 30, 50), rng.integers(0, 20, 50))]  # fmt: skip
    pairs, kept = [], {}
    for k, (i, j) in enumerate(batches):
        if k == 2:  # the first batches' pairs are distinct: remember their values
            kept = dict(zip(zip(synapses.i[:].tolist(), synapses.j[:].tolist()), synapses.w[:]))
        synapses.connect(i=i, j=j)
        pairs += list(zip(i, j))
        fresh = int(np.sum(synapses.w[:] == 0))
        synapses.w["w == 0"] = 1000.0 * (k + 1) + np.arange(fresh)
    reference = sorted(pairs, key=lambda p: (p[0], p[1]))
    np.testing.assert_array_equal(synapses.i[:], [p[0] for p in reference])
    np.testing.assert_array_equal(synapses.j[:], [p[1] for p in reference])
    for (i, j), w in kept.items():  # the merge moved each value with its synapse
        assert synapses.w[i, j][0] == w


def test_per_synapse_delays_become_an_array_and_one_value_again():
    pre, post = pair_groups()
    synapses = Synapses(pre, post, on_pre="v_post += 1", delay=2 * ms)
    synapses.connect(p=0.5)
    synapses.delay[:] += 1 * ms  # read-modify-write of a value held once
    np.testing.assert_allclose(synapses.delay[:] / ms, 3)
    synapses.delay = "j*0.1*ms"
    assert not synapses.storage.is_uniform("delay")
    np.testing.assert_allclose(synapses.delay[:] / ms, synapses.j[:] * 0.1)
    synapses.delay = 1 * ms
    assert synapses.storage.is_uniform("delay")
    synapses.connect(i=[0], j=[0])  # new synapses take the constructor's delay
    assert synapses.delay[0, 0][-1] / ms == pytest.approx(2)


def test_spikes_do_not_depend_on_how_the_delay_is_held():
    """The same delays held once and per synapse (equal values) give the same spikes."""

    def spikes(per_synapse):
        seed(8)
        neurons = NeuronGroup(200, "dv/dt = (1.2 - v)/(10*ms) : 1", threshold="v > 1",
                              reset="v = 0", method="euler")  # fmt: skip
        neurons.v = "rand()"
        synapses = Synapses(neurons, neurons, on_pre="v_post += 0.05", delay=1.5 * ms)
        synapses.connect(p=0.1)
        if per_synapse:
            synapses.delay = "1.5*ms + 0*j*ms"
            assert not synapses.storage.is_uniform("delay")
        monitor = SpikeMonitor(neurons)
        Network(neurons, synapses, monitor).run(50 * ms)
        return monitor.i[:].copy(), monitor.t[:].copy()

    held_once, per_synapse = spikes(False), spikes(True)
    assert len(held_once[0]) > 100
    np.testing.assert_array_equal(held_once[0], per_synapse[0])
    np.testing.assert_array_equal(held_once[1], per_synapse[1])


def test_fixed_probability_in_small_chunks_gives_the_pairs_drawn_in_one_chunk(monkeypatch):
    """Drawn in chunks of 64 gaps, the pairs are those of the gaps drawn all at once from the
    same seed: the chunks continue one sequence of Bernoulli trials."""
    from snngen.runtime import connect

    n_pre, n_post, p = 70, 50, 0.08
    drawn = []
    for gaps in (64, 1 << 20):
        monkeypatch.setattr(connect, "GAPS", gaps)
        seed(21)
        drawn.append(connect.fixed_probability(n_pre, n_post, p))
    (pre, post), (pre_at_once, post_at_once) = drawn
    assert len(pre) > 3 * 64 and pre.dtype == post.dtype == np.int32
    np.testing.assert_array_equal(pre, pre_at_once)
    np.testing.assert_array_equal(post, post_at_once)


@pytest.mark.parametrize("p", [0.05, 0.5, 0.9])
def test_fixed_probability_gaps_are_geometric(p):
    """One Bernoulli trial per pair: the gaps between connected pairs (in row-major order) are
    geometric, P(gap = k) = p (1 - p)^(k - 1), and no pair comes twice."""
    from snngen.runtime import connect

    seed(4)
    n_pre, n_post = 400, 500
    pre, post = connect.fixed_probability(n_pre, n_post, p)
    positions = pre.astype(np.int64) * n_post + post
    gaps = np.diff(positions)
    assert np.all(gaps >= 1)
    for k in (1, 2, 3):
        expected = p * (1 - p) ** (k - 1)
        # a frequency over n gaps has s.d. sqrt(q (1 - q)/n); 5 s.d. makes a false failure
        # negligible, and an off-by-one gap (or a wrong scale) moves it by far more
        sd = np.sqrt(expected * (1 - expected) / len(gaps))
        assert abs(np.mean(gaps == k) - expected) < 5 * sd + 1e-12
    # Binomial(200,000, p) successes
    assert abs(len(pre) - n_pre * n_post * p) < 5 * np.sqrt(n_pre * n_post * p * (1 - p))
