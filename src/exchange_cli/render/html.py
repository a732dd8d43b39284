"""The catalogue as one self-contained web page (`exchange export --format html`).

Pure: takes records and results the query layer already computed, returns the page as
text. Every catalogue string passes through the escaper of its context (`_text` for HTML
text and attributes, `_fragment` for URL fragments, `_script_json` for the embedded JSON),
so a hostile catalogue cannot add markup or script. The page's one stylesheet and one
script are package files (`page/`), allowed by a Content-Security-Policy that names their
SHA-256 hashes and permits no network access at all. The output is ASCII (other
characters become character references or JSON escapes, so no output encoding can mangle
it) and the same bytes for the same input, so it can be committed and diffed.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from exchange_cli.model import vocab
from exchange_cli.render.htmltext import EVIDENCE_LABELS
from exchange_cli.render.htmltext import badge as _badge
from exchange_cli.render.htmltext import fragment as _fragment
from exchange_cli.render.htmltext import label as _label
from exchange_cli.render.htmltext import page_data as _page_data
from exchange_cli.render.htmltext import plural as _plural
from exchange_cli.render.htmltext import source as _source
from exchange_cli.render.htmltext import text as _text
from exchange_cli.render.network_svg import network_section
from exchange_cli.render.program_view import program_views

if TYPE_CHECKING:
    from exchange_cli.query.filters import Criteria

#: The filter facets of the page, in the order their chips appear.
CHIP_FACETS: tuple[tuple[str, str], ...] = (
    ("sector", "Sector"),
    ("kind", "Kind"),
    ("country", "Country"),
    ("evidence", "Evidence"),
)


@dataclass(frozen=True, slots=True)
class Page:
    """Everything the page shows, decided and computed before rendering."""

    records: Sequence[Mapping[str, Any]]  # `Program.to_dict()` records, in catalogue order
    related: Mapping[str, Sequence[Mapping[str, Any]]]  # id → `query.related_programs`
    facets: Sequence[Mapping[str, Any]]  # `query.facet_counts` rows
    facet_index: Mapping[str, Mapping[str, Sequence[str]]]  # id → facet → values
    search_index: Mapping[str, Any]  # `search.search_index`, its words possibly lazy
    graph: Mapping[str, Any]  # `network.Graph.to_dict()`
    criteria: Criteria | None = None  # the filters the export was narrowed by
    version: str = ""
    title: str = "Exchange programs"


def _csp_hash(content: str) -> str:
    digest = hashlib.sha256(content.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(style: str, script: str) -> str:
    """Only this page's own style and script run; nothing is fetched, framed or posted."""
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {_csp_hash(script)}",
            f"style-src {_csp_hash(style)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'",
        )
    )


def _asset(name: str) -> str:
    text = (resources.files("exchange_cli.render") / "page" / name).read_text(encoding="utf-8")
    text = text.replace("\r\n", "\n")
    if not text.isascii():  # the page is ASCII; a CSS or JS file cannot be re-escaped
        raise ValueError(f"page asset {name} must be ASCII")
    return text


# -- the page ------------------------------------------------------------------------------

_FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    "%3Ccircle cx='8' cy='8' r='7' fill='%231f5fae'/%3E%3C/svg%3E"
)


def render_page(page: Page) -> str:
    """The whole page, ASCII, ending in a newline."""
    return "".join(page_parts(page))


def page_parts(page: Page) -> Iterator[str]:
    """The page in pieces of a program or so each, ASCII (anything else as a character
    reference), lines joined by newlines: a writer streams them, so a page of 100,000
    programs is never held whole in memory."""
    for part in _parts(page):
        yield part.encode("ascii", "xmlcharrefreplace").decode("ascii")


def _parts(page: Page) -> Iterator[str]:
    style, script = _asset("page.css"), _asset("page.js")
    lines: list[str | Iterator[str]] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="'
        + _text(content_security_policy(style, script))
        + '">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        '<meta name="referrer" content="no-referrer">',
        f'<meta name="generator" content="exchange {_text(page.version)}">',
        f"<title>{_text(page.title)}</title>",
        f'<link rel="icon" href="{_FAVICON}">',
        f"<style>{style}</style>",
        "</head>",
        "<body>",
        '<a class="skip-link" href="#programs">Skip to the programs</a>',
        _header(page),
        '<main id="main">',
        '<div id="catalogue" class="catalogue">',
        '<div class="layout">',
        _filters(page),
        _results(page),
        "</div>",
        _summary(page),
        network_section(page.graph),
        "</div>",
        program_views(page.records, page.related),
        "</main>",
        _footer(page, len(page.records)),
        _page_data(page.search_index, page.facet_index),
        f"<script>{script}</script>",
        "</body>",
        "</html>",
    ]
    for line in lines:
        if isinstance(line, str):
            yield line + "\n"
        else:
            yield from line
            yield "\n"


