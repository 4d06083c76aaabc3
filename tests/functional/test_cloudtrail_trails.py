"""CloudTrail trails through boto3 against a real server: CRUD, quotas, names, selectors, tags,
logging state, event data stores, and the operations iamd answers as unsupported."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from functional_helpers import allow, as_creds, doc, error

from iamd.testing import IamdServer

ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/"


@pytest.fixture
def ct(server: IamdServer) -> Any:
    return server.client("cloudtrail")


def test_create_describe_get_delete(ct: Any) -> None:
    out = ct.create_trail(Name="Trail1", S3BucketName="my-bucket", IsMultiRegionTrail=True,
                          EnableLogFileValidation=True, TagsList=[{"Key": "team", "Value": "sec"}])
    assert out["TrailARN"] == ARN + "Trail1"
    assert out["IsMultiRegionTrail"] and out["LogFileValidationEnabled"] and out["IncludeGlobalServiceEvents"]
    trail = ct.get_trail(Name="Trail1")["Trail"]
    assert trail["HomeRegion"] == "us-east-1" and trail["HasCustomEventSelectors"] is False
    assert [t["Name"] for t in ct.describe_trails()["trailList"]] == ["Trail1"]
    assert ct.list_trails()["Trails"] == [{"TrailARN": ARN + "Trail1", "Name": "Trail1", "HomeRegion": "us-east-1"}]
    assert ct.list_tags(ResourceIdList=[ARN + "Trail1"])["ResourceTagList"][0]["TagsList"] == [{"Key": "team", "Value": "sec"}]
    assert ct.get_trail_status(Name=ARN + "Trail1")["IsLogging"] is False
    # A multi-region trail is seen from other regions (its shadow), changed only from home.
    west = ct.meta.region_name != "us-west-2"
    assert west
    ct.delete_trail(Name="Trail1")
    assert error(ct.get_trail, Name="Trail1")["Code"] == "TrailNotFoundException"


def test_shadow_trails_and_home_region(server: IamdServer, ct: Any) -> None:
    ct.create_trail(Name="Everywhere", S3BucketName="bucket-a", IsMultiRegionTrail=True)
    ct.create_trail(Name="HereOnly", S3BucketName="bucket-a")
    west = server.client("cloudtrail", region_name="us-west-2")
    assert [t["Name"] for t in west.describe_trails()["trailList"]] == ["Everywhere"]
    assert west.describe_trails(includeShadowTrails=False)["trailList"] == []
    assert error(west.get_trail, Name="HereOnly")["Code"] == "TrailNotFoundException"
    assert error(west.start_logging, Name="Everywhere")["Code"] == "InvalidHomeRegionException"
    assert error(west.create_trail, Name="Everywhere", S3BucketName="bucket-a")["Code"] == "TrailAlreadyExistsException"


def test_quota_names_and_bad_input(ct: Any) -> None:
    for n in range(5):
        ct.create_trail(Name=f"t{n}-trail", S3BucketName="bucket-a")
    assert error(ct.create_trail, Name="sixth", S3BucketName="bucket-a")["Code"] == "MaximumNumberOfTrailsExceededException"
    assert error(ct.create_trail, Name="t0-trail", S3BucketName="bucket-a")["Code"] in (
        "TrailAlreadyExistsException", "MaximumNumberOfTrailsExceededException")
    for bad in ("ab", "a--b", "-abc", "abc-", "10.0.0.1", "a" * 129, "ab/../c", "a b c"):
        assert error(ct.get_trail, Name=bad)["Code"] == "InvalidTrailNameException", bad
    ct.delete_trail(Name="t4-trail")
    for kw, code in [
        ({"S3BucketName": "Bad_Bucket"}, "InvalidS3BucketNameException"),
        ({"S3BucketName": "bucket-a", "S3KeyPrefix": "../../etc"}, "InvalidS3PrefixException"),
        ({"S3BucketName": "bucket-a", "S3KeyPrefix": "/abs"}, "InvalidS3PrefixException"),
        ({"S3BucketName": "bucket-a", "KmsKeyId": "alias/x"}, "InvalidKmsKeyIdException"),
        ({"S3BucketName": "bucket-a", "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": False},
         "InvalidParameterCombinationException"),
    ]:
        assert error(ct.create_trail, Name="fifth", **kw)["Code"] == code
    assert error(ct.get_trail, Name="arn:aws:cloudtrail:us-east-1:12:trail/x")["Code"] == "CloudTrailARNInvalidException"
    assert len(ct.list_trails()["Trails"]) == 4  # nothing half-made


def test_event_selectors(ct: Any) -> None:
    ct.create_trail(Name="sel", S3BucketName="bucket-a")
    default = ct.get_event_selectors(TrailName="sel")["EventSelectors"]
    assert default == [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
                        "ExcludeManagementEventSources": []}]
    out = ct.put_event_selectors(TrailName="sel", EventSelectors=[{"ReadWriteType": "WriteOnly"}])
    assert out["EventSelectors"][0]["ReadWriteType"] == "WriteOnly"
    assert ct.get_trail(Name="sel")["Trail"]["HasCustomEventSelectors"] is True
    adv = [{"Name": "writes", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                 {"Field": "readOnly", "Equals": ["false"]}]}]
    ct.put_event_selectors(TrailName="sel", AdvancedEventSelectors=adv)
    got = ct.get_event_selectors(TrailName="sel")
    assert got["AdvancedEventSelectors"] == adv and "EventSelectors" not in got
    bad = [
        {"EventSelectors": [{"ReadWriteType": "All"}] * 6},
        {"EventSelectors": [{"ExcludeManagementEventSources": ["iam.amazonaws.com"]}]},
        {"EventSelectors": [{"DataResources": [{"Type": "AWS::Nope::Thing", "Values": ["arn:aws:s3"]}]}]},
        {"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "readOnly", "Equals": ["true"]}]}]},
        {"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                        {"Field": "eventName", "Equals": ["CreateUser"]}]}]},
        {"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                        {"Field": "readOnly", "Equals": ["maybe"]}]}]},
    ]
    for kw in bad:
        assert error(ct.put_event_selectors, TrailName="sel", **kw)["Code"] == "InvalidEventSelectorsException", kw
    both = {"EventSelectors": [{"ReadWriteType": "All"}], "AdvancedEventSelectors": adv}
    assert error(ct.put_event_selectors, TrailName="sel", **both)["Code"] == "InvalidParameterCombinationException"
    assert ct.get_event_selectors(TrailName="sel")["AdvancedEventSelectors"] == adv  # unchanged


def test_insight_selectors(ct: Any) -> None:
    ct.create_trail(Name="ins", S3BucketName="bucket-a")
    assert error(ct.get_insight_selectors, TrailName="ins")["Code"] == "InsightNotEnabledException"
    ct.put_insight_selectors(TrailName="ins", InsightSelectors=[{"InsightType": "ApiCallRateInsight"}])
    assert ct.get_insight_selectors(TrailName="ins")["InsightSelectors"] == [{"InsightType": "ApiCallRateInsight"}]
    assert ct.get_trail(Name="ins")["Trail"]["HasInsightSelectors"] is True
    ct.put_event_selectors(TrailName="ins", EventSelectors=[{"ReadWriteType": "ReadOnly"}])
    assert error(ct.put_insight_selectors, TrailName="ins",
                 InsightSelectors=[{"InsightType": "ApiErrorRateInsight"}])["Code"] == "InvalidInsightSelectorsException"


def test_logging_state(ct: Any) -> None:
    ct.create_trail(Name="log", S3BucketName="bucket-a")
    ct.start_logging(Name="log")
    status = ct.get_trail_status(Name="log")
    assert status["IsLogging"] is True and "StartLoggingTime" in status
    ct.stop_logging(Name="log")
    status = ct.get_trail_status(Name="log")
    assert status["IsLogging"] is False and "StopLoggingTime" in status


def test_tags(ct: Any) -> None:
    ct.create_trail(Name="tagged", S3BucketName="bucket-a")
    arn = ARN + "tagged"
    ct.add_tags(ResourceId=arn, TagsList=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ct.remove_tags(ResourceId=arn, TagsList=[{"Key": "a"}])
    assert ct.list_tags(ResourceIdList=[arn])["ResourceTagList"][0]["TagsList"] == [{"Key": "b", "Value": "2"}]
    assert error(ct.add_tags, ResourceId=arn, TagsList=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])["Code"] == (
        "TagsLimitExceededException")
    assert error(ct.add_tags, ResourceId=arn, TagsList=[{"Key": "aws:x", "Value": "v"}])["Code"] == "InvalidTagParameterException"
    other = "arn:aws:cloudtrail:us-east-1:210987654321:trail/tagged"
    assert error(ct.add_tags, ResourceId=other, TagsList=[{"Key": "x", "Value": "v"}])["Code"] == "AccessDeniedException"


def test_event_data_store_states(ct: Any) -> None:
    eds = ct.create_event_data_store(Name="my-eds", RetentionPeriod=30, TagsList=[{"Key": "k", "Value": "v"}])
    arn = eds["EventDataStoreArn"]
    assert eds["Status"] == "CREATED" and eds["TerminationProtectionEnabled"] is True
    assert ct.get_event_data_store(EventDataStore=arn)["Status"] == "ENABLED"
    assert error(ct.start_event_data_store_ingestion, EventDataStore=arn)["Code"] == "InvalidEventDataStoreStatusException"
    ct.stop_event_data_store_ingestion(EventDataStore=arn)
    assert ct.get_event_data_store(EventDataStore=arn.rsplit("/", 1)[1])["Status"] == "STOPPED_INGESTION"
    ct.start_event_data_store_ingestion(EventDataStore=arn)
    assert error(ct.delete_event_data_store, EventDataStore=arn)["Code"] == "EventDataStoreTerminationProtectedException"
    ct.update_event_data_store(EventDataStore=arn, TerminationProtectionEnabled=False)
    ct.delete_event_data_store(EventDataStore=arn)
    assert ct.get_event_data_store(EventDataStore=arn)["Status"] == "PENDING_DELETION"
    assert error(ct.update_event_data_store, EventDataStore=arn, RetentionPeriod=40)["Code"] == "InactiveEventDataStoreException"
    assert ct.restore_event_data_store(EventDataStore=arn)["Status"] == "ENABLED"
    assert error(ct.create_event_data_store, Name="my-eds")["Code"] == "EventDataStoreAlreadyExistsException"
    assert error(ct.create_event_data_store, Name="x22", RetentionPeriod=3000, BillingMode="FIXED_RETENTION_PRICING")["Code"] == "InvalidParameterException"
    assert error(ct.get_event_data_store, EventDataStore="not-an-id")["Code"] == "EventDataStoreARNInvalidException"
    assert ct.list_tags(ResourceIdList=[arn])["ResourceTagList"][0]["TagsList"] == [{"Key": "k", "Value": "v"}]
    assert [e["Name"] for e in ct.list_event_data_stores()["EventDataStores"]] == ["my-eds"]


def test_every_operation_answers(server: IamdServer) -> None:
    """No CloudTrail operation of botocore's model answers NotImplemented."""
    ct = server.client("cloudtrail", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    model = botocore.session.get_session().get_service_model("cloudtrail")
    for name in model.operation_names:
        op = model.operation_model(name)
        params = {m: _dummy(op.input_shape.members[m]) for m in (op.input_shape.required_members if op.input_shape else [])}
        method = getattr(ct, botocore.xform_name(name))
        try:
            method(**params)
        except ClientError as err:
            assert err.response["Error"]["Code"] not in ("NotImplemented", "InternalFailure", "UnknownOperationException"), name


def _dummy(shape: Any) -> Any:
    if shape.type_name == "string":
        return "arn:aws:cloudtrail:us-east-1:123456789012:trail/nothing" if not shape.enum else shape.enum[0]
    if shape.type_name == "list":
        member = shape.member
        return [_dummy(member)] if member.type_name != "structure" else []
    if shape.type_name == "structure":
        return {m: _dummy(shape.members[m]) for m in shape.required_members}
    if shape.type_name == "boolean":
        return False
    if shape.type_name in ("integer", "long"):
        return 1
    if shape.type_name == "timestamp":
        return "2024-01-01T00:00:00Z"
    if shape.type_name == "map":
        return {}
    return None


def test_low_privilege_and_other_account(server: IamdServer, iam: Any, ct: Any) -> None:
    ct.create_trail(Name="guarded", S3BucketName="bucket-a")
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="p", PolicyDocument=doc(
        allow(["cloudtrail:GetTrail", "cloudtrail:DescribeTrails"], "*")))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    reader = as_creds(server, "cloudtrail", key)
    assert reader.get_trail(Name="guarded")["Trail"]["Name"] == "guarded"
    for call, kw in [(reader.delete_trail, {"Name": "guarded"}), (reader.stop_logging, {"Name": "guarded"}),
                     (reader.create_trail, {"Name": "mine", "S3BucketName": "bucket-a"}),
                     (reader.put_event_selectors, {"TrailName": "guarded", "EventSelectors": [{"ReadWriteType": "All"}]})]:
        e = error(call, **kw)
        assert e["Code"] == "AccessDeniedException", e
        assert "arn:aws:cloudtrail:us-east-1:123456789012:trail/" in e["Message"]
    assert ct.get_trail(Name="guarded")["Trail"]["Name"] == "guarded"
    assert json.dumps(ct.list_trails()["Trails"]).count("guarded") == 2  # its ARN and its name


def test_restart_logging_does_not_deliver_the_stopped_time(server: IamdServer) -> None:
    """Through the API: StartLogging after StopLogging moves on (the logic both ways is in
    services/trails/logging.py; the delivery side in tests/unit/audit/test_trail_delivery.py)."""
    ct = server.client("cloudtrail")
    ct.create_trail(Name="again", S3BucketName="bucket-a")
    ct.start_logging(Name="again")
    ct.stop_logging(Name="again")
    ct.start_logging(Name="again")
    status = ct.get_trail_status(Name="again")
    assert status["IsLogging"] is True and status["StartLoggingTime"] >= status["StopLoggingTime"]


def test_becoming_multi_region_counts_in_every_region(server: IamdServer) -> None:
    west = server.client("cloudtrail", region_name="us-west-2")
    for n in range(5):
        west.create_trail(Name=f"west-{n}", S3BucketName="bucket-a")
    east = server.client("cloudtrail")
    east.create_trail(Name="east-one", S3BucketName="bucket-a")
    e = error(east.update_trail, Name="east-one", IsMultiRegionTrail=True)
    assert e["Code"] == "MaximumNumberOfTrailsExceededException"
    assert east.get_trail(Name="east-one")["Trail"]["IsMultiRegionTrail"] is False
