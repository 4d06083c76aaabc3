"""Every Organizations error class matches its shape in botocore's model, and the JSON body
carries the shape's ``Reason``."""

from __future__ import annotations

import json

import botocore.session
import pytest

from iamd.api.json_output import render_error
from iamd.services.organizations import errors

MODEL = botocore.session.get_session().get_service_model("organizations")


@pytest.mark.parametrize("shape_name", sorted(errors.BY_SHAPE))
def test_error_matches_model(shape_name: str) -> None:
    shape = MODEL.shape_for(shape_name)
    cls = errors.BY_SHAPE[shape_name]
    assert shape.metadata.get("exception") is True
    assert cls.code == shape_name
    assert cls.status == shape.metadata.get("error", {}).get("httpStatusCode", 400)
    assert cls.sender_fault is True
    assert issubclass(cls, errors.Reasoned) == ("Reason" in shape.members)


def test_every_error_shape_has_a_class() -> None:
    assert {s.name for s in MODEL.error_shapes} == set(errors.BY_SHAPE)


def test_reason_is_in_the_body_and_in_the_models_enum() -> None:
    err = errors.ConstraintViolationException("OU_DEPTH_LIMIT_EXCEEDED", "Too deep.")
    body = json.loads(render_error(err))
    assert body == {"__type": "ConstraintViolationException", "message": "Too deep.", "Reason": "OU_DEPTH_LIMIT_EXCEEDED"}
    assert "OU_DEPTH_LIMIT_EXCEEDED" in MODEL.shape_for("ConstraintViolationException").members["Reason"].enum


def test_botocore_parses_the_reason() -> None:
    """The SDK's modelled exception exposes ``Reason`` from the body iamd renders (botocore's
    endpoint parses the error, then the error shape's members, as ``_add_modeled_error_fields``)."""
    from botocore.parsers import JSONParser

    err = errors.HandshakeConstraintViolationException("ALREADY_IN_AN_ORGANIZATION", "Already in one.")
    response = {"body": render_error(err), "headers": {}, "status_code": 400}
    parser = JSONParser()
    parsed = parser.parse(response, MODEL.operation_model("InviteAccountToOrganization").output_shape)
    assert parsed["Error"]["Code"] == "HandshakeConstraintViolationException"
    assert parsed["Error"]["Message"] == "Already in one."
    fields = parser.parse(response, MODEL.shape_for(parsed["Error"]["Code"]))
    assert fields["Reason"] == "ALREADY_IN_AN_ORGANIZATION"


def test_other_errors_have_no_extra_fields() -> None:
    assert json.loads(render_error(errors.AccountNotFoundException("x"))) == {
        "__type": "AccountNotFoundException", "message": "x"}
