"""Model constraint failures become Organizations' InvalidInputException with the matching Reason."""

from __future__ import annotations

import pytest

from iamd.api.json_protocol import JsonServiceCodec
from iamd.services.organizations.errors import InvalidInputException
from iamd.services.organizations.validation import invalid_input

CODEC = JsonServiceCodec.load("organizations")
TARGET = "AWSOrganizationsV20161128."


@pytest.mark.parametrize(
    ("operation", "body", "reason"),
    [
        ("DescribeAccount", b'{"AccountId": "12"}', "INVALID_PATTERN"),
        ("DescribeAccount", b"{}", "INPUT_REQUIRED"),
        ("CreateOrganizationalUnit", b'{"ParentId": "r-abcd", "Name": ""}', "MIN_LENGTH_EXCEEDED"),
        ("CreateAccount", b'{"AccountName": "' + b"x" * 51 + b'", "Email": "a@example.com"}', "MAX_LENGTH_EXCEEDED"),
        ("ListAccounts", b'{"MaxResults": 21}', "MAX_VALUE_EXCEEDED"),
        ("ListAccounts", b'{"MaxResults": 0}', "MIN_VALUE_EXCEEDED"),
        ("CreateOrganization", b'{"FeatureSet": "SOME"}', "INVALID_ENUM"),
    ],
)
def test_reasons(operation: str, body: bytes, reason: str) -> None:
    with pytest.raises(InvalidInputException) as caught:
        CODEC.parse(TARGET + operation, body, invalid_input=invalid_input)
    assert caught.value.reason == reason
    assert caught.value.extra_fields == {"Reason": reason}


def test_every_clause_is_in_the_message() -> None:
    with pytest.raises(InvalidInputException) as caught:
        CODEC.parse(TARGET + "MoveAccount", b'{"AccountId": "1", "SourceParentId": "x", "DestinationParentId": "y"}',
                    invalid_input=invalid_input)
    message = caught.value.message
    assert message.startswith("You provided a value that does not match the required pattern.")
    assert "3 validation error(s)" in message and "accountId" in message and "destinationParentId" in message


def test_without_the_hook_the_codec_keeps_corals_error() -> None:
    from iamd.errors import ValidationException

    with pytest.raises(ValidationException):
        CODEC.parse(TARGET + "DescribeAccount", b'{"AccountId": "12"}')
