"""Model text read without sympy: the names an expression uses, renamings and conditions, each
against what the sympy form of the same text says."""

import pytest
from sympy.core.function import AppliedUndef

from snngen.equations.expressions import is_condition, parse_expression
from snngen.equations.text import is_condition_text, names_used, renamed_text

TEXTS = [
    "(v_rest - v + I)/tau",
    "g*(E - v) + exp(-t/tau_s)*pi + e",
    "stimulus(t, i) * w + rand()*sigma",
    "clip(x, x_min, 2*mV) + int(v > v_th and not spiking)",
    "-a**b % c // d",
]


@pytest.mark.parametrize("text", TEXTS)
def test_names_are_those_of_the_sympy_form(text):
    expr = parse_expression(text)
    names = names_used(text)
    assert names.identifiers == {s.name for s in expr.free_symbols}
    assert names.functions == {f.func.__name__ for f in expr.atoms(AppliedUndef)}


@pytest.mark.parametrize("text", TEXTS)
def test_renaming_renames_the_identifiers_of_the_sympy_form(text):
    renames = {"v": "u", "tau": "tau_m", "e": "nope", "stimulus": "nope", "t": "time"}
    expected = parse_expression(text).xreplace(
        {parse_expression(old): parse_expression(new) for old, new in renames.items()
         if old not in ("e", "stimulus")}  # a constant and a function are not identifiers
    )  # fmt: skip
    assert parse_expression(renamed_text(text, renames)) == expected


@pytest.mark.parametrize(
    "text", ["v > v_th", "a < b <= c", "x > 0 and y", "not spiking", "True", "v", "int(v > 0)",
             "v - 1", "exp(x)"],
)  # fmt: skip
def test_conditions_are_those_of_the_sympy_form(text):
    assert is_condition_text(text) == is_condition(parse_expression(text))
