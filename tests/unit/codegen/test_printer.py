"""The Cython printer: golden output for each rule, and compiled values against numpy."""

import numpy as np
import pytest
import sympy

from snngen.build.cache import load_module
from snngen.codegen.printer import cython_expression, float_literal
from snngen.codegen.render import render_text
from snngen.equations import parse_expression
from snngen.equations.text import NUMPY_IMPLEMENTATIONS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x**2 + y**3", "(x*x) + (y*y*y)"),
        ("1/x**2", "1.0/(x*x)"),
        ("x**7", "pow(x, 7.0)"),
        ("sqrt(x)", "sqrt(x)"),
        ("exp(-dt/tau) - 1", "expm1(-dt/tau)"),
        ("exp(x) - 1 + y", "y + expm1(x)"),
        ("exprel(-dt/tau)", "_exprel(-dt/tau)"),
        ("0.1*x", "0.1*x"),
        ("x/3", "0.3333333333333333*x"),
        ("pi", "3.141592653589793"),
        ("log10(x)", "log(x)/log(10.0)"),
        ("x % y", "((x) - (y)*floor((x)/(y)))"),
        ("int(x > 0)", "(1.0 if x > 0.0 else 0.0)"),
        ("x > 1 and not y < 2", "y >= 2.0 and x > 1.0"),  # sympy's canonical order
        ("rand()", "_rand_uniform(_rng)"),
        ("clip(x, 0, 1)", "fmin(1.0, fmax(0.0, x))"),
    ],
)
def test_golden(text, expected):
    assert cython_expression(parse_expression(text)) == expected


def test_float_literals_round_trip():
    for value in (0.1, 1 / 3, 1e-300, -2.5e17, 6.02214076e23, 3.0):
        literal = float_literal(value)
        assert float(literal) == value
        assert any(c in literal for c in ".e")  # never an integer literal (C integer division)


# Expressions whose compiled values are compared with numpy on random inputs.
EXPRESSIONS = [
    "x**2 + y**3 - 1/x**2",
    "exp(-x/y) - 1",
    "exprel(x*1e-10) + exprel(x)",
    "x % y",
    "clip(x, -0.5, 0.5) + abs(y) + sign(x)",
    "sqrt(abs(x))*log(y**2) + x**7",
    "int(x > 0)*tanh(y) + floor(x) + ceil(y)",
]

# The module's own helpers (templates/helpers.pyx.j2), then a test loop.
TEMPLATE = """
from libc.math cimport exp, expm1, log, sqrt, pow, fabs, floor, ceil, fmin, fmax, tanh
from libc.stdint cimport int64_t, uint32_t, uint64_t
{helpers}
def evaluate(size_t x_address, size_t y_address, size_t out_address, Py_ssize_t n, int which):
    cdef double* xs = <double*>x_address
    cdef double* ys = <double*>y_address
    cdef double* out = <double*>out_address
    cdef double x, y
    cdef Py_ssize_t k
    for k in range(n):
        x = xs[k]
        y = ys[k]
{cases}
"""


def test_compiled_expressions_match_numpy(shared_cache):
    cases = "\n".join(
        f"        {'if' if i == 0 else 'elif'} which == {i}:\n"
        f"            out[k] = {cython_expression(parse_expression(text))}"
        for i, text in enumerate(EXPRESSIONS)
    )
    helpers = render_text("helpers.pyx.j2")
    module = load_module(TEMPLATE.format(cases=cases, helpers=helpers))
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-2, 2, 1000), rng.uniform(0.5, 3, 1000)
    sx, sy = sympy.symbols("x y", real=True)
    for which, text in enumerate(EXPRESSIONS):
        out = np.empty_like(x)
        module.evaluate(x.ctypes.data, y.ctypes.data, out.ctypes.data, len(x), which)
        reference = sympy.lambdify(
            (sx, sy), parse_expression(text), modules=[NUMPY_IMPLEMENTATIONS, "numpy"]
        )(x, y)
        # Same operations in the same order up to libm differences: a few ulps.
        np.testing.assert_allclose(out, reference, rtol=1e-13, atol=1e-13, err_msg=text)
