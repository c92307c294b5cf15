"""``explain``: how a model's equations become an update rule, written for a student."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from snngen.equations.system import Equations
from snngen.errors import ModelError
from snngen.integration.registry import integrate
from snngen.integration.rule import UpdateRule


@dataclass(frozen=True)
class Explanation:
    """A readable derivation; ``str()`` gives plain text, Jupyter renders the LaTeX form."""

    equations: Equations
    rule: UpdateRule

    @property
    def text(self) -> str:
        rule = self.rule
        lines = ["Model", *_indent(str(self.equations).splitlines()), ""]
        why = f" (chosen automatically: {rule.reason})" if rule.reason else ""
        lines += [f"Method: {rule.method}{why}", f"Order: {rule.order_text}", ""]
        for number, step in enumerate(rule.derivation, start=1):
            lines.append(f"Step {number}. {step.title}")
            lines += _indent(_pretty(lhs, rhs) for lhs, rhs in step.equations)
            if step.note:
                lines += _indent([step.note])
            lines.append("")
        lines.append("Update rule (temporaries in order, then all variables at once)")
        lines += _indent(f"{sympy.sstr(s)} = {sympy.sstr(e)}" for s, e in rule.temporaries)
        lines += _indent(f"{sympy.sstr(s)} <- {sympy.sstr(e)}" for s, e in rule.updates)
        if rule.noise:
            noise = ", ".join(map(str, rule.noise))
            lines += _indent([f"{noise}: independent standard normal samples, new each step"])
        return "\n".join(lines)

    @property
    def latex(self) -> str:
        rule = self.rule
        parts = [
            r"\text{Model:}\\",
            *(eq.latex() + r"\\" for eq in self.equations),
            rf"\text{{Method: {rule.method}; order: {_latex_text(rule.order_text)}}}\\",
        ]
        for step in rule.derivation:
            parts.append(rf"\text{{{_latex_text(step.title)}}}\\")
            parts += [_latex_equation(lhs, rhs, "=") for lhs, rhs in step.equations]
        parts.append(r"\text{Update rule:}\\")
        parts += [_latex_equation(s, e, "=") for s, e in self.rule.temporaries]
        parts += [_latex_equation(s, e, r"\leftarrow") for s, e in self.rule.updates]
        return r"$\begin{array}{l}" + "\n".join(parts) + r"\end{array}$"

    @property
    def code(self) -> str:
        """The generated Cython of the state update, with what each canonical name stands for.

        Lines under "once per run" are the hoisted invariants; the loop body runs for every
        neuron ``_i`` and step.
        """
        from snngen.codegen.lower import Lowering
        from snngen.codegen.neurons import lower_state_update
        from snngen.codegen.scope import GroupScope
        from snngen.runtime.group import NeuronGroup

        group = NeuronGroup(1, self.equations, method=self.rule.method)
        low = Lowering()
        scope = GroupScope(low, group, 0)
        lower_state_update(low, scope)
        fields = low.operations[-1].fields
        program = low.finish().program
        legend = [
            f"{canonical} = {name}"
            for name, canonical in scope.symbols.items()
            if isinstance(canonical, sympy.Symbol)
            and str(canonical) != str(name)
            and canonical not in scope.locals
        ]
        legend += [f"{local} = {array}[_i]: {variable.name}"
                   for local, (array, variable, _) in scope.locals.items()
                   if hasattr(variable, "name")]  # fmt: skip
        # Propagator entries have slot keys ("scalar", group, "propagator", name, gate).
        legend += [f"{symbol} = {key[3]}" + (" (while refractory)" if key[4] == 0.0 else "")
                   for key, symbol in low.slots.items() if key[2:3] == ("propagator",)]  # fmt: skip
        lines = ["Names", *_indent(sorted(legend)), "Once per run", *_indent(program.prepare)]
        lines += ["Every step, for each neuron _i", *_indent(fields["body"] + fields["stores"])]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _repr_latex_(self) -> str:
        return self.latex


def explain(
    model: Equations | str | Any, method: str | None = None, latex: bool = False
) -> Explanation | str:
    """Show how ``model`` is integrated with ``method`` (``None``: the automatic choice).

    ``model`` is equations, or a ``NeuronGroup``: then its equations as its runs integrate
    them, with its method and its refractoriness. Returns an :class:`Explanation` (print it,
    or display it in Jupyter); with ``latex=True`` the LaTeX source instead.
    """
    if isinstance(model, Equations | str):
        equations = model if isinstance(model, Equations) else Equations(model)
        rule = integrate(equations, method)
    elif isinstance(getattr(model, "equations", None), Equations):
        if method is not None:
            own, name = model.method or "automatic", model.name
            raise ModelError(
                f"explain({name}) shows the group's own method ({own}); to try {method!r}: "
                f"explain({name}.equations, {method!r})"
            )
        equations, rule = model.equations, model.rule
        if rule is None:
            raise ModelError(f"{model.name} has no differential equation to integrate")
    else:
        raise ModelError(f"explain() takes equations (a string or Equations) or a "
                         f"NeuronGroup, got {type(model).__name__}")  # fmt: skip
    explanation = Explanation(equations, rule)
    return explanation.latex if latex else explanation


def _indent(lines: object) -> list[str]:
    return [f"    {line}" for line in lines]  # type: ignore[union-attr]


def _pretty(lhs: sympy.Basic, rhs: sympy.Basic) -> str:
    if isinstance(rhs, sympy.MatrixBase):
        rows = "; ".join(", ".join(sympy.sstr(x) for x in rhs.row(r)) for r in range(rhs.rows))
        return f"{lhs} = [{rows}]"
    return f"{sympy.sstr(lhs)} = {sympy.sstr(rhs)}"


def _latex_equation(lhs: sympy.Basic, rhs: sympy.Basic, sign: str) -> str:
    return rf"{sympy.latex(lhs)} {sign} {sympy.latex(rhs)}\\"


def _latex_text(text: str) -> str:
    return text.replace("_", r"\_").replace("^", r"\^{}").replace("Σ", r"$\Sigma$")
