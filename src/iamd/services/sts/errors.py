"""STS's own error codes, as botocore's ``sts`` service model defines them.

``MalformedPolicyDocument`` has the same code, status and fault side in IAM's model, so the IAM
class is shared. ``tests/unit/services/test_sts.py`` compares each class with the model.
"""

from __future__ import annotations

from iamd.auth.federation_errors import (
    ExpiredTokenException,
    IDPCommunicationError,
    IDPRejectedClaim,
    InvalidIdentityToken,
)
from iamd.errors import SenderError
from iamd.services.iam.errors import MalformedPolicyDocument


class PackedPolicyTooLarge(SenderError):
    code = "PackedPolicyTooLarge"
    status = 400


class InvalidAuthorizationMessage(SenderError):
    code = "InvalidAuthorizationMessageException"
    status = 400


# Shape name in botocore's model -> class.
BY_SHAPE = {
    "MalformedPolicyDocumentException": MalformedPolicyDocument,
    "PackedPolicyTooLargeException": PackedPolicyTooLarge,
    "InvalidAuthorizationMessageException": InvalidAuthorizationMessage,
    "InvalidIdentityTokenException": InvalidIdentityToken,
    "ExpiredTokenException": ExpiredTokenException,
    "IDPRejectedClaimException": IDPRejectedClaim,
    "IDPCommunicationErrorException": IDPCommunicationError,
}

