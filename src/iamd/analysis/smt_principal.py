"""The caller of a resource-based policy, symbolically, and how Principal/NotPrincipal name it.

Mirrors ``policy/principal.py``'s ``PrincipalMatcher``: a ``Principal`` names a caller by its ARN,
the role (or IAM user) behind its session, its account, its service or provider, or ``*``; a
``NotPrincipal`` in an ``Allow`` excludes a caller when any identity of its chain (account, role,
session) is named, in a ``Deny`` only when every one is. The symbolic caller is well formed: an
IAM user's ARN is ``arn:aws:iam::ACCOUNT:user/…``, a role session's is
``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`` with the role ``arn:aws:iam::ACCOUNT:role/PATH/ROLE``,
and so on. A counter-example caller has no unique id, so entries naming ``AIDA…``/``AROA…`` ids
match it only through the ARN forms.
"""

from __future__ import annotations

import z3

from iamd.policy import PrincipalType, RequestPrincipal
from iamd.policy.principal import IAM_IDENTITIES, PrincipalMatcher

from .smt_request import PRINCIPAL_TYPES, SymbolicRequest, text

_KINDS = {
    PrincipalType.SERVICE: "Service",
    PrincipalType.WEB_IDENTITY: "Federated",
    PrincipalType.SAML: "Federated",
    PrincipalType.CANONICAL_USER: "CanonicalUser",
}
# Keys AWS sets from the caller; tied to the symbolic caller when a policy reads them.
_TIED = ("aws:principalaccount", "aws:principalarn", "aws:principaltype")


