"""Reading an IdP's metadata: entity ids, signing certificates, AWS's limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from saml_idp import MD, SamlIdp, certificate, rsa_key

from iamd.auth.saml_metadata import COULD_NOT_PARSE, BadMetadata, read


def test_signing_certificates_and_valid_until() -> None:
    idp = SamlIdp()
    second = certificate(rsa_key())
    until = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    parsed = read(idp.metadata(valid_until=until, certs=[idp.cert, second, idp.cert]))
    assert list(parsed.signing) == [idp.entity_id]
    assert len(parsed.signing[idp.entity_id]) == 2  # duplicates collapse
    assert parsed.valid_until == until
    assert [len(h) for h in parsed.key_hashes()[0]["KeyHashes"]] == [64, 64]  # type: ignore[misc]


def test_entities_descriptor_with_several_idps() -> None:
    a, b = SamlIdp(entity_id="https://a.example"), SamlIdp(entity_id="https://b.example")
    inner = "".join(m.metadata().split("?>", 1)[1] for m in (a, b))
    document = f'<md:EntitiesDescriptor xmlns:md="{MD}">{inner}</md:EntitiesDescriptor>'
    assert sorted(read(document).signing) == ["https://a.example", "https://b.example"]


def test_encryption_only_keys_do_not_sign() -> None:
    idp = SamlIdp()
    document = idp.metadata().replace('use="signing"', 'use="encryption"')
    with pytest.raises(BadMetadata):
        read(document)


@pytest.mark.parametrize(
    "document",
    [
        "\ufeff" + SamlIdp().metadata(),
        "<a/>",
        f'<md:EntityDescriptor xmlns:md="{MD}" entityID="e"/>',
        SamlIdp().metadata().replace("<ds:X509Certificate>", "<ds:X509Certificate>!!"),
        SamlIdp().metadata().replace('entityID="https://idp.example.test/saml"', 'entityID=""'),
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + SamlIdp().metadata().split("?>", 1)[1],
        SamlIdp().metadata().replace("<md:EntityDescriptor", '<md:EntityDescriptor validUntil="soon"'),
    ],
    ids=["bom", "not-metadata", "no-idp", "bad-cert", "empty-entity-id", "dtd", "bad-valid-until"],
)
def test_refused_with_awss_message(document: str) -> None:
    with pytest.raises(BadMetadata) as caught:
        read(document)
    assert str(caught.value) == COULD_NOT_PARSE


def test_at_most_ten_keys() -> None:
    idp = SamlIdp()
    many = [certificate(idp.key, name=f"c{i}") for i in range(11)]
    with pytest.raises(BadMetadata):
        read(idp.metadata(certs=many))
    assert len(read(idp.metadata(certs=many[:10])).signing[idp.entity_id]) == 10
