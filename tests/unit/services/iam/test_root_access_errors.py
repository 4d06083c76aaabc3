"""The centralized-root-access errors are the shapes botocore's model declares for the operations.

The model gives these shapes no ``error`` block, so the wire code is the shape name (what the SDKs
match ``client.exceptions.<ShapeName>`` on) and the status the Query protocol's client default.
"""

from __future__ import annotations

import botocore.session
import pytest

from iamd.services.iam.root_access_errors import BY_SHAPE

MODEL = botocore.session.get_session().get_service_model("iam")
OPERATIONS = [
    "EnableOrganizationsRootCredentialsManagement",
    "DisableOrganizationsRootCredentialsManagement",
    "EnableOrganizationsRootSessions",
    "DisableOrganizationsRootSessions",
    "ListOrganizationsFeatures",
]


@pytest.mark.parametrize("shape_name", sorted(BY_SHAPE))
def test_code_is_the_shape_name(shape_name: str) -> None:
    shape = MODEL.shape_for(shape_name)
    assert "error" not in shape.metadata
    cls = BY_SHAPE[shape_name]
    assert (cls.code, cls.status, cls.sender_fault) == (shape_name, 400, True)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_declared_error_has_a_class(operation: str) -> None:
    declared = {shape.name for shape in MODEL.operation_model(operation).error_shapes}
    assert declared <= set(BY_SHAPE)
