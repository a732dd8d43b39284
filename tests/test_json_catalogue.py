"""JSON catalogues: a `{"programs": [...]}` document (`.json`) and JSON Lines (`.jsonl`),
read record by record with the YAML path's strict rules and `file:line:column` on every
problem; and the compiled fast check, which must never accept what the full walk refuses.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange_cli.errors import CatalogueError
from exchange_cli.load.fastcheck import fast_checker
from exchange_cli.load.loader import (
    check_text,
    default_catalogue_path,
    inspect_text,
    load_catalogue,
)
from exchange_cli.load.validation import Report, check_record
from exchange_cli.model.fields import INVALID, Unquoted
from exchange_cli.model.records import Program

SHIPPED = yaml.safe_load(default_catalogue_path().read_text(encoding="utf-8"))
RECORDS: list[dict[str, Any]] = SHIPPED["programs"]
EXCHANGE = Path(sys.executable).parent / "exchange"


def printed(record: dict[str, Any]) -> dict[str, Any]:
    """A catalogue record as the JSON output prints it: every optional key the record
    leaves out, its parties' too, as null (from the declaration)."""
    from exchange_cli.model.fields import fields_of
    from exchange_cli.model.records import Party

    def defaults(record: type) -> dict[str, Any]:
        """Each optional key and what a record without it prints (null, or [])."""
        return {
            f.key: list(f.default) if isinstance(f.default, tuple) else f.default
            for f in fields_of(record)
            if not f.spec.required
        }

    out = copy.deepcopy(record)
    for key, value in defaults(Program).items():
        out.setdefault(key, value)
    for party in out["parties"]:
        for key, value in defaults(Party).items():
            party.setdefault(key, value)
    return out


def as_json(records: list[Any], **top: Any) -> str:
    """A JSON catalogue laid out as a person or `json.dumps(indent=2)` writes one."""
    return json.dumps({"programs": records, **top}, indent=2, ensure_ascii=False) + "\n"


def as_jsonl(records: list[Any]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def problems(text: str, name: str) -> list[tuple[int | None, int | None, str, str]]:
    _, found = check_text(text, name)
    return [(p.line, p.column, p.path, p.message) for p in found]


def test_a_json_catalogue_loads_the_same_programs_as_the_yaml_one(tmp_path: Path) -> None:
    from_yaml = load_catalogue(default_catalogue_path())
    document = tmp_path / "programs.json"
    document.write_text(as_json(RECORDS), encoding="utf-8")
    lines = tmp_path / "programs.jsonl"
    lines.write_text(as_jsonl(RECORDS), encoding="utf-8")
    assert load_catalogue(document).programs == from_yaml.programs
    assert load_catalogue(lines).programs == from_yaml.programs


def test_a_json_catalogue_is_not_read_by_the_yaml_parser(tmp_path: Path) -> None:
    document = tmp_path / "programs.json"
    document.write_text(as_json(RECORDS), encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; "
        "from exchange_cli.load.loader import load_catalogue; "
        "load_catalogue(Path(sys.argv[1])); print('yaml' in sys.modules)"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code, str(document)], capture_output=True, text=True, check=True
    )
    assert ran.stdout.strip() == "False"


def test_a_bom_before_a_json_catalogue_is_fine(tmp_path: Path) -> None:
    """JSON's decoder refuses a BOM, so this fails if the loader stops stripping it."""
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + as_json(RECORDS[:2]).encode("utf-8"))
    assert len(load_catalogue(path)) == 2
    path.write_bytes(b"\xef\xbb\xbf" + as_jsonl(RECORDS[:2]).encode("utf-8"))
    assert len(load_catalogue(path.rename(tmp_path / "bom.jsonl"))) == 2


def test_every_record_of_the_shipped_catalogue_takes_the_fast_check() -> None:
    check = fast_checker(Program)
    for record in RECORDS:
        built = check(record)
        assert built is not None, record["id"]
        assert built.to_dict() == printed(record)


