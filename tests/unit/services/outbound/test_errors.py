"""The outbound federation errors are the ones botocore's iam and sts models declare."""

from __future__ import annotations

import botocore.session
import pytest

from iamd.services.outbound.errors import IAM_BY_SHAPE, STS_BY_SHAPE

SESSION = botocore.session.get_session()
CASES = [("iam", name) for name in sorted(IAM_BY_SHAPE)] + [("sts", name) for name in sorted(STS_BY_SHAPE)]
OPERATIONS = [
    ("iam", "EnableOutboundWebIdentityFederation"),
    ("iam", "DisableOutboundWebIdentityFederation"),
    ("iam", "GetOutboundWebIdentityFederationInfo"),
    ("sts", "GetWebIdentityToken"),
    ("sts", "GetScopedCredentials"),
    ("sts", "GetDelegatedAccessToken"),
]


@pytest.mark.parametrize(("service", "shape_name"), CASES)
def test_code_status_and_fault_match_the_model(service: str, shape_name: str) -> None:
    shape = SESSION.get_service_model(service).shape_for(shape_name)
    cls = (IAM_BY_SHAPE if service == "iam" else STS_BY_SHAPE)[shape_name]
    error = shape.metadata["error"]
    assert (cls.code, cls.status, cls.sender_fault) == (error["code"], error["httpStatusCode"], error["senderFault"])


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
def test_every_declared_error_has_a_class(service: str, operation: str) -> None:
    from iamd.services.sts.errors import BY_SHAPE as STS_SHARED

    known = set(IAM_BY_SHAPE) | set(STS_BY_SHAPE) | set(STS_SHARED) | {"RegionDisabledException"}
    declared = {s.name for s in SESSION.get_service_model(service).operation_model(operation).error_shapes}
    assert declared <= known
