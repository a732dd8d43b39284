"""Turning values into safe, flat text for the text formats (table, tsv, csv, markdown)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# C0 controls, DEL, C1 controls, and the bidirectional overrides/isolates: anything that
# could move the cursor, retitle a window, plant a hyperlink or reverse the text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same, minus tab, newline and carriage return, which CSV quoting carries safely.
_UNSAFE_IN_CSV = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Show control and bidi characters as escapes (`\\x1b`, `\\u202e`) so they cannot act."""
    return _UNSAFE.sub(_escape, text)


def visible_keep_lines(text: str) -> str:
    """Like `visible`, but leave tab and newlines alone (CSV quoting carries them)."""
    return _UNSAFE_IN_CSV.sub(_escape, text)


def flatten(value: Any, *, arrow: str = "->") -> str:
    """A readable one-line form of any record value: lists joined with '; ', nested fields
    (parties, flows, source) spelled out, null as the empty string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        return _flatten_mapping(value, arrow)
    if isinstance(value, list | tuple):
        return "; ".join(flatten(item, arrow=arrow) for item in value)
    return str(value)


def _flatten_mapping(value: Mapping[str, Any], arrow: str) -> str:
    keys = set(value)
    if {"from", "to", "what"} <= keys:
        return f"{value['from']} {arrow} {value['to']}: {value['what']}"
    if {"name", "type", "country"} <= keys:
        return f"{value['name']} ({value['country']})" if value["country"] else str(value["name"])
    if {"document", "section"} <= keys:
        return f"{value['document']} / {value['section']}"
    return ", ".join(f"{k}={flatten(v, arrow=arrow)}" for k, v in value.items())
