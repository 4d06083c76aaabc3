"""Inline policies embedded in a user, group or role: Put, Get, Delete and List, once for all three.

AWS has no limit on how many inline policies an entity has, only on their aggregate size
("IAM and AWS STS quotas": user 2,048, group 5,120, role 10,240 characters, white space not
counted). The size is stored with each policy so the check is one SUM. Put overwrites a policy
of the same name, so the policy being replaced does not count against the new one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update

from iamd.services.context import Call
from iamd.services.iam.attachments import PRINCIPALS, Principal
from iamd.services.iam.common import check_policy, encode_document, paginate_list, policy_size
from iamd.services.iam.errors import LimitExceeded, NoSuchEntity
from iamd.services.registry import action
from iamd.store import schema

SIZE_QUOTA = {"user": 2048, "group": 5120, "role": 10240}

ip = schema.inline_policies


def _where(kind: Principal, principal_id: str) -> tuple[Any, ...]:
    return (ip.c.principal_type == kind.type, ip.c.principal_id == principal_id)


def inline_policies_of(
    call: Call, kind: Principal, principal_ids: list[str]
) -> dict[str, list[dict[str, str]]]:
    """``PolicyDetail`` lists (name, URL-encoded document) per principal id, names in order."""
    out: dict[str, list[dict[str, str]]] = {pid: [] for pid in principal_ids}
    if not principal_ids:
        return out
    q = (
        select(ip.c.principal_id, ip.c.name, ip.c.document)
        .where(ip.c.principal_type == kind.type, ip.c.principal_id.in_(principal_ids))
        .order_by(ip.c.principal_id, ip.c.name)
    )
    for r in call.conn.execute(q):
        out[r.principal_id].append({"PolicyName": r.name, "PolicyDocument": encode_document(r.document)})
    return out


def _register(kind: Principal) -> None:
    noun = kind.type

    def not_found(name: str) -> NoSuchEntity:
        return NoSuchEntity(f"The {noun} policy with name {name} cannot be found.")

    def put(call: Call, p: dict[str, Any]) -> None:
        row = kind.lookup(call, p, modify=True)
        pid, name, document = kind.id_of(row), p["PolicyName"], p["PolicyDocument"]
        check_policy(document, "IDENTITY")
        size = policy_size(document)
        others = call.conn.execute(
            select(func.coalesce(func.sum(ip.c.size), 0)).where(*_where(kind, pid), ip.c.name != name)
        ).scalar_one()
        quota = SIZE_QUOTA[noun]
        if others + size > quota:
            raise LimitExceeded(f"Maximum policy size of {quota} bytes exceeded for {noun} {row.name}")
        replaced = call.conn.execute(
            update(ip).where(*_where(kind, pid), ip.c.name == name).values(document=document, size=size)
        ).rowcount
        if not replaced:
            call.conn.execute(
                insert(ip).values(
                    account_id=call.account_id,
                    principal_type=noun,
                    principal_id=pid,
                    name=name,
                    document=document,
                    size=size,
                )
            )
        return None

    def get(call: Call, p: dict[str, Any]) -> dict[str, Any]:
        row = kind.lookup(call, p)
        q = select(ip.c.name, ip.c.document).where(
            *_where(kind, kind.id_of(row)), ip.c.name == p["PolicyName"]
        )
        found = call.conn.execute(q).first()
        if found is None:
            raise not_found(p["PolicyName"])
        return {
            kind.name_param: row.name,
            "PolicyName": found.name,
            "PolicyDocument": encode_document(found.document),
        }

    def remove(call: Call, p: dict[str, Any]) -> None:
        row = kind.lookup(call, p, modify=True)
        q = delete(ip).where(*_where(kind, kind.id_of(row)), ip.c.name == p["PolicyName"])
        if not call.conn.execute(q).rowcount:
            raise not_found(p["PolicyName"])
        return None

    def list_names(call: Call, p: dict[str, Any]) -> dict[str, Any]:
        row = kind.lookup(call, p)
        names = call.conn.execute(select(ip.c.name).where(*_where(kind, kind.id_of(row)))).scalars()
        page, meta = paginate_list([{"n": n} for n in sorted(names)], "n", p)
        return {"PolicyNames": [item["n"] for item in page], **meta}

    action("iam", f"Put{kind.entity}Policy")(put)
    action("iam", f"Get{kind.entity}Policy")(get)
    action("iam", f"Delete{kind.entity}Policy")(remove)
    action("iam", f"List{kind.entity}Policies")(list_names)


for _kind in PRINCIPALS:
    _register(_kind)