def _header(page: Page) -> str:
    subset = ""
    if page.criteria is not None and not page.criteria.is_empty():
        given = (
            ("sector", page.criteria.sectors),
            ("kind", page.criteria.kinds),
            ("country", page.criteria.countries),
            ("party", page.criteria.parties),
            ("evidence", page.criteria.evidence),
        )
        shown = "; ".join(f"{name} {' or '.join(values)}" for name, values in given if values)
        subset = f'<p class="subset">Only the programs matching <code>{_text(shown)}</code>.</p>'
    legend = "".join(
        f"<div><dt>{_badge(level)}</dt><dd>{_text(vocab.EVIDENCE.describe(level))}</dd></div>"
        for level in vocab.EVIDENCE.values
    )
    countries = {row["value"] for row in page.facets if row["facet"] == "country"}
    stats = "".join(
        f"<div><dt>{_text(label)}</dt><dd>{number}</dd></div>"
        for label, number in (
            ("programs", len(page.records)),
            ("documents", len({r["source"]["document"] for r in page.records})),
            ("parties", len(page.graph["nodes"])),
            ("countries", len(countries)),
        )
    )
    return (
        '<header class="site-header">'
        '<div class="wrap header-grid">'
        '<div class="header-text">'
        f"<h1>{_text(page.title)}</h1>"
        '<p class="lede">International cooperation and exchange programs: who works with '
        "whom, what flows between them, and how firmly each one is documented.</p>"
        f"{subset}"
        "</div>"
        f'<dl class="stats">{stats}</dl>'
        '<nav aria-label="Sections"><ul>'
        '<li><a href="#programs">Programs</a></li>'
        '<li><a href="#summary">Summary</a></li>'
        '<li><a href="#network">Network</a></li>'
        "</ul></nav>"
        '<details class="legend"><summary>What the evidence levels mean</summary>'
        f"<dl>{legend}</dl></details>"
        "</div>"
        "</header>"
    )


def _chip_values(page: Page, facet: str) -> list[tuple[str, str]]:
    """(value, label) for each value of `facet` in the exported programs, most common
    first as `summarize` orders them; evidence keeps its vocabulary order."""
    present = [row for row in page.facets if row["facet"] == facet and row["count"] > 0]
    if facet == "evidence":
        order = {value: i for i, value in enumerate(vocab.EVIDENCE.values)}
        present.sort(key=lambda row: order.get(row["value"], len(order)))
    values = [str(row["value"]) for row in present]
    if facet == "country":
        return [(v, vocab.country_name(v)) for v in values]
    if facet == "evidence":
        return [(v, EVIDENCE_LABELS.get(v, v)) for v in values]
    return [(v, _label(v)) for v in values]


def _filters(page: Page) -> str:
    groups = []
    for facet, legend in CHIP_FACETS:
        chips = "".join(
            f'<li><button type="button" class="chip" aria-pressed="false" '
            f'data-facet="{facet}" data-value="{_text(value)}">'
            f'<span class="chip-label">{_text(label)}</span> '
            f'<span class="chip-count">{count}</span>'
            "</button></li>"
            for value, label, count in (
                (value, label, _facet_count(page, facet, value))
                for value, label in _chip_values(page, facet)
            )
        )
        if chips:  # a facet with no values in this selection has nothing to choose
            groups.append(
                f'<fieldset class="facet"><legend>{legend}</legend><ul class="chips">{chips}'
                "</ul></fieldset>"
            )
    return (
        '<section class="filters" role="search" aria-labelledby="filters-title">'
        '<h2 id="filters-title">Find programs</h2>'
        '<label for="search-input" class="search-label">Search</label>'
        '<input id="search-input" class="search-input" type="search" autocomplete="off" '
        'spellcheck="false" aria-describedby="search-help" aria-controls="results">'
        '<p id="search-help" class="help">Every word must match; a word also finds longer '
        'ones (<kbd>petro</kbd> finds petroleum); "quote a phrase". Case and accents are '
        "ignored.</p>"
        '<noscript><p class="help">Search and filters need JavaScript; the programs, '
        "their details, the summary and the network work without it.</p></noscript>"
        + '<details id="filter-panel" class="filter-panel" open><summary>Filters'
        '<span id="filter-summary" class="filter-summary"></span></summary>'
        + "".join(groups)
        + "</details>"
        '<button type="button" id="clear-filters" class="button-secondary" hidden>'
        "Clear search and filters</button>"
        "</section>"
    )


def _facet_count(page: Page, facet: str, value: str) -> int:
    for row in page.facets:
        if row["facet"] == facet and row["value"] == value:
            return int(row["count"])
    return 0


