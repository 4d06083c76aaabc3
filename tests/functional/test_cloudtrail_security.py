"""CloudTrail trails under attack: another account's root cannot read, change or tag this
account's trails or event data stores, even by ARN; hostile selectors and names change nothing;
and every trail change is itself recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from functional_helpers import OTHER_ACCOUNT, as_creds, error

from iamd.testing import IamdServer


def test_other_account_cannot_reach_this_accounts_trails(two_accounts: tuple[IamdServer, dict[str, str]]) -> None:
    srv, other_key = two_accounts
    mine = srv.client("cloudtrail")
    mine.create_trail(Name="private-trail", S3BucketName="private-bucket")
    eds = mine.create_event_data_store(Name="private-eds", TerminationProtectionEnabled=False)["EventDataStoreArn"]
    arn = f"arn:aws:cloudtrail:us-east-1:{srv.account_id}:trail/private-trail"
    theirs = as_creds(srv, "cloudtrail", other_key)
    try:
        assert theirs.describe_trails()["trailList"] == []
        assert theirs.list_trails()["Trails"] == []
        assert theirs.list_event_data_stores()["EventDataStores"] == []
        # By name: their own namespace, where no such trail exists.
        assert error(theirs.get_trail, Name="private-trail")["Code"] == "TrailNotFoundException"
        assert error(theirs.delete_trail, Name="private-trail")["Code"] == "TrailNotFoundException"
        # By ARN: the resource is this account's; no resource policy lets them in.
        for call, kw in [(theirs.get_trail, {"Name": arn}), (theirs.delete_trail, {"Name": arn}),
                         (theirs.stop_logging, {"Name": arn}), (theirs.get_trail_status, {"Name": arn}),
                         (theirs.put_event_selectors, {"TrailName": arn, "EventSelectors": [{"ReadWriteType": "ReadOnly"}]}),
                         (theirs.add_tags, {"ResourceId": arn, "TagsList": [{"Key": "pwned", "Value": "1"}]}),
                         (theirs.list_tags, {"ResourceIdList": [arn]}),
                         (theirs.get_event_data_store, {"EventDataStore": eds}),
                         (theirs.delete_event_data_store, {"EventDataStore": eds})]:
            assert error(call, **kw)["Code"] in ("AccessDeniedException", "TrailNotFoundException",
                                                 "EventDataStoreNotFoundException"), call
        assert mine.get_trail(Name="private-trail")["Trail"]["HasCustomEventSelectors"] is False
        assert mine.list_tags(ResourceIdList=[arn])["ResourceTagList"][0]["TagsList"] == []
        assert mine.get_event_data_store(EventDataStore=eds)["Status"] == "ENABLED"
        # Their trail of the same name is theirs alone.
        theirs.create_trail(Name="private-trail", S3BucketName="their-bucket")
        assert theirs.get_trail(Name="private-trail")["Trail"]["TrailARN"].split(":")[4] == OTHER_ACCOUNT
        assert mine.get_trail(Name="private-trail")["Trail"]["S3BucketName"] == "private-bucket"
    finally:
        for ct in (mine, theirs):
            for t in ct.list_trails()["Trails"]:
                ct.delete_trail(Name=t["TrailARN"])


def test_hostile_selectors_and_names_change_nothing(server: IamdServer) -> None:
    ct: Any = server.client("cloudtrail")
    ct.create_trail(Name="target", S3BucketName="bucket-a")
    huge = [{"Name": "x", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                             {"Field": "eventSource", "NotEquals": [f"s{i}.amazonaws.com" for i in range(501)]}]}]
    assert error(ct.put_event_selectors, TrailName="target", AdvancedEventSelectors=huge)["Code"] in (
        "InvalidEventSelectorsException", "ValidationException")
    for field in ("eventCategory'; DROP TABLE ct_trails;--", "../../etc/passwd"):
        e = error(ct.put_event_selectors, TrailName="target", AdvancedEventSelectors=[
            {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": field, "Equals": ["x"]}]}])
        assert e["Code"] in ("InvalidEventSelectorsException", "ValidationException"), e
    for name in ("tr\u00e4il", "trail\x00x", "a" * 129, "x" * 10_000):
        assert error(ct.create_trail, Name=name, S3BucketName="bucket-a")["Code"] in (
            "InvalidTrailNameException", "ValidationException")
    assert ct.get_event_selectors(TrailName="target")["EventSelectors"][0]["ReadWriteType"] == "All"
    assert [t["Name"] for t in ct.list_trails()["Trails"]] == ["target"]


def test_trail_changes_are_recorded(server: IamdServer) -> None:
    ct: Any = server.client("cloudtrail")
    ct.create_trail(Name="recorded", S3BucketName="bucket-a")
    ct.start_logging(Name="recorded")
    ct.delete_trail(Name="recorded")
    names = [e["EventName"] for e in ct.lookup_events(LookupAttributes=[
        {"AttributeKey": "EventSource", "AttributeValue": "cloudtrail.amazonaws.com"}])["Events"]]
    assert {"CreateTrail", "StartLogging", "DeleteTrail"} <= set(names)
