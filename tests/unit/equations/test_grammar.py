import pytest
import sympy

from snngen import Equations
from snngen.equations import EquationKind
from snngen.errors import EquationSyntaxError, IdentifierError, SnngenError, UnitMismatchError
from snngen.units import ms, mV, second, volt

LIF = """
# leaky integrate-and-fire
dv/dt = (v_rest - v + I)/tau : volt (unless refractory)
I = g*(E - v) : volt   # synaptic drive
dg/dt = -g/tau_g : 1
tau : second (constant)
"""


def test_line_kinds_units_and_flags():
    eqs = Equations(LIF)
    assert eqs.diff_eq_names == ("v", "g")
    assert eqs.subexpr_names == ("I",)
    assert eqs.parameter_names == ("tau",)
    assert eqs["v"].kind is EquationKind.DIFFERENTIAL
    assert eqs["v"].flags == {"unless refractory"}
    assert eqs["tau"].flags == {"constant"}
    assert eqs["v"].dim == volt.dim
    assert eqs["tau"].dim == second.dim
    assert eqs.identifiers == {"v_rest", "E", "tau_g"}


def test_right_hand_sides_are_sympy():
    v, v_rest, i, tau = sympy.symbols("v v_rest I tau", real=True)
    assert Equations(LIF)["v"].expr == (v_rest - v + i) / tau


def test_multiline_expressions_continue_inside_parentheses():
    eqs = Equations("dv/dt = (v_rest - v\n   + I)/tau : volt\nI : volt")
    assert eqs["v"].identifiers == {"v", "v_rest", "I", "tau"}


def test_subexpressions_are_substituted_for_integration():
    rhs = Equations(LIF).substituted()["v"]
    assert "I" not in {s.name for s in rhs.free_symbols}
    assert {s.name for s in rhs.free_symbols} >= {"g", "E"}


def test_constant_over_dt_subexpressions_are_kept():
    eqs = Equations("dv/dt = (I - v)/tau : volt\nI = I0*sin(t/ms) : volt (constant over dt)")
    assert "I" in {s.name for s in eqs.substituted()["v"].free_symbols}


def test_stochastic_terms():
    eqs = Equations("dv/dt = -v/tau + sigma*xi_1/sqrt(tau) + sigma*xi_2/sqrt(tau) : volt")
    assert eqs.noise_names == ("xi_1", "xi_2")
    assert eqs.is_stochastic


def test_combination_and_substitution():
    combined = Equations("dv/dt = -v/tau : volt", tau=10 * ms) + "w : 1"
    assert combined.names == ("v", "w")
    assert combined.constants["tau"] == 10 * ms
    renamed = Equations("dv/dt = -v/tau : volt", v="V", tau="tau_m")
    assert renamed.diff_eq_names == ("V",)
    assert renamed.identifiers == {"tau_m"}
    assert str(renamed) == "dV/dt = -V/tau_m : volt"


def test_substituted_values_are_checked_for_units():
    with pytest.raises(UnitMismatchError, match="volt/second"):
        Equations("dv/dt = -v/tau : volt", tau=10 * mV)


def test_substitution_of_unused_or_defined_names_is_refused():
    with pytest.raises(IdentifierError, match="do not use"):
        Equations("dv/dt = -v/tau : volt", tua=10 * ms)
    with pytest.raises(IdentifierError, match="define"):
        Equations("dv/dt = -v/tau : volt", v=1 * mV)


def test_combining_conflicting_definitions_fails():
    with pytest.raises(IdentifierError, match="defined twice"):
        Equations("v : volt") + Equations("v : volt")


def error_for(text):
    with pytest.raises(SnngenError) as info:
        Equations(text)
    return info.value


def test_dimension_error_says_expected_and_actual_units():
    error = error_for("dv/dt = -v : volt")
    assert isinstance(error, UnitMismatchError)
    assert "volt/second" in str(error) and "but it is in volt" in str(error)
    assert error.identifier == "v"
    # The caret points at the start of the right-hand side.
    line, caret = str(error).splitlines()[-2:]
    assert line.strip() == "dv/dt = -v : volt"
    assert caret.index("^") == line.index("-v")


def test_terms_with_different_units_are_named():
    error = error_for("dv/dt = -v/(10*ms) + t : volt")
    assert "t (second)" in str(error) and "volt/second" in str(error)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("dt/dt = 1 : 1", "built-in name"),
        ("dxi/dt = 1/second : 1", "white noise"),
        ("d_x/dt = 1/second : 1", "reserved"),
        ("i : 1", "built-in name"),
        ("N : 1", "built-in name"),
        ("dms/dt = 1/second : 1", "unit"),
        ("exp : 1", "built-in function"),
        ("lambda : 1", "keyword"),
    ],
)
def test_reserved_names_are_rejected_where_defined(text, fragment):
    error = error_for(text)
    assert isinstance(error, IdentifierError)
    assert fragment in str(error)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("dv/dt = -v/tau", "': unit'"),
        ("dv/dt = -v/tau : volts", "unknown unit 'volts'"),
        ("dv/dt = -v/tau : volt (constant)", "not allowed on a differential equation"),
        ("dv/dt = -v/tau : volt (sometimes)", "unknown flag"),
        ("dv/dt = v ^ 2 : volt", "use ** for powers"),
        ("dv/dt = os.system : volt", "attribute access"),
        ("x = 'text' : 1", "strings"),
        ("x = a if b else c : 1", "conditional expressions"),
        ("x = y[0] : 1", "indexing"),
        ("x = (v > 0)*2 : 1", "use int(condition)"),
        ("x = exp(1, 2) : 1", "takes 1 argument"),
        ("x = rand() : 1", "use xi"),
        ("x = xi : 1", "only appear in differential equations"),
        ("dv/dt = xi*xi : 1", "linearly"),
        ("x = v > 1 : 1", "must be a number"),
        ("x = 2 : boolean", "must be a condition"),
        ("a = b : 1\nb = a : 1", "cycle"),
        ("x = 1/0 : 1", "divides by zero"),
        ("x = 9**9**9 : 1", "too large"),
        ("x y = 1 : 1", "before ':'"),
    ],
)
def test_invalid_text_gives_specific_errors(text, fragment):
    assert fragment in str(error_for(text))


def test_code_injection_is_a_syntax_error_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    text = f"x = __import__('os').system('touch {marker}') : 1"
    with pytest.raises(EquationSyntaxError):
        Equations(text)
    assert not marker.exists()


def test_boolean_and_integer_types():
    eqs = Equations("active = v > v_th : boolean\nk : integer\nv : volt\nv_th : volt")
    assert eqs["active"].var_type == "boolean"
    assert eqs["k"].var_type == "integer"


def test_unresolved_identifiers_are_checked_with_a_namespace():
    eqs = Equations("dv/dt = -v/tau : volt")
    eqs.check_units({"tau": 5 * ms})
    with pytest.raises(UnitMismatchError):
        eqs.check_units({"tau": 5 * mV})
    with pytest.raises(IdentifierError, match="'tau'"):
        eqs.check_units({})


def test_string_round_trip():
    eqs = Equations(LIF)
    assert Equations(str(eqs)) == eqs
