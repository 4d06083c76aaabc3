"""Reading the aws CLI's ``examples/<service>/<command>.rst`` files: each example's command, the
files it reads (``Contents of policy.json::``) and its output (``Output::``), and comparing an
output's shape with the example's.

The shape is what a client depends on: which keys are present at every level, and the values
that do not depend on the account or the moment (names, paths, types, counts). Ids, dates and
the account in ARNs are the example account's; the comparison leaves them out.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).with_name("aws_cli_examples")
# Values that differ per account and moment.
VARIABLE = frozenset({
    "UserId", "RoleId", "PolicyId", "InstanceProfileId", "GroupId", "CreateDate", "UpdateDate",
    "LastUsedDate", "PasswordLastUsed", "DeletionTaskId",
})
PLACEHOLDER = re.compile(r"^<[^>]+>$")  # "<URL-encoded-JSON>"
ACCOUNT_IN_ARN = re.compile(r"^(arn:aws:[a-z0-9-]*::)\d+(:)")


@dataclass
class Example:
    title: str
    command: list[str]
    files: dict[str, str] = field(default_factory=dict)
    output: str | None = None  # the text after ``Output::``, as the example shows it

    def parsed_output(self) -> Any:
        assert self.output is not None
        return json.loads(self.output)


def _block(lines: list[str], start: int) -> tuple[str, int]:
    """The indented literal block after a ``::`` line, dedented, and the index after it."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    body: list[str] = []
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
        body.append(lines[i])
        i += 1
    text = "\n".join(body).strip("\n")
    indent = min((len(line) - len(line.lstrip()) for line in body if line.strip()), default=0)
    return "\n".join(line[indent:] for line in text.splitlines()), i


def load(service: str, command: str) -> list[Example]:
    lines = (EXAMPLES / service / f"{command}.rst").read_text().splitlines()
    examples: list[Example] = []
    title = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("**"):
            title = line.strip("* ")
        if line.rstrip().endswith("::"):
            text, after = _block(lines, i + 1)
            contents = re.match(r"Contents of (?:``)?([\w.-]+?)(?:``)?::", line)
            if text.startswith("aws "):
                examples.append(Example(title, shlex.split(text.replace("\\\n", " "))[1:]))
            elif contents and examples:
                examples[-1].files[contents.group(1)] = text
            elif line.strip().startswith("Output") and examples:
                examples[-1].output = text
            i = after
            continue
        i += 1
    return examples


def normalize(value: Any) -> Any:
    if isinstance(value, str):
        return ACCOUNT_IN_ARN.sub(r"\1ACCOUNT\2", value)
    return value


def differences(expected: Any, got: Any, where: str = "") -> list[str]:
    """How ``got`` differs from the example's ``expected`` in shape and fixed values."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{where or '.'}: expected an object, got {got!r}"]
        out = [f"{where}.{k}: missing" for k in expected if k not in got]
        out += [f"{where}.{k}: not in the example" for k in got if k not in expected]
        for k in expected:
            if k in got and k not in VARIABLE:
                out += differences(expected[k], got[k], f"{where}.{k}")
        return out
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{where}: expected {len(expected)} items, got {got!r}"]
        return [d for n, (e, g) in enumerate(zip(expected, got, strict=True)) for d in differences(e, g, f"{where}[{n}]")]
    if isinstance(expected, str) and PLACEHOLDER.match(expected):
        return []
    if normalize(expected) != normalize(got):
        return [f"{where}: example {expected!r}, iamd {got!r}"]
    return []
