"""Principal checks of resource policies and role trust policies.

The reference's trust-policy checks pair the Principal with the actions: an identity provider
assumes a role only with ``sts:AssumeRoleWithSAML`` (SAML providers) or
``sts:AssumeRoleWithWebIdentity`` (OIDC providers, including Cognito and the public ones), and
an OIDC provider should be narrowed by its own claims (``…:aud``, ``…:sub``), GitHub's by the
repository. A service principal in a resource policy should be scoped to the resource acting on
your behalf (``aws:SourceArn`` / ``aws:SourceAccount``), against the confused deputy.
"""

from __future__ import annotations

import re

from iamd.policy.jsonloc import Node

from .grammar import Kind
from .report import Path, Report, Statement, glob_match, indexed, members, text

_SERVICE = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?|[a-z0-9-]+\.amazon\.com")
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[^\s]*)?")
_PROVIDER_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:(?:saml-provider|oidc-provider)/\S+")
_ROLE_ID = re.compile(r"AROA[A-Z0-9]{12,}")
_USER_ID = re.compile(r"AIDA[A-Z0-9]{12,}")
GITHUB = "token.actions.githubusercontent.com"
ROLES_ANYWHERE = ("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession")
_ROLE_ARN = re.compile(r"arn:(aws[a-z-]*):iam::(\d{12}):role/(.+)")
_SESSION_ARN = re.compile(r"arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/.+")
# Trust-policy keys whose values the caller sets only with a second action allowed.
NEEDS_ACTION = {"sts:sourceidentity": "sts:SetSourceIdentity", "sts:transitivetagkeys": "sts:TagSession"}
# Keys of IAM principals in an organization; a service principal's request has none of them
# (the reference's example: aws:PrincipalOrgID with cloudfront.amazonaws.com).
_IAM_PRINCIPAL_KEYS = ("aws:principalorgid", "aws:principalorgpaths", "aws:principaltag/")
_WEAK_SOURCE_KEYS = ("aws:referer",)
_SOURCE_KEYS = ("aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths")


def _entries(st: Statement, principal_key: str) -> list[tuple[Path, Node]]:
    node = st.value("Principal")
    if node is None or node.kind != "obj" or principal_key not in members(node):
        return []
    path = st.at("Principal") + ({"value": principal_key},)
    return [(p, n) for p, n in indexed(path, members(node)[principal_key][1]) if n.kind == "str"]


def _condition_keys(st: Statement) -> list[str]:
    cond = st.value("Condition")
    out: list[str] = []
    for _op, (_k, block) in members(cond).items() if cond is not None else ():
        out.extend(k.lower() for k in members(block))
    return out


def _is_saml(value: str) -> bool:
    return ":saml-provider/" in value


def _provider_host(value: str) -> str:
    return value.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in value else value


def check(report: Report, st: Statement, kind: Kind) -> None:
    for path, node in _entries(st, "AWS"):
        value = text(node)
        # ``{"AWS": "*"}`` is accepted in trust policies; the reference refuses ``"Principal": "*"``
        # (grammar.py), in its own words.
        if value != "*" and ("*" in value or "?" in value):
            report.at("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", path, node, principal_key="AWS")
        elif _ROLE_ID.fullmatch(value):
            report.at("INVALID_ROLE_REFERENCE", path, node, roleid=value)
        elif _USER_ID.fullmatch(value):
            report.at("INVALID_USER_REFERENCE", path, node, userid=value)
    _redundant_sessions(report, _entries(st, "AWS"))
    services = _entries(st, "Service")
    for path, node in services:
        value = text(node)
        if "*" in value or "?" in value:
            report.at("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", path, node, principal_key="Service")
        elif not _SERVICE.fullmatch(value):
            report.at(
                "INVALID_SERVICE_PRINCIPAL_FORMAT", path, node, expectedFormat="service-name.amazonaws.com"
            )
    federated = _entries(st, "Federated")
    if federated and kind.resource_type and not kind.trust:
        for path, node in federated:
            report.at("FEDERATED_PRINCIPAL_NOT_SUPPORTED", path, node)
        return
    for path, node in federated:
        value = text(node)
        if kind.trust and not (_PROVIDER_ARN.fullmatch(value) or _DOMAIN.fullmatch(value)):
            report.at("INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", path, node)
    _mismatched(report, st, federated, services + _entries(st, "AWS"))
    if kind.trust:
        _missing_actions(report, st)
    _roles_anywhere(report, st, services)
    if st.effect == "Allow":
        _oidc(report, st, federated)
        if services and not kind.trust and (kind.resource or kind.rcp):
            _service_conditions(report, st, services)


