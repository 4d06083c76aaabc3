"""Which resources a call acts on: ARNs built from the request, as the Service Authorization
Reference names them, plus the resource's account, tags and resource-based policy.

The action → resource types mapping is the catalogue's (data from AWS's reference). This file
only says, per *resource type*, which request member names it (``ENTITY_TYPES``): an ARN member
(``RoleArn``, ``PolicyArn``) or a name member whose entity's path is read from the store, as AWS
authorizes against the full ARN including the path. A name that does not exist yet (CreateUser,
or a missing entity, which AWS authorizes before it says NoSuchEntity) takes the request's
``Path`` or ``/``.

Some resources are derived, not named by a member (``DERIVED``): the role CreateServiceLinkedRole
will create (from ``AWSServiceName`` and ``CustomSuffix``, named as the action names it), the role
a service-linked role deletion task deleted, the user owning an access key (GetAccessKeyLastUsed).
Members that default to the calling user (``UserName`` of GetUser, CreateAccessKey…) take the
caller's ARN (``defaults_to_caller``).

The SAR gives the path-listing actions (``ListUsers``, ``ListRoles``…) no resource type, but AWS
authorizes them against the ARN prefix of the listed path: ``iam:ListUsers`` with no
``PathPrefix`` is ``arn:aws:iam::ID:user/`` in AWS's AccessDenied messages, and a policy
allowing ``arn:aws:iam::*:user/*`` allows it (``LISTED_PATHS``). ListServiceSpecificCredentials
with ``AllUsers`` lists every user's credentials, so it is authorized the same way, on ``user/``:
a self-service policy on ``user/${aws:username}`` does not reach other users' credentials.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from iamd.auth.caller import Caller
from iamd.authz import catalogue
from iamd.services.iam import service_linked_names
from iamd.store import oidc_providers as oidc_store
from iamd.store import schema
from iamd.store import tags as tag_store
from iamd.store.named import NamedRepo
from iamd.store.repos import groups, instance_profiles, managed_policies, mfa_devices, roles, users

# Server certificates have paths like users do (``server-certificate/cloudfront/NAME``): the path
# is read from the store, or a Deny on a path would not hold.
_server_certificates = NamedRepo(schema.server_certificates, "server_certificate_id")


@dataclass(frozen=True)
class EntityType:
    """How requests name one resource type; ``arn_kind`` is the ARN's resource prefix."""

    arn_kind: str
    name_member: str | None = None
    arn_member: str | None = None
    repo: NamedRepo | None = None
    tag_type: str | None = None
    id_column: str | None = None
    # The caller's own user when the member is omitted (GetUser, CreateAccessKey, …).
    defaults_to_caller: bool = False
    sts: bool = False


ENTITY_TYPES: Mapping[tuple[str, str], EntityType] = {
    ("iam", "user"): EntityType("user", "UserName", None, users, "user", "user_id", defaults_to_caller=True),
    ("iam", "group"): EntityType("group", "GroupName", None, groups, None, "group_id"),
    ("iam", "role"): EntityType("role", "RoleName", "RoleArn", roles, "role", "role_id"),
    ("iam", "policy"): EntityType("policy", "PolicyName", "PolicyArn", managed_policies, "policy", "policy_id"),
    ("iam", "instance-profile"): EntityType(
        "instance-profile", "InstanceProfileName", None, instance_profiles, "instance-profile", "instance_profile_id"
    ),
    ("iam", "mfa"): EntityType("mfa", "VirtualMFADeviceName", "SerialNumber", mfa_devices, "mfa", "device_id"),
    ("iam", "oidc-provider"): EntityType("oidc-provider", None, "OpenIDConnectProviderArn"),
    ("iam", "saml-provider"): EntityType("saml-provider", None, "SAMLProviderArn"),
    ("iam", "server-certificate"): EntityType(
        "server-certificate", "ServerCertificateName", None, _server_certificates, "server-cert", "server_certificate_id"
    ),
    ("sts", "role"): EntityType("role", None, "RoleArn", roles, "role", "role_id"),
    ("sts", "federated-user"): EntityType("federated-user", "Name", sts=True),
}


# Listing actions → the resource prefix of the listed path (the request's ``PathPrefix``, or ``/``).
LISTED_PATHS: Mapping[str, str] = {
    "iam:listusers": "user",
    "iam:listroles": "role",
    "iam:listgroups": "group",
    "iam:listinstanceprofiles": "instance-profile",
}


