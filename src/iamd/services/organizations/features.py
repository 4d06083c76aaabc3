"""EnableAllFeatures: a CONSOLIDATED_BILLING organization moves to all features.

AWS Organizations API Reference (EnableAllFeatures, AcceptHandshake; ``ActionType``): the
management account's call "sends a handshake to every invited account in the organization"
(action ``ENABLE_ALL_FEATURES``; accounts made by CreateAccount are not asked, "approval is
inferred"); each invited member accepts (or declines) its own. Once every one of them accepted,
Organizations sends the management account an ``APPROVE_ALL_FEATURES`` handshake, "the final
confirmation", which only the management account accepts: the organization then has all
features. While the change is pending, invitations are refused
(``INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES``) and a second request is
``ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION``; an organization with all features is
``ORGANIZATION_ALREADY_HAS_ALL_FEATURES``. Cancelling the request (CancelHandshake of the handshake
EnableAllFeatures returned) cancels the members' handshakes too.

Every handshake of one request names it as its ``PARENT_HANDSHAKE`` resource, which is what
ListHandshakesForAccount's ``ParentHandshakeId`` filter reads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select, update

from iamd.services.context import Call
from iamd.services.organizations import common, handshakes
from iamd.services.organizations.errors import HandshakeConstraintViolationException
from iamd.services.registry import action
from iamd.store import orgs
from iamd.store.org_schema import org_handshakes, organizations


@action("organizations", "EnableAllFeatures")
def enable_all_features(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.locked_org(call)
    if org.feature_set == "ALL":
        raise HandshakeConstraintViolationException(
            "ORGANIZATION_ALREADY_HAS_ALL_FEATURES", "The organization already has all features enabled."
        )
    live = handshakes.live_handshakes(call.conn, org, call.now)
    if any(h.action in ("ENABLE_ALL_FEATURES", "APPROVE_ALL_FEATURES") for h in live):
        raise HandshakeConstraintViolationException(
            "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
            "The organization is already in the process of enabling all features.",
        )
    base = [handshakes.organization_resource(call.conn, org)]
    parties = [{"Id": org.org_id, "Type": "ORGANIZATION"}]
    parent = handshakes.insert_handshake(call.conn, org, "ENABLE_ALL_FEATURES", None, parties, base, call.now)
    linked = [*base, {"Type": "PARENT_HANDSHAKE", "Value": parent}]
    invited = [m for m in orgs.members(call.conn, org.org_id)
               if m.joined_method == "INVITED" and m.account_id != org.management_account_id]
    for member in invited:
        handshakes.insert_handshake(
            call.conn, org, "ENABLE_ALL_FEATURES", member.account_id,
            [*parties, {"Id": member.account_id, "Type": "ACCOUNT"}], linked, call.now,
        )
    if not invited:
        _ask_for_confirmation(call.conn, org, parent, call)
    return {"Handshake": handshakes.shape(call.conn, _row(call.conn, parent), call.now)}


def _member_approved(call: Call, org: Row[Any], row: Row[Any]) -> None:
    handshakes.set_state(call.conn, row.handshake_id, "ACCEPTED")
    reconsider(call, org)


def reconsider(call: Call, org: Row[Any]) -> None:
    """Once every member still asked has accepted (a member that left is no longer asked), the
    management account gets the final confirmation: after each approval, and after a member
    leaves (membership.py)."""
    live = handshakes.live_handshakes(call.conn, org, call.now)
    parent = next((h for h in live if h.action == "ENABLE_ALL_FEATURES" and h.target_account_id is None), None)
    if parent is None:
        return
    asked = handshakes.children(call.conn, parent)
    if any(h.action == "APPROVE_ALL_FEATURES" for h in asked):
        return
    members = {m.account_id for m in orgs.members(call.conn, org.org_id)}
    waiting = [h for h in asked if h.state != "ACCEPTED" and h.target_account_id in members]
    if not waiting:
        _ask_for_confirmation(call.conn, org, parent.handshake_id, call)


def _confirmed(call: Call, org: Row[Any], row: Row[Any]) -> None:
    """The management account accepted the final confirmation: all features, from now on."""
    handshakes.set_state(call.conn, row.handshake_id, "ACCEPTED")
    parent_id = handshakes.parent_of(row)
    if parent_id:
        handshakes.set_state(call.conn, parent_id, "ACCEPTED")
    call.conn.execute(update(organizations).where(organizations.c.org_id == org.org_id).values(feature_set="ALL"))
    orgs.bump_generations(call.conn, org.org_id, org.root_id)


def _ask_for_confirmation(conn: Connection, org: Row[Any], parent: str, call: Call) -> None:
    management = org.management_account_id
    handshakes.insert_handshake(
        conn, org, "APPROVE_ALL_FEATURES", management,
        [{"Id": org.org_id, "Type": "ORGANIZATION"}, {"Id": management, "Type": "ACCOUNT"}],
        [handshakes.organization_resource(conn, org), {"Type": "PARENT_HANDSHAKE", "Value": parent}], call.now,
    )


def _row(conn: Connection, handshake_id: str) -> Row[Any] | None:
    return conn.execute(select(org_handshakes).where(org_handshakes.c.handshake_id == handshake_id)).first()


handshakes.ACCEPTERS["ENABLE_ALL_FEATURES"] = _member_approved
handshakes.ACCEPTERS["APPROVE_ALL_FEATURES"] = _confirmed
