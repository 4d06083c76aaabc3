"""The rows of the security resource table (tests/functional/test_security_resource_table.py):
an operation, its request and the resources it must be authorized on, in a notation short
enough to read a row at a glance."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# A row's request, made from the test's World (the entities it creates on first use).
Params = Callable[[Any], dict[str, Any]]

# Ids of the probe's organization in ``org:`` resources, when no server made them (the SAR check).
SAMPLE_IDS = {"org": "o-exampleorg", "root": "r-exam", "ou": "ou-exam-ples1", "account": "111122223333",
              "policy": "p-examplep", "handshake": "h-examplehs"}


@dataclass(frozen=True)
class Row:
    """``on``: the resources the operation's own action is authorized on, as ``user/team/target``
    (IAM, this account), ``sts:federated-user/x``, ``org:ou/{org}/{ou}`` (Organizations, the
    organization's ids filled in), a full ARN, or ``*``; empty when the operation needs no
    permission. ``also``: the other actions the call needs, with their resources.
    ``beyond_sar``: why AWS authorizes a resource the SAR's table does not list."""

    op: str
    params: Params
    on: tuple[str, ...]
    also: tuple[tuple[str, str], ...] = ()
    case: str = ""
    beyond_sar: str = ""

    @property
    def id(self) -> str:
        """The operation's name; Organizations' prefixed (its CreatePolicy is not IAM's)."""
        service, _, name = self.op.partition(":")
        prefix = f"{service}." if service in ("organizations", "access-analyzer") else ""
        return prefix + name + (f"[{self.case}]" if self.case else "")

    @property
    def checks(self) -> list[tuple[str, str]]:
        return [(self.op, resource) for resource in self.on] + list(self.also)


def row(op: str, params: Params, *on: str, **kw: Any) -> Row:
    return Row(op, params, on, **kw)


def full_arn(account: str, resource: str, ids: Mapping[str, str] = SAMPLE_IDS) -> str:
    """``account`` is the caller's (the organization's management account for ``org:``)."""
    if resource == "*" or resource.startswith("arn:"):
        return resource
    if resource.startswith("sts:"):
        return f"arn:aws:sts::{account}:{resource[4:]}"
    if resource.startswith("aa:"):
        return f"arn:aws:access-analyzer:us-east-1:{account}:{resource[3:]}"
    if resource.startswith("org:"):
        return f"arn:aws:organizations::{account}:{resource[4:].format_map(ids)}"
    if resource.startswith("access-report/"):  # IAM's Organizations access report names the path
        return f"arn:aws:iam::{account}:{resource.format_map(ids)}"
    return f"arn:aws:iam::{account}:{resource}"
