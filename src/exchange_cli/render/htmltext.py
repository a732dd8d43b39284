"""Escaping for the exported web page: one function per context a catalogue string can
reach (HTML text and attribute values, URL fragments, the JSON inside a script block),
and the small text helpers both halves of the page use."""

import html
import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from exchange_cli.render.text import visible_keep_lines


def text(value: Any) -> str:
    """Text or a double-quoted attribute value: control and bidi characters made visible
    (as on a terminal), then `& < > " '` escaped. Carriage returns become newlines."""
    shown = visible_keep_lines(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return html.escape(shown, quote=True)


def fragment(value: str) -> str:
    """A URL fragment component: percent-encoded (nothing left to break out of an
    attribute or change the URL's scheme), then escaped for the attribute."""
    return text(quote(value, safe="-_.~"))


def script_json(data: Any) -> str:
    """JSON safe inside `<script type="application/json">`: ASCII only, and `< > &`,
    U+2028 and U+2029 as escapes, so `</script>` or `<!--` in the data cannot end or
    change the block."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def label(value: str) -> str:
    """A vocabulary value as words: `digital-technology` → `digital technology`
    (a one-letter part keeps its hyphen: `e-commerce`)."""
    parts = value.split("-")
    out = parts[0]
    for part in parts[1:]:
        out += ("-" if len(part) == 1 or len(out.rsplit(" ", 1)[-1]) == 1 else " ") + part
    return out


def plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def page_data(search_index: Mapping[str, Any], facet_index: Any) -> Iterator[str]:
    """The JSON block the page's script reads, `{"search": ..., "facets": ...}`, written one
    program's words at a time (`search_index(..., lazy=True)` makes them as they go)."""
    words = search_index["words"]
    yield (
        '<script type="application/json" id="page-data">{"search":{"weights":'
        + script_json(search_index["weights"])
        + ',"exact_bonus":'
        + script_json(search_index["exact_bonus"])
        + ',"words":{'
    )
    pairs = words.items() if isinstance(words, Mapping) else words
    for n, (program_id, program_words) in enumerate(pairs):
        comma = "," if n else ""
        yield f"{comma}{script_json(program_id)}:{script_json(program_words)}"
    yield '}},"facets":' + script_json(facet_index) + "}</script>"


#: How each evidence level is named on the page; the description comes from the vocabulary.
EVIDENCE_LABELS: dict[str, str] = {
    "reported": "Reported",
    "illustrative": "Illustrative",
    "hypothetical": "Hypothetical",
}


def badge(level: str) -> str:
    label = EVIDENCE_LABELS.get(level, level)
    return f'<span class="badge evidence-{text(level)}">{text(label)}</span>'


def source(record: Mapping[str, Any]) -> str:
    cited = record["source"]
    return (
        f"<cite>{text(cited['document'])}</cite>, section "
        f'<span class="section">{text(cited["section"])}</span>'
    )
