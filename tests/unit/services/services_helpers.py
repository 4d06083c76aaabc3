"""Helpers the service tests share: the policy documents they create entities with, and a
reader of every page of a Marker/MaxItems list.

``tests/conftest.py`` makes this module importable as ``services_helpers`` (the suite runs with
``--import-mode=importlib``, which does not put test folders on ``sys.path``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

# A trust policy for roles whose trust does not matter to the test.
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
# A permissions policy for policies whose content does not matter to the test.
DOC = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)


def pages(invoke: Callable[..., Any], action: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every page of an IAM list action, each request carrying the previous page's ``Marker``.

    A generator: the caller's loop body runs between one page and the request for the next.
    """
    marker = None
    while True:
        page = invoke("iam", action, {**params, **({"Marker": marker} if marker else {})})
        yield page
        if not page["IsTruncated"]:
            return
        marker = page["Marker"]
