"""The output contract: one enum of formats, one dispatch, one renderer module per family.

Renderers are dumb: they print the records and fields they are given, in the order
given. Which records and which fields is decided before they are called.
"""

import importlib
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from exchange_cli.terminal import Environment


class OutputFormat(StrEnum):
    """Every format a data command can print."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    YAML = "yaml"
    MARKDOWN = "markdown"


#: What the terminal view of a listing looks like; the other formats ignore it.
Shape = Literal["programs", "program", "facets", "problems", "flows"]


class Listing(NamedTuple):
    """Records (JSON-ready mappings) plus the fields to print, in order."""

    records: Sequence[Mapping[str, Any]]
    fields: Sequence[str]
    shape: Shape = "programs"
    single: bool = False  # one object rather than an array (e.g. `show --format json`)
    highlight: tuple[str, ...] = ()  # normalized words to emphasise on a terminal (search)


#: format → (module, function). A test checks this covers every `OutputFormat`.
RENDERERS: dict[OutputFormat, tuple[str, str]] = {
    OutputFormat.TABLE: ("exchange_cli.render.table", "render_table"),
    OutputFormat.JSON: ("exchange_cli.render.structured", "render_json"),
    OutputFormat.JSONL: ("exchange_cli.render.structured", "render_jsonl"),
    OutputFormat.YAML: ("exchange_cli.render.structured", "render_yaml"),
    OutputFormat.CSV: ("exchange_cli.render.delimited", "render_csv"),
    OutputFormat.TSV: ("exchange_cli.render.delimited", "render_tsv"),
    OutputFormat.MARKDOWN: ("exchange_cli.render.markdown", "render_markdown"),
}


def render(listing: Listing, fmt: OutputFormat, env: Environment) -> None:
    """Write `listing` to `env.stdout` in `fmt` (modules import lazily: Rich only for tables)."""
    module_name, function_name = RENDERERS[fmt]
    renderer = getattr(importlib.import_module(module_name), function_name)
    renderer(listing, env)
