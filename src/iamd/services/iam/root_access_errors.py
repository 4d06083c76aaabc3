"""IAM's errors of centralized root access (``EnableOrganizationsRootSessions`` and its kin).

botocore's ``iam`` model declares these shapes without an ``error`` block, so the wire code is the
shape name itself (the SDKs map an error to ``client.exceptions.<ShapeName>`` by that code) and
the status is the Query protocol's default for a client error, 400. The messages are the model's
documentation of each shape.
"""

from __future__ import annotations

from iamd.errors import SenderError


class ServiceAccessNotEnabled(SenderError):
    code = "ServiceAccessNotEnabledException"
    fmt = (
        "The request was rejected because trusted access is not enabled for IAM in Organizations. "
        "For details, see IAM and Organizations in the Organizations User Guide."
    )


class OrganizationNotFound(SenderError):
    code = "OrganizationNotFoundException"
    fmt = "The request was rejected because no organization is associated with your account."


class OrganizationNotInAllFeaturesMode(SenderError):
    code = "OrganizationNotInAllFeaturesModeException"
    fmt = "The request was rejected because your organization does not have All features enabled."


class AccountNotManagementOrDelegatedAdministrator(SenderError):
    code = "AccountNotManagementOrDelegatedAdministratorException"
    fmt = (
        "The request was rejected because the account making the request is not the management "
        "account or delegated administrator account for centralized root access."
    )


class CallerIsNotManagementAccount(SenderError):
    code = "CallerIsNotManagementAccountException"
    fmt = (
        "The request was rejected because the account making the request is not the management "
        "account for the organization."
    )


# Shape name in botocore's model -> class; the test walks this table.
BY_SHAPE = {
    "ServiceAccessNotEnabledException": ServiceAccessNotEnabled,
    "OrganizationNotFoundException": OrganizationNotFound,
    "OrganizationNotInAllFeaturesModeException": OrganizationNotInAllFeaturesMode,
    "AccountNotManagementOrDelegatedAdministratorException": AccountNotManagementOrDelegatedAdministrator,
    "CallerIsNotManagementAccountException": CallerIsNotManagementAccount,
}
