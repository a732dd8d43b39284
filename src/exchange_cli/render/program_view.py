"""One program's own view on the exported page: its flows, benefits, related programs,
parties and details. Every catalogue string goes through `htmltext.text` (or
`fragment` for a link), as on the rest of the page (html.py's escaping rule)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from exchange_cli.model import vocab
from exchange_cli.model.records import program_text
from exchange_cli.render.htmltext import EVIDENCE_LABELS
from exchange_cli.render.htmltext import badge as _badge
from exchange_cli.render.htmltext import fragment as _fragment
from exchange_cli.render.htmltext import label as _label
from exchange_cli.render.htmltext import source as _source
from exchange_cli.render.htmltext import text as _text


def program_views(
    records: Sequence[Mapping[str, Any]], related: Mapping[str, Sequence[Mapping[str, Any]]]
) -> Iterator[str]:
    yield '<div class="programs">'
    for record in records:
        yield _program_view(record, related.get(str(record["id"]), ()))
    yield "</div>"


def _program_view(record: Mapping[str, Any], related: Sequence[Mapping[str, Any]]) -> str:
    pid = str(record["id"])
    level = str(record["evidence"])
    anchor = f"program-{_text(pid)}"
    flows = "".join(
        '<li class="flow">'
        '<p class="flow-route">'
        f'<span class="pill">{_text(flow["from"])}</span>'
        '<span class="arrow" aria-hidden="true"></span>'
        '<span class="visually-hidden">to</span> '
        f'<span class="pill">{_text(flow["to"])}</span></p>'
        f'<p class="flow-what">{_text(flow["what"])}</p>'
        "</li>"
        for flow in record["flows"]
    )
    flows_html = f'<ol class="flows">{flows}</ol>' if flows else '<p class="help">None listed.</p>'
    benefits = "".join(f"<li>{_text(b)}</li>" for b in record["benefits"])
    benefits_html = f"<ul>{benefits}</ul>" if benefits else '<p class="help">None listed.</p>'
    parties = "".join(
        f'<li>{_text(p["name"])} <span class="muted">{_text(_party_kind(p))}</span></li>'
        for p in record["parties"]
    )
    related_items = "".join(
        f'<li><a href="#program-{_fragment(str(r["id"]))}">{_text(r["title"])}</a> '
        f'<span class="muted">shares {_text(_shared(r))}</span></li>'
        for r in related
    )
    related_html = (
        f'<ol class="related">{related_items}</ol>'
        if related_items
        else '<p class="help">No other program here shares a party or a sector.</p>'
    )
    recurrence = record.get("recurrence") or "not stated"
    sectors = ", ".join(_label(s) for s in record["sectors"])
    return (
        f'<article class="program evidence-card-{_text(level)}" id="{anchor}" '
        f'aria-labelledby="{anchor}-title">'
        '<p class="back"><a class="back-link" href="#programs">'
        '<span aria-hidden="true">&#8592; </span>All programs</a></p>'
        '<header class="program-header">'
        f'<p class="card-meta">{_badge(level)} '
        f'<span class="kind">{_text(_label(str(record["kind"])))}</span></p>'
        f'<h2 id="{anchor}-title" tabindex="-1">{_text(record["title"])}</h2>'
        f'<p class="lede">{_text(record["summary"])}</p>'
        f'<p class="evidence-note evidence-note-{_text(level)}">'
        f"<strong>{_text(EVIDENCE_LABELS.get(level, level))}.</strong> "
        f"{_text(_evidence_description(level))}</p>"
        "</header>"
        '<div class="program-body">'
        '<div class="program-main">'
        f'<section aria-labelledby="{anchor}-flows">'
        f'<h3 id="{anchor}-flows">What flows between the parties</h3>{flows_html}</section>'
        f'<section aria-labelledby="{anchor}-benefits"><h3 id="{anchor}-benefits">Benefits'
        f"</h3>{benefits_html}</section>"
        f'<section aria-labelledby="{anchor}-related">'
        f'<h3 id="{anchor}-related">Related programs</h3>{related_html}</section>'
        "</div>"
        '<div class="program-aside">'
        f'<section aria-labelledby="{anchor}-parties"><h3 id="{anchor}-parties">Parties</h3>'
        f'<ul class="parties">{parties}</ul></section>'
        f'<section aria-labelledby="{anchor}-facts"><h3 id="{anchor}-facts">Details</h3>'
        '<dl class="facts">'
        f"<div><dt>Kind</dt><dd>{_text(_label(str(record['kind'])))}</dd></div>"
        f"<div><dt>Sectors</dt><dd>{_text(sectors)}</dd></div>"
        f"<div><dt>Recurrence</dt><dd>{_text(recurrence)}</dd></div>"
        f"<div><dt>Source</dt><dd>{_source(record)}</dd></div>"
        f"<div><dt>Id</dt><dd><code>{_text(pid)}</code></dd></div>"
        f"{_other_facts(record)}"
        "</dl></section>"
        "</div>"
        "</div>"
        "</article>"
    )


def _party_kind(party: Mapping[str, Any]) -> str:
    if party.get("country"):
        return f"({party['type']}, {party['country']})"
    return f"({party['type']})"


def _shared(related: Mapping[str, Any]) -> str:
    shared = [*related["shared_parties"], *(_label(s) for s in related["shared_sectors"])]
    return ", ".join(str(s) for s in shared)


def _evidence_description(level: str) -> str:
    try:
        return vocab.EVIDENCE.describe(level)
    except KeyError:
        return ""


#: The fields the view above lays out by hand; every other declared field is shown in
#: the Details list by its key (`_other_facts`), so a new field reaches the page as it
#: reaches every other output (tests/test_declaration.py).
LAID_OUT = frozenset(
    ("id", "title", "kind", "sectors", "parties", "flows", "benefits", "evidence",
     "recurrence", "summary", "source")
)  # fmt: skip


def _other_facts(record: Mapping[str, Any]) -> str:
    return "".join(
        f"<div><dt>{_text(key)}</dt><dd>{_text(program_text(key, value))}</dd></div>"
        for key, value in record.items()
        if key not in LAID_OUT and value is not None and value != []
    )
