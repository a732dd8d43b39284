"""The output registry: every format a command can print, as typed renderer objects.

A renderer has a name (what `--format` takes), the kinds of result it renders (the
types in `results`) and `render(result, env)`. Every command's `--format` choices come
from here (`formats_for`); a test renders each (kind, format) pair. The implementation
modules are imported inside `render`, so a run loads only what its format needs (Rich
only for terminal views).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from exchange_cli.render.results import (
    Diff,
    Export,
    FacetCounts,
    GraphView,
    Listing,
    Problems,
    Record,
    as_data,
    json_rows,
    rows_of,
)

if TYPE_CHECKING:
    from exchange_cli.render.terminal import Environment


if TYPE_CHECKING:  # a typing-only protocol: nothing to define on every run

    class Renderer(Protocol):
        name: str
        kinds: tuple[type, ...]
        description: str
        strings: str

        def render(self, result: Any, env: Environment) -> None: ...


#: How a format writes a catalogue's strings (its escaping rule, written at the top of
#: its module; tests/test_hostile_text.py feeds each family hostile text):
#: "visible": control, separator and bidi characters shown as escapes (`\x1b`), one
#: line a row; "lines": the same, but newlines and tabs kept inside quoted fields (csv);
#: "exact": every string exactly as given, encoded by the format's own syntax.
STRING_RULES = ("visible", "lines", "exact")


class _Renderer:
    """A renderer whose work is a function that imports its module when called."""

    __slots__ = ("name", "kinds", "description", "strings", "_render")

    def __init__(
        self,
        name: str,
        kinds: tuple[type, ...],
        description: str,
        render: Callable[[Any, Environment], None],
        strings: str = "visible",
    ) -> None:
        self.name, self.kinds, self.description, self._render = name, kinds, description, render
        self.strings = strings

    def __repr__(self) -> str:
        return f"<renderer {self.name}>"

    def render(self, result: Any, env: Environment) -> None:
        self._render(result, env)


ROWS = (Listing, Record, FacetCounts, GraphView, Problems, Diff)


def _table(result: Any, env: Environment) -> None:
    if isinstance(result, Diff):
        from exchange_cli.render import diff

        diff.render_table(result, env)
        return
    from exchange_cli.render import table

    table.render(result, env)


def _json(result: Any, env: Environment) -> None:
    from exchange_cli.render import structured

    structured.render_json(result, env)


def _jsonl(result: Any, env: Environment) -> None:
    from exchange_cli.render import structured

    structured.render_jsonl(json_rows(result), env)


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
    if isinstance(result, Diff):
        from exchange_cli.render import diff

        diff.render_markdown(result, env)
        return
    from exchange_cli.render import markdown

    markdown.render_markdown(rows_of(result), env)


def _mermaid(result: Any, env: Environment) -> None:
    from exchange_cli.render import graph

    graph.render_mermaid(result, env)


def _dot(result: Any, env: Environment) -> None:
    from exchange_cli.render import graph

    graph.render_dot(result, env)


def _text(result: Any, env: Environment) -> None:
    if isinstance(result, Record):
        from exchange_cli.render import delimited

        delimited.render_fields(rows_of(result), env)
        return
    from exchange_cli.render import problems

    problems.render_text(result, env)


def _github(result: Any, env: Environment) -> None:
    from exchange_cli.render import problems

    problems.render_github(result, env)


def _html(result: Any, env: Environment) -> None:
    from exchange_cli.render import html

    if result.target is None:
        for part in html.page_parts(result.page):  # streamed: never whole in memory
            env.stdout.write(part)
        return
    from exchange_cli.render import target

    target.write(html.render_page(result.page).encode("ascii"), result.target, env, result.keep)


def _sqlite(result: Any, env: Environment) -> None:
    import json

    from exchange_cli.render import sqlite, target

    data = sqlite.build_database(result.programs, *result.actors)
    if not result.directory:
        target.write(data, result.target, env, result.keep)
        return
    described = sqlite.metadata("catalogue", "Exchange programs")
    text = json.dumps(described, indent=2, ensure_ascii=False) + "\n"
    files = {"catalogue.db": data, "metadata.json": text.encode("utf-8")}
    target.write_directory(files, result.target, env, result.keep)


#: Every renderer, in the order `--help` lists formats.
RENDERERS: tuple[Renderer, ...] = (
    _Renderer(
        "text",
        (Problems, Record),
        "plain lines: file:line:column: message a problem; field<TAB>value a field",
        _text,
    ),
    _Renderer("table", ROWS, "a table, a page or a drawing for a terminal", _table),
    _Renderer("json", ROWS, "one JSON document", _json, "exact"),
    _Renderer("jsonl", ROWS, "one JSON object a line", _jsonl, "exact"),
    _Renderer("csv", ROWS, "comma-separated, RFC 4180", _csv, "lines"),
    _Renderer("tsv", ROWS, "tab-separated, one line a row", _tsv),
    _Renderer("yaml", ROWS, "YAML that reads back to the JSON data", _yaml, "exact"),
    _Renderer("markdown", ROWS, "GitHub-flavoured Markdown", _markdown),
    _Renderer("mermaid", (GraphView,), "a Mermaid flowchart", _mermaid),
    _Renderer("dot", (GraphView,), "a Graphviz digraph", _dot),
    _Renderer("github", (Problems,), "GitHub Actions annotations", _github),
    _Renderer("html", (Export,), "one self-contained web page", _html, "exact"),
    _Renderer(
        "sqlite", (Export,), "an SQLite database for datasette and friends", _sqlite, "exact"
    ),
)


def formats_for(kind: type) -> tuple[str, ...]:
    """The formats that render results of this kind, in the registry's order."""
    return tuple(r.name for r in RENDERERS if kind in r.kinds)


def renderer(name: str, kind: type) -> Renderer:
    for candidate in RENDERERS:
        if candidate.name == name and kind in candidate.kinds:
            return candidate
    raise KeyError(name)
