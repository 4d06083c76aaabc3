"""AWS errors shared by every layer below the wire.

Lower layers raise these (or their own domain errors, translated by services); only ``api/``
turns them into HTTP responses. Each class is one AWS error code with the HTTP status and fault
side that AWS uses, so the mapping lives with the error, not in the renderer.

    AwsError
    ├── ValidationError, InvalidAction, InvalidParameterValue, MissingAction, ...
    ├── authentication: MissingAuthenticationToken, IncompleteSignature, InvalidClientTokenId,
    │                   SignatureDoesNotMatch, RequestExpired, ExpiredToken, ...
    ├── AccessDenied
    ├── InternalFailure, ServiceUnavailable (a lock not granted in time: retry)
    └── per-service errors (``services/iam/errors.py``, ``services/sts/errors.py``)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


class AwsError(Exception):
    """One AWS error code. ``fmt`` is the message template filled from keyword arguments."""

    code: str = "InternalFailure"
    status: int = 500
    sender_fault: bool = False
    fmt: str = "{message}"
    # Members of the error shape besides the message (Organizations' ``Reason``), sent as they
    # are by the JSON protocols; the Query protocol's errors have none.
    extra_fields: Mapping[str, object] = MappingProxyType({})

    def __init__(self, message: str | None = None, **kwargs: object) -> None:
        if message is None:
            message = self.fmt.format(**kwargs)
        self.message = message
        super().__init__(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class SenderError(AwsError):
    status = 400
    sender_fault = True


class InternalFailure(AwsError):
    code = "InternalFailure"
    status = 500
    fmt = "An internal error occurred."


class ServiceUnavailable(AwsError):
    """AWS's common error for a temporary failure: the database kept a lock past its timeout.
    SDKs retry a 503 on their own."""

    code = "ServiceUnavailable"
    status = 503
    fmt = "The request has failed due to a temporary failure of the server."



# --- request shape -------------------------------------------------------------------------


class ValidationError(SenderError):
    code = "ValidationError"


class InvalidAction(SenderError):
    code = "InvalidAction"
    fmt = "Could not find operation {action} for version {version}"


class MissingAction(SenderError):
    code = "MissingAction"
    fmt = "Missing Action"


class InvalidParameterValue(SenderError):
    code = "InvalidParameterValue"



class MalformedQueryString(SenderError):
    code = "MalformedQueryString"


class RequestEntityTooLarge(SenderError):
    code = "RequestEntityTooLarge"
    status = 413
    fmt = "Request body is larger than {limit} bytes."


class RequestTimeout(SenderError):
    """The body did not arrive in time; code, status and wording as S3 answers a stalled upload."""

    code = "RequestTimeout"
    fmt = (
        "Your socket connection to the server was not read from or written to within the timeout "
        "period. Idle connections will be closed."
    )


class UnknownOperation(SenderError):
    code = "UnknownOperationException"


# --- authentication ------------------------------------------------------------------------


class MissingAuthenticationToken(SenderError):
    code = "MissingAuthenticationToken"
    status = 403
    fmt = "Request is missing Authentication Token"


class IncompleteSignature(SenderError):
    code = "IncompleteSignature"
    status = 403


class InvalidClientTokenId(SenderError):
    code = "InvalidClientTokenId"
    status = 403
    fmt = "The security token included in the request is invalid."


class SignatureDoesNotMatch(SenderError):
    code = "SignatureDoesNotMatch"
    status = 403
    fmt = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    )


class RequestExpired(SenderError):
    code = "RequestExpired"
    status = 403


class ExpiredToken(SenderError):
    code = "ExpiredToken"
    status = 403
    fmt = "The security token included in the request is expired"



# --- authorization -------------------------------------------------------------------------


class AccessDenied(SenderError):
    code = "AccessDenied"
    status = 403


# --- AWS JSON protocol (X-Amz-Target services: cloudtrail, organizations) ----------------------


class ValidationException(SenderError):
    """Coral's constraint failure on JSON services: the same message as ``ValidationError``, another code."""

    code = "ValidationException"


class SerializationException(SenderError):
    """The body is not JSON, not an object, or a member has the wrong JSON type (Coral's deserializer)."""

    code = "SerializationException"