# -- positions: JSON text is also YAML, so both readers must place problems alike ----------


def broken_records() -> list[dict[str, Any]]:
    records = copy.deepcopy(RECORDS[:4])
    records[0]["kind"] = "tech"  # an alias
    records[0]["sectors"] = ["energy", "energy", "spaceflight"]
    records[1]["parties"][0]["country"] = "KSA"
    records[1]["parties"][1]["type"] = 7
    records[1]["flows"][0]["to"] = "Atlantis"
    records[2]["surprise"] = True
    del records[2]["summary"]
    records[3]["id"] = records[0]["id"]
    records[3]["benefits"] = ["   ", None, ["nested"]]
    records[3]["recurrence"] = "weekly"
    return records


@pytest.mark.parametrize("indent", [None, 2])
def test_problems_are_placed_where_the_yaml_reader_places_them(indent: int | None) -> None:
    text = json.dumps({"programs": broken_records()}, indent=indent) + "\n"
    as_yaml = problems(text, "c.yaml")
    assert len(as_yaml) >= 12
    assert all(line is not None and column is not None for line, column, _, _ in as_yaml)
    as_json = problems(text, "c.json")
    assert [p[:3] for p in as_json] == [p[:3] for p in as_yaml]
    # the messages agree, except that JSON knows a number from a misplaced scalar
    assert [p[3] for p in as_json if "number" not in p[3]] == [
        p[3] for p in as_yaml if "unquoted integer" not in p[3]
    ]


def test_json_lines_problems_name_their_line() -> None:
    records = broken_records()
    text = as_jsonl(records)
    found = problems(text, "c.jsonl")
    assert found and all(line is not None for line, _, _, _ in found)
    by_record = {path.split("]")[0] + "]": line for line, _, path, _ in found}
    assert by_record == {f"programs[{i}]": i + 1 for i in range(4)}
    first_line = text.splitlines()[0]
    assert found[0][:3] == (1, first_line.index('"tech"') + 1, "programs[0].kind")


def test_a_bad_json_line_is_reported_and_the_next_lines_are_still_checked() -> None:
    good = json.dumps(RECORDS[0])
    bad = copy.deepcopy(RECORDS[1])
    bad["evidence"] = "rumoured"
    text = good + "\n" + '{"id": "half a record",\n' + json.dumps(bad) + "\n"
    found = problems(text, "c.jsonl")
    assert [(line, column, path) for line, column, path, _ in found] == [
        (2, 24, "programs[1]"),
        (3, json.dumps(bad).index('"rumoured"') + 1, "programs[2].evidence"),
    ]
    assert found[0][3].startswith("expecting")


HOSTILE = {
    "duplicate key": (
        '{"programs": [{"id": "a", "id": "b"}]}',
        (1, 27, "programs[0].id", "duplicate key 'id' (first at line 1)"),
    ),
    "NaN": ('{"programs": [{"title": NaN}]}', (1, 25, "programs[0].title", "expected a string")),
    "lone surrogate": (
        '{"programs": [{"title": "a\\ud800b"}]}',
        (1, 27, "programs[0]", "a lone surrogate escape"),
    ),
    "syntax": ('{"programs": [{"title": }]}', (1, 25, "", "expecting value")),
    "trailing": ('{"programs": []}\n{}', (2, 1, "", "the file holds more than one JSON value")),
    "top-level string": ('"all"', (1, 1, "", "the top level must be a mapping")),
    "trailing after a list": ("[]\n[]", (2, 1, "", "the file holds more than one JSON value")),
    "trailing after a program": ('{"id": "a"} {}', (1, 13, "", "the file holds more than one")),
    "not a list": ('{"programs": "all"}', (1, 14, "programs", "expected a list of programs")),
    "unknown key": (
        '{"programs": [], "extra": 1}',
        (1, 18, "extra", "unknown top-level key 'extra'"),
    ),
    "two lists": ('{"programs": [], "programs": []}', (1, 18, "programs", "duplicate key")),
    "missing": ("{}", (1, 1, "", "missing the top-level 'programs' list")),
    "empty": ("  \n", (1, 1, "", "the file holds no JSON value")),
    "control character": ('{"programs": ["\x01"]}', (1, 16, "", "invalid control character")),
    "huge integer": ('{"programs": [' + "9" * 5000 + "]}", (1, 15, "", "a number of more than")),
    "deep": ('{"programs": ' + "[" * 100_000 + "]" * 100_000 + "}", (1, 15, "", "nesting")),
}


