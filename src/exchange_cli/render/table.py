"""The terminal views, drawn with Rich: a table of programs, one program in full, and bars.

Every string from the data goes in as a `Text` object (never as markup) after control
and bidi characters are made visible, so data cannot style, link or move the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO, cast

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from exchange_cli.model.fields import optional_keys
from exchange_cli.model.records import Program, program_text
from exchange_cli.model.vocab import country_name, normalize
from exchange_cli.render.results import (
    FacetCounts,
    GraphView,
    Listing,
    Problems,
    Record,
    is_empty,
    rows_of,
)
from exchange_cli.render.terminal import Environment
from exchange_cli.render.text import cell_text, flatten, node_label, visible

_EVIDENCE_STYLE = {"reported": "green", "illustrative": "yellow", "hypothetical": "magenta"}
_CHANGE_STYLE = {"added": "green", "removed": "red", "changed": "yellow"}
#: How a table shows a value that is null (as `show` does): a cell is never blank for it.
NULL = "-"


#: A style code Rich writes (Select Graphic Rendition).
_STYLE = re.compile(r"\x1b\[[0-9;]*m")


class _Trimmed:
    """A file that drops the blanks Rich pads lines with (to a column's or the terminal's
    width), keeping the style codes among them: copied text, a pager's search and
    golden files see no trailing blanks. Where only ASCII can be shown, the "…" Rich
    cuts text with becomes "~" (one cell, as "…" is).

    Each line's end is read backwards once (`trim_line`), so the work grows with the
    bytes written whatever the widths: a pattern over the whole text rescanned each run
    of blanks not ending a line, which made one wide cell cost seconds."""

    def __init__(self, file: Any, unicode: bool) -> None:
        self._file, self._unicode = file, unicode
        self._partial = ""  # a line not ended yet: its end may still be padding

    def write(self, text: str) -> int:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        if lines:
            done = "\n".join(trim_line(line) for line in lines) + "\n"
            self._file.write(done if self._unicode else done.replace("…", "~"))
        return len(text)

    def flush(self) -> None:
        if self._partial:
            rest, self._partial = trim_line(self._partial), ""
            self._file.write(rest if self._unicode else rest.replace("…", "~"))
        self._file.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def trim_line(line: str) -> str:
    """The line without the blanks at its end, the style codes among them kept: read
    backwards from the end, each character once."""
    end, styles = len(line), []
    while end:
        if line[end - 1] == " ":
            end -= 1
            continue
        if line[end - 1] == "m":
            start = line.rfind("\x1b[", max(0, end - 32), end)
            if start >= 0 and _STYLE.fullmatch(line, start, end):
                styles.append(line[start:end])
                end = start
                continue
        break
    if end == len(line):
        return line
    return line[:end] + "".join(reversed(styles))


def make_console(env: Environment, width: int | None = None) -> Console:
    return Console(
        file=cast(TextIO, _Trimmed(env.stdout, env.unicode)),
        width=width or env.width,
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
    if isinstance(result, Record):
        make_console(env).print(_program_detail(result, env))
    elif isinstance(result, FacetCounts):
        make_console(env).print(_facet_bars(rows_of(result), env))
    else:
        view, width = _rows_table(rows_of(result), env)
        make_console(env, max(width, env.width)).print(view)


def _rows_table(listing: Listing, env: Environment) -> tuple[RenderableType, int]:
    """One line a row (`layout.fit`), or with `--wide` every column with free text
    wrapped (`layout.fit_wide`); a dim line under the table names what was left out.
    When the columns a row is about cannot fit (or with `--wide`, every column), the
    records are printed as blocks, one `field  value` line a field (`_stacked`): no line
    is wider than the terminal. With the width it is drawn at."""
    from exchange_cli.render import layout

    text = cell_text(listing)
    cells = [
        [_cell(field, record.get(field), env, listing.highlight, text) for field in listing.fields]
        for record in listing.records
    ]
    columns = [
        layout.Column(field, max([len(field), *(row[i].cell_len for row in cells)]))
        for i, field in enumerate(listing.fields)
    ]
    if env.wide:
        columns = [_with_widest_item(column, cells, i) for i, column in enumerate(columns)]
        fit = layout.fit_wide(columns, env.width)
    else:
        fit = layout.fit(columns, env.width)
    if not fit.fits and len(listing.fields) > 1:
        # a token (an id, a value, a code) is never folded: the width grows to it instead
        labels = max(cell_len(field) for field in listing.fields) + 1
        tokens = [c.natural for c in columns if c.role == layout.TOKEN]
        return _stacked(listing, env), max(env.width, labels + max(tokens, default=0))
    shown = [i for i, field in enumerate(listing.fields) if field in fit.widths]
    lists = {i for i in shown if layout.role(listing.fields[i]) == layout.LIST}
    if lists and not env.wide:
        cells, widths = _cut_lists(cells, lists, columns, fit.widths)
        fit = fit._replace(widths=widths)
    # The gap is each column's right padding, the last one's too (drawn past the width
    # the layout fits and trimmed off as trailing blanks): Rich counts padding at the
    # table's edges differently from one version to the next; this way every version
    # draws the same columns.
    table = Table(
        box=None,
        padding=(0, layout.GAP, 0, 0),
        header_style="bold" if env.color else "",
        expand=False,
    )
    for i in shown:
        field = listing.fields[i]
        wraps = env.wide and layout.role(field) in (layout.TEXT, layout.LIST)
        table.add_column(
            field,
            width=fit.widths[field],
            no_wrap=not wraps,
            overflow="fold" if wraps else "ellipsis",
        )
    for row in cells:
        table.add_row(*(row[i] for i in shown))
    width = fit.width + layout.GAP
    if not fit.hidden:
        return table, width
    note = Text(_not_shown(list(fit.hidden), env.width), style="dim" if env.color else "")
    note.truncate(env.width, overflow="ellipsis")
    return Group(table, note), width


def _not_shown(hidden: list[str], width: int) -> str:
    """The columns left out, as many as the line holds and a count of the rest: the
    hint (`see --wide`) is never the part cut."""
    for keep in range(len(hidden), 0, -1):
        rest = len(hidden) - keep
        more = f" and {rest} more" if rest else ""
        line = f"not shown: {', '.join(hidden[:keep])}{more} (see --wide)"
        if cell_len(line) <= width:
            return line
    return f"not shown: {len(hidden)} columns (see --wide)"


def _cut_lists(
    cells: list[list[Text]], lists: set[int], columns: list[Any], widths: dict[str, int]
) -> tuple[list[list[Text]], dict[str, int]]:
    """List columns cut between values (`_cut_list`); the cells a cut frees go to the
    other columns that lack room (a title cut shorter than it had to be)."""
    from exchange_cli.render import layout

    cut = [
        [_cut_list(c, widths[columns[i].field]) if i in lists else c for i, c in enumerate(row)]
        for row in cells
    ]
    narrowed = dict(widths)
    for i in lists:
        field = columns[i].field
        used = max([len(field), *(row[i].cell_len for row in cut)])
        narrowed[field] = min(used, widths[field])
    others = [c for i, c in enumerate(columns) if i not in lists and c.field in widths]
    return cut, layout.grow(others, narrowed, sum(widths.values()))


def _cut_list(cell: Text, width: int) -> Text:
    """Values joined with "; " cut after the last whole value that fits, then "…"
    (`energy; manufacturing; …`), so no value is broken; when even the first does not
    fit, it is cut at the end like any text."""
    if cell.cell_len <= width:
        return cell
    plain, end, start = cell.plain, -1, 0
    while (found := plain.find("; ", start)) >= 0 and cell_len(plain[:found]) + 3 <= width:
        end, start = found, found + 2
    if end < 0:
        return cell
    cut = cell.copy()
    cut.right_crop(len(plain) - end)
    cut.append("; …")
    return cut


def _with_widest_item(column: Any, cells: list[list[Text]], index: int) -> Any:
    """A list column's widest single value, which `--wide` keeps on one line."""
    from exchange_cli.render import layout

    if layout.role(column.field) != layout.LIST:
        return column
    items = [cell_len(item) + 1 for row in cells for item in row[index].plain.split("; ") if item]
    return column._replace(widest_item=max(items, default=0))


