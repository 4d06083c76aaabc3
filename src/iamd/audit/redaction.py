"""Request and response members as CloudTrail writes them, with every secret hidden.

The shape walk follows botocore's model of the operation: a member whose shape the model marks
``sensitive`` (passwords, secret access keys, TOTP seeds and QR codes, private keys, service
passwords, SAML assertions, web identity tokens…) is replaced by CloudTrail's placeholder
``HIDDEN_DUE_TO_SECURITY_REASONS``. The model does not mark everything secret — STS's
``SessionToken`` is a plain string — so a safety list of member names applies too, at any depth
and also where no model is known (a request that failed before its operation was decoded).

Member names become lowerCamelCase as in CloudTrail's records (``UserName`` → ``userName``,
``SAMLMetadataDocument`` → ``sAMLMetadataDocument``, as CloudTrail's Java bean naming does);
timestamps take CloudTrail's form for IAM/STS payloads ("Jan 5, 2024, 11:02:44 AM").
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"

# Lower-cased member names that are hidden wherever they appear, whatever the model says.
ALWAYS_HIDDEN = frozenset(
    name.lower()
    for name in (
        "Password",
        "OldPassword",
        "NewPassword",
        "SecretAccessKey",
        "SessionToken",
        "Base32StringSeed",
        "QRCodePNG",
        "PrivateKey",
        "AddPrivateKey",
        "ServicePassword",
        "ServiceCredentialSecret",
        "SAMLAssertion",
        "WebIdentityToken",
        "TradeInToken",
        "SecretKey",
        "Token",
        "ClientSecret",
    )
)


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


# SigV4 scopes whose botocore model has another name: the record carries the scope.
_MODEL_NAMES = {"access-analyzer": "accessanalyzer"}


@cache
def _service_model(service: str) -> ServiceModel | None:
    try:
        return _session().get_service_model(_MODEL_NAMES.get(service, service))
    except Exception:  # noqa: BLE001 - unknown service: redact by name only
        return None


@cache
def operation_model(service: str, operation: str) -> OperationModel | None:
    model = _service_model(service)
    if model is None or operation not in model.operation_names:
        return None
    return model.operation_model(operation)


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def cloudtrail_time(value: datetime) -> str:
    """CloudTrail's rendering of a date inside IAM/STS request and response elements."""
    value = value.astimezone(UTC) if value.tzinfo else value
    hour = value.hour % 12 or 12
    return f"{value:%b} {value.day}, {value.year}, {hour}:{value:%M:%S} {'AM' if value.hour < 12 else 'PM'}"


def render(value: Any, shape: Shape | None) -> Any:
    """``value`` (members as the model names them) as CloudTrail writes it, secrets hidden."""
    if shape is not None and shape.metadata.get("sensitive"):
        return HIDDEN
    if isinstance(value, dict):
        members = getattr(shape, "members", None) if shape is not None else None
        if shape is not None and shape.type_name == "map":
            value_shape = cast(MapShape, shape).value
            return {str(k): render(v, value_shape) for k, v in value.items()}
        out: dict[str, Any] = {}
        for key, item in value.items():
            key = str(key)
            if key.lower() in ALWAYS_HIDDEN:
                out[lower_camel(key)] = HIDDEN
                continue
            member = members.get(key) if members else None
            out[lower_camel(key)] = render(item, member)
        return out
    if isinstance(value, (list, tuple)):
        member = cast(ListShape, shape).member if shape is not None and shape.type_name == "list" else None
        return [render(item, member) for item in value]
    if isinstance(value, datetime):
        return cloudtrail_time(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def request_parameters(service: str, operation: str | None, params: dict[str, Any] | None) -> Any:
    if not params:
        return None
    op = operation_model(service, operation) if operation else None
    return render(params, op.input_shape if op is not None else None)


def response_elements(service: str, operation: str | None, response: dict[str, Any] | None) -> Any:
    if not response:
        return None
    op = operation_model(service, operation) if operation else None
    return render(response, op.output_shape if op is not None else None)
