"""Compiled policy documents and the small LRU map the authorization caches are made of.

A stored document is parsed once per distinct text, type and label, whoever reads it: the
principal's policy sets (``policy_sets``), the organization policies (``organizations``), the
trust policy of the role a request names (``authorizer``).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from iamd.policy import Policy, PolicySyntaxError, PolicyType, parse_policy


class LruCache:
    """A small thread-safe LRU map; policy sets and compiled documents live here."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[object, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> object | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: object, value: object) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_compiled = LruCache(20_000)

ALLOW_ALL = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'


def compile_document(document: str, policy_type: PolicyType, label: str) -> Policy | None:
    """Parse once per (text, type, label). A stored document that no longer parses (it passed
    validation when written) contributes nothing rather than failing every request."""
    key = (hashlib.sha256(document.encode()).digest(), policy_type, label)
    policy = _compiled.get(key)
    if policy is None:
        try:
            policy = parse_policy(document, policy_type, policy_id=label, stored=True)
        except PolicySyntaxError:
            return None
        _compiled.put(key, policy)
    return policy  # type: ignore[return-value]