def _stacked(listing: Listing, env: Environment) -> RenderableType:
    """One `field  value` block per record, for terminals too narrow for the table."""
    blocks: list[RenderableType] = []
    text = cell_text(listing)
    for record in listing.records:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim" if env.color else "", no_wrap=True)
        grid.add_column(overflow="fold")
        for field in listing.fields:  # (`_rows_table` gives a token's line its whole width)
            grid.add_row(field, _cell(field, record.get(field), env, listing.highlight, text))
        blocks.append(Padding(grid, (0, 0, 1, 0)))
    return Group(*blocks)


def _cell(
    field: str,
    value: Any,
    env: Environment,
    highlight: tuple[str, ...] = (),
    text_of: Callable[[str, Any], str] | None = None,
) -> Text:
    if value is None:
        return Text(NULL, style="dim" if env.color else "")
    if field == "evidence" and env.color and isinstance(value, str):
        return _text(value, _EVIDENCE_STYLE.get(value, ""))
    if field == "change" and env.color and isinstance(value, str):
        return _text(value, _CHANGE_STYLE.get(value, ""))
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
            if field == "title" or (value in (None, []) and field in optional):
                continue  # an optional field the record does not have: nothing to show
            if field == "parties":
                blocks.append(_section("Parties", [_party_line(p) for p in value or []], bullet))
            elif field == "flows":
                lines = [_flow_line(f, arrow, env) for f in value or []]
                blocks.append(_section("Flows", lines, bullet))
            elif field == "benefits":
                lines = [Text(visible(flatten(b))) for b in value or []]
                blocks.append(_section("Benefits", lines, bullet))
            elif field == "related":
                lines = [_related_line(r) for r in value or []]
                blocks.append(_section("Related programs", lines, bullet))
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


