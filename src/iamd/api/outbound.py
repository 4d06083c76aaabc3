"""The public OpenID Connect discovery endpoints of outbound web identity federation.

``GET /_iamd/outbound/ISSUER_ID/.well-known/openid-configuration`` and ``…/jwks.json``: what an
external service needs to verify the tokens GetWebIdentityToken signs, with any standard OIDC
library — "the OpenID Connect (OIDC) discovery endpoints contain verification keys and metadata
necessary for token verification" (IAM API Reference, ``IssuerIdentifier``). They are unsigned and
read-only, like an issuer's on the internet, and say nothing an attacker could use: public keys,
and the issuer URL the tokens already carry. An unknown or malformed issuer id is a plain 404
(no hint whether an account exists). The documents are served while the feature is disabled too,
since tokens issued before stay valid until they expire.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from iamd.services.outbound import federation, keys
from iamd.services.runtime import Runtime

DISCOVERY = ".well-known/openid-configuration"
JWKS = ".well-known/jwks.json"
CACHE_SECONDS = 300


def discovery_document(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/{JWKS}",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": list(keys.ALGORITHMS),
        "claims_supported": ["iss", "aud", "sub", "iat", "exp", "jti", "https://sts.amazonaws.com/"],
    }


def _answer(runtime: Runtime, issuer_id: str, document: str) -> tuple[int, dict[str, Any]]:
    with runtime.store.snapshot() as conn:
        found = federation.of_issuer(conn, issuer_id)
        if found is None:
            return 404, {"error": "not_found"}
        if document == DISCOVERY:
            return 200, discovery_document(federation.issuer_url(runtime.public_url, issuer_id))
        return 200, {"keys": keys.published(conn, found.account_id, runtime.clock())}


def routes(runtime: Runtime) -> list[Route]:
    async def endpoint(request: Request) -> Response:
        document = request.path_params["document"]
        if document not in (DISCOVERY, JWKS):
            status, body = 404, {"error": "not_found"}
        else:
            status, body = await asyncio.to_thread(_answer, runtime, request.path_params["issuer_id"], document)
        headers = {"cache-control": f"public, max-age={CACHE_SECONDS}"} if status == 200 else {}
        return Response(json.dumps(body), status, headers, media_type="application/json")

    return [Route(federation.PATH_PREFIX + "{issuer_id}/{document:path}", endpoint, methods=["GET"])]
