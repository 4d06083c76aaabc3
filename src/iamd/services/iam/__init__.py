"""The IAM service: importing this package registers every IAM action."""

from iamd.services.iam import users  # noqa: F401
