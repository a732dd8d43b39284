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

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from exchange_cli.errors import Problem
from exchange_cli.terminal import Environment

#: How one field's value reads as one line of text (csv, tsv, markdown, table cells).
Flat = Callable[[str, Any], str]


class Listing(NamedTuple):
    """Records (JSON-ready mappings), the fields to print in order, and how nested values
    read as text (the record declaration's, for programs)."""

    records: Sequence[Mapping[str, Any]]
    fields: Sequence[str]
    flat: Flat | None = None
    highlight: tuple[str, ...] = ()  # normalized words to emphasise on a terminal (search)


class Record(NamedTuple):
    """One record in full (`show`): an object in json, a page of text on a terminal."""

    record: Mapping[str, Any]
    fields: Sequence[str]
    flat: Flat | None = None


class FacetCounts(NamedTuple):
    """`summarize`'s rows of {facet, value, count}: bars on a terminal."""

    rows: Sequence[Mapping[str, Any]]
    fields: Sequence[str]


class GraphView(NamedTuple):
    """The partnership graph: nodes and edges, and the tree a terminal draws."""

    nodes: Sequence[Mapping[str, Any]]
    edges: Sequence[Mapping[str, Any]]
    fields: Sequence[str]
    tree: Sequence[Mapping[str, Any]] = ()


class Problems(NamedTuple):
    """`validate`'s problems, and how many more were found than are listed."""

    problems: Sequence[Problem]
    fields: Sequence[str]
    dropped: int = 0


class Export(NamedTuple):
    """A whole catalogue (or a filtered part) as one document: `exchange export`."""

    page: Any  # render.html.Page


Result = Listing | Record | FacetCounts | GraphView | Problems | Export


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


class _Lazy:
    """A renderer whose implementation is a function in a module imported on use."""

    def __init__(self, name: str, kinds: tuple[type, ...], description: str) -> None:
        self.name, self.kinds, self.description = name, kinds, description

    def __repr__(self) -> str:
        return f"<renderer {self.name}>"


ROWS = (Listing, Record, FacetCounts, GraphView, Problems)


class Table(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import table

        table.render(result, env)


class Json(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import structured as module

        module.render_json(result, env)


class JsonLines(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import structured as module

        module.render_jsonl(rows_of(result), env)


class Yaml(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import structured as module

        module.render_yaml(as_data(result), env)


class Csv(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import delimited

        delimited.render_csv(rows_of(result), env)


class Tsv(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import delimited

        delimited.render_tsv(rows_of(result), env)


class Markdown(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import markdown

        markdown.render_markdown(rows_of(result), env)


class Mermaid(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import graph

        graph.render_mermaid(result, env)


class Dot(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import graph

        graph.render_dot(result, env)


class Text(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import problems

        problems.render_text(result, env)


class Github(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import problems

        problems.render_github(result, env)


class Html(_Lazy):
    def render(self, result: Any, env: Environment) -> None:
        from exchange_cli.render import html

        env.stdout.write(html.render_page(result.page))


#: Every renderer, in the order `--help` lists formats.
RENDERERS: tuple[Renderer, ...] = (
    Text("text", (Problems,), "file:line:column: message, one problem a line"),
    Table("table", ROWS, "a table, a page or a drawing for a terminal"),
    Json("json", ROWS, "one JSON document"),
    JsonLines("jsonl", ROWS, "one JSON object a line"),
    Csv("csv", ROWS, "comma-separated, RFC 4180"),
    Tsv("tsv", ROWS, "tab-separated, one line a row"),
    Yaml("yaml", ROWS, "YAML that reads back to the JSON data"),
    Markdown("markdown", ROWS, "a GitHub-flavoured Markdown table"),
    Mermaid("mermaid", (GraphView,), "a Mermaid flowchart"),
    Dot("dot", (GraphView,), "a Graphviz digraph"),
    Github("github", (Problems,), "GitHub Actions annotations"),
    Html("html", (Export,), "one self-contained web page"),
)


def formats_for(kind: type) -> tuple[str, ...]:
    """The formats that render results of this kind, in the registry's order."""
    return tuple(r.name for r in RENDERERS if kind in r.kinds)


def renderer(name: str, kind: type) -> Renderer:
    for candidate in RENDERERS:
        if candidate.name == name and kind in candidate.kinds:
            return candidate
    raise KeyError(name)
