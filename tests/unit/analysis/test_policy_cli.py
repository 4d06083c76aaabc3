"""``iamd policy validate``: AWS's verdict per file, as a table or JSON, with CI exit codes."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from iamd.cli import main

GOOD = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
TRUST = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}}  # fmt: skip
BAD_REGION = (
    '{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow", "Action": "s3:Get",\n'
    '    "Resource": "arn:aws:s3:eu-west-1::b"}\n}'
)


def write(tmp_path: Path, name: str, content: object) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(text.encode())))


def test_a_valid_file_exits_0(tmp_path, capsys):
    assert main(["policy", "validate", write(tmp_path, "p.json", GOOD)]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "valid identity policy" in out


def test_an_invalid_file_exits_1_with_aws_sentence_and_position(tmp_path, capsys):
    path = write(tmp_path, "p.json", BAD_REGION)
    assert main(["policy", "validate", path]) == 1
    header, row = capsys.readouterr().out.splitlines()
    assert header.split() == ["FILE", "LINE", "COLUMN", "CODE", "MESSAGE"]
    assert row.split()[:4] == [path, "4", "17", "MalformedPolicyDocument"]
    assert row.endswith("Resource arn:aws:s3:eu-west-1::b can not contain region information.")


def test_json_output_for_several_files(tmp_path, capsys):
    good = write(tmp_path, "good.json", GOOD)
    old = write(tmp_path, "old.json", {**GOOD, "Version": "2008-10-17"})
    assert main(["policy", "validate", "--json", good, old]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {"file": good, "type": "identity", "valid": True, "findings": []},
        {"file": old, "type": "identity", "valid": False, "findings": [
            {"code": "MalformedPolicyDocument", "message": "Policy document must be version 2012-10-17 or greater.",
             "line": 1, "column": 13},
        ]},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("policy_type", "document", "expected"),
    [
        ("trust", TRUST, 0),
        ("identity", TRUST, 1),  # a trust policy names a Principal, an identity policy must not
        ("trust", GOOD, 1),
        ("session", GOOD, 0),
        ("resource", {**GOOD, "Statement": {**GOOD["Statement"], "Principal": "*"}}, 0),
        ("scp", {**GOOD, "Statement": {**GOOD["Statement"], "Principal": "*"}}, 1),
        ("boundary", {"Statement": GOOD["Statement"]}, 1),
        ("rcp", {**GOOD, "Statement": {**GOOD["Statement"], "Principal": "*"}}, 1),  # Allow: only AWS's own
        ("rcp", {**GOOD, "Statement": {**GOOD["Statement"], "Effect": "Deny", "Principal": "*"}}, 0),
    ],
)
def test_type_decides_the_rules(monkeypatch, capsys, policy_type, document, expected):
    stdin(monkeypatch, json.dumps(document))
    assert main(["policy", "validate", "--type", policy_type, "--json"]) == expected
    (result,) = json.loads(capsys.readouterr().out)
    assert result["file"] == "<stdin>" and result["valid"] is (expected == 0)


def test_dash_reads_stdin_and_bad_json_is_a_finding_not_a_crash(monkeypatch, capsys):
    stdin(monkeypatch, "{not json")
    assert main(["policy", "validate", "-", "--type", "trust", "--json"]) == 1
    (result,) = json.loads(capsys.readouterr().out)
    assert result["findings"][0]["message"] == "This policy contains invalid Json"


def test_usage_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["policy", "validate", "--type", "bucket"])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        main(["policy"])
    assert exit_.value.code == 2
    assert main(["policy", "validate", str(tmp_path / "missing.json")]) == 2
    assert "missing.json" in capsys.readouterr().err
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe{}")
    assert main(["policy", "validate", str(binary)]) == 2
