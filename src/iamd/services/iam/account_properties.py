"""GetAccountProperties and PutAccountProperties: account-wide IAM feature settings.

IAM API Reference: "Account properties are configuration settings that control account-wide IAM
features such as Role Manager. The service returns properties as key-value pairs in
Namespace/PropertyName format"; "All properties in a single request must belong to the same
namespace"; "The key must contain exactly one / separating the namespace from the property name,
and cannot start or end with /"; "The service validates each value based on the property key's
expected type".

AWS documents no namespace or property by name, nor their types, and iamd has none of the
features they would configure (Role Manager). So the request is checked as documented, and a
well-formed key is then refused with InvalidInput naming the unknown namespace — AWS's answer to
a property it does not know — rather than stored unchecked; GetAccountProperties answers the
account's (empty) properties. Listed in docs/aws-fidelity.md.
"""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.iam.errors import InvalidInput
from iamd.services.registry import action


def _namespace(key: str) -> str:
    namespace, sep, name = key.partition("/")
    if not sep or not namespace or not name or "/" in name:
        raise InvalidInput(
            f"The account property key {key} is invalid: it must be Namespace/PropertyName, with exactly one /."
        )
    return namespace


@action("iam", "GetAccountProperties")
def get_account_properties(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return {"Properties": {}}


@action("iam", "PutAccountProperties")
def put_account_properties(call: Call, p: dict[str, Any]) -> None:
    properties: dict[str, str] = p["Properties"]
    if not properties:
        raise InvalidInput("Properties must name at least one account property.")
    namespaces = {_namespace(key) for key in properties}
    if len(namespaces) > 1:
        raise InvalidInput("All properties in a single request must belong to the same namespace.")
    raise InvalidInput(
        f"The account property namespace {namespaces.pop()} is not supported: iamd knows no account property."
    )
