"""explain() output contains the update expressions each method derives."""

import pytest

from snngen import explain

LIF = "dv/dt = (v_rest - v)/tau : volt"


@pytest.mark.parametrize(
    ("method", "fragments"),
    [
        ("exact", ["M = [-1/tau]", "c = [v_rest/tau]", "v <- _E_v_v*v + _F_v_v*v_rest/tau"]),
        ("exponential_euler", ["_A_v = -1/tau", "exprel(-dt/tau)", "v <- "]),
        ("euler", ["v <- dt*(-v + v_rest)/tau + v", "order 1"]),
        ("rk2", ["_k1_v = (-v + v_rest)/tau", "_k2_v = (-_k1_v*dt/2 - v + v_rest)/tau"]),
        ("heun", ["v <- dt*(_k1_v/2 + _k2_v/2) + v"]),
        ("rk4", ["_k4_v = (-_k3_v*dt - v + v_rest)/tau", "_k2_v/3", "order 4"]),
    ],
)
def test_explanation_shows_the_update_rule(method, fragments):
    text = str(explain(LIF, method=method))
    assert f"Method: {method}" in text
    for fragment in fragments:
        assert fragment in text, fragment


def test_automatic_choice_is_explained():
    text = str(explain(LIF))
    assert "chosen automatically: the equations are linear" in text


def test_latex_form():
    latex = explain(LIF, method="rk2", latex=True)
    assert latex.startswith("$") and r"\leftarrow" in latex
    assert explain(LIF)._repr_latex_().startswith("$")


def test_stochastic_explanation_names_the_noise_samples():
    text = str(explain("dx/dt = -x/tau + xi/sqrt(tau) : 1"))
    assert "_noise_xi" in text and "standard normal" in text


def test_a_group_is_explained_as_its_runs_integrate_it():
    from snngen import ModelError, NeuronGroup, ms

    equations = "dv/dt = (v_rest - v + I)/tau : volt (unless refractory)\nI : volt"
    group = NeuronGroup(1, equations, threshold="v > 1*volt", refractory=2 * ms,
                        method="exponential_euler", namespace={"v_rest": 0, "tau": 1})  # fmt: skip
    text = str(explain(group))
    assert "Method: exponential_euler" in text
    # Its refractoriness holds v: the gate multiplies the step, outside the exponent.
    assert "v <- dt*not_refractory*" in text and "exprel(-dt/tau)" in text
    assert "The gate outside the step" in text
    with pytest.raises(ModelError, match=r"explain\(.*\.equations, 'rk4'\)"):
        explain(group, "rk4")
    with pytest.raises(ModelError, match="no differential equation"):
        explain(NeuronGroup(1, "x : 1"))
    with pytest.raises(ModelError, match="got int"):
        explain(3)
