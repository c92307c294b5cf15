"""Fuzzing the parser: any text gives Equations or an SnngenError, and nothing is executed."""

import builtins
import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snngen import Equations, SnngenError

TOKENS = [
    "dv/dt", "=", ":", "volt", "second", "1", "(", ")", "v", "tau", "xi", "*", "/", "**", "+",
    "-", "exp(", "rand()", "__import__", ".", "'os'", "[0]", "#", "\n", ",", "unless refractory",
    "constant", "1e999", "9**9**9", "lambda x: x", "<", "and", "not", " ", "int(", "clip(",
]  # fmt: skip


def parse(text):
    with contextlib.suppress(SnngenError):
        Equations(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_arbitrary_text(text):
    parse(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_token_soup(text):
    parse(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_parser_never_calls_eval(text):
    original = builtins.eval, builtins.exec

    def refuse(*args, **kwargs):
        raise AssertionError("the parser called eval/exec")

    builtins.eval = builtins.exec = refuse
    try:
        parse(text)
    finally:
        builtins.eval, builtins.exec = original
