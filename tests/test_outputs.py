"""Every output that is not a program record keeps its declaration (model/outputs.py):
the keys in order, and one JSON type per field, read back from each command's JSON."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import write_catalogue
from exchange_cli.load.loader import default_catalogue_path
from exchange_cli.model.outputs import OUTPUTS, OutputField, fields, keys
from exchange_cli.model.records import FIELDS

Run = Callable[..., Any]
SHIPPED = default_catalogue_path()


def of_type(value: Any, field: OutputField) -> bool:
    if value is None:
        return field.nullable
    return {
        "string": lambda v: type(v) is str,
        "integer": lambda v: type(v) is int,
        "number": lambda v: type(v) in (int, float),
        "boolean": lambda v: type(v) is bool,
        "object": lambda v: type(v) is dict,
        "array of strings": lambda v: type(v) is list and all(type(i) is str for i in v),
        "array of objects": lambda v: type(v) is list and all(type(i) is dict for i in v),
        "any JSON value": lambda v: True,
    }[field.type](value)


def conforms(rows: list[dict[str, Any]], output: str, *, extra: tuple[str, ...] = ()) -> None:
    assert rows, output
    for row in rows:
        assert tuple(row)[: len(OUTPUTS[output])] == keys(output), (output, list(row))
        assert tuple(row)[len(OUTPUTS[output]) :] == extra, (output, list(row))
        for field in fields(output):
            assert of_type(row[field.key], field), (output, field.key, row[field.key])


def data(run: Run, *args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_flows(run: Run) -> None:
    conforms(data(run, "flows"), "flows")


def test_graph_nodes_and_edges(run: Run) -> None:
    graph = data(run, "graph")
    conforms(graph["nodes"], "graph.nodes")
    conforms(graph["edges"], "graph.edges")


def test_summarize_every_facet_and_the_actors(run: Run) -> None:
    rows = data(run, "summarize", "--by", "sector", "--by", "country", "--by", "party")
    conforms(rows, "summarize")
    assert {row["facet"] for row in rows} == {"sector", "country", "party"}


def test_shows_related_programs(run: Run) -> None:
    shown = data(run, "show", "saudi-korea-tech-exchange")
    assert tuple(shown) == (*FIELDS, "related")
    conforms(shown["related"], "show.related")


def test_searchs_score_comes_before_the_program(run: Run) -> None:
    hits = data(run, "search", "technology")
    conforms(hits, "search", extra=FIELDS)


def test_diff_and_its_rows(run: Run, tmp_path: Path) -> None:
    records = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["programs"]
    edited = copy.deepcopy(records)
    edited.pop(0)
    edited[0]["recurrence"] = None if edited[0]["recurrence"] else "annual"
    edited.append({**copy.deepcopy(records[1]), "id": "a-new-one", "aliases": []})
    new = write_catalogue(tmp_path / "new.yaml", edited)
    whole = data(run, "diff", str(SHIPPED), str(new))
    conforms([whole], "diff")
    lines = run("diff", str(SHIPPED), str(new), "-f", "jsonl").stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    conforms(rows, "diff.rows")
    assert {row["change"] for row in rows} == {"added", "removed", "changed"}


@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_every_output_field_has_a_doc_and_a_known_type(output: str) -> None:
    for field in fields(output):
        assert field.doc.endswith(".") and field.type
        of_type("x", field)  # a type the checker knows
