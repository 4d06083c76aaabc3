"""The errors of the custom policy checks, as botocore's ``accessanalyzer`` model defines them.

    SenderError
    ├── InvalidParameter     InvalidParameterException, 400: a document that is not a valid policy
    ├── Unprocessable        UnprocessableEntityException, 422: iamd cannot decide the check (the
    │                        solver's time bound, or a construct it can only approximate)
    └── Throttling           ThrottlingException, 429: every solver slot is busy; retry
    AwsError
    └── InternalServer       InternalServerException, 500: the solver and the engine disagree (a bug)
"""

from __future__ import annotations

from iamd.errors import AwsError, SenderError


class InvalidParameter(SenderError):
    code = "InvalidParameterException"


class Unprocessable(SenderError):
    code = "UnprocessableEntityException"
    status = 422


class Throttling(SenderError):
    code = "ThrottlingException"
    status = 429
    fmt = "Rate exceeded: every policy-check slot is busy; retry."


class InternalServer(AwsError):
    code = "InternalServerException"
    status = 500
