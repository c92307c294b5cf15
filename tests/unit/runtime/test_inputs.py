"""Inputs: Poisson groups and inputs have the right statistics; generators spike on time."""

import numpy as np
import pytest

from snngen import (
    Hz,
    ModelError,
    Network,
    NeuronGroup,
    PoissonGroup,
    PoissonInput,
    SpikeGeneratorGroup,
    SpikeMonitor,
    Synapses,
    ms,
    second,
    seed,
)

pytestmark = pytest.mark.usefixtures("shared_cache")


def test_poisson_group_rate_and_reproducibility():
    counts = []
    for _ in range(2):
        seed(4)
        group = PoissonGroup(500, np.linspace(10, 50, 500) * Hz)
        spikes = SpikeMonitor(group)
        Network(group, spikes).run(1 * second)
        counts.append(spikes.count)
    np.testing.assert_array_equal(counts[0], counts[1])
    total = counts[0].sum()
    # Poisson with mean 500*30 = 15000 (per-step Bernoulli, p <= 0.005): s.d. 122; 5 s.d. bound.
    assert abs(total - 15000) < 5 * 122
    # Rates follow the ramp: the top fifth (mean 46 Hz) fires 46/14 = 3.3 times as often as the
    # bottom fifth (14 Hz); with ~1400 and ~4600 spikes the ratio's s.e. is 3 %, so ±12 %.
    assert 2.9 < counts[0][400:].sum() / counts[0][:100].sum() < 3.7


@pytest.mark.parametrize(("n", "rate"), [(100, 10 * Hz), (5000, 40 * Hz)])
def test_poisson_input_adds_binomial_counts(n, rate):
    # Small mean (0.1 per step): exact inversion; large mean (20 per step): normal approximation.
    seed(2)
    group = NeuronGroup(400, "v : 1")
    poisson = PoissonInput(group, "v", n, rate, weight=0.5)
    steps = 1000
    Network(group, poisson).run(100 * ms)
    p = float(rate * 0.1 * ms)
    mean, variance = 0.5 * steps * n * p, 0.25 * steps * n * p * (1 - p)
    values = np.asarray(group.v[:])
    # 400 samples: the sample mean has s.e. sqrt(variance/400); 5 s.e. bounds it.
    assert abs(values.mean() - mean) < 5 * np.sqrt(variance / 400)
    # The sample variance's relative s.e. is sqrt(2/399) = 7 %; 30 % is over 4 s.e.
    assert values.var() == pytest.approx(variance, rel=0.3)


def test_spike_generator_emits_on_the_grid_and_drives_synapses():
    generator = SpikeGeneratorGroup(3, [0, 2, 1, 0], [1.0, 1.0, 2.0, 3.0] * ms)
    target = NeuronGroup(3, "v : 1")
    synapses = Synapses(generator, target, on_pre="v_post += 1")
    synapses.connect(j="i")
    spikes = SpikeMonitor(generator)
    Network(generator, target, synapses, spikes).run(5 * ms)
    np.testing.assert_array_equal(spikes.i, [0, 2, 1, 0])
    np.testing.assert_allclose(spikes.t / ms, [1, 1, 2, 3])
    np.testing.assert_array_equal(target.v[:], [2, 1, 1])


def test_spike_generator_period_and_errors():
    generator = SpikeGeneratorGroup(1, [0], [0.5] * ms, period=2 * ms)
    spikes = SpikeMonitor(generator)
    Network(generator, spikes).run(7 * ms)
    np.testing.assert_allclose(spikes.t / ms, [0.5, 2.5, 4.5, 6.5])
    with pytest.raises(ModelError, match="indices"):
        SpikeGeneratorGroup(2, [0, 5], [1, 2] * ms)
    twice = SpikeGeneratorGroup(1, [0, 0], [1.0, 1.0] * ms)
    with pytest.raises(ModelError, match="twice"):
        Network(twice).run(2 * ms)


def test_poisson_input_checks_its_arguments():
    group = NeuronGroup(2, "v : 1")
    with pytest.raises(ModelError, match="Hz"):
        PoissonInput(group, "v", 10, 5 * second, 1.0)
    with pytest.raises(ModelError, match="units"):
        PoissonInput(group, "v", 10, 5 * Hz, 1.0 * ms)
