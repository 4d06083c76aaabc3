"""Parsing untrusted SAML XML: no DTDs, no entities, no network, bounded size.

Every SAML document iamd reads — an IdP's metadata, a SAML response — comes from outside. The
classic attacks on XML parsers are refused before or while parsing:

- external entities (XXE: ``<!ENTITY x SYSTEM "file:///etc/passwd">``) and entity expansion
  (billion laughs) — any ``<!DOCTYPE`` is refused outright, as SAML messages and metadata have
  no use for one (signxml refuses DTDs for the same reason), and the parser neither loads DTDs
  nor resolves entities;
- network access (``no_network``), and lxml's ``huge_tree`` stays off (depth and text-node limits);
- oversized documents: the caller's bound is checked before parsing.
"""

from __future__ import annotations

import re

from lxml import etree

NS = {
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "xenc": "http://www.w3.org/2001/04/xmlenc#",
    "xenc11": "http://www.w3.org/2009/xmlenc11#",
}

_DOCTYPE = re.compile(rb"<!\s*DOCTYPE|<!\s*ENTITY", re.IGNORECASE)


class UnsafeXml(ValueError):
    """The document is not XML iamd will read (malformed, a DTD or entity, too large)."""


def parser() -> etree.XMLParser:
    """A fresh hardened parser (lxml parsers are not thread-safe to share)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def parse(data: bytes, max_bytes: int) -> etree._Element:
    """The root element of ``data``; raises ``UnsafeXml``.

    The DOCTYPE check runs on the raw bytes (UTF-8 and ASCII-compatible encodings) and again on
    what the parser saw, so a UTF-16 document cannot slip a DTD past the byte check.
    """
    if len(data) > max_bytes:
        raise UnsafeXml("document too large")
    if _DOCTYPE.search(data):
        raise UnsafeXml("DTDs are not allowed")
    try:
        root = etree.fromstring(data, parser=parser())
    except (etree.XMLSyntaxError, ValueError) as err:
        raise UnsafeXml(f"not well-formed XML: {err}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise UnsafeXml("DTDs are not allowed")
    for _ in root.iter(etree.Entity):
        raise UnsafeXml("entities are not allowed")
    return root


def text_of(element: etree._Element | None) -> str:
    """The element's full text content, comments skipped: ``a<!---->b`` is ``ab``.

    ``element.text`` stops at the first comment, which is how the NameID comment attack (a signed
    ``user@evil.com.good.com`` read as ``user@evil.com``) works; the whole text is what was signed.
    """
    if element is None:
        return ""
    return "".join(_texts(element)).strip()


def _texts(element: etree._Element) -> list[str]:
    parts: list[str] = []
    if element.text:
        parts.append(element.text)
    for child in element:
        if isinstance(child.tag, str):
            parts.extend(_texts(child))
        if child.tail:
            parts.append(child.tail)
    return parts
