"""Access Analyzer's errors, as botocore's model defines them (code, HTTP status, members).

    AwsError
    ├── AaValidation          ValidationException, 400 (reason, fieldList)
    ├── ResourceNotFound      ResourceNotFoundException, 404 (resourceId, resourceType)
    ├── Conflict              ConflictException, 409 (resourceId, resourceType)
    └── QuotaExceeded         ServiceQuotaExceededException, 402 (resourceId, resourceType)
"""

from __future__ import annotations

from iamd.errors import SenderError


class AaValidation(SenderError):
    code = "ValidationException"

    def __init__(self, message: str, reason: str = "other", field: str | None = None) -> None:
        super().__init__(message)
        fields = [{"name": field, "message": message}] if field else []
        self.extra_fields = {"reason": reason, "fieldList": fields}


class _ResourceError(SenderError):
    def __init__(self, message: str, resource_id: str, resource_type: str) -> None:
        super().__init__(message)
        self.extra_fields = {"resourceId": resource_id, "resourceType": resource_type}


class ResourceNotFound(_ResourceError):
    code = "ResourceNotFoundException"
    status = 404


class Conflict(_ResourceError):
    code = "ConflictException"
    status = 409


class QuotaExceeded(_ResourceError):
    code = "ServiceQuotaExceededException"
    status = 402
