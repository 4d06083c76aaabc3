"""How Organizations words a request that breaks its model's constraints.

Organizations does not answer Coral's ``ValidationException``: its model's
``InvalidInputException`` carries a ``Reason`` naming the constraint (``INVALID_PATTERN``,
``MAX_LENGTH_EXCEEDED``, ``INPUT_REQUIRED``, ``INVALID_ENUM``…) and AWS's message says which, e.g.
"You provided a value that does not match the required pattern." The codec (``api/``) collects
the clauses; the first one decides the reason, and the message keeps every clause so that the
member at fault is named.
"""

from __future__ import annotations

from iamd.api.constraints import MAX_CLAUSES
from iamd.services.organizations.errors import InvalidInputException

# (text of a clause, reason, AWS's sentence)
_REASONS = (
    ("Member must not be null", "INPUT_REQUIRED", "You must specify a value for a required parameter."),
    ("regular expression pattern", "INVALID_PATTERN", "You provided a value that does not match the required pattern."),
    ("enum value set", "INVALID_ENUM", "You specified an invalid value."),
    ("length less than or equal", "MAX_LENGTH_EXCEEDED", "You provided a string parameter that is longer than allowed."),
    ("length greater than or equal", "MIN_LENGTH_EXCEEDED", "You provided a string parameter that is shorter than allowed."),
    ("value less than or equal", "MAX_VALUE_EXCEEDED", "You provided a numeric parameter that has a larger value than allowed."),
    ("value greater than or equal", "MIN_VALUE_EXCEEDED", "You provided a numeric parameter that has a smaller value than allowed."),
)


def invalid_input(errors: list[str]) -> None:
    first = errors[0]
    reason, sentence = next(((r, s) for text, r, s in _REASONS if text in first), _REASONS[1][1:])
    detail = "; ".join(errors[:MAX_CLAUSES])
    raise InvalidInputException(reason, f"{sentence} {len(errors)} validation error(s) detected: {detail}")
