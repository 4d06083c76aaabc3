"""Policy variable checks (``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``).

Variables are read in Resource/NotResource and in condition values of String and ARN operators,
and only in version ``2012-10-17`` documents: elsewhere ``${…}`` is literal text, which is
rarely what the author meant. The syntax checks are AWS's: a closing brace, no empty
variable, no space inside the name, a default value in single quotes.
"""

from __future__ import annotations

from iamd.policy.jsonloc import Node

from .report import Path, Report

_SPECIAL = ("*", "?", "$")


def syntax(report: Report, path: Path, node: Node, value: str) -> bool:
    """Report the first syntax error of the variables in ``value``; True when it has any variable."""
    found = False
    pos = value.find("${")
    while pos != -1:
        found = True
        end = value.find("}", pos + 2)
        if end == -1:
            report.at("MISSING_BRACE_IN_VARIABLE", path, node)
            return True
        inner = value[pos + 2 : end]
        if not inner.strip():
            report.at("EMPTY_VARIABLE", path, node)
            return True
        name, comma, default = inner.partition(",")
        if comma:
            default = default.strip()
            if len(default) < 2 or not (default.startswith("'") and default.endswith("'")):
                report.at("MISSING_QUOTE_IN_VARIABLE", path, node)
                return True
            name = name.rstrip()
        if name not in _SPECIAL and (" " in name or "\t" in name):
            report.at("UNSUPPORTED_SPACE_IN_VARIABLE", path, node)
            return True
        pos = value.find("${", end + 1)
    return found


def check_value(report: Report, path: Path, node: Node, value: str, family: str, version: str | None) -> None:
    """A condition value: syntax, then whether the operator and the version read variables."""
    if not syntax(report, path, node, value):
        return
    if family not in ("String", "ARN"):
        report.at("INVALID_VARIABLE_FOR_OPERATOR", path, node)
    elif version != "2012-10-17":
        report.at("VARIABLE_UNSUPPORTED_IN_VERSION", path, node)


def check_resource(report: Report, path: Path, node: Node, value: str, version: str | None) -> None:
    if syntax(report, path, node, value) and version != "2012-10-17":
        report.at("VARIABLE_UNSUPPORTED_IN_VERSION", path, node)
