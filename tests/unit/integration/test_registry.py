import logging

import pytest

from snngen import Equations, ModelError, UnsupportedEquationsError, integrate

LINEAR = "dv/dt = (v_rest - v + I)/tau : volt\ndI/dt = -I/tau_s : volt"
COBA = "dv/dt = (ge*(E - v) + v_rest - v)/tau : volt\ndge/dt = -ge/tau_e : 1"
NONLINEAR = "dv/dt = (v**2/mV - v)/tau : volt"


@pytest.mark.parametrize(
    ("model", "method", "why"),
    [
        (LINEAR, "exact", "linear"),
        (COBA, "exponential_euler", "coefficient of v depends on ge"),
        (NONLINEAR, "rk4", "not conditionally linear"),
        ("dx/dt = -x/tau + xi/sqrt(tau) : 1", "euler", "additive"),
        ("dx/dt = -x/tau + x*xi/sqrt(tau) : 1", "heun", "multiplicative"),
    ],
)
def test_automatic_choice_and_its_reason(model, method, why, caplog):
    with caplog.at_level(logging.INFO, logger="snngen.integration"):
        rule = integrate(Equations(model))
    assert rule.method == method
    assert why in rule.reason
    assert method in caplog.text and why in caplog.text


def test_time_dependent_input_is_not_integrated_exactly():
    rule = integrate(Equations("dv/dt = (sin(t/ms)*mV - v)/tau : volt"))
    assert rule.method == "exponential_euler"
    assert "depends on the time t" in rule.reason


def test_unsupported_method_says_why_and_what_works():
    with pytest.raises(UnsupportedEquationsError) as info:
        integrate(Equations(NONLINEAR), "exact")
    message = str(info.value)
    assert "coefficient of v depends on v" in message
    assert "'rk4' would work" in message


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(ModelError, match="rk4"):
        integrate(Equations(LINEAR), "rk5")


def test_aliases():
    assert integrate(Equations(LINEAR), "linear").method == "exact"


def test_no_differential_equation():
    with pytest.raises(UnsupportedEquationsError, match="no differential equation"):
        integrate(Equations("x : 1"))


@pytest.mark.parametrize("model", [COBA, "dv/dt = (v_rest - v + I)/tau : volt\nI : volt"])
def test_the_refractory_gate_leaves_exponential_eulers_exponent(model):
    # The gate g is 0 or 1. Truth: the method's own rule for the gated system, before the
    # gate is taken out, at both values of g (rational inputs, so the comparison is exact).
    import sympy

    from snngen.equations.expressions import symbol
    from snngen.integration import methods
    from snngen.integration.system import analyse

    gate = symbol("not_refractory")
    equations = Equations(model.replace(": volt", ": volt (unless refractory)", 1))
    rule = integrate(equations, "exponential_euler", gate=gate)
    inside = dict(methods.exponential_euler(analyse(equations, gate)).updates)
    for x, update in rule.updates:
        exponents = update.atoms(sympy.Function)
        assert exponents and all(not f.has(gate) for f in exponents)
        values = {s: sympy.Rational(k + 2, 7) for k, s in enumerate(update.free_symbols)}
        for g in (0, 1):
            values[gate] = g
            assert sympy.simplify(update.xreplace(values) - inside[x].xreplace(values)) == 0
    assert rule.derivation[-1].title == "The gate outside the step"