# Renames and moves → (ARN kind, new-name member, new-path member). "To change a user name, the
# requester must have appropriate permissions on both the source object and the target object"
# (IAM API Reference, UpdateUser; likewise UpdateGroup and UpdateServerCertificate).
RENAMES: Mapping[str, tuple[str, str, str]] = {
    "iam:updateuser": ("user", "NewUserName", "NewPath"),
    "iam:updategroup": ("group", "NewGroupName", "NewPath"),
    "iam:updateservercertificate": ("server-certificate", "NewServerCertificateName", "NewPath"),
}


@dataclass(frozen=True)
class Resource:
    arn: str
    account_id: str | None
    tags: dict[str, str] = field(default_factory=dict)
    # For roles: the trust policy document (the resource-based policy of sts:AssumeRole).
    trust_policy: str | None = None
    # For users and roles: the ARN of the entity's permissions boundary, if it has one.
    permissions_boundary: str | None = None


ANY = Resource("*", None)


def resolve(
    conn: Connection, caller: Caller, action: str, params: Mapping[str, Any], with_tags: bool = True,
    region: str = "us-east-1",
) -> list[Resource]:
    """The resources ``action`` applies to in this request; ``[ANY]`` when it names none.
    ``with_tags=False`` skips reading the resources' tags (no policy of the caller needs them).
    ``region``: the request's, for the regional ARNs of Access Analyzer."""
    listed = LISTED_PATHS.get(action.lower())
    if listed is not None:
        prefix = params.get("PathPrefix") or "/"
        return [Resource(f"arn:aws:iam::{caller.account_id}:{listed}{prefix}", caller.account_id)]
    derive = DERIVED.get(action.lower())
    derived = derive(conn, caller, params, with_tags) if derive is not None else None
    if derived is not None:
        return [derived]
    if action[:14].lower() == "organizations:":
        from iamd.authz import org_resources  # its ARNs come from the organization's rows

        return org_resources.resolve(conn, caller, action, params, with_tags)
    if action[:16].lower() == "access-analyzer:":
        from iamd.authz import aa_resources  # analyzer ARNs carry the region and are read by ARN

        return aa_resources.resolve(conn, caller, action, params, with_tags, region)
    if action[:11].lower() == "cloudtrail:":
        from iamd.authz import cloudtrail_resources  # trails' ARNs carry their home region

        return cloudtrail_resources.resolve(conn, caller, action, params, with_tags, region)
    info = catalogue.action(action)
    if info is None:
        return [ANY]
    service = info.service
    found: list[Resource] = []
    for ref in info.resource_types:
        spec = ENTITY_TYPES.get((service, ref.name))
        if spec is None:
            continue
        resource = _resolve_one(conn, caller, spec, params, with_tags)
        if resource is not None:
            found.append(resource)
    rename = RENAMES.get(action.lower())
    if rename is not None and found:
        target = _rename_target(found[0], *rename, params)
        if target is not None:
            found.append(target)
    return found or [ANY]


def _new_service_linked_role(
    conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool
) -> Resource | None:
    """CreateServiceLinkedRole: the role it will create, so that AWS's documented scoped Allow
    (``role/aws-service-role/SERVICE/PREFIX*`` with ``iam:AWSServiceName``) and a Deny on
    ``role/aws-service-role/*`` apply ("Using service-linked roles", IAM User Guide)."""
    service = params.get("AWSServiceName")
    if not service:
        return None
    arn = service_linked_names.role_arn(caller.account_id, str(service), params.get("CustomSuffix"))
    return Resource(arn, caller.account_id)


def _deleted_service_linked_role(
    conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool
) -> Resource | None:
    """GetServiceLinkedRoleDeletionStatus: the role the task deletes, named in the task id (the
    role itself is gone). None for an id that is not a task's: the action refuses it."""
    parsed = service_linked_names.parse_task_id(str(params.get("DeletionTaskId", "")))
    if parsed is None:
        return None
    service, role_name, _ = parsed
    arn = f"arn:aws:iam::{caller.account_id}:role{service_linked_names.role_path(service)}{role_name}"
    return Resource(arn, caller.account_id)


def _all_users(conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool) -> Resource | None:
    """ListServiceSpecificCredentials with ``AllUsers``: every user's, as a listing of users."""
    if not params.get("AllUsers"):
        return None
    return Resource(f"arn:aws:iam::{caller.account_id}:user/", caller.account_id)


