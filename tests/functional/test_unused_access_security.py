"""Unused-access findings and recommendations against attackers: another account, a
low-privilege user, forged finding ids."""

from __future__ import annotations

from typing import Any

from functional_helpers import allow, as_creds, error, new_user

from iamd.testing import IamdServer


def test_another_account_cannot_read_findings_or_recommendations(
        two_accounts: tuple[IamdServer, dict[str, str]]) -> None:
    srv, other_root = two_accounts
    mine = srv.client("accessanalyzer")
    arn = mine.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS")["arn"]
    theirs = as_creds(srv, "accessanalyzer", other_root)
    for fn, kwargs in [(theirs.list_findings_v2, {"analyzerArn": arn}),
                       (theirs.generate_finding_recommendation, {"analyzerArn": arn, "id": "x"}),
                       (theirs.get_finding_recommendation, {"analyzerArn": arn, "id": "x"})]:
        assert error(fn, **kwargs)["Code"] == "AccessDeniedException", fn.__name__


def test_low_privilege_user_is_denied_and_forged_ids_are_not_found(server: IamdServer, iam: Any) -> None:
    aa = server.client("accessanalyzer")
    arn = aa.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS")["arn"]
    _, key = new_user(iam, "low", allow("access-analyzer:ListFindings"))
    low = as_creds(server, "accessanalyzer", key)
    assert low.list_findings_v2(analyzerArn=arn)["findings"] == []
    denied = error(low.generate_finding_recommendation, analyzerArn=arn, id="00000000-0000-0000-0000-000000000000")
    assert (denied["Code"], denied["HTTPStatus"]) == ("AccessDeniedException", 403)
    for forged in ["00000000-0000-0000-0000-000000000000", "../x"]:
        assert error(aa.generate_finding_recommendation, analyzerArn=arn, id=forged)["Code"] == "ValidationException"
        assert error(aa.get_finding_recommendation, analyzerArn=arn, id=forged)["Code"] == "ResourceNotFoundException"
        assert error(aa.get_finding_v2, analyzerArn=arn, id=forged)["Code"] == "ResourceNotFoundException"
