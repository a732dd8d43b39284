"""The published JSON Schema, the record skeleton, validate's machine formats, pre-commit."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from exchange_cli.load.loader import check_text
from exchange_cli.model.fields import fields_of, keys_of
from exchange_cli.model.records import FIELDS, Flow, Party, Program, Source
from exchange_cli.model.schema import catalogue_schema
from exchange_cli.model.vocab import EVIDENCE, KINDS, SECTORS, countries

PARTY_FIELDS, FLOW_FIELDS, SOURCE_FIELDS = keys_of(Party), keys_of(Flow), keys_of(Source)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
EXCHANGE = Path(sys.executable).parent / "exchange"
Run = Callable[..., Any]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = catalogue_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_published_schema_file_is_the_generated_one() -> None:
    published = json.loads((REPO / "data" / "programs.schema.json").read_text(encoding="utf-8"))
    assert published == catalogue_schema(), "run: python scripts/generate.py"
    first = (REPO / "data" / "programs.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=programs.schema.json"


def test_schema_agrees_with_the_model_and_vocabularies() -> None:
    defs = catalogue_schema()["$defs"]
    assert list(defs["program"]["properties"]) == list(FIELDS)
    required = [f.key for f in fields_of(Program) if f.spec.required]
    assert defs["program"]["required"] == required
    assert list(defs["party"]["properties"]) == list(PARTY_FIELDS)
    assert list(defs["flow"]["properties"]) == list(FLOW_FIELDS)
    assert list(defs["source"]["properties"]) == list(SOURCE_FIELDS)
    props = defs["program"]["properties"]
    assert [c["const"] for c in props["kind"]["oneOf"]] == list(KINDS.values)
    assert [c["const"] for c in props["sectors"]["items"]["oneOf"]] == list(SECTORS.values)
    assert [c["const"] for c in props["evidence"]["oneOf"]] == list(EVIDENCE.values)
    assert all(c["description"] for c in props["kind"]["oneOf"])
    country = defs["party"]["properties"]["country"]["oneOf"][1]["enum"]
    assert country == list(countries().values)


def test_schema_command_prints_valid_json(run: Run) -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == catalogue_schema()


def test_the_shipped_catalogue_passes_the_schema(
    validator: jsonschema.Draft202012Validator,
) -> None:
    data = yaml.safe_load((REPO / "data" / "programs.yaml").read_text(encoding="utf-8"))
    errors = list(validator.iter_errors(data))
    assert errors == []


GOOD = yaml.safe_load((FIXTURES / "small.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "breakage",
    [
        lambda r: r.pop("title"),
        lambda r: r.update(sectors=["defnse"]),
        lambda r: r.update(sectors=[]),
        lambda r: r.update(sectors=["energy", "energy"]),
        lambda r: r.update(kind="tech"),
        lambda r: r.update(id="Not A Slug"),
        lambda r: r.update(titel="typo"),
        lambda r: r.update(evidence="rumoured"),
        lambda r: r.update(recurrence="weekly"),
        lambda r: r.update(summary=""),
        lambda r: r.update(title=False),
        lambda r: r["parties"][0].update(country="XX"),
        lambda r: r["parties"][0].update(type="nation-state"),
        lambda r: r["flows"][0].pop("what"),
        lambda r: r["source"].update(page=3),
    ],
)
def test_what_the_loader_rejects_the_schema_rejects(
    validator: jsonschema.Draft202012Validator, breakage: Callable[[dict[str, Any]], object]
) -> None:
    data = json.loads(json.dumps(GOOD))
    breakage(data["programs"][0])
    catalogue, problems = check_text(yaml.safe_dump(data, sort_keys=False))
    assert catalogue is None and problems
    assert list(validator.iter_errors(data)), "the schema should reject it too"


def test_new_prints_a_catalogue_file_that_validates_as_it_is(run: Run, tmp_path: Path) -> None:
    text = run("new").stdout
    catalogue, problems = check_text(text)
    assert problems == [] and catalogue is not None and len(catalogue) == 1
    path = tmp_path / "my-programs.yaml"
    path.write_text(text, encoding="utf-8")
    assert run("validate", str(path)).exit_code == 0
    [record] = yaml.safe_load(run("new", "--record").stdout)
    assert record == yaml.safe_load(text)["programs"][0]


def test_new_record_prints_a_skeleton_that_validates_once_filled_in(run: Run) -> None:
    text = run("new", "--record").stdout
    [record] = yaml.safe_load(text)
    assert list(record) == list(FIELDS)
    record.update(title="A title", summary="What it is about.")
    record["parties"][0].update(name="Japan", country="JP")
    record["parties"][1]["name"] = "Islamic Nation"
    record["flows"] = [{"from": "Japan", "to": "Islamic Nation", "what": "know-how"}]
    record["source"].update(document="Doc", section="Part")
    catalogue, problems = check_text(yaml.safe_dump({"programs": [record]}, sort_keys=False))
    assert problems == []
    assert catalogue is not None


def broken_copy(tmp_path: Path) -> Path:
    text = (FIXTURES / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("    title: Beta Defense Work\n", "", 1)
    text = text.replace("sectors: [e-commerce]", "sectors: [e-commerse]", 1)
    path = tmp_path / "programs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_json_is_one_object_per_problem(run: Run, tmp_path: Path) -> None:
    path = broken_copy(tmp_path)
    result = run("validate", str(path), "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert [(p["line"], p["column"], p["path"]) for p in problems] == [
        (17, 5, "programs[1]"),
        (33, 15, "programs[2].sectors[0]"),
    ]
    for problem in problems:
        assert set(problem) == {"file", "line", "column", "path", "message", "severity"}
        assert problem["file"] == str(path) and problem["severity"] == "error"


def test_validate_github_annotations(run: Run, tmp_path: Path) -> None:
    path = broken_copy(tmp_path)
    lines = run("validate", str(path), "--format", "github").stdout.splitlines()
    assert lines[0] == (
        f"::error file={path},line=17,col=5,title=programs[1]::missing required field 'title'"
    )
    assert lines[1].startswith(
        f"::error file={path},line=33,col=15,title=programs[2].sectors[0]::"
    )


def test_validate_reports_warnings_without_failing(run: Run, tmp_path: Path) -> None:
    text = (FIXTURES / "small.yaml").read_text(encoding="utf-8")
    text = text.replace(
        '{name: United States, type: country, country: "US"}',
        "{name: United States, type: country, country: null}",
    )
    path = tmp_path / "warn.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("validate", str(path), "--json")
    assert result.exit_code == 0
    [warning] = json.loads(result.stdout)
    assert warning["severity"] == "warning" and "has no ISO code" in warning["message"]


def test_pre_commit_hook_entry_accepts_good_and_rejects_bad(tmp_path: Path) -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "exchange-validate" and hook["language"] == "python"
    command = shlex.split(hook["entry"])
    assert command[0] == "exchange"
    executable = [str(EXCHANGE), *command[1:]]
    good = subprocess.run(
        [*executable, str(REPO / "data" / "programs.yaml")], capture_output=True, check=False
    )
    assert good.returncode == 0, good.stderr
    bad = broken_copy(tmp_path)
    failed = subprocess.run(
        [*executable, str(REPO / "data" / "programs.yaml"), str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 1
    assert f"{bad}:17:5:" in failed.stdout