def _key_owner(conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool) -> Resource | None:
    """GetAccessKeyLastUsed names a key, not a user: AWS authorizes it on the user owning the key
    (the account's root for a root key). None for a key the caller's account does not have."""
    keys = schema.access_keys
    found = conn.execute(
        select(keys.c.user_id).where(
            keys.c.access_key_id == str(params.get("AccessKeyId")), keys.c.account_id == caller.account_id
        )
    ).first()
    if found is None:
        return None
    if found.user_id is None:
        return Resource(f"arn:aws:iam::{caller.account_id}:root", caller.account_id)
    spec = ENTITY_TYPES[("iam", "user")]
    row = users.get_by_id(conn, found.user_id)
    if row is None:
        return None
    arn = f"arn:aws:iam::{caller.account_id}:user{row.path}{row.name}"
    return _details_from_row(conn, spec, arn, caller.account_id, row, with_tags)


def _policy_source(conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool) -> Resource | None:
    """SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy: the user, group or role named
    by ``PolicySourceArn`` ("to give a user named Bob permission to simulate a policy that is
    assigned to a user named Alice, give Bob access to ``arn:aws:iam::777788889999:user/alice``",
    IAM User Guide), never the caller. A role session's ARN is simulated as its role, so it is
    authorized on the role's ARN. An ARN that names no entity is authorized as given (the action
    then refuses it)."""
    arn = str(params.get("PolicySourceArn", ""))
    session = _ASSUMED_ROLE.fullmatch(arn)
    if session is not None:
        account, name = session.group(1), session.group(2)
        row = roles.get_by_name(conn, account, name)
        role_arn = f"arn:aws:iam::{account}:role{row.path if row is not None else '/'}{name}"
        return _details_from_row(conn, ENTITY_TYPES[("iam", "role")], role_arn, account, row, with_tags)
    kind = _ENTITY_KIND.fullmatch(arn)
    if kind is None:
        return Resource(arn or "*", _account_and_name(arn)[0])
    spec = ENTITY_TYPES[("iam", kind.group(1))]
    account, name = _account_and_name(arn)
    return _with_details(conn, spec, arn, account, name, with_tags)


def _saml_provider(conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool) -> Resource | None:
    """A SAML provider, named by ``SAMLProviderArn`` or (CreateSAMLProvider) by ``Name`` in the
    caller's account: ``arn:aws:iam::ID:saml-provider/NAME``, with its tags (``aws:ResourceTag``).
    None when the request names none (ListSAMLProviders: ``*``)."""
    from iamd.store.saml_schema import saml_providers

    arn = params.get("SAMLProviderArn")
    if arn is None and params.get("Name") is None:
        return None
    arn = str(arn) if arn is not None else f"arn:aws:iam::{caller.account_id}:saml-provider/{params['Name']}"
    account, name = _account_and_name(arn)
    if account is None or not with_tags:
        return Resource(arn, account)
    t = saml_providers
    row = conn.execute(select(t.c.provider_id, t.c.name).where(t.c.account_id == account, t.c.name_lower == name.lower())).first()
    if row is None or row.name != name:
        return Resource(arn, account)
    found = {tag["Key"]: tag["Value"] for tag in tag_store.list_tags(conn, "saml-provider", row.provider_id)}
    return Resource(arn, account, found)


def _oidc_provider(conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool) -> Resource | None:
    """An OIDC provider: named by ``OpenIDConnectProviderArn``, or, for the one
    CreateOpenIDConnectProvider makes, by its ``Url`` (``oidc-provider/HOST/PATH``); its tags for
    ``aws:ResourceTag``. None (the action refuses it) for a Url that names no provider."""
    from iamd.services.iam import oidc_providers as oidc

    arn = params.get("OpenIDConnectProviderArn")
    if arn is None:
        try:
            url = oidc.provider_url(str(params.get("Url", "")))
        except Exception:  # noqa: BLE001 - the action answers the bad Url with AWS's error
            return None
        return Resource(oidc.provider_arn(caller.account_id, url), caller.account_id)
    account, _ = _account_and_name(str(arn))
    if not with_tags or account is None:
        return Resource(str(arn), account)
    named = oidc.url_of_arn(str(arn), account)
    row = oidc_store.get(conn, account, named) if named is not None else None
    found = tag_store.list_tags(conn, oidc.TAG_TYPE, row.provider_id) if row is not None else []
    return Resource(str(arn), account, {t["Key"]: t["Value"] for t in found})


