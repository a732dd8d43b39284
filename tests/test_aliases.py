"""Earlier ids (`aliases`): a renamed program keeps every id it was published under.
One namespace of ids and aliases, checked alike in memory and as a first load streams
into the store; `show`, completion and `diff` take an old id; JSON gives the current one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import program_record, write_catalogue
from exchange_cli.load.loader import catalogue_from_bytes
from exchange_cli.query.changes import compare_catalogues
from test_completion import ask
from test_streaming import PIECES, as_yaml, assert_same, whole

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "programs.yaml"
#: Every id the previous release published (0.x, before the short ids), and its new id.
PUBLISHED = {
    "skilled-personnel-exchange": "skilled-personnel-exchange",
    "japan-agricultural-learning-expedition": "japan-farming-expedition",
    "foreign-professionals-crafts-city-planning": "crafts-city-planning-study",
    "saudi-korea-technology-exchange": "saudi-korea-tech-exchange",
    "malaysia-digital-free-trade-zone": "malaysia-digital-trade-zone",
    "islamic-nations-technology-exchange-programs": "tech-exchange-programs",
    "technology-sharing-partnerships": "tech-sharing-partnerships",
    "international-rd-partnerships": "research-partnerships",
    "foreign-investment-in-startups": "startup-investment",
    "joint-defense-systems-development": "joint-defense-systems",
    "educational-research-consortia": "university-consortia",
    "healthcare-research-alliances": "healthcare-alliances",
    "legal-regulatory-cooperation": "legal-regulatory-cooperation",
    "military-education-exchange-programs": "military-education-exchange",
    "islamic-nation-usa-defense-symposium": "usa-defense-symposium",
}


def test_every_shipped_id_is_short_and_every_published_one_still_named() -> None:
    catalogue = catalogue_from_bytes(SHIPPED.read_bytes(), "programs.yaml")
    assert max(len(p.id) for p in catalogue) <= 28
    names = {name: p.id for p in catalogue for name in (p.id, *p.aliases)}
    assert {old: names.get(old) for old in PUBLISHED} == PUBLISHED


@pytest.mark.parametrize("old", sorted(PUBLISHED))
@pytest.mark.parametrize("cached", [False, True], ids=["memory", "store"])
def test_show_takes_every_published_id(run: Any, old: str, cached: bool) -> None:
    env = {} if cached else {"EXCHANGE_NO_CACHE": "1"}
    shown = run("show", old, "--json", env=env)
    assert shown.exit_code == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert record["id"] == PUBLISHED[old]  # JSON gives the current id
    if old != PUBLISHED[old]:
        assert old in record["aliases"]
        assert old in run("show", old, "--no-color", tty=True, env=env).stdout  # shown


def collide(first: dict[str, Any], second: dict[str, Any]) -> bytes:
    return as_yaml([first, second]).encode()


COLLISIONS = {
    "alias is another's id": (
        program_record("alpha"),
        program_record("beta", aliases=["alpha"]),
        "programs[1].aliases[0]",
        "alias 'alpha' is already used by programs[0]",
    ),
    "id is another's alias": (
        program_record("alpha", aliases=["beta"]),
        program_record("beta"),
        "programs[1].id",
        "duplicate id 'beta' (already used by programs[0])",
    ),
    "two share an alias": (
        program_record("alpha", aliases=["old"]),
        program_record("beta", aliases=["old"]),
        "programs[1].aliases[0]",
        "alias 'old' is already used by programs[0]",
    ),
    "alias repeats its id": (
        program_record("alpha"),
        program_record("beta", aliases=["beta"]),
        "programs[1].aliases[0]",
        "an alias repeats the id",
    ),
}


@pytest.mark.parametrize("case", sorted(COLLISIONS))
def test_a_name_two_programs_claim_is_refused_where_it_is(case: str, tmp_path: Path) -> None:
    first, second, path, message = COLLISIONS[case]
    data = collide(first, second)
    programs, problems, errors = whole(data, "c.yaml")
    assert programs is None and errors == 1
    assert [(p.path, p.message) for p in problems] == [(path, message)]
    assert_same(data, "c.yaml", tmp_path, PIECES)  # a first load says the same


@pytest.mark.parametrize("case", sorted(COLLISIONS))
def test_validate_refuses_a_colliding_alias(run: Any, case: str, tmp_path: Path) -> None:
    first, second, _, message = COLLISIONS[case]
    path = write_catalogue(tmp_path / "c.yaml", [first, second])
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert message in result.stdout + result.stderr


def test_an_alias_far_from_its_id_is_refused_in_a_streamed_load(tmp_path: Path) -> None:
    """The first program was written to the store batches ago: the store's alias
    index answers, not a dict held in memory."""
    from exchange_cli.store.build import Sink

    records = [program_record(f"p{i}") for i in range(Sink.BATCH + 88)]
    records[0]["aliases"] = ["first-name"]
    records[-1]["aliases"] = ["first-name"]
    data = as_yaml(records).encode()
    programs, problems, _ = whole(data, "c.yaml")
    assert programs is None
    assert problems[0].path == f"programs[{len(records) - 1}].aliases[0]"
    assert_same(data, "c.yaml", tmp_path, (1 << 20,))


def renamed(tmp_path: Path) -> tuple[Path, Path]:
    before = [program_record("alpha"), program_record("old-beta", title="Beta")]
    after = [program_record("alpha"), program_record("beta", title="Beta", aliases=["old-beta"])]
    return (
        write_catalogue(tmp_path / "before.yaml", before),
        write_catalogue(tmp_path / "after.yaml", after),
    )


def test_diff_matches_a_renamed_program_by_its_alias(run: Any, tmp_path: Path) -> None:
    before, after = renamed(tmp_path)
    result = run("diff", str(before), str(after), "--format", "jsonl")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["change"], r["id"], r["field"], r["old"], r["new"]) for r in rows] == [
        ("changed", "beta", "id", "old-beta", "beta"),
        (
            "changed",
            "beta",
            "summary",
            "A test program called old-beta.",
            "A test program called beta.",
        ),  # noqa: E501
        ("changed", "beta", "aliases", [], ["old-beta"]),
    ]
    back = run("diff", str(after), str(before), "--json")  # no alias says so: a new program
    assert json.loads(back.stdout)["summary"] == {
        "added": 1, "removed": 1, "changed": 0, "unchanged": 1,
    }  # fmt: skip


def test_an_alias_that_is_still_an_id_matches_nothing() -> None:
    """Were `old` in both catalogues, it is itself: the alias does not steal it."""
    before = catalogue_from_bytes(as_yaml([program_record("old")]).encode(), "b.yaml")
    both = [program_record("old"), program_record("new", aliases=["old-x", "old"])]
    # (an alias equal to another program's id is refused by the loader: built directly)
    from exchange_cli.model.fields import from_json
    from exchange_cli.model.records import Catalogue, Program

    after = Catalogue([from_json(Program, r) for r in both], "a.yaml")
    changes = compare_catalogues(before, after)
    assert [r["id"] for r in changes.added] == ["new"] and changes.unchanged == 1


def test_completion_offers_an_old_id_only_when_no_id_starts_so(tmp_path: Path) -> None:
    _, after = renamed(tmp_path)
    data = {"EXCHANGE_DATA": str(after)}
    assert ask("show", "old", **data) == [("old-beta", "now beta: Beta")]
    assert [value for value, _ in ask("show", "b", **data)] == ["beta"]
    assert [value for value, _ in ask("show", "", **data)] == ["alpha", "beta"]


def test_the_schema_and_the_new_command_declare_aliases(run: Any) -> None:
    schema = json.loads(run("schema").stdout)
    program = schema["$defs"]["program"] if "$defs" in schema else schema
    assert "aliases" in json.dumps(program)
    assert yaml.safe_load(run("new").stdout)["programs"][0]["aliases"] == []


@pytest.mark.parametrize("typed", ["\udcff", "saudi\udcffkorea", "old-\udcff"])
@pytest.mark.parametrize("cached", [False, True], ids=["memory", "store"])
def test_an_id_typed_with_a_byte_that_is_not_utf8_names_nothing(
    run: Any, typed: str, cached: bool
) -> None:
    """A byte that is not UTF-8 on the command line reaches Python as a lone surrogate
    (`\\udcff`); SQLite cannot take it, and `show` ended in a traceback (exit 1) when the
    store answered (memory said 'no program'). No id holds one."""
    env = {} if cached else {"EXCHANGE_NO_CACHE": "1"}
    shown = run("show", typed, env=env)
    assert shown.exit_code == 1, shown.stderr
    assert shown.stderr.startswith("exchange: error: no program with id '")
    assert shown.stderr.count("\n") == 1
