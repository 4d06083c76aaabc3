"""Actions leave with their service's AWS error when the store refuses a concurrent write."""

from __future__ import annotations

from typing import Any

import pytest

from iamd.services.iam.errors import EntityAlreadyExists, NoSuchEntity
from iamd.services.registry import ACTIONS, _translating, load_all
from iamd.store.errors import AlreadyExists, Busy, MissingReference, StoreError


def _raising(err: Exception) -> Any:
    def fn(call: Any, params: dict[str, Any]) -> None:
        raise err

    return fn


@pytest.mark.parametrize(
    ("refusal", "expected"),
    [(AlreadyExists("uq_users"), EntityAlreadyExists), (MissingReference("fk_users"), NoSuchEntity)],
)
def test_iam_names_the_store_refusals(refusal: StoreError, expected: type[Exception]) -> None:
    load_all()
    with pytest.raises(expected) as caught:
        _translating("iam", _raising(refusal))(None, {})  # type: ignore[arg-type]
    assert "uq_" not in str(caught.value) and "fk_" not in str(caught.value)  # no schema names leak


def test_busy_and_services_without_a_translation_pass_through() -> None:
    load_all()
    with pytest.raises(Busy):
        _translating("iam", _raising(Busy("locked")))(None, {})  # type: ignore[arg-type]
    with pytest.raises(AlreadyExists):
        _translating("sts", _raising(AlreadyExists("x")))(None, {})  # type: ignore[arg-type]


def test_every_registered_action_is_wrapped() -> None:
    for table in load_all().values():
        for fn in table.values():
            assert fn.__wrapped__ is not fn  # type: ignore[attr-defined]
    assert ACTIONS["iam"]["CreateUser"].__name__ == "create_user"


@pytest.mark.parametrize("service", ["iam", "sts", "organizations", "cloudtrail", "accessanalyzer", "iamd"])
def test_every_operation_of_the_model_has_an_action(service: str) -> None:
    from iamd.api.operations import load_model
    from iamd.services.registry import SCOPE_NAMES

    registered = load_all().get(SCOPE_NAMES.get(service, service), {})
    missing = sorted(set(load_model(service).operation_names) - set(registered))
    assert not missing, f"{service}: no action for {missing}"
