"""Stochastic methods against exact moments of processes with known laws.

Sample sizes and tolerances: with N independent paths, a sample mean has standard error
sd/sqrt(N) and a sample variance about var*sqrt(2/N). The tests allow 5 standard errors
(a false failure once in ~2 million runs with a fixed seed it never happens at all) plus the
method's known discretisation bias, stated at each test.
"""

import numpy as np
import pytest

from snngen import Equations, NumpyStepper, UnsupportedEquationsError, integrate

N = 20000
OU = "dx/dt = -x/tau + sigma*sqrt(2/tau)*xi : 1"


@pytest.mark.parametrize("method", ["euler", "heun"])
def test_ornstein_uhlenbeck_moments(method):
    tau, sigma, dt, steps = 10e-3, 0.5, 0.1e-3, 200  # t = 2 tau
    rule = integrate(Equations(OU), method)
    stepper = NumpyStepper(rule, {"tau": tau, "sigma": sigma}, dt, np.random.default_rng(1))
    x = stepper.run({"x": np.ones(N)}, steps)["x"][-1]
    t = steps * dt
    mean, var = np.exp(-t / tau), sigma**2 * (1 - np.exp(-2 * t / tau))
    # Discretisation bias at dt = tau/100: O(dt/tau) = 1 % of the mean and of the variance.
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / N) + 0.01 * mean
    assert abs(x.var() - var) < 5 * var * np.sqrt(2 / N) + 0.01 * var


def test_multiplicative_noise_is_read_in_the_stratonovich_sense():
    # dx = mu x dt + s x o dW has log x(t) = mu t + s W(t) exactly (Stratonovich); the Ito reading
    # would shift the mean of log x by -s^2 t / 2 = -0.125 here, 25 standard errors away.
    mu, s, dt, steps = 1.0, 0.5, 1e-3, 1000
    rule = integrate(Equations("dx/dt = mu*x + s*x*xi : 1"), None)
    assert rule.method == "heun"
    stepper = NumpyStepper(rule, {"mu": mu, "s": s}, dt, np.random.default_rng(2))
    log_x = np.log(stepper.run({"x": np.ones(N)}, steps)["x"][-1])
    t = steps * dt
    standard_error = s * np.sqrt(t / N)
    # Heun's weak error at dt = 1e-3 is O(dt) ~ 1e-3, far below the standard error (3.5e-3).
    assert abs(log_x.mean() - mu * t) < 5 * standard_error
    assert abs(log_x.var() - s**2 * t) < 5 * s**2 * t * np.sqrt(2 / N)


def test_euler_refuses_multiplicative_noise():
    with pytest.raises(UnsupportedEquationsError, match="heun"):
        integrate(Equations("dx/dt = -x/second + x*xi/sqrt(second) : 1"), "euler")


@pytest.mark.parametrize("method", ["rk4", "rk2", "exact", "exponential_euler"])
def test_deterministic_methods_refuse_noise(method):
    with pytest.raises(UnsupportedEquationsError, match="noise"):
        integrate(Equations(OU), method)


def test_same_noise_symbol_is_shared_between_equations():
    rule = integrate(Equations("dx/dt = xi/sqrt(second) : 1\ndy/dt = xi/sqrt(second) : 1"))
    assert len(rule.noise) == 1
    stepper = NumpyStepper(rule, {}, 1e-3, np.random.default_rng(3))
    out = stepper.step({"x": np.zeros(5), "y": np.zeros(5)}, 0.0)
    np.testing.assert_array_equal(out["x"], out["y"])
