"""Errors of the policy language.

The engine raises exactly one error type, and only while parsing::

    Exception
    └── PolicySyntaxError      a document AWS would reject with MalformedPolicyDocument

Evaluation never raises (a statement that cannot be evaluated simply does not match), so an
authorization decision can always be made [cedar ``Response.diagnostics``].
"""

from __future__ import annotations

from dataclasses import dataclass


class PolicySyntaxError(Exception):
    """A policy document that AWS would reject with ``MalformedPolicyDocument``.

    ``str(err)`` is AWS's message verbatim, so services can put it on the wire unchanged;
    ``line`` and ``column`` (1-based) locate the offending JSON value when known.
    """

    code = "MalformedPolicyDocument"

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"PolicySyntaxError({self.message!r}, line={self.line}, column={self.column})"


@dataclass(frozen=True)
class Finding:
    """One validation result [cedar ``ValidationResult``]: AWS's error code and sentence, and
    where in the document (1-based line and column) when known."""

    code: str
    message: str
    line: int | None = None
    column: int | None = None


SYNTAX_ERRORS = "Syntax errors in policy."
