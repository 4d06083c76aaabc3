"""GetWebIdentityToken: a signed JWT that says who the caller is, for services outside AWS.

STS API Reference and the IAM User Guide ("Outbound identity federation"):

- the account must have enabled outbound identity federation, else
  ``OutboundWebIdentityFederationDisabledException``;
- ``SigningAlgorithm`` is ``RS256`` or ``ES384``; ``DurationSeconds`` 60–3600, 300 by default;
  ``Audience`` one to ten values (the ``aud`` claim); ``Tags`` become ``request_tags`` claims and
  need ``sts:TagGetWebIdentityToken`` besides ``sts:GetWebIdentityToken`` (authorization's);
- a session cannot mint a token that outlives it: ``SessionDurationEscalationException``;
- ``SubjectMode=OriginIdentity`` needs the calling session's trusted identity propagation context
  (``aws:OriginIdentity/Subject`` …), which only IAM Identity Center sets — iamd has none, so it is
  the validation error AWS documents for a session without that context; ``Scope`` only goes with
  ``OriginIdentity``, so it is refused likewise.

Authorization (``sts:GetWebIdentityToken``, conditions on ``sts:IdentityTokenAudience``,
``sts:SigningAlgorithm``, ``sts:DurationSeconds``, ``aws:RequestTag``) runs before this.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from iamd.auth.secretbox import SecretBoxError
from iamd.errors import ValidationError
from iamd.services.context import Call
from iamd.services.outbound import federation, keys, tokens
from iamd.services.outbound.errors import OutboundWebIdentityFederationDisabled, SessionDurationEscalation
from iamd.services.registry import action
from iamd.store.locks import lock_account

DEFAULT_SECONDS = 300
log = logging.getLogger(__name__)
CACHE = "outbound_signing_keys"


def _check_request(p: dict[str, Any]) -> None:
    if p["SigningAlgorithm"] not in keys.ALGORITHMS:
        raise ValidationError(
            f"1 validation error detected: Value '{p['SigningAlgorithm']}' at 'signingAlgorithm' failed to satisfy "
            "constraint: Member must satisfy enum value set: [RS256, ES384]"
        )
    mode = p.get("SubjectMode") or "AWSIdentity"
    if p.get("Scope") is not None and (mode != "OriginIdentity" or len(p["Audience"]) != 1):
        raise ValidationError("Scope can be specified only when SubjectMode is OriginIdentity and exactly one Audience is requested.")
    if mode == "OriginIdentity":
        raise ValidationError(
            "SubjectMode OriginIdentity requires the calling session's trusted identity propagation context to "
            "contain aws:OriginIdentity/Subject; this session has none."
        )
    seen: set[str] = set()
    for tag in p.get("Tags") or ():
        if tag["Key"].lower() in seen:
            raise ValidationError(f"Duplicate tag keys found. Tag key {tag['Key']} is specified more than once.")
        seen.add(tag["Key"].lower())


def _active(call: Call, algorithm: str) -> keys.SigningKey | None:
    """The active key, None when there is none, it is due, or it does not open here (sealed
    under a master key this server lacks, or edited): then a new key signs, as the audit trail's
    key ring does, and the unopenable key's public half stays published until it is pruned."""
    try:
        return keys.active(
            call.conn, call.runtime.secretbox, call.account_id, algorithm, call.now,
            call.runtime.caches.setdefault(CACHE, {}),
        )
    except (SecretBoxError, ValueError):
        log.error("outbound federation: signing key of account %s (%s) does not open here; rotating",
                  call.account_id, algorithm)
        return None


def _signing_key(call: Call, algorithm: str) -> keys.SigningKey:
    box = call.runtime.secretbox
    key = _active(call, algorithm)
    if key is not None:
        return key
    # None or due for rotation: rotate under the account's lock, unless another call just did.
    lock_account(call.conn, call.account_id)
    key = _active(call, algorithm)
    if key is None:
        keys.rotate(call.conn, box, call.account_id, call.now, algorithm)
        keys.prune(call.conn, call.account_id, call.now)
        key = _active(call, algorithm)
    assert key is not None  # INVARIANT: rotate() just made the active key
    return key


@action("sts", "GetWebIdentityToken")
def get_web_identity_token(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    _check_request(p)
    state = federation.of_account(call.conn, call.account_id)
    if state is None or not state.enabled:
        raise OutboundWebIdentityFederationDisabled()
    now = call.now.replace(microsecond=0)
    lifetime = timedelta(seconds=p.get("DurationSeconds") or DEFAULT_SECONDS)
    session = call.caller.session
    if session is not None and now + lifetime > session.expires_at:
        raise SessionDurationEscalation(expiration=session.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    payload = tokens.claims(
        call.conn,
        call.caller,
        issuer=federation.issuer_url(call.runtime.public_url, state.issuer_id),
        audience=p["Audience"],
        now=now,
        lifetime=lifetime,
        region=call.region,
        request_tags=p.get("Tags") or (),
    )
    token = tokens.sign(payload, _signing_key(call, p["SigningAlgorithm"]))
    return {"WebIdentityToken": token, "Expiration": now + lifetime}
