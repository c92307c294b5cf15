"""The snngen exception tree.

Every error a user can cause is a :class:`SnngenError`. Errors raised while reading model text
carry the offending line and a caret under the place that is wrong, so that the message alone
tells the user what to fix without a traceback into sympy or Cython.
"""

from __future__ import annotations


class SnngenError(Exception):
    """Base class of every error snngen raises on bad user input."""


class DimensionMismatchError(SnngenError, TypeError):
    """Quantities of incompatible physical dimensions were combined.

    Also a ``TypeError`` so that numpy-style code that guards arithmetic with
    ``except TypeError`` keeps working, as with Brian2.
    """

    def __init__(self, message: str, *dims: object) -> None:
        super().__init__(message)
        self.dims = dims


class ModelError(SnngenError):
    """A model object (equations, groups, methods) was specified inconsistently."""


class LocatedError(ModelError):
    """An error that points at a place in a line of model text.

    Parameters
    ----------
    message
        What is wrong, and what was expected.
    line
        The text of the offending line (the whole logical line of the model).
    column
        0-based column of the caret in ``line``; ``None`` to show no caret.
    lineno
        1-based line number in the model text, if known.
    identifier
        The identifier the error is about, if any.
    """

    def __init__(
        self,
        message: str,
        line: str | None = None,
        column: int | None = None,
        lineno: int | None = None,
        identifier: str | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.lineno = lineno
        self.identifier = identifier
        super().__init__(self._render())

    def _render(self) -> str:
        where = f" (line {self.lineno})" if self.lineno is not None else ""
        text = f"{self.message}{where}"
        if self.line is not None:
            text += f"\n    {self.line}"
            if self.column is not None:
                text += "\n    " + " " * self.column + "^"
        return text


class EquationSyntaxError(LocatedError):
    """Model text that is not valid equation syntax, or uses a forbidden construct."""


class IdentifierError(LocatedError):
    """An identifier is reserved, defined twice, undefined, or otherwise unusable."""


class UnitMismatchError(LocatedError, DimensionMismatchError):
    """An equation whose two sides, or whose terms, have different physical dimensions."""

    def __init__(self, message: str, *args: object, **kwargs: object) -> None:
        LocatedError.__init__(self, message, *args, **kwargs)  # type: ignore[arg-type]
        self.dims = ()


class UnsupportedEquationsError(ModelError):
    """An integration method cannot integrate the given equations; says why and what would."""


class CompilationError(SnngenError):
    """Building a generated module failed.

    Carries the command that failed, the compiler's output, and where the generated source was
    kept, so that the message alone is enough to investigate (or to report a bug).
    """

    def __init__(self, command: list[str], output: str, source_path: str) -> None:
        self.command = command
        self.output = output
        self.source_path = source_path
        super().__init__(
            f"compiling the generated module failed (this is a bug in snngen if the model was "
            f"accepted).\ncommand: {' '.join(command)}\ngenerated source kept at: {source_path}"
            f"\ncompiler output:\n{output.strip()}"
        )


class CacheError(SnngenError):
    """The module cache cannot be used (e.g. its directory is not writable)."""


class RunError(SnngenError):
    """A network cannot run as set up: a value is missing or unusable, or memory would not do.

    The message names the object (and where it was created) that causes the problem.
    """


class CodegenError(SnngenError):
    """Internal: lowering produced something inconsistent. This is a bug in snngen."""