class PrincipalEncoder:
    def __init__(self, request: SymbolicRequest) -> None:
        self.r = request
        self.p = request.principal
        self.ctx = request.ctx

    def s(self, value: str) -> z3.SeqRef:
        return z3.StringVal(value, self.ctx)

    def member(self, value: z3.SeqRef, names: set[str] | frozenset[str]) -> z3.BoolRef:
        if not names:
            return z3.BoolVal(False, self.ctx)
        return z3.Or(*[value == self.s(n) for n in sorted(names)])

    def iam(self) -> z3.BoolRef:
        return z3.Or(*[self.p.is_(t) for t in IAM_IDENTITIES])

    def has_source(self) -> z3.BoolRef:
        return z3.Or(self.p.is_(PrincipalType.ROLE_SESSION), self.p.is_(PrincipalType.FEDERATED_USER))

    def named(self, m: PrincipalMatcher) -> z3.BoolRef:
        """``PrincipalMatcher.grant(p) > NONE``."""
        p = self.p
        if m.everyone:
            return z3.BoolVal(True, self.ctx)
        cases = []
        for kind_type, kind in _KINDS.items():
            others = m.others[kind]
            star = z3.BoolVal("*" in others, self.ctx)
            cases.append(z3.And(p.is_(kind_type), z3.Or(star, self.member(p.arn, others))))
        if m.aws_everyone:
            cases.append(z3.Or(self.iam(), p.is_(PrincipalType.ANONYMOUS)))
        else:
            cases.append(
                z3.And(
                    self.iam(),
                    z3.Or(
                        self.member(p.arn, m.arns),
                        z3.And(self.has_source(), self.member(p.source, m.arns)),
                        self.member(p.account, m.accounts),
                    ),
                )
            )
        return z3.Or(*cases)

    def excluded(self, m: PrincipalMatcher, *, deny: bool) -> z3.BoolRef:
        """``PrincipalMatcher.excludes(p, deny=deny)``."""
        p = self.p
        if m.everyone:
            return z3.BoolVal(True, self.ctx)
        aws_everyone = z3.BoolVal(m.aws_everyone, self.ctx)
        cases = []
        for kind_type, kind in _KINDS.items():
            cases.append(z3.And(p.is_(kind_type), self.member(p.arn, m.others[kind])))
        cases.append(z3.And(p.is_(PrincipalType.ANONYMOUS), aws_everyone))
        account = self.member(p.account, m.accounts)
        source = z3.And(p.is_(PrincipalType.ROLE_SESSION), self.member(p.source, m.arns))
        own = z3.And(z3.Not(p.is_(PrincipalType.ROOT)), self.member(p.arn, m.arns))
        # The chain: account, then the role behind a session, then the caller itself (not for root).
        chain = [account, source, own]
        present = [z3.BoolVal(True, self.ctx), p.is_(PrincipalType.ROLE_SESSION), z3.Not(p.is_(PrincipalType.ROOT))]
        if deny:
            named = z3.And(*[z3.Implies(pr, c) for pr, c in zip(present, chain, strict=True)])
        else:
            named = z3.Or(*[z3.And(pr, c) for pr, c in zip(present, chain, strict=True)])
        cases.append(z3.And(self.iam(), z3.Or(aws_everyone, named)))
        return z3.Or(*cases)

    # --- well-formed callers --------------------------------------------------------------

    def well_formed(self, owner: str) -> list[z3.BoolRef]:
        """Constraints making the symbolic caller a real one of another account than ``owner``."""
        p, s = self.p, self.s
        ctx = self.ctx
        digit = z3.Range("0", "9", ctx=ctx)
        name_char = z3.Intersect(
            z3.AllChar(z3.ReSort(z3.StringSort(ctx))),
            z3.Complement(z3.Union(z3.Re(s("/")), z3.Re(s(":")), z3.Re(s("*")), z3.Re(s("?")))),
        )
        name = z3.Plus(name_char)
        acct = z3.Loop(digit, 12, 12)
        role_name = z3.String("principal.role", ctx)
        path = z3.String("principal.path", ctx)
        session = z3.String("principal.session", ctx)
        user = z3.String("principal.user", ctx)
        out = [z3.And(p.type >= 0, p.type < len(PRINCIPAL_TYPES))]
        out.append(z3.Implies(self.iam(), z3.And(z3.InRe(p.account, acct), p.account != s(owner))))
        for v in (role_name, session, user):
            out.append(z3.InRe(v, name))
        out.append(z3.InRe(path, z3.Star(z3.Concat(name, z3.Re(s("/"))))))

        def iam_arn(rest: z3.SeqRef) -> z3.SeqRef:
            return z3.Concat(s("arn:aws:iam::"), p.account, s(":"), rest)

        def sts_arn(rest: z3.SeqRef) -> z3.SeqRef:
            return z3.Concat(s("arn:aws:sts::"), p.account, s(":"), rest)

        out.append(z3.Implies(p.is_(PrincipalType.ROOT), p.arn == iam_arn(s("root"))))
        out.append(z3.Implies(p.is_(PrincipalType.USER), p.arn == iam_arn(z3.Concat(s("user/"), path, user))))
        out.append(
            z3.Implies(
                p.is_(PrincipalType.ROLE_SESSION),
                z3.And(
                    p.source == iam_arn(z3.Concat(s("role/"), path, role_name)),
                    p.arn == sts_arn(z3.Concat(s("assumed-role/"), role_name, s("/"), session)),
                ),
            )
        )
        out.append(
            z3.Implies(
                p.is_(PrincipalType.FEDERATED_USER),
                z3.And(
                    p.arn == sts_arn(z3.Concat(s("federated-user/"), session)),
                    p.source == iam_arn(z3.Concat(s("user/"), path, user)),
                ),
            )
        )
        out.append(z3.Implies(p.is_(PrincipalType.ANONYMOUS), p.arn == s("*")))
        out.append(z3.Implies(z3.Not(self.iam()), p.account == s("")))
        for kind_type in _KINDS:
            out.append(z3.Implies(p.is_(kind_type), z3.Length(p.arn) > 0))
        out.extend(self.tied_keys())
        return out

    def tied_keys(self) -> list[z3.BoolRef]:
        """``aws:PrincipalAccount``, ``aws:PrincipalArn``, ``aws:PrincipalType`` are the caller's."""
        p, out = self.p, []
        keys = self.r.keys
        for lkey in _TIED:
            kv = keys.get(lkey)
            if kv is None or kv.kind != "string" or kv.multi:
                continue
            if lkey == "aws:principalaccount":
                value = p.account
            elif lkey == "aws:principalarn":
                value = z3.If(p.is_(PrincipalType.ROLE_SESSION), p.source, p.arn)
            else:
                value = z3.StringVal("", self.ctx)
                for t in IAM_IDENTITIES:
                    value = z3.If(p.is_(t), self.s(t.value), value)
            out.append(z3.If(self.iam(), z3.And(kv.in_ctx, kv.values[0] == value), z3.Not(kv.in_ctx)))
        return out

    def render(self, model: z3.ModelRef) -> RequestPrincipal:
        kind = PRINCIPAL_TYPES[model.eval(self.p.type, model_completion=True).as_long()]
        source = text(model, self.p.source) if kind in (PrincipalType.ROLE_SESSION, PrincipalType.FEDERATED_USER) else None
        return RequestPrincipal(text(model, self.p.arn), text(model, self.p.account), kind, source_arn=source)
