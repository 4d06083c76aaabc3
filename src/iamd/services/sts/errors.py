"""STS's own error codes, as botocore's ``sts`` service model defines them.

``MalformedPolicyDocument`` has the same code, status and fault side in IAM's model, so the IAM
class is shared. ``tests/unit/services/test_sts.py`` compares each class with the model.
"""

from __future__ import annotations

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
}


# Federation (AssumeRoleWithWebIdentity, AssumeRoleWithSAML).
class IDPRejectedClaim(SenderError):
    code = "IDPRejectedClaim"
    status = 403


class InvalidIdentityToken(SenderError):
    code = "InvalidIdentityToken"
    status = 400


class ExpiredTokenException(SenderError):
    code = "ExpiredTokenException"
    status = 400


BY_SHAPE.update(
    {
        "IDPRejectedClaimException": IDPRejectedClaim,
        "InvalidIdentityTokenException": InvalidIdentityToken,
        "ExpiredTokenException": ExpiredTokenException,
    }
)
