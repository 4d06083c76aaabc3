"""STS's errors for a federated caller whose token or assertion does not hold up.

Raised by authentication (``auth/oidc``, the SAML verifier), so they live in ``auth``; codes,
statuses and fault sides are botocore's (``sts`` model), checked by ``tests/unit/services/test_sts.py``
through ``services/sts/errors.BY_SHAPE``.

    SenderError
    ├── InvalidIdentityToken    (400) the token or assertion could not be validated
    ├── ExpiredTokenException   (400) it is expired
    ├── IDPRejectedClaim        (403) the IdP's claims cannot be used (e.g. malformed session tags)
    └── IDPCommunicationError   (400) the IdP's keys could not be fetched
"""

from __future__ import annotations

from iamd.errors import SenderError


class InvalidIdentityToken(SenderError):
    code = "InvalidIdentityToken"
    status = 400


class ExpiredTokenException(SenderError):
    code = "ExpiredTokenException"
    status = 400


class IDPRejectedClaim(SenderError):
    code = "IDPRejectedClaim"
    status = 403


class IDPCommunicationError(SenderError):
    code = "IDPCommunicationError"
    status = 400
    fmt = (
        "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the "
        "incoming identity token could not be reached. This is often a transient error caused by network conditions."
    )
