"""Exponential Euler: exact for scalar linear equations, sound where the coefficient vanishes."""

import numpy as np
import sympy

from snngen import Equations, NumpyStepper, integrate
from snngen.equations.functions import exprel


def test_exact_for_scalar_linear_equation():
    # The update x + dt*f*exprel(A dt) is the exact solution for constant A and B, so only
    # rounding remains: 1e-12 relative over 200 steps (see test_exact for the budget).
    tau, v_inf = 20e-3, -50e-3
    rule = integrate(Equations("dv/dt = (v_inf - v)/tau : volt"), "exponential_euler")
    out = NumpyStepper(rule, {"tau": tau, "v_inf": v_inf}, 1e-3).run({"v": 0.0}, 200)
    t = np.arange(201) * 1e-3
    np.testing.assert_allclose(out["v"], v_inf * (1 - np.exp(-t / tau)), rtol=1e-12)


def test_update_is_euler_step_scaled_by_exprel():
    rule = integrate(Equations("dv/dt = (g*(E - v) - v)/tau : volt\ng : 1"), "exponential_euler")
    v, g, e, tau, dt = sympy.symbols("v g E tau dt", real=True)
    f = (g * (e - v) - v) / tau
    expected = v + dt * f * exprel(-(g + 1) * dt / tau)
    assert sympy.simplify(rule.updates[0][1] - expected) == 0


def test_vanishing_linear_coefficient_does_not_cancel():
    # dv/dt = a*v + b with a -> 0: the expm1/exprel form must give the Euler step, not 0/0,
    # and stay accurate for tiny a where (exp(a dt) - 1)/a would lose all digits.
    rule = integrate(Equations("dv/dt = a*v + b : 1"), "exponential_euler")
    for a in (0.0, 1e-30, 1e-12):
        out = NumpyStepper(rule, {"a": a, "b": 3.0}, 1e-3).step({"v": 1.0}, 0.0)
        expected = 1.0 + 1e-3 * (a * 1.0 + 3.0) * (np.expm1(a * 1e-3) / (a * 1e-3) if a else 1.0)
        np.testing.assert_allclose(out["v"], expected, rtol=1e-15)


def test_variable_without_self_dependence_gets_euler_step():
    rule = integrate(Equations("dx/dt = y/second : 1\ndy/dt = -y/second : 1"), "exponential_euler")
    update_x = dict(rule.updates)[sympy.Symbol("x", real=True)]
    assert not update_x.has(exprel)
