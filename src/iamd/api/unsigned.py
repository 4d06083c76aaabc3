"""Which requests may go without a signature: exactly AWS's unsigned STS operations.

"Unsigned calls exist only for the operations AWS accepts unsigned (AssumeRoleWithWebIdentity,
AssumeRoleWithSAML); everything else requires SigV4" (DESIGN.md). botocore's STS model marks
just these two ``"authtype": "none"``, so SDKs and the aws CLI send them without an
Authorization header; every other request without authentication stays
``MissingAuthenticationToken``.

A request qualifies only if all of these hold, checked on the raw parameters before anything is
decoded for an operation:

- it carries no authentication at all (``parse_auth`` found neither an Authorization header nor
  presigned ``X-Amz-*`` query parameters; a malformed signature is an error of its own, never a
  fall-back to "unsigned");
- it is not on iamd's own ``/_iamd/`` path;
- every ``Action`` it carries, in the query string and in the form body, spells the same
  operation, exactly (case-sensitive, as the Query protocol matches it): a request naming
  ``CreateUser`` in one place and ``AssumeRoleWithWebIdentity`` in the other is refused, rather
  than relying on which copy the decoder keeps;
- every ``Version`` it carries is STS's (``2011-06-15``): one endpoint serves IAM and STS, and an
  unsigned request has no credential scope to say which service it is for;
- that operation has a registered authenticator (``auth.federated.AUTHENTICATORS``).
"""

from __future__ import annotations

from iamd.api.params import decode
from iamd.auth.canonical import query_pairs
from iamd.auth.federated import AUTHENTICATORS
from iamd.auth.request import HttpRequest
from iamd.errors import MalformedQueryString

__all__ = ["UNSIGNED_OPERATIONS", "unsigned_operation"]

# What AWS accepts unsigned; an authenticator must also be registered for the operation.
UNSIGNED_OPERATIONS: dict[str, frozenset[str]] = {
    "sts": frozenset({"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}),
}
FORM = "application/x-www-form-urlencoded"


def _values(http: HttpRequest, content_type: str, name: bytes) -> list[str]:
    """Every value of parameter ``name`` in the query string and (for a form) the body."""
    sources: list[str | bytes] = [http.query_string]
    if http.body and (not content_type or content_type.split(";", 1)[0].strip().lower() == FORM):
        sources.append(http.body)
    out: list[str] = []
    for raw in sources:
        for key, value in query_pairs(raw):
            if key == name:
                try:
                    out.append(value.decode("utf-8"))
                except UnicodeDecodeError:
                    raise MalformedQueryString("The request body is not valid UTF-8.") from None
    return out


def unsigned_operation(
    http: HttpRequest, content_type: str, api_versions: dict[str, str], admin_prefix: str
) -> tuple[str, str] | None:
    """``(service, operation)`` when this request without authentication may proceed, else None.

    ``api_versions``: each Query service's model version (``{"sts": "2011-06-15", …}``).
    """
    if http.path.startswith(admin_prefix):
        return None
    decode(http.query_string, http.body, content_type)  # the decoder's bounds and UTF-8 check first
    actions = set(_values(http, content_type, b"Action"))
    versions = set(_values(http, content_type, b"Version"))
    if len(actions) != 1 or len(versions) != 1:
        return None
    (action,), (version,) = actions, versions
    for service, operations in UNSIGNED_OPERATIONS.items():
        if api_versions.get(service) == version and action in operations and (service, action) in AUTHENTICATORS:
            return service, action
    return None
