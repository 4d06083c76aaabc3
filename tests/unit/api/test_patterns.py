"""Java-regex translation: every model pattern compiles, and the Java semantics hold."""

from __future__ import annotations

import warnings

import botocore.loaders
import pytest

from iamd.api.patterns import compile_java, translate

LOADER = botocore.loaders.Loader()
MODEL_PATTERNS = sorted({
    shape["pattern"]
    for service in ("iam", "sts")
    for shape in LOADER.load_service_model(service, "service-2")["shapes"].values()
    if "pattern" in shape
})


@pytest.mark.parametrize("java", MODEL_PATTERNS)
def test_every_model_pattern_compiles_without_warnings(java: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compile_java(java)


@pytest.mark.parametrize(("java", "value", "matches"), [
    (r"[\w+=,.@-]+", "bob.smith@x", True),
    (r"[\w+=,.@-]+", "x!", False),
    (r"[\w+=,.@-]+", "é", False),  # Java's \w is ASCII
    (r"[\d]+", "١٢", False),  # so is \d
    (r"[\w+=,.@-]+", "bob\n", False),  # full match, no trailing-newline slack
    (r"^[a-zA-Z0-9:_.-]+$", "abc\n", False),
    (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+", "Équipe 漢字 ٣ Ⅻ", True),
    (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+", "a!b", False),
    (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", "", True),
    (r"\p{Lu}+", "ABC", True),
    (r"\p{Lu}+", "AbC", False),
    (r"[\P{L}]+", "123 !", True),
    (r"\P{N}+", "abc1", False),
    (r"[\u0009\u000A\u000D\u0020-\u00FF]+", "tab\there\r\n", True),
    (r"[\u0009\u000A\u000D\u0020-\u00FF]+", "\x01", False),
    (r"[\u0020-\u00FF]+", "€", False),
    (r"\u002F[\u0021-\u007F]*", "/path", True),
    (r"[\x21\x23-\x2B\x2D-\x5B\x5D-\x7E]+( [\x21\x23-\x2B\x2D-\x5B\x5D-\x7E]+)*", "a b", True),
    (r"[\x21\x23-\x2B\x2D-\x5B\x5D-\x7E]+( [\x21\x23-\x2B\x2D-\x5B\x5D-\x7E]+)*", "a,b", False),
    (r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", "a--b", False),
    (r"[\uE000-\uFFFD\u10000-\u10FFFF]+", "\U0001f600\ue000", True),
    (r"\x{1F600}", "\U0001f600", True),
    (r"[a&&b]", "&", True),  # no set intersection in the translation; & is literal for Python
    (r"[]a]", "]", True),
])
def test_java_semantics(java: str, value: str, matches: bool) -> None:
    assert (compile_java(java).fullmatch(value) is not None) is matches


def test_unsupported_property_is_rejected_at_compile_time() -> None:
    with pytest.raises(ValueError):
        translate(r"\p{Greek}")


def test_shipped_unicode_tables_match_this_python() -> None:
    import unicodedata

    from iamd.api import _unicode_tables
    from iamd.api.patterns import _scan_ranges

    if unicodedata.unidata_version != _unicode_tables.UNIDATA_VERSION:
        pytest.skip("tables are for another Unicode version; the lazy scan is used instead")
    for name, ranges in _unicode_tables.RANGES.items():
        assert ranges == _scan_ranges(name), f"regenerate with python -m iamd.api.patterns ({name})"
