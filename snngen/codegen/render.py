"""Render a :class:`Program` to Cython source with the Jinja templates in ``templates/``.

The templates are the module skeleton and one macro file per operation kind; all code inside
them arrives printed from :mod:`snngen.codegen.lower`.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from snngen.codegen.program import Program

if TYPE_CHECKING:
    import jinja2

OPERATION_KINDS = (
    "state_update", "threshold", "neuron_pass", "reset", "spike_monitor", "state_monitor",
    "rate_monitor", "synaptic_pathway", "synapse_update", "summed_variable", "neuron_loop",
    "spike_generator", "implicit_decay",
)  # fmt: skip


def template_directory() -> Path:
    """``snngen/templates`` in an installed wheel, else ``templates/`` of the source tree."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

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


def source(program: Program) -> str:
    """The source of ``program``, memoised on disk by the program and the templates: a warm
    process reads it back instead of importing Jinja and compiling 14 templates (~0.1 s)."""
    from snngen.build.cache import memoised_text

    key = hashlib.sha256(f"{program!r}\0{_templates_fingerprint()}".encode()).hexdigest()
    return memoised_text("sources", key, lambda: render(program))


@functools.cache
def _templates_fingerprint() -> str:
    # every file: a template may include one that is not a template (spike_scan.h)
    files = sorted(f for f in template_directory().rglob("*") if f.is_file())
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


def render_text(template: str, **context: object) -> str:
    """Any other template of ``templates/`` (e.g. a build folder's README) with ``context``."""
    return _environment().get_template(template).render(**context)
