"""The output registry: every format a command can print, as typed renderer objects.

A renderer has a name (what `--format` takes), the kinds of result it renders (the
result types below: a listing, one record, facet counts, a graph, validation problems,
a whole-catalogue export) and `render(result, env)`. Every command's `--format`
choices come from here (`formats_for`); a test renders each (kind, format) pair. The
implementation modules are imported inside `render`, so a run loads only what its
format needs (Rich only for terminal views).

Renderers are dumb: they print the records and fields they are given, in the order
given, each escaping for its destination by the rule written in its module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from exchange_cli.errors import Problem
from exchange_cli.terminal import Environment

#: How one field's value reads as one line of text (csv, tsv, markdown, table cells).
Flat = Callable[[str, Any], str]


class Listing:
    """Records (JSON-ready mappings), the fields to print in order, and how nested values
    read as text (the record declaration's, for programs)."""

    __slots__ = ("records", "fields", "flat", "highlight")

    def __init__(
        self,
        records: Sequence[Mapping[str, Any]],
        fields: Sequence[str],
        flat: Flat | None = None,
        highlight: tuple[str, ...] = (),  # normalized words to emphasise (search)
    ) -> None:
        self.records, self.fields, self.flat, self.highlight = records, fields, flat, highlight

    def with_records(self, records: Sequence[Mapping[str, Any]]) -> Listing:
        return Listing(records, self.fields, self.flat, self.highlight)


class Record:
    """One record in full (`show`): an object in json, a page of text on a terminal."""

    __slots__ = ("record", "fields", "flat")

    def __init__(
        self, record: Mapping[str, Any], fields: Sequence[str], flat: Flat | None = None
    ) -> None:
        self.record, self.fields, self.flat = record, fields, flat


class FacetCounts:
    """`summarize`'s rows of {facet, value, count}: bars on a terminal."""

    __slots__ = ("rows", "fields")

    def __init__(self, rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> None:
        self.rows, self.fields = rows, fields


class GraphView:
    """The partnership graph: nodes and edges, and the tree a terminal draws."""

    __slots__ = ("nodes", "edges", "fields", "tree")

    def __init__(
        self,
        nodes: Sequence[Mapping[str, Any]],
        edges: Sequence[Mapping[str, Any]],
        fields: Sequence[str],
        tree: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.nodes, self.edges, self.fields, self.tree = nodes, edges, fields, tree


class Problems:
    """`validate`'s problems, and how many more were found than are listed."""

    __slots__ = ("problems", "fields", "dropped")

    def __init__(
        self, problems: Sequence[Problem], fields: Sequence[str], dropped: int = 0
    ) -> None:
        self.problems, self.fields, self.dropped = problems, fields, dropped


class Export:
    """A whole catalogue (or a filtered part) as one document: `exchange export`."""

    __slots__ = ("page",)

    def __init__(self, page: Any) -> None:  # render.html.Page
        self.page = page


Result = Listing | Record | FacetCounts | GraphView | Problems | Export


if TYPE_CHECKING:  # a typing-only protocol: nothing to define on every run

    class Renderer(Protocol):
        name: str
        kinds: tuple[type, ...]
        description: str

        def render(self, result: Any, env: Environment) -> None: ...


def rows_of(result: Any) -> Listing:
    """Any tabular result as a listing of rows: what the row formats (csv, tsv, jsonl,
    markdown, a table) print. A graph lists its edges; problems one row each."""
    if isinstance(result, Listing):
        return result
    if isinstance(result, Record):
        return Listing([result.record], result.fields, result.flat)
    if isinstance(result, FacetCounts):
        return Listing(result.rows, result.fields)
    if isinstance(result, GraphView):
        return Listing(result.edges, result.fields)
    if isinstance(result, Problems):
        return Listing([p._asdict() for p in result.problems], result.fields)
    raise TypeError(type(result).__name__)


def as_data(result: Any) -> Any:
    """What json and yaml print: the rows as a list of objects; one record as an object;
    the graph as {nodes, edges}."""
    if isinstance(result, Record):
        return {field: result.record.get(field) for field in result.fields}
    if isinstance(result, GraphView):
        return {"nodes": list(result.nodes), "edges": list(result.edges)}
    listing = rows_of(result)
    return [{f: record.get(f) for f in listing.fields} for record in listing.records]


class _Renderer:
    """A renderer whose work is a function that imports its module when called."""

    __slots__ = ("name", "kinds", "description", "_render")

    def __init__(
        self,
        name: str,
        kinds: tuple[type, ...],
        description: str,
        render: Callable[[Any, Environment], None],
    ) -> None:
        self.name, self.kinds, self.description, self._render = name, kinds, description, render

    def __repr__(self) -> str:
        return f"<renderer {self.name}>"

    def render(self, result: Any, env: Environment) -> None:
        self._render(result, env)


ROWS = (Listing, Record, FacetCounts, GraphView, Problems)


def _table(result: Any, env: Environment) -> None:
    from exchange_cli.render import table

    table.render(result, env)


def _json(result: Any, env: Environment) -> None:
    from exchange_cli.render import structured

    structured.render_json(result, env)


def _jsonl(result: Any, env: Environment) -> None:
    from exchange_cli.render import structured

    structured.render_jsonl(rows_of(result), env)


def _yaml(result: Any, env: Environment) -> None:
    from exchange_cli.render import structured

    structured.render_yaml(as_data(result), env)


def _csv(result: Any, env: Environment) -> None:
    from exchange_cli.render import delimited

    delimited.render_csv(rows_of(result), env)


def _tsv(result: Any, env: Environment) -> None:
    from exchange_cli.render import delimited

    delimited.render_tsv(rows_of(result), env)


def _markdown(result: Any, env: Environment) -> None:
    from exchange_cli.render import markdown

    markdown.render_markdown(rows_of(result), env)


def _mermaid(result: Any, env: Environment) -> None:
    from exchange_cli.render import graph

    graph.render_mermaid(result, env)


def _dot(result: Any, env: Environment) -> None:
    from exchange_cli.render import graph

    graph.render_dot(result, env)


def _text(result: Any, env: Environment) -> None:
    from exchange_cli.render import problems

    problems.render_text(result, env)


def _github(result: Any, env: Environment) -> None:
    from exchange_cli.render import problems

    problems.render_github(result, env)


def _html(result: Any, env: Environment) -> None:
    from exchange_cli.render import html

    env.stdout.write(html.render_page(result.page))


#: Every renderer, in the order `--help` lists formats.
RENDERERS: tuple[Renderer, ...] = (
    _Renderer("text", (Problems,), "file:line:column: message, one problem a line", _text),
    _Renderer("table", ROWS, "a table, a page or a drawing for a terminal", _table),
    _Renderer("json", ROWS, "one JSON document", _json),
    _Renderer("jsonl", ROWS, "one JSON object a line", _jsonl),
    _Renderer("csv", ROWS, "comma-separated, RFC 4180", _csv),
    _Renderer("tsv", ROWS, "tab-separated, one line a row", _tsv),
    _Renderer("yaml", ROWS, "YAML that reads back to the JSON data", _yaml),
    _Renderer("markdown", ROWS, "a GitHub-flavoured Markdown table", _markdown),
    _Renderer("mermaid", (GraphView,), "a Mermaid flowchart", _mermaid),
    _Renderer("dot", (GraphView,), "a Graphviz digraph", _dot),
    _Renderer("github", (Problems,), "GitHub Actions annotations", _github),
    _Renderer("html", (Export,), "one self-contained web page", _html),
)


def formats_for(kind: type) -> tuple[str, ...]:
    """The formats that render results of this kind, in the registry's order."""
    return tuple(r.name for r in RENDERERS if kind in r.kinds)


def renderer(name: str, kind: type) -> Renderer:
    for candidate in RENDERERS:
        if candidate.name == name and kind in candidate.kinds:
            return candidate
    raise KeyError(name)
