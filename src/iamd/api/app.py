"""The ASGI application: one endpoint for every service.

A request goes, in one direction: decode parameters → authenticate (SigV4, the credential scope
names the service) → decode the operation from the service's botocore model → run the action in
one transaction → render. Every failure is an AWS error document; an unexpected exception is
logged with the request id and answered ``InternalFailure`` without internals.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from iamd.api import admin, outbound
from iamd.api.foreign import foreign_protocol
from iamd.api.protocols import (
    QueryProtocol,
    WireProtocol,
    intended_service,
    named_service,
    protocols,
    rest_service,
)
from iamd.api.request_facts import arn_accounts, read_body, requested_region, secure_transport, source_ip
from iamd.api.unsigned import unsigned_operation
from iamd.api.workers import Workers
from iamd.audit.chain import DigestPolicy
from iamd.audit.copies import DigestFolder, HttpSink, SyslogSink
from iamd.audit.publish import Sink
from iamd.audit.record import ApiCallRecord
from iamd.audit.recorder import Recorder
from iamd.audit.retention import prune
from iamd.audit.throttle import FailureThrottle
from iamd.audit.trail_delivery import delivery_for
from iamd.auth.authparams import parse_auth
from iamd.auth.caller import Caller
from iamd.auth.federated import AUTHENTICATORS, SAML_USER, WEB_IDENTITY_USER, role_account
from iamd.auth.principals import owner_of_long_term_key, resolve_access_key
from iamd.auth.request import HttpRequest, SigV4Auth
from iamd.auth.scope import RegionCheck, wrong_service
from iamd.auth.sessions import SessionKeyring, account_of_access_key_id, caller_from_claims, open_session
from iamd.auth.sigv4 import verify
from iamd.authz import catalogue
from iamd.authz.authorizer import Authorizer
from iamd.authz.context import RequestInfo
from iamd.authz.federation import authorize_federated, federated_caller
from iamd.errors import (
    AwsError,
    InternalFailure,
    MissingAuthenticationToken,
    SenderError,
    ServiceUnavailable,
)
from iamd.services.accounts import account_exists
from iamd.services.context import Call
from iamd.services.master_keys import HEARTBEAT_SECONDS, leave_key_servers
from iamd.services.registry import ACTIONS, load_all, locks_itself
from iamd.services.runtime import Runtime
from iamd.store.errors import Busy
from iamd.store.locks import lock_account
from iamd.store.named import call_memo
from iamd.store.policy_docs import bump_generation

log = logging.getLogger("iamd.api")

ADMIN_PREFIX = "/_iamd/"
WORKER_THREADS = 16
BODY_TIMEOUT = 20.0
FAILED_CALL_EVENTS = (5.0, 100)  # per source address: events a second, burst


# AWS's Query and JSON protocols are POST (Query also GET); HEAD must not run a GET's action.
# REST-JSON (Access Analyzer) also uses PUT and DELETE, for its own operations only.
SERVED_METHODS = frozenset({"GET", "POST"})
REST_METHODS = frozenset({"PUT", "DELETE"})


class MethodNotAllowed(SenderError):
    code = "MethodNotAllowed"
    status = 405
    fmt = (
        "The HTTP method {method} is not allowed; AWS's Query and JSON protocols use POST (Query also GET), "
        "REST-JSON services the method of each operation."
    )


class NotImplementedByIamd(SenderError):
    code = "NotImplemented"
    status = 501
    fmt = "iamd does not implement {service}:{action} yet."


class NoTrail:
    """The recorder when the audit trail is switched off (``--audit-trail off``)."""

    def record_in_transaction(self, conn: Connection, record: ApiCallRecord) -> None:
        return None

    def record_later(self, record: ApiCallRecord) -> None:
        return None

    def close(self) -> None:
        return None


RETENTION_INTERVAL = 3600.0


@dataclass
class CallState:
    """What is known about a call so far; the audit record is made from it however the call ends."""

    service: str = "iam"
    region: str = "us-east-1"
    access_key_id: str | None = None
    caller: Caller | None = None
    operation: str | None = None
    inputs: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    read_only: bool = True
    # An unsigned federation call (AssumeRoleWithWebIdentity / AssumeRoleWithSAML): CloudTrail's
    # userIdentity type for it, and the role's account, where a failed attempt is recorded.
    federated_type: str | None = None
    account_hint: str | None = None


class App:
    def __init__(
        self,
        runtime: Runtime,
        *,
        worker_threads: int = WORKER_THREADS,
        body_timeout: float = BODY_TIMEOUT,
        failed_call_events: tuple[float, int] = FAILED_CALL_EVENTS,
    ) -> None:
        self.runtime = runtime
        load_all()
        self.protocols = protocols()
        self.regions = RegionCheck(runtime.extra_regions)
        self.api_versions = {
            name: p.codec.api_version for name, p in self.protocols.items() if isinstance(p, QueryProtocol)
        }
        self.authorizer = Authorizer(runtime.master_key, runtime.previous_master_keys)
        runtime.message_sealer = self.authorizer.messages
        runtime.caches["policy_sets"] = self.authorizer.policy_sets
        if runtime.session_keyring is None:
            runtime.session_keyring = SessionKeyring(runtime.master_key, runtime.previous_master_keys)
        self.keyring: SessionKeyring = runtime.session_keyring
        throttle = FailureThrottle(*failed_call_events)
        runtime.caches["failed_call_throttle"] = throttle  # a reset starts every bucket full
        self.audit: Recorder | NoTrail = _recorder(runtime, throttle) if runtime.audit_enabled else NoTrail()
        runtime.audit = self.audit if runtime.audit_enabled else None
        self.body_timeout = body_timeout
        # Every request's synchronous work — parsing, the transaction, Argon2, rendering — runs
        # on these threads, never on the event loop, so one slow call cannot stall the others.
        self.workers = Workers(worker_threads)

    async def __call__(self, request: Request) -> Response:
        """Read the body on the event loop (with a deadline), then hand the call to a worker thread."""
        request_id = str(uuid.uuid4())
        body: bytes | AwsError
        try:
            body = await read_body(request, self.body_timeout)
        except AwsError as err:
            body = err
        return await self.workers.run(self.handle, request, body, request_id)

    def handle(self, request: Request, body: bytes | AwsError, request_id: str) -> Response:
        """One call, synchronously (on a worker thread); ``body`` is the error if reading it failed."""
        state = CallState()
        proto = self.protocols["iam"]
        info = None
        try:
            http = HttpRequest(
                method=request.method,
                path=request.scope.get("raw_path", b"/").decode("latin-1").split("?", 1)[0] or "/",
                query_string=request.scope.get("query_string", b"").decode("latin-1"),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]],
                body=body if isinstance(body, bytes) else b"",
            )
            if (
                isinstance(body, AwsError)
                or request.method not in SERVED_METHODS | REST_METHODS
                # A PUT or DELETE no operation of iamd routes: refused unread, unless its signature
                # names a service iamd does not serve (an S3 client's PUT), answered below in
                # that service's protocol.
                or (request.method in REST_METHODS and rest_service(self.protocols, http) is None
                    and not _signed(http))
            ):
                # Answered before the signature is read: in the protocol the client speaks.
                proto = self.protocols[intended_service(self.protocols, http)]
                raise body if isinstance(body, AwsError) else MethodNotAllowed(method=request.method)
            try:
                auth = parse_auth(http)
            except MissingAuthenticationToken:
                unsigned = unsigned_operation(
                    http, request.headers.get("content-type", ""), self.api_versions, ADMIN_PREFIX
                )
                if unsigned is None or request.method not in SERVED_METHODS:
                    # Answered in the protocol the client speaks (a JSON client cannot parse
                    # IAM's XML).
                    proto = self.protocols[intended_service(self.protocols, http)]
                    raise
                state.service, state.operation = unsigned
                proto = self.protocols[state.service]
                return self._federated(request, http, proto, state, request_id, None)
            except AwsError:
                # Malformed: answered in the protocol the client speaks (a JSON
                # client cannot parse IAM's XML).
                proto = self.protocols[intended_service(self.protocols, http)]
                raise
            state.service, state.region, state.access_key_id = auth.service, requested_region(auth), auth.access_key_id
            if auth.service not in self.protocols:
                intended = named_service(self.protocols, http)
                if intended is None:
                    # Meant for a service iamd does not serve: refused in that service's protocol.
                    foreign = foreign_protocol(auth.service, http, self.protocols)
                    proto = foreign
                    raise foreign.refusal
                proto = self.protocols[intended]
                raise wrong_service(intended)
            proto = self.protocols[auth.service]
            if request.method not in SERVED_METHODS and request.method not in proto.extra_methods:
                raise MethodNotAllowed(method=request.method)
            self.regions.check(auth.region)
            # Named before authentication, so that a failed authentication is audited under the
            # call it attempted, as CloudTrail does.
            prepared = proto.prepare(http, request.headers.get("content-type", ""))
            state.operation = proto.operation_name(prepared)
            if state.operation is not None and state.operation not in ACTIONS.get(auth.service, {}):
                # Before authentication and input checks: the answer says only that iamd has
                # nothing behind this operation of the model, whoever asks and however.
                raise NotImplementedByIamd(service=auth.service, action=state.operation)
            if state.operation is not None:
                state.read_only = catalogue.is_read_only(catalogue.permission_of(f"{auth.service}:{state.operation}"))
            if (auth.service, state.operation) in AUTHENTICATORS and not http.path.startswith(ADMIN_PREFIX):
                # Signed anyway: the signature must verify, but it grants nothing; the caller
                # is whom the token or assertion names, as for the unsigned call.
                return self._federated(request, http, proto, state, request_id, auth)
            if http.path.startswith(ADMIN_PREFIX):
                with self.runtime.store.begin() as conn:
                    caller, _ = self._authenticate(conn, http, auth)
                return admin.handle(self.runtime, http, caller, request_id)
            info = self._request_info(request, state.service, state.region)
            # One transaction per call: authentication reads, authorization reads, the action's
            # writes and (for a change) its audit event see one state and commit together.
            with call_memo(), self.runtime.store.begin() as conn:
                state.caller, generation = self._authenticate(conn, http, auth)
                # parse() accepts exactly the operation named above, so read_only is already set.
                state.operation, state.inputs = proto.parse(prepared)
                info = replace(info, operation=state.operation)
                now = self.runtime.clock()
                delegated = self.authorizer.authorize(conn, state.caller, info, state.inputs, now, generation)
                if state.service == "iam" and not state.read_only and not locks_itself("iam", state.operation):
                    # Before the action reads what its rules depend on: quotas and names hold
                    # across processes (store/locks.py).
                    lock_account(conn, state.caller.account_id)
                state.result = self._run(
                    conn, info, state.inputs, state.caller, now, request_id, state.read_only, delegated
                )
                if not state.read_only:
                    self.audit.record_in_transaction(conn, self._record(state, info, request_id, None))
            if state.read_only:
                self.audit.record_later(self._record(state, info, request_id, None))
            return _success(proto, state.operation, state.result, request_id)
        except AwsError as err:
            self._record_failure(state, info, request, request_id, err)
            headers = {**_headers(request_id, proto), **proto.error_headers(err)}
            if isinstance(body, AwsError):
                # The body was not read to its end: the connection cannot carry another request.
                headers["connection"] = "close"
            return Response(proto.render_error(err, request_id), err.status, headers)
        except Busy as busy:
            log.warning("request %s: the database is busy (%s)", request_id, busy.detail)
            unavailable = ServiceUnavailable()
            self._record_failure(state, info, request, request_id, unavailable)
            headers = {**_headers(request_id, proto), **proto.error_headers(unavailable)}
            return Response(proto.render_error(unavailable, request_id), unavailable.status, headers)
        except Exception:
            log.exception("request %s failed", request_id)
            failure = InternalFailure()
            self._record_failure(state, info, request, request_id, failure)
            headers = {**_headers(request_id, proto), **proto.error_headers(failure)}
            return Response(proto.render_error(failure, request_id), failure.status, headers)

    def _record(
        self, state: CallState, info: RequestInfo, request_id: str, err: AwsError | None
    ) -> ApiCallRecord:
        caller = state.caller
        account: str | None
        key_owner = None
        if caller is not None:
            account = caller.account_id
        elif state.account_hint:
            account = state.account_hint
        else:
            account, key_owner = self._owner_of_key(state.access_key_id)
        # Only a call that succeeded reaches into another account; a denied or failed call naming
        # an ARN of account A must not let a principal of B write into A's trail.
        others = tuple(a for a in arn_accounts(state.inputs) if a != account) if err is None else ()
        return ApiCallRecord(
            request_id=request_id,
            event_time=self.runtime.clock(),
            service=state.service,
            operation=state.operation,
            region=state.region,
            source_ip=info.source_ip,
            user_agent=info.user_agent,
            caller=caller,
            access_key_id=state.access_key_id,
            account_id=account,
            params=state.inputs,
            response=state.result if err is None else None,
            error_code=err.code if err is not None else None,
            error_message=err.message if err is not None else None,
            read_only=state.read_only,
            resource_accounts=others,
            federated_type=state.federated_type,
            key_owner=key_owner,
        )

    def _record_failure(
        self, state: CallState, info: RequestInfo | None, request: Request, request_id: str, err: AwsError
    ) -> None:
        """Failed, denied and unauthenticated calls are audited too (batched: they changed nothing)."""
        try:
            if info is None:
                info = self._request_info(request, state.service, state.region)
            self.audit.record_later(self._record(state, info, request_id, err))
        except Exception:  # noqa: BLE001 - auditing a failure must not turn it into another failure
            log.exception("request %s: could not audit the failure", request_id)

    def _federated(
        self,
        request: Request,
        http: HttpRequest,
        proto: WireProtocol,
        state: CallState,
        request_id: str,
        auth: SigV4Auth | None,
    ) -> Response:
        """AssumeRoleWithWebIdentity / AssumeRoleWithSAML: authenticated by the token or assertion
        they carry (``auth/federated``), not by a signature.

        The verifier runs before the call's transaction, with its own short reads: it may wait
        on the issuer's keys over the network, which must not hold a transaction open. A
        request that is signed anyway must carry a valid signature; it adds nothing.
        """
        prepared = proto.prepare(http, request.headers.get("content-type", ""))
        assert state.operation is not None
        authenticate = AUTHENTICATORS[(state.service, state.operation)]
        state.federated_type = SAML_USER if state.operation == "AssumeRoleWithSAML" else WEB_IDENTITY_USER
        state.read_only = catalogue.is_read_only(f"{state.service}:{state.operation}")
        # From the raw parameters: a request the model refuses is still recorded in the role's account.
        role_owner = role_account(prepared if isinstance(prepared, dict) else {})
        info = self._request_info(request, state.service, state.region)
        with self.runtime.store.connect() as conn:
            if role_owner is not None and account_exists(conn, role_owner):
                state.account_hint = role_owner
        if auth is not None:
            state.region = requested_region(auth)
            info = replace(info, region=state.region)
            with self.runtime.store.begin() as conn:
                self._authenticate(conn, http, auth)
        state.operation, state.inputs = proto.parse(prepared)
        identity = authenticate(self.runtime, state.inputs, self.runtime.clock())
        state.caller = federated_caller(identity, state.account_hint or role_owner or "")
        info = replace(info, operation=state.operation)
        with call_memo(), self.runtime.store.begin() as conn:
            now = self.runtime.clock()
            authorize_federated(conn, state.caller, info, state.inputs, now, self.authorizer.policy_sets.organizations)
            state.result = self._run(conn, info, state.inputs, state.caller, now, request_id, state.read_only)
            if not state.read_only:
                self.audit.record_in_transaction(conn, self._record(state, info, request_id, None))
        if state.read_only:
            self.audit.record_later(self._record(state, info, request_id, None))
        return _success(proto, state.operation, state.result, request_id)

    def _owner_of_key(self, access_key_id: str | None) -> tuple[str | None, Caller | None]:
        """For a failed authentication: the account owning the presented key, when it can be
        told, and for a long-term key its user (CloudTrail records the event under it)."""
        if not access_key_id:
            return None, None
        if access_key_id.startswith("ASIA"):
            return account_of_access_key_id(access_key_id), None
        with self.runtime.store.connect() as conn:
            owner = owner_of_long_term_key(conn, access_key_id)
        return (owner.account_id, owner) if owner is not None else (None, None)

    def _authenticate(self, conn: Connection, http: HttpRequest, auth: SigV4Auth) -> tuple[Caller, int | None]:
        """The verified caller, and its account's policy generation when the lookup read it."""
        generation = None
        if auth.security_token is not None:
            claims = open_session(auth.security_token, auth.access_key_id, self.keyring, self.runtime.clock())
            caller, secret = caller_from_claims(claims, auth.security_token), claims.secret_access_key
        else:
            caller, secret, generation = resolve_access_key(conn, self.runtime.secretbox, auth.access_key_id)
        # Every service iamd serves carries the operation and its parameters in the body: a
        # signature over UNSIGNED-PAYLOAD would let one signed request carry any other call.
        verify(http, auth, secret, self.runtime.wall_clock(), allow_unsigned_payload=False)
        if caller.session is None:
            self.runtime.key_usage.note(caller.access_key_id, self.runtime.clock(), auth.service, requested_region(auth))
        return caller, generation

    def key_heartbeat(self) -> None:
        """Tell the shared database this server runs with its keys, and learn retirements
        (``services/master_keys``): a key retired by ``iamd keys reseal`` stops opening tokens
        claiming a later issue time within one heartbeat."""
        state = self.runtime.key_state
        if state is None:
            return
        with self.runtime.store.begin() as conn:
            retired = state.heartbeat(conn, self.runtime.wall_clock())
        self.keyring.set_retirements(retired)

    def prune_trail(self) -> int:
        """Apply the retention setting: drop events older than it, keeping the chain verifiable."""
        days = self.runtime.trail_retention_days
        if not days or not isinstance(self.audit, Recorder):
            return 0
        with self.runtime.store.begin() as conn:
            return prune(conn, self.audit.signer, self.runtime.clock(), timedelta(days=days))

    def flush_key_usage(self) -> None:
        """Write last-used times; a busy database never fails the call that happened to flush."""
        try:
            with self.runtime.store.begin() as conn:
                self.runtime.key_usage.flush(conn)
        except Busy as busy:
            log.warning("last-used times of access keys wait for the next flush: %s", busy.detail)

    def flush_key_usage_if_due(self) -> None:
        if self.runtime.key_usage.due():
            self.flush_key_usage()

    def _request_info(self, request: Request, service: str, region: str) -> RequestInfo:
        return RequestInfo(
            service=service,
            operation="",
            region=region,
            source_ip=source_ip(request, self.runtime.trusted_proxies),
            secure_transport=secure_transport(request, self.runtime.trusted_proxies),
            user_agent=request.headers.get("user-agent", ""),
        )

    def _run(
        self,
        conn: Connection,
        info: RequestInfo,
        inputs: dict[str, Any],
        caller: Caller,
        now: Any,
        request_id: str,
        read_only: bool,
        org_delegated: bool = False,
    ) -> dict[str, Any] | None:
        """``org_delegated``: the organization's delegation policy granted the call (authz)."""
        fn = ACTIONS.get(info.service, {}).get(info.operation)
        if fn is None:
            raise NotImplementedByIamd(service=info.service, action=info.operation)
        call = Call(conn, caller, now, request_id, self.runtime, region=info.region, org_delegated=org_delegated)
        result = fn(call, inputs)
        if info.service == "iam" and not read_only:
            # Compiled policy sets are cached per generation: the next request sees this change.
            bump_generation(conn, caller.account_id)
        return result


