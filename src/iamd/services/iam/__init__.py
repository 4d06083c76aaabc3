"""The IAM service: importing this package registers every IAM action."""

from iamd.services.iam import (  # noqa: F401
    access_keys,
    account,
    groups,
    instance_profiles,
    roles,
    service_linked_roles,
    users,
)