@pytest.mark.parametrize("text", ["", "\n\n", " \r\n\t\n"])
def test_an_empty_json_lines_file_is_an_error_as_an_empty_yaml_file_is(text: str) -> None:
    assert problems(text, "h.jsonl") == [(1, 1, "", "the file holds no JSON Lines (it is empty)")]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_json_is_one_located_problem(name: str) -> None:
    text, (line, column, path, start) = HOSTILE[name]
    found = [p for p in problems(text, "h.json") if p[3].startswith(start)]
    assert found, problems(text, "h.json")
    assert found[0][:3] == (line, column, path)


def test_a_json_file_that_fails_is_one_line_and_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(HOSTILE["syntax"][0], encoding="utf-8")
    ran = subprocess.run(
        [str(EXCHANGE), "list", "--data", str(path)], capture_output=True, text=True, check=False
    )
    assert ran.returncode == 3 and ran.stdout == ""
    assert ran.stderr == f"exchange: error: {path}:1:25: expecting value\n"
    with pytest.raises(CatalogueError):
        load_catalogue(path)


@pytest.mark.parametrize("shape", ["json", "jsonl"])
def test_stdin_holding_json_is_read_as_json(shape: str, tmp_path: Path) -> None:
    text = as_json(RECORDS) if shape == "json" else as_jsonl(RECORDS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    listed = subprocess.run(
        [str(EXCHANGE), "list", "--data", "-", "--json"],
        input=text, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [printed(r) for r in RECORDS]
    broken = text.replace('"evidence": "hypothetical"', '"evidence": "imagined"')
    checked = subprocess.run(
        [str(EXCHANGE), "validate", "-", "--format", "json"],
        input=broken, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert checked.returncode == 1
    [problem] = json.loads(checked.stdout)
    offset = broken.index('"imagined"')
    line = broken.count("\n", 0, offset) + 1
    column = offset - (broken.rfind("\n", 0, offset) + 1) + 1
    assert (problem["file"], problem["line"], problem["column"]) == ("<stdin>", line, column)


# -- the fast check never accepts what the full walk refuses -------------------------------

ODD_VALUES = st.sampled_from(
    [None, 0, 1, 2020, True, 1.5, "", " ", "\t", "x", "energy", "tech", "KR", "SA", "ksa",
     [], ["energy"], ["energy", "energy"], {}, {"name": "x"}, "Saudi Arabia", "South Korea"]
)  # fmt: skip


def paths_of(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_of(item, (*path, index))
    return found


def _at(record: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        record = record[part]
    return record


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    record = copy.deepcopy(draw(st.sampled_from(RECORDS)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths_of(record)[1:]))
        parent = record
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add", "repeat"]))
        if action == "repeat":  # a list item twice: sectors or party names repeated
            lists = [p for p in paths_of(record) if isinstance(_at(record, p), list)]
            items = _at(record, draw(st.sampled_from(lists)))
            if items:
                items.append(copy.deepcopy(draw(st.sampled_from(items))))
        elif action == "replace":
            parent[path[-1]] = copy.deepcopy(draw(ODD_VALUES))
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            key = draw(st.sampled_from(["extra", "name", "id", "from"]))
            parent[key] = copy.deepcopy(draw(ODD_VALUES))
        else:
            parent.append(copy.deepcopy(draw(ODD_VALUES)))
    return record


@settings(
    max_examples=3000 if os.environ.get("CI") else 500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated())
def test_the_fast_check_accepts_exactly_what_the_walk_accepts(record: dict[str, Any]) -> None:
    report = Report("x")
    walked = check_record(Program, record, ("programs", 0), report, "a program", lint=False)
    fast = fast_checker(Program)(record)
    accepted = report.errors == 0 and walked is not INVALID
    assert (fast is not None) == accepted, (fast, report.kept)
    if fast is not None:
        assert fast == walked


def scalar_specs() -> list[Any]:
    """Every scalar spec of the declaration, and one of each kind it does not use."""
    from exchange_cli.model.declaration import walk
    from exchange_cli.model.fields import ListOf, Nested, Text, Year

    found = [f.spec for _, f in walk(Program) if not isinstance(f.spec, ListOf | Nested)]
    found += [f.spec.item for _, f in walk(Program) if isinstance(f.spec, ListOf)]
    found = [s for s in found if not isinstance(s, Nested)]
    return [*found, Year("A year.", required=False), Text("Optional text.", required=False)]


YAML_SCALARS = st.sampled_from(
    [Unquoted("integer", "2020"), Unquoted("integer", "017"), Unquoted("boolean", "NO"),
     Unquoted("float", "3.10"), 1799, 2201, -1]
)  # fmt: skip


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(ODD_VALUES, YAML_SCALARS, st.text(max_size=12), st.integers()))
def test_each_specs_fast_check_accepts_exactly_what_its_check_accepts(value: Any) -> None:
    """Each scalar spec's fast check lives beside its `check` (model/fields.py); a spec
    without one of its own uses `check` itself. Both must agree on every value."""
    from exchange_cli.model.fields import Fallback, Invalid

    for spec in scalar_specs():
        checked = spec.check(value)
        try:
            fast, accepted = spec.fast()(value), True
        except Fallback:
            fast, accepted = None, False
        assert accepted == (not isinstance(checked, Invalid)), (type(spec).__name__, value)
        if accepted:
            assert fast == checked


@pytest.mark.parametrize("where", ["sectors", "parties"])
def test_the_fast_check_refuses_a_repeated_item(where: str) -> None:
    record = copy.deepcopy(RECORDS[3])
    record[where].append(copy.deepcopy(record[where][0]))
    assert fast_checker(Program)(record) is None


def test_a_catalogue_with_errors_reports_the_same_whether_or_not_the_fast_check_runs() -> None:
    text = as_json(broken_records() + RECORDS[4:])
    _, strict = inspect_text(text, "c.json", lint=False)
    _, full = inspect_text(text, "c.json", lint=True)
    assert strict.problems() == [p for p in full.problems() if p.severity == "error"]


JSON_ALPHABET = st.sampled_from(list('{}[]:,"\\ \n\t-0123456789.eEtrufalsnNI') + ["\u2028", "é"])
JSON_BASE = as_json(RECORDS[:2])


@settings(max_examples=2000 if os.environ.get("CI") else 300, deadline=None, database=None)
@given(st.text(alphabet=JSON_ALPHABET, max_size=120), st.integers(0, len(JSON_BASE)))
def test_any_json_text_loads_or_is_located_problems(noise: str, at: int) -> None:
    """Fuzz: noise spliced into a valid catalogue, read as a document and as JSON Lines:
    problems, each with a message and a position, never an exception. (A message may
    hold a key's newline; every renderer escapes it.)"""
    text = JSON_BASE[:at] + noise + JSON_BASE[at:]
    for name in ("f.json", "f.jsonl"):
        catalogue, found = check_text(text, name)
        assert catalogue is not None or found
        for problem in found:
            assert problem.message
            assert problem.line is not None and problem.column is not None
