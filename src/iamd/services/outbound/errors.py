"""The errors of outbound web identity federation, as botocore's ``iam`` and ``sts`` models
declare them (codes, statuses and fault sides; the messages are the shapes' documentation).

``tests/unit/services/outbound/test_errors.py`` compares each class with the model::

    SenderError
    ├── FeatureEnabled (iam, 409)      EnableOutboundWebIdentityFederation when already enabled
    ├── FeatureDisabled (iam, 404)     Disable…/GetOutboundWebIdentityFederationInfo when disabled
    ├── OutboundWebIdentityFederationDisabled (sts, 403)
    ├── SessionDurationEscalation (sts, 403)
    ├── JWTPayloadSizeExceeded (sts, 400)
    ├── ExpiredTradeInToken (sts, 400)  GetDelegatedAccessToken
    ├── InsufficientSessionLifetime (sts, 400)  GetScopedCredentials
    └── InvalidSubjectCredentials (sts, 400)    GetScopedCredentials
"""

from __future__ import annotations

from iamd.errors import SenderError


class FeatureEnabled(SenderError):
    code = "FeatureEnabled"
    status = 409
    fmt = (
        "Outbound identity federation is already enabled for your AWS account. To fetch the current "
        "configuration (including the unique issuer URL), use the GetOutboundWebIdentityFederationInfo operation."
    )


class FeatureDisabled(SenderError):
    code = "FeatureDisabled"
    status = 404
    fmt = "Outbound identity federation is disabled for your AWS account."


class OutboundWebIdentityFederationDisabled(SenderError):
    code = "OutboundWebIdentityFederationDisabledException"
    status = 403
    fmt = (
        "The outbound web identity federation feature is not enabled for this account. To use this feature, "
        "you must first enable it through the AWS Management Console or API."
    )


class SessionDurationEscalation(SenderError):
    code = "SessionDurationEscalationException"
    status = 403
    fmt = (
        "The requested token duration would extend the session beyond its original expiration time "
        "({expiration})."
    )


class JWTPayloadSizeExceeded(SenderError):
    code = "JWTPayloadSizeExceededException"
    status = 400
    fmt = (
        "The requested token payload size ({size} bytes) exceeds the maximum allowed size ({limit} bytes). "
        "Reduce the number of request tags included in the GetWebIdentityToken API call."
    )


class ExpiredTradeInToken(SenderError):
    code = "ExpiredTradeInTokenException"
    status = 400


class InsufficientSessionLifetime(SenderError):
    code = "InsufficientSessionLifetime"
    status = 400
    fmt = (
        "The requested DurationSeconds ({requested}) is greater than the remaining lifetime of the calling "
        "session ({remaining} seconds)."
    )


class InvalidSubjectCredentials(SenderError):
    code = "InvalidSubjectCredentials"
    status = 400


IAM_BY_SHAPE = {"FeatureEnabledException": FeatureEnabled, "FeatureDisabledException": FeatureDisabled}
STS_BY_SHAPE = {
    "OutboundWebIdentityFederationDisabledException": OutboundWebIdentityFederationDisabled,
    "SessionDurationEscalationException": SessionDurationEscalation,
    "JWTPayloadSizeExceededException": JWTPayloadSizeExceeded,
    "ExpiredTradeInTokenException": ExpiredTradeInToken,
    "InsufficientSessionLifetimeException": InsufficientSessionLifetime,
    "InvalidSubjectCredentialsException": InvalidSubjectCredentials,
}