def _signed(http: HttpRequest) -> bool:
    """Whether the request carries a SigV4 signature, in its headers or its query string."""
    return any(k.lower() == "authorization" for k, _ in http.headers) or "X-Amz-Signature=" in http.query_string


def _headers(request_id: str, proto: WireProtocol) -> dict[str, str]:
    return {"x-amzn-RequestId": request_id, "content-type": proto.content_type}


def _success(proto: WireProtocol, operation: str, result: dict[str, Any] | None, request_id: str) -> Response:
    """The rendered result, with the status and headers the protocol gives it (REST: the model's)."""
    status, extra = proto.response_meta(operation, result)
    return Response(proto.render(operation, result, request_id), status, {**_headers(request_id, proto), **extra})


async def periodically(interval: float, work: Callable[[], object], what: str) -> None:
    """Run ``work`` on a thread now and every ``interval`` seconds; a failure is logged and retried."""
    while True:
        try:
            await asyncio.to_thread(work)
        except Exception:  # noqa: BLE001 - background upkeep must not stop the server
            log.exception("%s failed", what)
        await asyncio.sleep(interval)


def create_app(
    runtime: Runtime,
    *,
    worker_threads: int = WORKER_THREADS,
    body_timeout: float = BODY_TIMEOUT,
    failed_call_events: tuple[float, int] = FAILED_CALL_EVENTS,
) -> Starlette:
    handler = App(
        runtime, worker_threads=worker_threads, body_timeout=body_timeout, failed_call_events=failed_call_events
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        task = (
            asyncio.create_task(periodically(RETENTION_INTERVAL, handler.prune_trail, "audit trail retention"))
            if runtime.trail_retention_days
            else None
        )
        # Last-used times of access keys are written off the request path, once per interval.
        usage = asyncio.create_task(
            periodically(runtime.key_usage.interval, handler.flush_key_usage_if_due, "writing key last-used times")
        )
        if isinstance(handler.audit, Recorder):
            handler.audit.start()  # the digest cadence
        delivery = delivery_for(runtime)  # CloudTrail trails' log files, off the request path
        if delivery is not None:
            delivery.start()
        heartbeat = asyncio.create_task(periodically(HEARTBEAT_SECONDS, handler.key_heartbeat, "master-key heartbeat"))
        yield
        heartbeat.cancel()
        usage.cancel()
        if task is not None:
            task.cancel()
        handler.workers.shutdown()
        handler.flush_key_usage()  # last-used times noted since the last batch
        handler.audit.close()  # queued read-only and failed-call events, and the last digest
        if delivery is not None:
            delivery.close()
        # A stopped server does not hold up the next master-key rotation step. (uvicorn re-raises
        # SIGTERM after this, so ``cli.serve``'s own clean-up runs only when serving failed.)
        leave_key_servers(runtime)

    # The public OIDC discovery documents of outbound federation (api/outbound.py), then every call.
    return Starlette(routes=[*outbound.routes(runtime), Route("/{path:path}", _Endpoint(handler))], lifespan=lifespan)


def _recorder(runtime: Runtime, throttle: FailureThrottle) -> Recorder:
    """The trail's recorder, its digests on the configured cadence, copied to the configured sinks."""
    sinks: list[Sink] = []
    if runtime.trail_digest_dir is not None and not runtime.ephemeral:
        sinks.append(DigestFolder(runtime.trail_digest_dir))
    if runtime.trail_digest_url:
        sinks.append(HttpSink(runtime.trail_digest_url))
    if runtime.trail_digest_syslog:
        sinks.append(SyslogSink(runtime.trail_digest_syslog))
    return Recorder(
        runtime.store,
        runtime.master_key,
        runtime.clock,
        throttle=throttle,
        digest=DigestPolicy(interval=runtime.trail_digest_interval),
        previous_master_keys=runtime.previous_master_keys,
        sinks=tuple(sinks),
    )


class _Endpoint:
    """The handler as a raw ASGI endpoint: Starlette then routes every HTTP method to it (a
    function endpoint gets Starlette's plain-text 405 for the others), so each is answered with an
    AWS error document and a request id."""

    def __init__(self, handler: App) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive))
        await response(scope, receive, send)