def _results(page: Page) -> Iterator[str]:
    count = len(page.records)
    yield (
        '<section id="programs" class="results" aria-labelledby="programs-title">'
        '<div class="results-head">'
        '<h2 id="programs-title" tabindex="-1">Programs</h2>'
        f'<p id="result-count" class="result-count" role="status">{_plural(count, "program")}'
        "</p>"
        "</div>"
        '<ul id="results" class="cards">'
    )
    yield from (_card(record) for record in page.records)
    yield (
        "</ul>"
        '<div id="no-results" class="no-results" hidden>'
        "<p>No program matches this search and these filters.</p>"
        '<button type="button" id="clear-empty" class="button-secondary">'
        "Clear search and filters</button>"
        "</div>"
        "</section>"
    )


def _party_names(record: Mapping[str, Any]) -> str:
    return ", ".join(str(p["name"]) for p in record["parties"])


def _card(record: Mapping[str, Any]) -> str:
    pid = str(record["id"])
    level = str(record["evidence"])
    sectors = ", ".join(_label(s) for s in record["sectors"])
    return (
        f'<li class="card evidence-card-{_text(level)}" data-id="{_text(pid)}">'
        f'<article aria-labelledby="card-{_text(pid)}-title">'
        f'<p class="card-meta">{_badge(level)} '
        f'<span class="kind">{_text(_label(str(record["kind"])))}</span></p>'
        f'<h3 id="card-{_text(pid)}-title" class="card-title">'
        f'<a href="#program-{_fragment(pid)}">{_text(record["title"])}</a></h3>'
        f'<p class="card-summary">{_text(record["summary"])}</p>'
        '<dl class="card-facts">'
        f"<div><dt>Sectors</dt><dd>{_text(sectors)}</dd></div>"
        f"<div><dt>Parties</dt><dd>{_text(_party_names(record))}</dd></div>"
        "</dl>"
        f'<p class="card-source"><span class="visually-hidden">Source: </span>{_source(record)}'
        "</p>"
        "</article>"
        "</li>"
    )


# -- summary: bar charts -------------------------------------------------------------------


def _summary(page: Page) -> str:
    charts = []
    for facet, heading, option in (
        ("sector", "Programs per sector", "sector"),
        ("kind", "Programs per kind", "kind"),
        ("evidence", "Programs per evidence level", "evidence"),
    ):
        rows = [row for row in page.facets if row["facet"] == facet]
        if facet != "evidence":
            rows = [row for row in rows if row["count"] > 0]
        else:
            order = {value: i for i, value in enumerate(vocab.EVIDENCE.values)}
            rows.sort(key=lambda row: order.get(row["value"], len(order)))
        charts.append(_bar_chart(facet, heading, option, rows))
    return (
        '<section id="summary" class="summary" aria-labelledby="summary-title">'
        '<h2 id="summary-title" tabindex="-1">Summary</h2>'
        '<p class="help">Select a bar to list its programs. A program with several sectors '
        "counts once for each.</p>"
        f'<div class="charts">{"".join(charts)}</div>'
        "</section>"
    )


def _bar_chart(facet: str, heading: str, option: str, rows: Sequence[Mapping[str, Any]]) -> str:
    top = max((int(row["count"]) for row in rows), default=0)
    items = []
    for row in rows:
        value, count = str(row["value"]), int(row["count"])
        width = 0.0 if top == 0 else 100.0 * count / top
        label = EVIDENCE_LABELS.get(value, value) if facet == "evidence" else _label(value)
        items.append(
            "<li>"
            f'<a class="bar-label" href="#{option}={_fragment(value)}">{_text(label)}</a>'
            '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
            'aria-hidden="true" focusable="false">'
            f'<rect class="bar-fill bar-{_text(facet)}-{_text(value)}" width="{width:.2f}" '
            'height="10" rx="0"/></svg>'
            f'<span class="bar-count">{count}</span>'
            "</li>"
        )
    body = (
        f'<ul class="bars">{"".join(items)}</ul>'
        if items
        else '<p class="help">No programs in this selection.</p>'
    )
    return (
        f'<section class="chart" aria-labelledby="chart-{facet}">'
        f'<h3 id="chart-{facet}">{_text(heading)}</h3>{body}</section>'
    )


def _footer(page: Page, count: int) -> str:
    version = f" {page.version}" if page.version else ""
    return (
        '<footer class="site-footer"><div class="wrap">'
        f"<p>Made with <code>exchange{_text(version)} export</code> from "
        f"{_text(_plural(count, 'program'))}. This page is one file: it fetches nothing "
        "and sends nothing, so it works offline and from an e-mail attachment.</p>"
        "</div></footer>"
    )
