"""The IAM service: importing this package registers every IAM action."""

from iamd.services.iam import (  # noqa: F401
    access_keys,
    account,
    account_properties,
    attachments,
    authorization_details,
    context_keys,
    credential_report,
    delegation_requests,
    groups,
    inline_policies,
    instance_profiles,
    last_accessed,
    login_profiles,
    managed_policies,
    mfa,
    oidc_providers,
    org_access_report,
    org_root_access,
    outbound_federation,
    password_policy,
    policy_versions,
    role_templates,
    roles,
    saml_providers,
    server_certificates,
    service_credentials,
    service_linked_roles,
    signing_certificates,
    simulation,
    ssh_keys,
    sts_preferences,
    users,
)
from iamd.services.iam.errors import from_store
from iamd.services.registry import STORE_ERRORS

STORE_ERRORS["iam"] = from_store
