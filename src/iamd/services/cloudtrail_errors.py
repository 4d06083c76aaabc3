"""CloudTrail's error codes for LookupEvents, as botocore's ``cloudtrail`` model defines them.

CloudTrail speaks the JSON protocol: the error code is the shape name and, the model giving no
status, client errors are HTTP 400. ``tests/unit/services/test_cloudtrail.py`` compares each
class with the model.
"""

from __future__ import annotations

from iamd.errors import SenderError


class InvalidLookupAttributesException(SenderError):
    code = "InvalidLookupAttributesException"
    status = 400


class InvalidTimeRangeException(SenderError):
    code = "InvalidTimeRangeException"
    status = 400


class InvalidMaxResultsException(SenderError):
    code = "InvalidMaxResultsException"
    status = 400


class InvalidNextTokenException(SenderError):
    code = "InvalidNextTokenException"
    status = 400


class InvalidEventCategoryException(SenderError):
    code = "InvalidEventCategoryException"
    status = 400


class UnsupportedOperationException(SenderError):
    code = "UnsupportedOperationException"
    status = 400


class OperationNotPermittedException(SenderError):
    code = "OperationNotPermittedException"
    status = 400


# Shape name in botocore's model -> class.
BY_SHAPE = {
    cls.code: cls
    for cls in (
        InvalidLookupAttributesException,
        InvalidTimeRangeException,
        InvalidMaxResultsException,
        InvalidNextTokenException,
        InvalidEventCategoryException,
        UnsupportedOperationException,
        OperationNotPermittedException,
    )
}