def _service_conditions(report: Report, st: Statement, services: list[tuple[Path, Node]]) -> None:
    """A service principal is scoped by its source (``aws:SourceArn``/``aws:SourceAccount``), not
    by ``aws:Referer``, and never carries the keys of an IAM principal in an organization."""
    spellings = _condition_key_spellings(st)
    only_services = (
        not _entries(st, "AWS") and not _entries(st, "Federated") and not _entries(st, "CanonicalUser")
    )
    principal_keys = [k for k in spellings if k.lower().startswith(_IAM_PRINCIPAL_KEYS)]
    if only_services and principal_keys:
        places = [report.location(p, n) for p, n in services]
        report.add(
            "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", places, conditionKeys=", ".join(principal_keys)
        )
    if any(k.lower() in _SOURCE_KEYS for k in spellings):
        return
    weak = [k for k in spellings if k.lower() in _WEAK_SOURCE_KEYS]
    if weak:
        for path, node in services:
            report.at(
                "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL",
                path,
                node,
                servicePrincipalPrefix=text(node),
                key=weak[0],
            )
        return
    report.add("RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", [report.location(p, n) for p, n in services])


def _condition_key_spellings(st: Statement) -> list[str]:
    cond = st.value("Condition")
    out: list[str] = []
    for _op, (_k, block) in members(cond).items() if cond is not None else ():
        out.extend(k for k in members(block) if k not in out)
    return out


def _mismatched(
    report: Report, st: Statement, federated: list[tuple[Path, Node]], others: list[tuple[Path, Node]]
) -> None:
    for action_path, action_node in st.strings("Action"):
        action = text(action_node).lower()
        if action == "sts:assumerole":
            wrong = federated
        elif action == "sts:assumerolewithsaml":
            wrong = [e for e in federated if not _is_saml(text(e[1]))] + others
        elif action == "sts:assumerolewithwebidentity":
            wrong = [e for e in federated if _is_saml(text(e[1]))] + others
        else:
            continue
        if wrong:
            places = [report.location(action_path, action_node)] + [report.location(p, n) for p, n in wrong]
            names = ", ".join(text(n) for _, n in wrong)
            report.add(
                "MISMATCHED_ACTION_FOR_PRINCIPAL", places, actionName=text(action_node), principalNames=names
            )


def _covers(actions: list[str], wanted: str) -> bool:

    return any(glob_match(a, wanted, True) for a in actions)


def _roles_anywhere(report: Report, st: Statement, services: list[tuple[Path, Node]]) -> None:
    actions = [text(n) for _, n in st.strings("Action")]
    for path, node in services:
        if text(node) == "rolesanywhere.amazonaws.com" and not all(
            _covers(actions, a) for a in ROLES_ANYWHERE
        ):
            report.at("MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", path, node)


def _oidc(report: Report, st: Statement, federated: list[tuple[Path, Node]]) -> None:
    keys = _condition_keys(st)
    for path, node in federated:
        value = text(node)
        if _is_saml(value):
            continue
        host = _provider_host(value).lower()
        if host == GITHUB:
            if f"{GITHUB}:sub" not in keys:
                report.at("MISSING_GITHUB_REPO_CONDITION_KEY", path, node)
        elif not any(k.startswith(host + ":") for k in keys):
            report.at("MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", path, node)


def _redundant_sessions(report: Report, entries: list[tuple[Path, Node]]) -> None:
    """``assumed-role/R/S`` beside ``role/R`` of the same account: the role already covers it."""
    roles = set()
    for _, node in entries:
        m = _ROLE_ARN.fullmatch(text(node))
        if m:
            roles.add((m.group(1), m.group(2), m.group(3).rsplit("/", 1)[-1]))
    for path, node in entries:
        m = _SESSION_ARN.fullmatch(text(node))
        if m and (m.group(1), m.group(2), m.group(3)) in roles:
            parent = f"arn:{m.group(1)}:iam::{m.group(2)}:role/{m.group(3)}"
            report.at(
                "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
                path,
                node,
                redundant_principal=text(node),
                parent_role=parent,
            )


def _missing_actions(report: Report, st: Statement) -> None:
    """Keys a role session only carries when the trust policy also allows setting them."""
    actions = [text(n) for _, n in st.strings("Action")]
    cond = st.value("Condition")
    for op, (_k, block) in members(cond).items() if cond is not None else ():
        for key, (_kn, values) in members(block).items():
            needed = NEEDS_ACTION.get(key.lower())
            if needed and not _covers(actions, needed):
                path = st.at("Condition") + ({"value": op}, {"value": key})
                report.at("MISSING_ACTION_FOR_CONDITION_KEY", path, values, actionName=needed, keyName=key)
