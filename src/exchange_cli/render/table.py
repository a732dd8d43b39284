"""The terminal views, drawn with Rich: a table of programs, one program in full, and bars.

Every string from the data goes in as a `Text` object (never as markup) after control
and bidi characters are made visible, so data cannot style, link or move the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from exchange_cli.fields import optional_keys
from exchange_cli.model import Program, program_text
from exchange_cli.render.results import (
    FacetCounts,
    GraphView,
    Listing,
    Problems,
    Record,
    is_empty,
    rows_of,
)
from exchange_cli.render.text import cell_text, flatten, node_label, visible
from exchange_cli.terminal import Environment
from exchange_cli.vocab import normalize

_EVIDENCE_STYLE = {"reported": "green", "illustrative": "yellow", "hypothetical": "magenta"}


def make_console(env: Environment) -> Console:
    return Console(
        file=env.stdout,
        width=env.width,
        color_system="auto" if env.color else None,
        force_terminal=env.color,
        no_color=not env.color,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
        safe_box=not env.unicode,
    )


def _text(value: Any, style: str = "") -> Text:
    return Text(visible(flatten(value)), style=style)


def render(result: Any, env: Environment) -> None:
    """The terminal view of a result: a table of rows, one record as a page, facet
    counts as bars, the graph as a tree. Nothing at all for an empty result (`present`
    says on stderr that nothing matches)."""
    if is_empty(result) or (isinstance(result, Problems) and not result.problems):
        return
    if isinstance(result, GraphView):
        render_tree(result.tree, env)
        return
    console = make_console(env)
    if isinstance(result, Record):
        console.print(_program_detail(result, env))
    elif isinstance(result, FacetCounts):
        console.print(_facet_bars(rows_of(result), env))
    else:
        console.print(_rows_table(rows_of(result), env))


#: Narrower than this per column, a table is unreadable: records are stacked instead.
_MIN_COLUMN = 6


def _rows_table(listing: Listing, env: Environment) -> RenderableType:
    columns = len(listing.fields)
    if env.width < columns * (_MIN_COLUMN + 3) + 1:
        return _stacked(listing, env)
    table = Table(
        box=box.ROUNDED if env.unicode else box.ASCII,
        header_style="bold" if env.color else "",
        show_lines=False,
        expand=False,
    )
    text = cell_text(listing)
    cells = [
        [_cell(field, record.get(field), env, listing.highlight, text) for field in listing.fields]
        for record in listing.records
    ]
    keep_whole = _whole_token_columns(listing.fields, cells, env.width)
    for field in listing.fields:
        table.add_column(field, overflow="fold", no_wrap=field in keep_whole)
    for row in cells:
        table.add_row(*row)
    return table


def _stacked(listing: Listing, env: Environment) -> RenderableType:
    """One `field  value` block per record, for terminals too narrow for the table."""
    blocks: list[RenderableType] = []
    text = cell_text(listing)
    for record in listing.records:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim" if env.color else "", no_wrap=True)
        grid.add_column(overflow="fold")
        for field in listing.fields:
            grid.add_row(field, _cell(field, record.get(field), env, listing.highlight, text))
        blocks.append(Padding(grid, (0, 0, 1, 0)))
    return Group(*blocks)


# Columns of single tokens (ids, vocabulary values, codes, numbers) read badly when folded.
_TOKEN_FIELDS = {
    "id",
    "kind",
    "evidence",
    "recurrence",
    "score",
    "count",
    "facet",
    "value",
    "program",
    "from_country",
    "to_country",
    "source",
    "target",
    "line",
    "column",
    "severity",
}
_TEXT_MIN = 14  # narrowest a wrapped column should get


def _whole_token_columns(fields: Sequence[str], rows: list[list[Text]], width: int) -> set[str]:
    """Token columns kept unwrapped, narrowest first, while free text keeps room to wrap."""
    widths = {f: max([len(f), *(row[i].cell_len for row in rows)]) for i, f in enumerate(fields)}
    # The id first (it is what people copy), then the narrowest token columns.
    tokens = sorted(
        (f for f in fields if f in _TOKEN_FIELDS), key=lambda f: (f != "id", widths[f])
    )
    text_columns = len(fields) - len(tokens)
    room = width - (3 * len(fields) + 1)
    whole: set[str] = set()
    for field in tokens:
        folded_left = len(tokens) - len(whole) - 1  # token columns that would still fold
        if room - widths[field] < _TEXT_MIN * (text_columns + folded_left):
            continue  # too wide to keep whole; a narrower one may still fit
        room -= widths[field]
        whole.add(field)
    return whole


def _cell(
    field: str,
    value: Any,
    env: Environment,
    highlight: tuple[str, ...] = (),
    text_of: Callable[[str, Any], str] | None = None,
) -> Text:
    if field == "evidence" and env.color and isinstance(value, str):
        return _text(value, _EVIDENCE_STYLE.get(value, ""))
    if field == "id":
        return _text(value, "cyan" if env.color else "")
    text = Text(visible(text_of(field, value))) if text_of else _text(value)
    if highlight and env.color:
        _emphasise(text, highlight)
    return text


_WORD = re.compile(r"\w+")


def _emphasise(text: Text, words: tuple[str, ...]) -> None:
    """Highlight words that a search term matched (same folding and prefix rule as search)."""
    for match in _WORD.finditer(text.plain):
        folded = normalize(match.group())
        if any(folded.startswith(word) for word in words):
            text.stylize("bold yellow", match.start(), match.end())


def _program_detail(result: Record, env: Environment) -> RenderableType:
    parts: list[RenderableType] = []
    arrow = "→" if env.unicode else "->"
    bullet = "•" if env.unicode else "-"
    listing = rows_of(result)
    optional = optional_keys(Program)
    for record in listing.records:
        if "title" in listing.fields:
            parts.append(_text(record.get("title"), "bold" if env.color else ""))
            parts.append(Text(""))
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="dim" if env.color else "", no_wrap=True)
        facts.add_column(overflow="fold")  # an id is folded, never cut short
        blocks: list[RenderableType] = []
        for field in listing.fields:
            value = record.get(field)
            if field == "title" or (value is None and field in optional):
                continue  # an optional field the record does not have: nothing to show
            if field == "parties":
                blocks.append(_section("Parties", [_party_line(p, bullet) for p in value or []]))
            elif field == "flows":
                blocks.append(_section("Flows", [_flow_line(f, arrow, env) for f in value or []]))
            elif field == "benefits":
                lines = [Text(f"{bullet} " + visible(flatten(b))) for b in value or []]
                blocks.append(_section("Benefits", lines))
            elif field == "related":
                lines = [_related_line(r, bullet) for r in value or []]
                blocks.append(_section("Related programs", lines))
            elif field == "summary":
                blocks.insert(0, Padding(_text(value), (1, 0, 0, 0)))
            elif field == "source":
                facts.add_row("source", Text(visible(program_text(field, value))))
            elif field == "evidence":
                facts.add_row("evidence", _cell(field, value, env))
            else:
                facts.add_row(field, _text(value if value is not None else "-"))
        parts.append(facts)
        parts.extend(blocks)
    return Group(*parts)


def _section(title: str, lines: Sequence[RenderableType]) -> RenderableType:
    if not lines:
        lines = [Text("(none)")]
    return Padding(Group(Text(title, style="bold underline"), *lines), (1, 0, 0, 0))


def _party_line(party: Mapping[str, Any], bullet: str) -> Text:
    line = Text(f"{bullet} " + visible(flatten(party.get("name"))))
    detail = str(party.get("type"))
    if party.get("country"):
        detail += f", {party.get('country')}"
    line.append(f" ({visible(detail)})")
    return line


def _related_line(related: Mapping[str, Any], bullet: str) -> Text:
    shared = [*related.get("shared_parties", []), *related.get("shared_sectors", [])]
    line = Text(f"{bullet} " + visible(flatten(related.get("id"))))
    line.append(" (shares " + visible(", ".join(str(s) for s in shared)) + ")")
    return line


def _flow_line(flow: Mapping[str, Any], arrow: str, env: Environment) -> Text:
    strong = "bold" if env.color else ""
    line = Text()
    line.append(visible(flatten(flow.get("from"))), style=strong)
    line.append(f" {arrow} ")
    line.append(visible(flatten(flow.get("to"))), style=strong)
    line.append(": " + visible(flatten(flow.get("what"))))
    return line


def _facet_bars(listing: Listing, env: Environment) -> RenderableType:
    """Horizontal bars per facet, scaled to the largest count and the terminal width."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in listing.records:
        groups.setdefault(str(record.get("facet", "")), []).append(record)
    block = "█" if env.unicode else "#"
    label_width = max((len(str(r.get("value"))) for r in listing.records), default=5)
    bar_room = max(env.width - label_width - 10, 10)
    parts: list[RenderableType] = []
    for facet, rows in groups.items():
        top = max((int(r.get("count") or 0) for r in rows), default=0) or 1
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(no_wrap=True)
        for row in rows:
            count = int(row.get("count") or 0)
            length = round(count / top * bar_room) if count else 0
            grid.add_row(
                _text(row.get("value")),
                Text(str(count)),
                Text(block * length, style="cyan" if env.color else ""),
            )
        title = Text(f"by {visible(facet)}", style="bold" if env.color else "")
        parts.append(Padding(Group(title, grid), (0, 0, 1, 0)))
    return Group(*parts)


# -- terminal tree -------------------------------------------------------------------------


def render_tree(tree: Sequence[Mapping[str, Any]], env: Environment) -> None:
    from rich.text import Text
    from rich.tree import Tree

    console = make_console(env)
    arrow_out, arrow_in = ("→", "←") if env.unicode else ("->", "<-")
    strong = "bold" if env.color else ""
    dim = "dim" if env.color else ""
    guide = "tree.line" if env.unicode else ""
    for entry in tree:
        root = Tree(Text(visible(node_label(entry["party"])), style=strong), guide_style=guide)
        for link in entry["partners"]:
            branch = root.add(Text(visible(node_label(link["partner"]))))
            for program in link["programs"]:
                leaf = branch.add(
                    Text(visible(program["program"]), style="cyan" if env.color else "")
                )
                leaf.label.append(": " + visible(program["title"]))  # type: ignore[union-attr]
                for what in program["gives"]:
                    leaf.add(Text(f"{arrow_out} gives: " + visible(what)))
                for what in program["receives"]:
                    leaf.add(Text(f"{arrow_in} receives: " + visible(what)))
                if not program["gives"] and not program["receives"]:
                    leaf.add(Text("partners (no flow recorded)", style=dim))
        console.print(root)
