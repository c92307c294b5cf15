"""NeuronGroup: state access with units, string assignment, subgroups, and early errors."""

import numpy as np
import pytest

from snngen import (
    DimensionMismatchError,
    EquationSyntaxError,
    IdentifierError,
    ModelError,
    Network,
    NeuronGroup,
    UnitMismatchError,
    ms,
    mV,
    seed,
)

MODEL = """
dv/dt = (v_rest - v)/tau : volt
I = g*(E - v) : volt
g : 1
"""


def test_variables_are_views_with_units():
    group = NeuronGroup(5, MODEL)
    group.v = -70 * mV
    np.testing.assert_allclose(group.v / mV, -70)
    group.v[:2] = -50 * mV
    np.testing.assert_allclose(group.v[:] / mV, [-50, -50, -70, -70, -70])
    group.g = np.arange(5)
    assert group.storage["g"][4] == 4


def test_unit_errors_name_the_variable():
    group = NeuronGroup(2, MODEL)
    with pytest.raises(UnitMismatchError, match=r"v of .* is in volt"):
        group.v = 5 * ms
    with pytest.raises(DimensionMismatchError):
        group.v[0] = 3.0


def test_string_assignment_uses_i_n_and_the_callers_names():
    seed(1)
    group = NeuronGroup(4, MODEL)
    offset = 2 * mV  # noqa: F841 - found by the string expression
    group.v = "-70*mV + i*offset"
    np.testing.assert_allclose(group.v / mV, [-70, -68, -66, -64])
    group.v = "-70*mV + rand()*mV"
    assert len(set(np.asarray(group.v / mV))) == 4
    with pytest.raises(UnitMismatchError):
        group.v = "i*ms"
    with pytest.raises(IdentifierError, match="unknown_name"):
        group.v = "unknown_name*mV"


def test_subexpressions_read_as_attributes():
    group = NeuronGroup(3, MODEL)
    group.v, group.g = -70 * mV, [0.0, 1.0, 2.0]
    E = -60 * mV  # noqa: F841 - found by the subexpression
    np.testing.assert_allclose(group.I / mV, [0, 10, 20])


def test_subgroups_share_the_parents_state():
    group = NeuronGroup(10, MODEL)
    excitatory, inhibitory = group[:8], group[8:]
    assert (excitatory.N, inhibitory.N) == (8, 2)
    inhibitory.v = -80 * mV
    np.testing.assert_allclose(group.v[8:] / mV, -80)
    inhibitory.v = "i*mV"  # i counts from the subgroup's start
    np.testing.assert_allclose(group.v[8:] / mV, [0, 1])
    with pytest.raises(ModelError):
        group[5:5]


def test_unknown_attribute_is_an_error():
    group = NeuronGroup(2, MODEL)
    with pytest.raises(AttributeError, match="no state variable 'vv'"):
        group.vv = 1


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(threshold="v + 1"), ModelError, "must be a condition"),
    (dict(reset="w = 0"), IdentifierError, "not a variable of the group"),
    (dict(reset="I = 0"), IdentifierError, "a subexpression"),
    (dict(reset="v == 0"), EquationSyntaxError, "statement"),
    (dict(refractory=5), ModelError, "must be a time"),
    (dict(method="leapfrog"), ModelError, "unknown integration method"),
])  # fmt: skip
def test_construction_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        NeuronGroup(2, MODEL, **kwargs)


@pytest.mark.usefixtures("shared_cache")
def test_run_time_errors_name_the_identifier_and_the_group():
    group = NeuronGroup(2, MODEL, threshold="v > v_th", name="exc")
    namespace = {"v_rest": -70 * mV, "v_th": 0 * mV, "E": 0 * mV}
    with pytest.raises(IdentifierError, match=r"exc .*uses 'tau' in 'dv/dt = \(-v \+ v_rest\)"):
        Network(group).run(1 * ms, namespace=namespace)
    with pytest.raises(UnitMismatchError, match="threshold of exc"):
        Network(group).run(1 * ms, namespace={**namespace, "tau": 10 * ms, "v_th": 1 * ms})
