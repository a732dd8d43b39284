"""Turning values into safe, flat text for the text formats (table, tsv, csv, markdown).

The rule for every line-oriented destination is `vocab.visible` (messages follow it
too): control, separator and bidi characters are shown as visible escapes (`\\x1b`,
`\\u2028`), so text from a catalogue cannot move a cursor, retitle a window, plant a
hyperlink, reverse a line or split one record into two lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from exchange_cli.model.vocab import escape_character, unsafe_characters, visible

if TYPE_CHECKING:
    from exchange_cli.render.results import Listing

__all__ = ["visible", "visible_keep_lines", "flatten", "cell_text", "node_label"]


def visible_keep_lines(text: str) -> str:
    """Like `visible`, but leave tab and newlines alone (CSV quoting carries them)."""
    return unsafe_characters(keep_lines=True).sub(escape_character, text)


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
    return ", ".join(f"{k}={flatten(v, arrow=arrow)}" for k, v in value.items())


def cell_text(listing: Listing) -> Callable[[str, Any], str]:
    """How the listing's values read as one line: the record declaration's way for the
    fields it declares (a party is `Name (SA)`), `flatten` for the rest."""
    declared = listing.flat

    def text(field: str, value: Any) -> str:
        if declared is not None and value is not None:
            try:
                return declared(field, value)
            except KeyError:
                pass
        return flatten(value)

    return text


def node_label(node: Mapping[str, Any]) -> str:
    """A graph node as people read it: its name, with its country code when it has one."""
    name = str(node["name"])
    return f"{name} ({node['country']})" if node.get("country") else name
