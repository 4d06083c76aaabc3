"""CloudTrail's error codes, as botocore's ``cloudtrail`` model defines them.

CloudTrail speaks the JSON protocol: the error code is the shape name and, the model giving no
status, client errors are HTTP 400. ``tests/unit/services/test_cloudtrail.py`` compares each
class with the model (every one is an error shape of it).
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


class TrailNotFoundException(SenderError):
    code = "TrailNotFoundException"
    status = 400


class TrailAlreadyExistsException(SenderError):
    code = "TrailAlreadyExistsException"
    status = 400


class MaximumNumberOfTrailsExceededException(SenderError):
    code = "MaximumNumberOfTrailsExceededException"
    status = 400


class InvalidTrailNameException(SenderError):
    code = "InvalidTrailNameException"
    status = 400


class InvalidS3BucketNameException(SenderError):
    code = "InvalidS3BucketNameException"
    status = 400


class InvalidS3PrefixException(SenderError):
    code = "InvalidS3PrefixException"
    status = 400


class InvalidSnsTopicNameException(SenderError):
    code = "InvalidSnsTopicNameException"
    status = 400


class InvalidParameterCombinationException(SenderError):
    code = "InvalidParameterCombinationException"
    status = 400


class InvalidParameterException(SenderError):
    code = "InvalidParameterException"
    status = 400


class CloudTrailARNInvalidException(SenderError):
    code = "CloudTrailARNInvalidException"
    status = 400


class InvalidHomeRegionException(SenderError):
    code = "InvalidHomeRegionException"
    status = 400


class InvalidEventSelectorsException(SenderError):
    code = "InvalidEventSelectorsException"
    status = 400


class InvalidInsightSelectorsException(SenderError):
    code = "InvalidInsightSelectorsException"
    status = 400


class InsightNotEnabledException(SenderError):
    code = "InsightNotEnabledException"
    status = 400


class TagsLimitExceededException(SenderError):
    code = "TagsLimitExceededException"
    status = 400


class InvalidTagParameterException(SenderError):
    code = "InvalidTagParameterException"
    status = 400


class ResourceNotFoundException(SenderError):
    code = "ResourceNotFoundException"
    status = 400


class ResourceTypeNotSupportedException(SenderError):
    code = "ResourceTypeNotSupportedException"
    status = 400


class EventDataStoreARNInvalidException(SenderError):
    code = "EventDataStoreARNInvalidException"
    status = 400


class EventDataStoreNotFoundException(SenderError):
    code = "EventDataStoreNotFoundException"
    status = 400


class EventDataStoreAlreadyExistsException(SenderError):
    code = "EventDataStoreAlreadyExistsException"
    status = 400


class EventDataStoreMaxLimitExceededException(SenderError):
    code = "EventDataStoreMaxLimitExceededException"
    status = 400


class EventDataStoreTerminationProtectedException(SenderError):
    code = "EventDataStoreTerminationProtectedException"
    status = 400


class InvalidEventDataStoreStatusException(SenderError):
    code = "InvalidEventDataStoreStatusException"
    status = 400


class InactiveEventDataStoreException(SenderError):
    code = "InactiveEventDataStoreException"
    status = 400


class InvalidEventDataStoreCategoryException(SenderError):
    code = "InvalidEventDataStoreCategoryException"
    status = 400


class InvalidTokenException(SenderError):
    code = "InvalidTokenException"
    status = 400


class ResourcePolicyNotFoundException(SenderError):
    code = "ResourcePolicyNotFoundException"
    status = 400


class ResourcePolicyNotValidException(SenderError):
    code = "ResourcePolicyNotValidException"
    status = 400


class ResourceARNNotValidException(SenderError):
    code = "ResourceARNNotValidException"
    status = 400


class ChannelARNInvalidException(SenderError):
    code = "ChannelARNInvalidException"
    status = 400


class ChannelNotFoundException(SenderError):
    code = "ChannelNotFoundException"
    status = 400


class InvalidCloudWatchLogsLogGroupArnException(SenderError):
    code = "InvalidCloudWatchLogsLogGroupArnException"
    status = 400


class InvalidCloudWatchLogsRoleArnException(SenderError):
    code = "InvalidCloudWatchLogsRoleArnException"
    status = 400


class InvalidKmsKeyIdException(SenderError):
    code = "InvalidKmsKeyIdException"
    status = 400


class NotOrganizationMasterAccountException(SenderError):
    code = "NotOrganizationMasterAccountException"
    status = 400


class OrganizationsNotInUseException(SenderError):
    code = "OrganizationsNotInUseException"
    status = 400


class CloudTrailAccessNotEnabledException(SenderError):
    code = "CloudTrailAccessNotEnabledException"
    status = 400


class InvalidQueryStatementException(SenderError):
    code = "InvalidQueryStatementException"
    status = 400


class QueryIdNotFoundException(SenderError):
    code = "QueryIdNotFoundException"
    status = 400


class ImportNotFoundException(SenderError):
    code = "ImportNotFoundException"
    status = 400


class S3BucketDoesNotExistException(SenderError):
    code = "S3BucketDoesNotExistException"
    status = 400


class CloudWatchLogsDeliveryUnavailableException(SenderError):
    code = "CloudWatchLogsDeliveryUnavailableException"
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
        TrailNotFoundException,
        TrailAlreadyExistsException,
        MaximumNumberOfTrailsExceededException,
        InvalidTrailNameException,
        InvalidS3BucketNameException,
        InvalidS3PrefixException,
        InvalidSnsTopicNameException,
        InvalidParameterCombinationException,
        InvalidParameterException,
        CloudTrailARNInvalidException,
        InvalidHomeRegionException,
        InvalidEventSelectorsException,
        InvalidInsightSelectorsException,
        InsightNotEnabledException,
        TagsLimitExceededException,
        InvalidTagParameterException,
        ResourceNotFoundException,
        ResourceTypeNotSupportedException,
        EventDataStoreARNInvalidException,
        EventDataStoreNotFoundException,
        EventDataStoreAlreadyExistsException,
        EventDataStoreMaxLimitExceededException,
        EventDataStoreTerminationProtectedException,
        InvalidEventDataStoreStatusException,
        InactiveEventDataStoreException,
        InvalidEventDataStoreCategoryException,
        InvalidTokenException,
        ResourcePolicyNotFoundException,
        ResourcePolicyNotValidException,
        ResourceARNNotValidException,
        ChannelARNInvalidException,
        ChannelNotFoundException,
        InvalidCloudWatchLogsLogGroupArnException,
        InvalidCloudWatchLogsRoleArnException,
        InvalidKmsKeyIdException,
        NotOrganizationMasterAccountException,
        OrganizationsNotInUseException,
        CloudTrailAccessNotEnabledException,
        InvalidQueryStatementException,
        QueryIdNotFoundException,
        ImportNotFoundException,
        S3BucketDoesNotExistException,
        CloudWatchLogsDeliveryUnavailableException,
    )
}
