"""The relational schema of every IAM entity (SQLAlchemy Core).

Every table is scoped by ``account_id``: accounts share nothing. Names are unique per account
case-insensitively, as in AWS, through a ``name_lower`` column with a unique index; the same
column is the keyset that pagination walks, so a page never skips or repeats an item while
others write. Principals (users, groups, roles) and policy holders are addressed by their AWS
unique id (AIDA…, AGPA…, AROA…), which survives renames.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from iamd.store.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("alias", String(63), nullable=True, unique=True),
    Column("is_default", Boolean, nullable=False, default=False),
    # Bumped in the same transaction as every IAM change of the account: compiled policy sets are
    # cached per (principal, generation), so a change is enforced on the very next request, on
    # every node sharing the database.
    Column("generation", Integer, nullable=False, default=0, server_default="0"),
)

users = Table(
    "users",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("name_lower", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("permissions_boundary", String(2048), nullable=True),
    Column("password_last_used", UtcDateTime(), nullable=True),
    UniqueConstraint("account_id", "name_lower"),
)

groups = Table(
    "groups",
    metadata,
    Column("group_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("account_id", "name_lower"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", String(32), ForeignKey("groups.group_id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True),
    Column("added_at", UtcDateTime(), nullable=False),
    Index(None, "user_id"),
)

roles = Table(
    "roles",
    metadata,
    Column("role_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("name_lower", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("assume_role_policy", Text, nullable=False),
    Column("description", String(1000), nullable=True),
    Column("max_session_duration", Integer, nullable=False),
    Column("permissions_boundary", String(2048), nullable=True),
    Column("service_linked", Boolean, nullable=False, default=False),
    Column("last_used_at", UtcDateTime(), nullable=True),
    Column("last_used_region", String(64), nullable=True),
    UniqueConstraint("account_id", "name_lower"),
)

managed_policies = Table(
    "managed_policies",
    metadata,
    Column("policy_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("description", String(1000), nullable=True),
    Column("default_version", String(16), nullable=False),
    Column("next_version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("account_id", "name_lower"),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("policy_id", String(32), ForeignKey("managed_policies.policy_id", ondelete="CASCADE"), primary_key=True),
    Column("version_id", String(16), primary_key=True),
    Column("number", Integer, nullable=False),
    Column("document", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# INVARIANT: principal_id is a users/groups/roles id of the same account_id; policy_arn is an
# account's own managed policy or an AWS-managed one (arn:aws:iam::aws:policy/...).
policy_attachments = Table(
    "policy_attachments",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("principal_type", String(8), primary_key=True),
    Column("principal_id", String(32), primary_key=True),
    Column("policy_arn", String(2048), primary_key=True),
    Column("attached_at", UtcDateTime(), nullable=False),
    Index(None, "account_id", "policy_arn"),
)

inline_policies = Table(
    "inline_policies",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("principal_type", String(8), primary_key=True),
    Column("principal_id", String(32), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("document", Text, nullable=False),
    Column("size", Integer, nullable=False),
)

instance_profiles = Table(
    "instance_profiles",
    metadata,
    Column("instance_profile_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("account_id", "name_lower"),
)

# INVARIANT: AWS allows one role per instance profile, hence the profile id as primary key.
instance_profile_roles = Table(
    "instance_profile_roles",
    metadata,
    Column(
        "instance_profile_id",
        String(32),
        ForeignKey("instance_profiles.instance_profile_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("role_id", String(32), ForeignKey("roles.role_id", ondelete="CASCADE"), nullable=False),
    Index(None, "role_id"),
)

# Tags of users, roles, managed policies and instance profiles (resource_type says which).
tags = Table(
    "tags",
    metadata,
    Column("resource_type", String(16), primary_key=True),
    Column("resource_id", String(32), primary_key=True),
    Column("key_lower", String(128), primary_key=True),
    Column("key", String(128), nullable=False),
    Column("value", String(256), nullable=False),
    Column("position", Integer, nullable=False),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    # NULL user_id: the account's root user.
    Column("user_id", String(32), ForeignKey("users.user_id", ondelete="CASCADE"), nullable=True),
    Column("secret_sealed", LargeBinary, nullable=False),
    Column("status", String(8), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_used_at", UtcDateTime(), nullable=True),
    Column("last_used_service", String(64), nullable=True),
    Column("last_used_region", String(64), nullable=True),
    Index(None, "user_id"),
    Index(None, "account_id"),
)

service_linked_role_deletions = Table(
    "service_linked_role_deletions",
    metadata,
    Column("task_id", String(128), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("role_name", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)


# --- credentials (passwords, MFA, keys, certificates) ------------------------------------------

login_profiles = Table(
    "login_profiles",
    metadata,
    Column("user_id", String(32), ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True),
    # Argon2id encoded hash (algorithm, parameters and salt inside); never the password.
    Column("password_hash", String(256), nullable=False),
    Column("password_reset_required", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("password_last_changed", UtcDateTime(), nullable=False),
)

# Earlier password hashes of a user, for PasswordReusePrevention.
password_history = Table(
    "password_history",
    metadata,
    Column("entry_id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(32), ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    Index(None, "user_id"),
)

password_policies = Table(
    "password_policies",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), primary_key=True),
    Column("minimum_password_length", Integer, nullable=False),
    Column("require_symbols", Boolean, nullable=False),
    Column("require_numbers", Boolean, nullable=False),
    Column("require_uppercase_characters", Boolean, nullable=False),
    Column("require_lowercase_characters", Boolean, nullable=False),
    Column("allow_users_to_change_password", Boolean, nullable=False),
    Column("max_password_age", Integer, nullable=True),
    Column("password_reuse_prevention", Integer, nullable=True),
    Column("hard_expiry", Boolean, nullable=False),
)

# Virtual MFA devices. user_id NULL and assigned_to_root false: created but not enabled for anyone.
mfa_devices = Table(
    "mfa_devices",
    metadata,
    Column("device_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("serial_number", String(512), nullable=False, unique=True),
    Column("name", String(226), nullable=False),
    Column("name_lower", String(226), nullable=False),
    Column("path", String(512), nullable=False),
    Column("seed_sealed", LargeBinary, nullable=False),
    Column("user_id", String(32), ForeignKey("users.user_id", ondelete="SET NULL"), nullable=True),
    Column("assigned_to_root", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("enabled_at", UtcDateTime(), nullable=True),
    # The last TOTP time step accepted: a code at or before it is a replay.
    Column("last_used_step", Integer, nullable=True),
    # How many time steps the device's clock runs ahead of the server's (behind if negative);
    # ResyncMFADevice measures it, verification centres its window on it.
    Column("drift_steps", Integer, nullable=False, default=0, server_default="0"),
    # Codes tried since the last accepted one, and until when the device refuses every code
    # (services/iam/mfa_attempts.py): one row per device, however many guesses an attacker sends.
    Column("failed_attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("locked_until", UtcDateTime(), nullable=True),
    UniqueConstraint("account_id", "name_lower"),
    Index(None, "user_id"),
)

ssh_public_keys = Table(
    "ssh_public_keys",
    metadata,
    Column("ssh_public_key_id", String(128), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    Column("body", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(8), nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    Index(None, "user_id"),
)

# user_id NULL: the root user's certificate.
signing_certificates = Table(
    "signing_certificates",
    metadata,
    Column("certificate_id", String(128), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("user_id", String(32), ForeignKey("users.user_id", ondelete="CASCADE"), nullable=True),
    Column("body", Text, nullable=False),
    Column("status", String(8), nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    Index(None, "user_id"),
)

server_certificates = Table(
    "server_certificates",
    metadata,
    Column("server_certificate_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("body", Text, nullable=False),
    Column("chain", Text, nullable=True),
    # Sealed with the master key; never returned by any API.
    Column("private_key_sealed", LargeBinary, nullable=False),
    Column("expiration", UtcDateTime(), nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    UniqueConstraint("account_id", "name_lower"),
)

service_specific_credentials = Table(
    "service_specific_credentials",
    metadata,
    Column("credential_id", String(128), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    Column("service_name", String(128), nullable=False),
    Column("service_user_name", String(200), nullable=False),
    # Argon2id hash: the password is shown once, at creation or reset.
    Column("password_hash", String(256), nullable=False),
    Column("status", String(8), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index(None, "user_id"),
)

credential_reports = Table(
    "credential_reports",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), primary_key=True),
    Column("generated_at", UtcDateTime(), nullable=False),
    Column("content", Text, nullable=False),
)

import iamd.store.aa_schema  # noqa: E402, F401  (IAM Access Analyzer tables, in this metadata)
import iamd.store.activity_schema  # noqa: E402, F401  (jobs that read the audit trail, in this metadata)
import iamd.store.audit_schema  # noqa: E402, F401  (the audit trail tables, in this metadata)
import iamd.store.cloudtrail_schema  # noqa: E402, F401  (CloudTrail trails and event data stores)
import iamd.store.key_schema  # noqa: E402, F401  (master-key registry tables, in this metadata)
import iamd.store.oidc_schema  # noqa: E402, F401  (IAM OIDC providers, in this metadata)
import iamd.store.org_schema  # noqa: E402, F401  (AWS Organizations tables, in this metadata)
import iamd.store.outbound_schema  # noqa: E402, F401  (outbound web identity federation, in this metadata)
import iamd.store.saml_schema  # noqa: E402, F401  (SAML identity providers, in this metadata)
import iamd.store.settings_schema  # noqa: E402, F401  (account settings, the organization's resource policy)
