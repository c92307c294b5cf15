"""Expression text evaluated with numpy outside the loop: every kind of node, against numpy by
hand."""

import numpy as np
import pytest

from snngen.equations.functions import BUILTIN_FUNCTIONS, CONSTANTS
from snngen.equations.text import CONSTANT_NAMES, FUNCTION_NAMES
from snngen.errors import ModelError
from snngen.runtime.pyeval import evaluate

X = np.array([-2.5, -0.5, 0.0, 0.75, 3.0])
I = np.arange(5.0)  # noqa: E741 (Brian2's name for the neuron index)

CASES = [
    ("x**2 - 3*x/(i + 1) + 1", X**2 - 3 * X / (I + 1) + 1),
    ("exp(x) + log(i + 1) + sin(x)*cos(x) + tan(x/4)", np.exp(X) + np.log(I + 1)
     + np.sin(X) * np.cos(X) + np.tan(X / 4)),
    ("sinh(x) + cosh(x) + tanh(x) + arctan(x)", np.sinh(X) + np.cosh(X) + np.tanh(X)
     + np.arctan(X)),
    ("abs(x) + sign(x) + floor(x) + ceil(x) + sqrt(i) + log10(i + 1)", np.abs(X) + np.sign(X)
     + np.floor(X) + np.ceil(X) + np.sqrt(I) + np.log10(I + 1)),
    ("clip(x, -1, 1) + x % 2 + x // 2 + pi + e", np.clip(X, -1, 1) + np.mod(X, 2)
     + np.floor(X / 2) + np.pi + np.e),
    ("int(x > 0 and i < 4) + int(not (x <= 0) or i == 0) + int(x != 0)",
     ((X > 0) & (I < 4)) * 1.0 + (~(X <= 0) | (I == 0)) * 1.0 + (X != 0) * 1.0),
    ("exprel(x)", np.where(X == 0, 1.0, np.expm1(X) / np.where(X == 0, 1, X))),
    ("2*f(x) + 1", 2 * (X * 10) + 1),
]  # fmt: skip


@pytest.mark.parametrize("text, expected", CASES, ids=[text for text, _ in CASES])
def test_each_kind_of_node_as_numpy_computes_it(text, expected):
    values = {"x": X, "i": I}
    with np.errstate(divide="ignore", invalid="ignore"):
        result = evaluate(text, values, {"f": lambda a: a * 10}, len(X))
    # Same operations in the same order but possibly another association: a few ulps.
    np.testing.assert_allclose(result, expected, rtol=1e-14, atol=1e-14)


def test_random_draws_are_one_array_per_occurrence_from_snngens_generator():
    from snngen import seed

    seed(7)
    draws = evaluate("rand() - rand() + 0*randn()", {}, {}, 10_000)
    # The difference of two independent uniforms: mean 0, variance 1/6 (5-sigma bounds).
    assert abs(draws.mean()) < 5 * np.sqrt(1 / 6 / 10_000)
    assert abs(draws.var() - 1 / 6) < 0.01
    seed(7)
    again = evaluate("rand() - rand() + 0*randn()", {}, {}, 10_000)
    np.testing.assert_array_equal(draws, again)


def test_unknown_functions_and_constructs_are_model_errors_not_python_lookups():
    with pytest.raises(ModelError, match=r"unknown function gamma\(\)"):
        evaluate("gamma(x)", {"x": X}, {}, len(X))
    with pytest.raises(ModelError, match="cannot evaluate"):
        evaluate("x.real", {"x": X}, {}, len(X))
    with pytest.raises(ModelError, match="cannot evaluate"):
        evaluate("~x", {"x": X}, {}, len(X))


def test_the_numpy_table_covers_exactly_the_built_in_functions_of_the_parser():
    assert set(BUILTIN_FUNCTIONS) == FUNCTION_NAMES
    assert set(CONSTANTS) == CONSTANT_NAMES
