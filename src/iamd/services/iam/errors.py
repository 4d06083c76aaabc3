"""IAM's error codes, as botocore's ``iam`` service model defines them.

The model names the shapes ``NoSuchEntityException`` but the wire code is ``NoSuchEntity``; the
classes use the wire code. ``tests/unit/services/iam/test_errors.py`` checks code, status and
fault side against the model so a botocore upgrade cannot drift silently.
"""

from __future__ import annotations

from iamd.errors import AwsError, SenderError
from iamd.store.errors import AlreadyExists, MissingReference


class ConcurrentModification(SenderError):
    code = "ConcurrentModification"
    status = 409


class DeleteConflict(SenderError):
    code = "DeleteConflict"
    status = 409


class EntityAlreadyExists(SenderError):
    code = "EntityAlreadyExists"
    status = 409


class EntityTemporarilyUnmodifiable(SenderError):
    code = "EntityTemporarilyUnmodifiable"
    status = 409


class InvalidInput(SenderError):
    code = "InvalidInput"
    status = 400


class InvalidUserType(SenderError):
    code = "InvalidUserType"
    status = 400


class LimitExceeded(SenderError):
    code = "LimitExceeded"
    status = 409


class MalformedPolicyDocument(SenderError):
    code = "MalformedPolicyDocument"
    status = 400


class NoSuchEntity(SenderError):
    code = "NoSuchEntity"
    status = 404


class PasswordPolicyViolation(SenderError):
    code = "PasswordPolicyViolation"
    status = 400


class PolicyNotAttachable(SenderError):
    code = "PolicyNotAttachable"
    status = 400


class UnmodifiableEntity(SenderError):
    code = "UnmodifiableEntity"
    status = 400


class ServiceFailure(AwsError):
    code = "ServiceFailure"
    status = 500
    sender_fault = False


class PolicyEvaluation(AwsError):
    """The simulator could not evaluate a policy: the model's server-side 500, never a bare crash."""

    code = "PolicyEvaluation"
    status = 500
    sender_fault = False
    fmt = "The request failed because a provided policy could not be successfully evaluated."


class NotSupportedService(SenderError):
    code = "NotSupportedService"
    status = 404


class CredentialReportNotPresent(SenderError):
    """AWS itself sends no message (SDKs print "Unknown"); this is the API reference's wording."""

    code = "ReportNotPresent"
    status = 410
    fmt = (
        "The request was rejected because the credential report does not exist. "
        "To generate a credential report, use GenerateCredentialReport."
    )


class CredentialReportExpired(SenderError):
    code = "ReportExpired"
    status = 410
    fmt = (
        "The request was rejected because the most recent credential report has expired. "
        "To generate a new credential report, use GenerateCredentialReport."
    )


class CredentialReportNotReady(SenderError):
    code = "ReportInProgress"
    status = 404
    fmt = "The request was rejected because the credential report is still being generated."


class InvalidPublicKey(SenderError):
    code = "InvalidPublicKey"
    status = 400


class UnrecognizedPublicKeyEncoding(SenderError):
    code = "UnrecognizedPublicKeyEncoding"
    status = 400


class DuplicateSSHPublicKey(SenderError):
    code = "DuplicateSSHPublicKey"
    status = 400


class MalformedCertificate(SenderError):
    code = "MalformedCertificate"
    status = 400


class InvalidCertificate(SenderError):
    code = "InvalidCertificate"
    status = 400


class DuplicateCertificate(SenderError):
    code = "DuplicateCertificate"
    status = 409


class KeyPairMismatch(SenderError):
    code = "KeyPairMismatch"
    status = 400


class InvalidAuthenticationCode(SenderError):
    code = "InvalidAuthenticationCode"
    status = 403


# Shape name in botocore's model -> class; the test walks this table.
BY_SHAPE = {
    "InvalidPublicKeyException": InvalidPublicKey,
    "UnrecognizedPublicKeyEncodingException": UnrecognizedPublicKeyEncoding,
    "DuplicateSSHPublicKeyException": DuplicateSSHPublicKey,
    "MalformedCertificateException": MalformedCertificate,
    "InvalidCertificateException": InvalidCertificate,
    "DuplicateCertificateException": DuplicateCertificate,
    "KeyPairMismatchException": KeyPairMismatch,
    "InvalidAuthenticationCodeException": InvalidAuthenticationCode,
    "ConcurrentModificationException": ConcurrentModification,
    "DeleteConflictException": DeleteConflict,
    "EntityAlreadyExistsException": EntityAlreadyExists,
    "EntityTemporarilyUnmodifiableException": EntityTemporarilyUnmodifiable,
    "InvalidInputException": InvalidInput,
    "InvalidUserTypeException": InvalidUserType,
    "LimitExceededException": LimitExceeded,
    "MalformedPolicyDocumentException": MalformedPolicyDocument,
    "NoSuchEntityException": NoSuchEntity,
    "PasswordPolicyViolationException": PasswordPolicyViolation,
    "PolicyNotAttachableException": PolicyNotAttachable,
    "UnmodifiableEntityException": UnmodifiableEntity,
    "ServiceFailureException": ServiceFailure,
    "PolicyEvaluationException": PolicyEvaluation,
    "ServiceNotSupportedException": NotSupportedService,
    "CredentialReportNotPresentException": CredentialReportNotPresent,
    "CredentialReportExpiredException": CredentialReportExpired,
    "CredentialReportNotReadyException": CredentialReportNotReady,
}


def from_store(err: AlreadyExists | MissingReference) -> AwsError:
    """A constraint a concurrent writer hit first, in the words of the model's error shapes.

    Each action checks its names and references itself, under the account's lock
    (``store/locks.py``), and answers with AWS's specific message; these are the backstop for a
    rule that spans accounts (the account alias) or a path that took no lock.
    """
    if isinstance(err, AlreadyExists):
        return EntityAlreadyExists(
            "The request was rejected because it attempted to create a resource that already exists."
        )
    return NoSuchEntity(
        "The request was rejected because it referenced a resource entity that does not exist."
    )