def _root_user_target(conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool) -> Resource | None:
    """AssumeRoot: the target's root user (the SAR's ``root-user``, ``arn:aws:iam::ID:root``),
    from ``TargetPrincipal`` (an account id or that ARN). The root user has no resource-based
    policy, so AWS decides on the caller's policies alone: the resource carries no account, which
    would make the engine ask the member account for a cross-account grant."""
    target = str(params.get("TargetPrincipal", ""))
    found = re.fullmatch(r"(?:arn:aws:iam::)?(\d{12})(?::root)?", target)
    if found is None:
        return Resource(target or "*", None)
    return Resource(f"arn:aws:iam::{found.group(1)}:root", None)


def _escalation_subject(conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool) -> Resource | None:
    """iamd:ListEscalationPaths: the user or role whose paths are asked for (``PrincipalArn``),
    so a policy on ``user/${aws:username}`` lets a user see its own paths only; ``*`` when the
    request asks for every principal of the account."""
    arn = params.get("PrincipalArn")
    if not arn:
        return None
    kind = _ENTITY_KIND.fullmatch(str(arn))
    if kind is None:
        return Resource(str(arn), None)
    account, name = _account_and_name(str(arn))
    return _with_details(conn, ENTITY_TYPES[("iam", kind.group(1))], str(arn), account, name, with_tags)


_ASSUMED_ROLE = re.compile(r"arn:aws:sts::(\d{12}):assumed-role/([\w+=,.@-]+)/[\w+=,.@-]+")
_ENTITY_KIND = re.compile(r"arn:aws:iam::\d{12}:(user|group|role)/.+")

_DELEGATION_OPS = ("createdelegationrequest", "getdelegationrequest", "associatedelegationrequest",
                   "updatedelegationrequest", "acceptdelegationrequest", "rejectdelegationrequest",
                   "senddelegationtoken", "gethumanreadablesummary")


def _delegation_request(
    conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool
) -> Resource | None:
    """A delegation request (``delegation-request/ID``): named by ``DelegationRequestId`` in the
    caller's account, or by ``EntityArn`` (GetHumanReadableSummary); the one CreateDelegationRequest
    would make has no id yet, so it is the caller's ``delegation-request/*``."""
    arn = params.get("EntityArn")
    if isinstance(arn, str):
        return Resource(arn, _account_and_name(arn)[0])
    request_id = params.get("DelegationRequestId", "*")
    return Resource(f"arn:aws:iam::{caller.account_id}:delegation-request/{request_id}", caller.account_id)


Derive = Callable[[Connection, Caller, Mapping[str, Any], bool], "Resource | None"]

# Actions whose resource is derived from the request, not named by a member; None falls back to
# the members (``ENTITY_TYPES``).
def _report_entity(conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool) -> Resource | None:
    """GenerateServiceLastAccessedDetails and ListPoliciesGrantingServiceAccess name their user,
    group, role or policy by ``Arn``: authorized on that ARN (its account's, so another account's
    entity is refused before the action says whether it exists). Anything else is authorized as
    given; the action refuses it."""
    arn = str(params.get("Arn", ""))
    return Resource(arn or "*", _account_and_name(arn)[0] if arn.startswith("arn:aws:iam::") else None)


def _access_report(conn: Connection, caller: Caller, params: Mapping[str, Any], with_tags: bool) -> Resource | None:
    """GenerateOrganizationsAccessReport: ``access-report/ENTITY_PATH`` in the caller's account,
    as the Service Authorization Reference names it."""
    path = params.get("EntityPath")
    if not isinstance(path, str) or not path:
        return None
    return Resource(f"arn:aws:iam::{caller.account_id}:access-report/{path}", caller.account_id)


