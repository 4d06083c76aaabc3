"""IAM error classes carry the code, status and fault side of botocore's model."""

from __future__ import annotations

import botocore.session
import pytest

from iamd.services.iam.errors import BY_SHAPE

MODEL = botocore.session.get_session().get_service_model("iam")


@pytest.mark.parametrize("shape_name", sorted(BY_SHAPE))
def test_error_matches_model(shape_name: str) -> None:
    meta = MODEL.shape_for(shape_name).metadata["error"]
    cls = BY_SHAPE[shape_name]
    assert cls.code == meta["code"]
    assert cls.status == meta["httpStatusCode"]
    assert cls.sender_fault == bool(meta.get("senderFault", False))
