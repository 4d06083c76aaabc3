"""CloudTrail's rows of the security resource table: each operation and the ARNs the Service
Authorization Reference names for it (trails by the request's region, ``…:trail/NAME``; event
data stores, channels, dashboards by id or ARN; a resource the request does not name, such as a
new event data store, by its type's ARN with any id)."""

from __future__ import annotations

from typing import Any

from resource_table import Row, row

R = "arn:aws:cloudtrail:us-east-1:123456789012:"
TRAIL = R + "trail/probe-trail"
EDS_ID = "00000000-0000-4000-8000-000000000001"
EDS = R + "eventdatastore/" + EDS_ID
CHANNEL = R + "channel/00000000-0000-4000-8000-000000000002"
DASHBOARD = R + "dashboard/probe-dash"
C = "cloudtrail:"


def _n(**params: Any) -> Any:
    return lambda w: params


CT_ROWS: list[Row] = [
    row(C + "CreateTrail", _n(Name="probe-trail", S3BucketName="probe-bucket"), TRAIL),
    row(C + "UpdateTrail", _n(Name="probe-trail"), TRAIL),
    row(C + "DeleteTrail", _n(Name=TRAIL), TRAIL),
    row(C + "GetTrail", _n(Name="probe-trail"), TRAIL),
    row(C + "GetTrailStatus", _n(Name="probe-trail"), TRAIL),
    row(C + "StartLogging", _n(Name="probe-trail"), TRAIL),
    row(C + "StopLogging", _n(Name="probe-trail"), TRAIL),
    row(C + "DescribeTrails", _n(), "*"),
    row(C + "ListTrails", _n(), "*"),
    row(C + "GetEventSelectors", _n(TrailName="probe-trail"), TRAIL),
    row(C + "PutEventSelectors", _n(TrailName="probe-trail", EventSelectors=[{"ReadWriteType": "All"}]), TRAIL),
    row(C + "GetInsightSelectors", _n(TrailName="probe-trail"), TRAIL),
    row(C + "PutInsightSelectors", _n(TrailName="probe-trail", InsightSelectors=[]), TRAIL),
    row(C + "AddTags", _n(ResourceId=TRAIL, TagsList=[{"Key": "k", "Value": "v"}]), TRAIL),
    row(C + "RemoveTags", _n(ResourceId=EDS, TagsList=[{"Key": "k"}]), EDS),
    row(C + "ListTags", _n(ResourceIdList=[TRAIL]), TRAIL),
    row(C + "CreateEventDataStore", _n(Name="probe-eds"), R + "eventdatastore/*"),
    row(C + "GetEventDataStore", _n(EventDataStore=EDS_ID), EDS),
    row(C + "UpdateEventDataStore", _n(EventDataStore=EDS), EDS),
    row(C + "DeleteEventDataStore", _n(EventDataStore=EDS), EDS),
    row(C + "RestoreEventDataStore", _n(EventDataStore=EDS), EDS),
    row(C + "StartEventDataStoreIngestion", _n(EventDataStore=EDS), EDS),
    row(C + "StopEventDataStoreIngestion", _n(EventDataStore=EDS), EDS),
    row(C + "ListEventDataStores", _n(), "*"),
    row(C + "PutResourcePolicy", _n(ResourceArn=EDS, ResourcePolicy='{"Version":"2012-10-17","Statement":[]}'), EDS),
    row(C + "GetResourcePolicy", _n(ResourceArn=EDS), EDS),
    row(C + "DeleteResourcePolicy", _n(ResourceArn=EDS), EDS),
    row(C + "StartQuery", _n(QueryStatement="SELECT 1"), R + "eventdatastore/*"),
    row(C + "DescribeQuery", _n(QueryId="00000000-0000-4000-8000-000000000003", EventDataStore=EDS), EDS),
    row(C + "GetQueryResults", _n(QueryId="00000000-0000-4000-8000-000000000003"), R + "eventdatastore/*"),
    row(C + "CancelQuery", _n(QueryId="00000000-0000-4000-8000-000000000003"), R + "eventdatastore/*"),
    row(C + "ListQueries", _n(EventDataStore=EDS), EDS),
    row(C + "GenerateQuery", _n(EventDataStores=[EDS], Prompt="who changed IAM"), EDS),
    row(C + "SearchSampleQueries", _n(SearchPhrase="iam"), "*"),
    row(C + "CreateChannel", _n(Name="probe-channel", Source="Custom",
                                Destinations=[{"Type": "EVENT_DATA_STORE", "Location": EDS}]),
        EDS, R + "channel/*"),
    row(C + "GetChannel", _n(Channel=CHANNEL), CHANNEL),
    row(C + "UpdateChannel", _n(Channel=CHANNEL), CHANNEL),
    row(C + "DeleteChannel", _n(Channel=CHANNEL), CHANNEL),
    row(C + "ListChannels", _n(), "*"),
    row(C + "CreateDashboard", _n(Name="probe-dash"), DASHBOARD),
    row(C + "GetDashboard", _n(DashboardId=DASHBOARD), DASHBOARD),
    row(C + "UpdateDashboard", _n(DashboardId="probe-dash"), DASHBOARD),
    row(C + "DeleteDashboard", _n(DashboardId=DASHBOARD), DASHBOARD),
    row(C + "StartDashboardRefresh", _n(DashboardId=DASHBOARD), DASHBOARD),
    row(C + "ListDashboards", _n(), "*"),
    row(C + "StartImport", _n(ImportId="00000000-0000-4000-8000-000000000004"), "*"),
    row(C + "GetImport", _n(ImportId="00000000-0000-4000-8000-000000000004"), "*"),
    row(C + "StopImport", _n(ImportId="00000000-0000-4000-8000-000000000004"), "*"),
    row(C + "ListImports", _n(), "*"),
    row(C + "ListImportFailures", _n(ImportId="00000000-0000-4000-8000-000000000004"), "*"),
    row(C + "EnableFederation", _n(EventDataStore=EDS, FederationRoleArn="arn:aws:iam::123456789012:role/f"), EDS),
    row(C + "DisableFederation", _n(EventDataStore=EDS), EDS),
    row(C + "RegisterOrganizationDelegatedAdmin", _n(MemberAccountId="111122223333"), "*"),
    row(C + "DeregisterOrganizationDelegatedAdmin", _n(DelegatedAdminAccountId="111122223333"), "*"),
    row(C + "GetEventConfiguration", _n(TrailName="probe-trail"), TRAIL),
    row(C + "PutEventConfiguration", _n(TrailName="probe-trail"), TRAIL),
    row(C + "ListInsightsData", _n(InsightSource=TRAIL, DataType="InsightsEvents"), TRAIL),
    row(C + "ListInsightsMetricData", _n(EventSource="iam.amazonaws.com", EventName="CreateUser",
                                         InsightType="ApiCallRateInsight"), "*",
        beyond_sar="not in the Service Authorization Reference; authorized on * under its API name"),
]
