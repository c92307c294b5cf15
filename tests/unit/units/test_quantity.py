import pickle

import numpy as np
import pytest

from snngen.units import (
    DIMENSIONLESS,
    DimensionMismatchError,
    Hz,
    Mohm,
    Quantity,
    amp,
    farad,
    ms,
    mV,
    nS,
    ohm,
    pF,
    second,
    siemens,
    unit_string,
    volt,
)


def test_values_are_stored_in_si():
    assert float((20 * ms) / second) == pytest.approx(0.02, rel=1e-15)
    assert (-60 * mV).value == pytest.approx(-0.06, rel=1e-15)


def test_dimensionless_results_are_plain_numbers():
    ratio = (3 * second) / ms
    assert ratio == 3000
    assert not isinstance(ratio, Quantity)
    assert type(np.arange(3) * ms / ms) is np.ndarray


def test_ohms_law_and_derived_units():
    assert (1 * volt / (1 * ohm)).dim == amp.dim
    assert (nS * mV).dim == amp.dim
    assert (pF / nS).dim == second.dim
    assert (1 / Hz).dim == second.dim
    assert (farad * ohm).dim == second.dim
    assert float(1 * Mohm / ohm) == pytest.approx(1e6)


def test_adding_different_dimensions_names_both():
    with pytest.raises(DimensionMismatchError, match="volt, second"):
        _ = 1 * volt + 1 * second


def test_functions_of_quantities_need_dimensionless_arguments():
    with pytest.raises(DimensionMismatchError, match="exp"):
        np.exp(1 * mV)
    assert np.exp(2 * mV / mV) == pytest.approx(np.e**2)


def test_arrays_keep_units_through_numpy():
    v = np.array([1.0, 2.0, 3.0]) * mV
    assert v.mean().dim == volt.dim
    assert np.std(v).dim == volt.dim
    assert np.sqrt(v * v).dim == volt.dim
    assert v[1].dim == volt.dim
    assert np.concatenate([v, v]).dim == volt.dim
    with pytest.raises(DimensionMismatchError):
        np.concatenate([v, v / mV])
    assert list(v > 1.5 * mV) == [False, True, True]


def test_readable_repr():
    assert repr(20 * ms) == "20. ms"
    assert str(-60 * mV) == "-60. mV"
    assert str(np.array([1.0, 2.0]) * mV) == "[1. 2.] mV"
    assert repr(ms) == "ms"


def test_unit_strings_are_writable_units():
    assert unit_string((volt / second).dim) == "volt/second"
    assert unit_string((siemens / (1e-4 * second**0 * 1)).dim) == "siemens"
    assert unit_string((second**-0.5).dim) == "second**-0.5"
    assert unit_string(DIMENSIONLESS) == "1"


def test_float_of_a_quantity_with_units_is_refused():
    with pytest.raises(DimensionMismatchError, match="divide by a unit"):
        float(5 * mV)


def test_quantities_and_units_pickle():
    assert pickle.loads(pickle.dumps(20 * ms)) == 20 * ms
    assert pickle.loads(pickle.dumps(ms)) is ms
