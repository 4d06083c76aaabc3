"""Query codec hot paths against the DESIGN.md budget (≤ 10 ms for a 1,000-item page).

Run: .venv/bin/python bench/bench_codec.py
"""

from __future__ import annotations

import time
import timeit
from datetime import UTC, datetime

import botocore.parsers

t0 = time.perf_counter()
from iamd.api.models import ServiceCodec  # noqa: E402

IAM = ServiceCodec.load("iam")
ServiceCodec.load("sts")
LOAD_MS = (time.perf_counter() - t0) * 1000

CREATE_USER = {"Action": "CreateUser", "Version": "2010-05-08", "UserName": "bob", "Path": "/eng/",
               **{f"Tags.member.{i}.{f}": f"{f.lower()}-{i}" for i in range(1, 11) for f in ("Key", "Value")}}


def user(i: int) -> dict:
    return {"Path": "/", "UserName": f"user-{i}", "UserId": f"AIDA{i:017d}",
            "Arn": f"arn:aws:iam::123456789012:user/user-{i}",
            "CreateDate": datetime(2024, 1, 1, 12, 0, i % 60, tzinfo=UTC),
            "PasswordLastUsed": datetime(2024, 2, 1, tzinfo=UTC)}


ONE = {"User": user(1)}
PAGE = {"Users": [user(i) for i in range(1000)], "IsTruncated": True, "Marker": "next"}


def per_call_ms(fn, number: int) -> float:
    fn()  # first call compiles the operation
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1000


def main() -> None:
    t = time.perf_counter()
    IAM.operation("CreateUser"), IAM.operation("GetUser"), IAM.operation("ListUsers")
    first_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    IAM.compile_all()
    ServiceCodec.load("sts").compile_all()
    all_ms = (time.perf_counter() - t) * 1000
    body = IAM.render("ListUsers", PAGE, "rid")
    parser = botocore.parsers.create_parser("query")
    shape = IAM.model.operation_model("ListUsers").output_shape
    rows = [
        ("load iam + sts models", LOAD_MS),
        ("compile CreateUser/GetUser/ListUsers (first use)", first_ms),
        ("compile every other iam + sts operation", all_ms),
        ("parse CreateUser, 10 tags", per_call_ms(lambda: IAM.parse(CREATE_USER), 2000)),
        ("render GetUser, 1 user", per_call_ms(lambda: IAM.render("GetUser", ONE, "rid"), 2000)),
        ("render ListUsers, 1,000 users", per_call_ms(lambda: IAM.render("ListUsers", PAGE, "rid"), 20)),
        ("(reference) botocore parses that page", per_call_ms(
            lambda: parser.parse({"body": body, "status_code": 200, "headers": {}}, shape), 5)),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'operation':<{width}}  {'ms':>9}")
    for name, ms in rows:
        print(f"{name:<{width}}  {ms:9.3f}")
    print(f"\nListUsers page: {len(body):,} bytes")


if __name__ == "__main__":
    main()


# --- AWS JSON protocol codec (cloudtrail LookupEvents) -------------------------------------------


def json_rows() -> list[tuple[str, float]]:
    """JSON codec rows: LookupEvents request parse, 50-event (AWS's page) and 1,000-event renders."""
    import botocore.serialize

    from iamd.api.json_protocol import JsonServiceCodec

    t = time.perf_counter()
    ct = JsonServiceCodec.load("cloudtrail")
    ct.operation("LookupEvents")
    load_ms = (time.perf_counter() - t) * 1000
    om = ct.model.operation_model("LookupEvents")
    request = botocore.serialize.create_serializer("json").serialize_to_request(
        {"LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": "bob"}],
         "StartTime": datetime(2024, 1, 1, tzinfo=UTC), "EndTime": datetime(2024, 2, 1, tzinfo=UTC),
         "MaxResults": 50}, om)
    target, body = request["headers"]["X-Amz-Target"], request["body"]

    def event(i: int) -> dict:
        return {"EventId": f"{i:08x}-0000-0000-0000-000000000000", "EventName": "CreateUser",
                "ReadOnly": "false", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
                "EventTime": datetime(2024, 1, 1, 12, 0, i % 60, tzinfo=UTC), "EventSource": "iam.amazonaws.com",
                "Username": "alice", "Resources": [{"ResourceType": "AWS::IAM::User", "ResourceName": f"u{i}"}],
                "CloudTrailEvent": '{"eventVersion":"1.08","eventName":"CreateUser"}'}

    page50 = {"Events": [event(i) for i in range(50)], "NextToken": "n"}
    page1000 = {"Events": [event(i) for i in range(1000)], "NextToken": "n"}
    rendered = ct.render("LookupEvents", page1000)
    parser = botocore.parsers.create_parser("json")
    return [
        ("json: load cloudtrail + compile LookupEvents", load_ms),
        ("json: parse LookupEvents", per_call_ms(lambda: ct.parse(target, body), 2000)),
        ("json: render LookupEvents, 50 events", per_call_ms(lambda: ct.render("LookupEvents", page50), 200)),
        ("json: render LookupEvents, 1,000 events", per_call_ms(lambda: ct.render("LookupEvents", page1000), 20)),
        ("json: (reference) botocore parses that page", per_call_ms(
            lambda: parser.parse({"body": rendered, "status_code": 200, "headers": {}}, om.output_shape), 5)),
    ]


if __name__ == "__main__":
    for row_name, row_ms in json_rows():
        print(f"{row_name:<50}  {row_ms:9.3f}")
