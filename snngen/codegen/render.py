"""Render a :class:`Program` to Cython source with the Jinja templates in ``templates/``.

The templates are the module skeleton and one macro file per operation kind; all code inside
them arrives printed from :mod:`snngen.codegen.lower`.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from snngen.codegen.program import Program

OPERATION_KINDS = (
    "state_update", "threshold", "neuron_pass", "reset", "spike_monitor", "state_monitor",
    "rate_monitor", "synaptic_pathway", "synapse_update", "summed_variable", "neuron_loop",
    "spike_generator",
)  # fmt: skip


def template_directory() -> Path:
    """``snngen/templates`` in an installed wheel, else ``templates/`` of the source tree."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_directory()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render(program: Program) -> str:
    """The Cython source of ``program``."""
    environment = _environment()
    operations = {
        kind: environment.get_template(f"operations/{kind}.pyx.j2").module.operation
        for kind in OPERATION_KINDS
    }
    template = environment.get_template("network.pyx.j2")
    return template.render(program=program, operations=operations)


def render_text(template: str, **context: object) -> str:
    """Any other template of ``templates/`` (e.g. a build folder's README) with ``context``."""
    return _environment().get_template(template).render(**context)
