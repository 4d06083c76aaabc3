"""The IAM service: importing this package registers every IAM action."""

from iamd.services.iam import (  # noqa: F401
    access_keys,
    account,
    attachments,
    authorization_details,
    credential_report,
    groups,
    inline_policies,
    instance_profiles,
    managed_policies,
    policy_versions,
    roles,
    service_linked_roles,
    users,
)