DERIVED: Mapping[str, Derive] = {
    "iam:generateorganizationsaccessreport": _access_report,
    "iam:generateservicelastaccesseddetails": _report_entity,
    "iam:listpoliciesgrantingserviceaccess": _report_entity,
    "iam:createservicelinkedrole": _new_service_linked_role,
    "iam:getservicelinkedroledeletionstatus": _deleted_service_linked_role,
    "iam:getaccesskeylastused": _key_owner,
    "iam:listservicespecificcredentials": _all_users,
    "iam:simulateprincipalpolicy": _policy_source,
    "iam:getcontextkeysforprincipalpolicy": _policy_source,
    **{
        f"iam:{op}samlprovider{suffix}": _saml_provider
        for op, suffix in (("create", ""), ("get", ""), ("update", ""), ("delete", ""), ("tag", ""),
                           ("untag", ""), ("list", "tags"))
    },
    **{
        name: _oidc_provider
        for name in (
            "iam:createopenidconnectprovider", "iam:getopenidconnectprovider", "iam:deleteopenidconnectprovider",
            "iam:tagopenidconnectprovider", "iam:untagopenidconnectprovider", "iam:listopenidconnectprovidertags",
            "iam:addclientidtoopenidconnectprovider", "iam:removeclientidfromopenidconnectprovider",
            "iam:updateopenidconnectproviderthumbprint", "iam:updateopenidconnectprovider",
        )
    },
    "sts:assumeroot": _root_user_target,
    **{f"iam:{op}": _delegation_request for op in _DELEGATION_OPS},
    "iamd:listescalationpaths": _escalation_subject,
}


def _rename_target(
    source: Resource, kind: str, name_member: str, path_member: str, params: Mapping[str, Any]
) -> Resource | None:
    """The entity's ARN after a rename or move, which the caller must be allowed too."""
    new_name, new_path = params.get(name_member), params.get(path_member)
    prefix = f"arn:aws:iam::{source.account_id}:{kind}"
    if (new_name is None and new_path is None) or not source.arn.startswith(prefix + "/"):
        return None
    path, _, name = source.arn[len(prefix):].rpartition("/")
    arn = f"{prefix}{new_path if new_path is not None else path + '/'}{new_name if new_name is not None else name}"
    return None if arn == source.arn else Resource(arn, source.account_id)


def _resolve_one(
    conn: Connection, caller: Caller, spec: EntityType, params: Mapping[str, Any], with_tags: bool
) -> Resource | None:
    if spec.arn_member and params.get(spec.arn_member):
        arn = str(params[spec.arn_member])
        account, arn_name = _account_and_name(arn)
        return _with_details(conn, spec, arn, account, arn_name, with_tags)
    name = params.get(spec.name_member) if spec.name_member else None
    if name is None and spec.defaults_to_caller and caller.user_name and caller.arn.startswith("arn:aws:iam::"):
        return _with_details(conn, spec, caller.arn, caller.account_id, caller.user_name, with_tags)
    if name is None and spec.defaults_to_caller and caller.is_root:
        # Root acting on its own credentials (ListAccessKeys without UserName, …): the resource is
        # the root user, which the root-task policies of AssumeRoot name (``arn:aws:iam::*:root``).
        return Resource(f"arn:aws:iam::{caller.account_id}:root", caller.account_id)
    if name is None:
        return None
    if spec.sts:
        return Resource(f"arn:aws:sts::{caller.account_id}:{spec.arn_kind}/{name}", caller.account_id)
    row = spec.repo.get_by_name(conn, caller.account_id, str(name)) if spec.repo else None
    path = row.path if row is not None else (params.get("Path") or "/")
    arn = f"arn:aws:iam::{caller.account_id}:{spec.arn_kind}{path}{row.name if row is not None else name}"
    return _details_from_row(conn, spec, arn, caller.account_id, row, with_tags)


def _account_and_name(arn: str) -> tuple[str | None, str]:
    """The owning account (None for AWS-owned resources such as AWS-managed policies, which every
    account may read as its own) and the entity name."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return None, arn
    account = parts[4]
    return (None if account in ("", "aws") else account), parts[5].rsplit("/", 1)[-1]


def _with_details(
    conn: Connection, spec: EntityType, arn: str, account: str | None, name: str, with_tags: bool
) -> Resource:
    row = spec.repo.get_by_name(conn, account, name) if spec.repo is not None and account else None
    if row is not None and arn != f"arn:aws:iam::{account}:{spec.arn_kind}{row.path}{row.name}":
        row = None  # same name, other path: not this entity
    return _details_from_row(conn, spec, arn, account, row, with_tags)


def _details_from_row(
    conn: Connection, spec: EntityType, arn: str, account: str | None, row: Any, with_tags: bool
) -> Resource:
    if row is None:
        return Resource(arn, account)
    resource_tags: dict[str, str] = {}
    if with_tags and spec.tag_type and spec.id_column:
        resource_tags = {t["Key"]: t["Value"] for t in tag_store.list_tags(conn, spec.tag_type, getattr(row, spec.id_column))}
    trust = getattr(row, "assume_role_policy", None) if spec.arn_kind == "role" else None
    return Resource(arn, account, resource_tags, trust, getattr(row, "permissions_boundary", None))
