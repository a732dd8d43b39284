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
    rows_of,
)

if TYPE_CHECKING:
    from exchange_cli.render.terminal import Environment


if TYPE_CHECKING:  # a typing-only protocol: nothing to define on every run

    class Renderer(Protocol):
        name: str
        kinds: tuple[type, ...]
        description: str

        def render(self, result: Any, env: Environment) -> None: ...


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
    _Renderer("text", (Problems,), "file:line:column: message, one problem a line", _text),
    _Renderer("table", (*ROWS, Diff), "a table, a page or a drawing for a terminal", _table),
    _Renderer("json", (*ROWS, Diff), "one JSON document", _json),
    _Renderer("jsonl", (*ROWS, Diff), "one JSON object a line", _jsonl),
    _Renderer("csv", ROWS, "comma-separated, RFC 4180", _csv),
    _Renderer("tsv", ROWS, "tab-separated, one line a row", _tsv),
    _Renderer("yaml", ROWS, "YAML that reads back to the JSON data", _yaml),
    _Renderer("markdown", (*ROWS, Diff), "GitHub-flavoured Markdown", _markdown),
    _Renderer("mermaid", (GraphView,), "a Mermaid flowchart", _mermaid),
    _Renderer("dot", (GraphView,), "a Graphviz digraph", _dot),
    _Renderer("github", (Problems,), "GitHub Actions annotations", _github),
    _Renderer("html", (Export,), "one self-contained web page", _html),
    _Renderer("sqlite", (Export,), "an SQLite database for datasette and friends", _sqlite),
)


def formats_for(kind: type) -> tuple[str, ...]:
    """The formats that render results of this kind, in the registry's order."""
    return tuple(r.name for r in RENDERERS if kind in r.kinds)


def renderer(name: str, kind: type) -> Renderer:
    for candidate in RENDERERS:
        if candidate.name == name and kind in candidate.kinds:
            return candidate
    raise KeyError(name)
