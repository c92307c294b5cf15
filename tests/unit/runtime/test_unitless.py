"""Brian2's unitless names: ``G.v_`` and ``S.w_`` are the stored values as plain numbers in SI
units, for reading and for setting."""

import numpy as np
import pytest

from snngen import NeuronGroup, Synapses, amp, mV, nS, ohm, volt
from snngen.errors import UnitMismatchError

MODEL = """
dv/dt = -v/(10*ms) : volt
R : ohm
I = v/R : amp
"""


def group():
    neurons = NeuronGroup(5, MODEL)
    neurons.v = np.arange(5) * mV
    neurons.R = 100 * ohm
    return neurons


def test_reading_gives_the_storage_as_numbers_in_si_units():
    neurons = group()
    values = neurons.v_
    assert type(values) is np.ndarray
    np.testing.assert_array_equal(values, np.asarray(neurons.v / volt))
    values[0] = -0.07  # the storage itself, as Brian2's: writing through is allowed
    assert neurons.v[0] == -70 * mV
    np.testing.assert_array_equal(neurons[2:4].v_, [0.002, 0.003])


def test_a_subexpression_reads_as_numbers():
    neurons = group()
    np.testing.assert_allclose(neurons.I_, np.asarray(neurons.I / amp), rtol=0)
    assert type(neurons.I_) is np.ndarray


def test_setting_takes_numbers_in_si_units_and_refuses_quantities():
    neurons = group()
    neurons.v_ = -0.065
    assert np.all(neurons.v == -65 * mV)
    neurons[:2].v_ = np.array([0.01, 0.02])
    np.testing.assert_array_equal(neurons.v_[:3], [0.01, 0.02, -0.065])
    with pytest.raises(UnitMismatchError, match=r"v_ of neurongroup.* plain numbers"):
        neurons.v_ = -65 * mV
    neurons.v_ = "-60*mV"  # a string is unit-checked as G.v's would be
    assert np.all(neurons.v == -60 * mV)


def test_synaptic_variables_read_and_set_without_units():
    neurons = group()
    synapses = Synapses(neurons, neurons, "w : siemens", on_pre="v += w/nS*mV")
    synapses.connect(i=[0, 1], j=[2, 3])
    synapses.w_ = 2e-9
    np.testing.assert_array_equal(synapses.w[:], [2, 2] * nS)
    synapses.w = [1, 3] * nS
    np.testing.assert_allclose(synapses.w_, [1e-9, 3e-9], rtol=1e-15)  # nS is 1e-9 rounded
    with pytest.raises(UnitMismatchError, match="w_ of synapses"):
        synapses.w_ = 1 * nS