def _section(title: str, lines: Sequence[Text], bullet: str) -> RenderableType:
    """A titled list, each item after a bullet; an item that wraps stays indented under
    its first line."""
    items: RenderableType = Text("(none)")
    if lines:
        items = Table.grid(padding=(0, 1))
        items.add_column(no_wrap=True)
        items.add_column()
        for line in lines:
            items.add_row(bullet, line)
    return Padding(Group(Text(title, style="bold underline"), items), (1, 0, 0, 0))


def _party_line(party: Mapping[str, Any]) -> Text:
    line = Text(visible(flatten(party.get("name"))))
    detail = str(party.get("type"))
    if party.get("country"):
        detail += f", {party.get('country')}"
    line.append(f" ({visible(detail)})")
    return line


def _related_line(related: Mapping[str, Any]) -> Text:
    shared = [*related.get("shared_parties", []), *related.get("shared_sectors", [])]
    line = Text(visible(flatten(related.get("id"))))
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


#: The longest bar: longer ones are no easier to compare, only harder to read.
BAR_MAX = 40
#: Cells a bar keeps beside a long label before the label is cut with "…".
BAR_ROOM = 20


def _facet_label(row: Mapping[str, Any], named_twice: set[str]) -> str:
    """A facet value as people read it: countries by name, with the code --country takes;
    an actor by its name (with its id when two actors share the name)."""
    facet, value, label = row.get("facet"), row.get("value"), row.get("label")
    if facet == "country" and isinstance(value, str):
        return f"{country_name(value)} ({value})"
    if isinstance(label, str):
        return f"{label} ({flatten(value)})" if label in named_twice else label
    return flatten(value)


def _facet_bars(listing: Listing, env: Environment) -> RenderableType:
    """Horizontal bars per facet, one line a value, scaled to the largest count; at most
    BAR_MAX cells, and labels cut with "…" where the terminal is narrow."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in listing.records:
        groups.setdefault(str(record.get("facet", "")), []).append(record)
    block = "█" if env.unicode else "#"
    names = [row["label"] for row in listing.records if isinstance(row.get("label"), str)]
    named_twice = {name for name in names if names.count(name) > 1}
    labels = {
        id(row): visible(_facet_label(row, named_twice))
        for facet, rows in groups.items()
        for row in rows
    }
    digits = max((len(str(r.get("count"))) for r in listing.records), default=1)
    label_width = max((cell_len(label) for label in labels.values()), default=5)
    if not env.wide:
        label_width = min(label_width, max(env.width - digits - 2 - BAR_ROOM, 8))
    bar_room = max(min(BAR_MAX, env.width - label_width - digits - 3), 1)
    parts: list[RenderableType] = []
    for facet, rows in groups.items():
        top = max((int(r.get("count") or 0) for r in rows), default=0) or 1
        # Right padding only, the last column's trimmed: see _rows_table.
        grid = Table.grid(padding=(0, 1, 0, 0), pad_edge=True, collapse_padding=False)
        grid.add_column(no_wrap=True, overflow="ellipsis", width=label_width)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(no_wrap=True)
        for row in rows:
            count = int(row.get("count") or 0)
            length = max(round(count / top * bar_room), 1) if count else 0
            grid.add_row(
                Text(labels[id(row)]),
                Text(str(count)),
                Text(block * length, style="cyan" if env.color else ""),
            )
        title = Text(f"by {visible(facet)}", style="bold" if env.color else "")
        above = 1 if parts else 0  # a blank line between facets, none after the last
        parts.append(Padding(Group(title, grid), (above, 0, 0, 0), expand=False))
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
