"""AWS Organizations (JSON 1.1, ``AWSOrganizationsV20161128.*``): importing this package registers
every action. See docs/organizations.md."""

from iamd.errors import AwsError
from iamd.services.organizations import (  # noqa: F401
    account_creation,
    accounts,
    attachments,
    delegation,
    effective_policies,
    features,
    handshakes,
    membership,
    organization,
    policies,
    policy_types,
    resource_policy,
    responsibility_transfers,
    tagging,
    units,
)
from iamd.services.organizations.errors import ConcurrentModificationException
from iamd.services.registry import STORE_ERRORS
from iamd.store.errors import AlreadyExists, MissingReference


def from_store(err: AlreadyExists | MissingReference) -> AwsError:
    """A constraint a concurrent writer hit first (each action checks under the management
    account's lock; this is the backstop): AWS's word for a change that raced another."""
    return ConcurrentModificationException(
        "The target of the operation is currently being modified by a different request. Try again later."
    )


STORE_ERRORS["organizations"] = from_store
