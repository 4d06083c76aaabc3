"""One repository object per named entity table."""

from __future__ import annotations

from iamd.store import schema
from iamd.store.named import NamedRepo

users = NamedRepo(schema.users, "user_id")
groups = NamedRepo(schema.groups, "group_id")
roles = NamedRepo(schema.roles, "role_id")
managed_policies = NamedRepo(schema.managed_policies, "policy_id")
instance_profiles = NamedRepo(schema.instance_profiles, "instance_profile_id")
mfa_devices = NamedRepo(schema.mfa_devices, "device_id")
