"""The IAM service: importing this package registers every IAM action."""

from iamd.services.iam import access_keys, account, groups, users  # noqa: F401
