"""One actor, one node: parties sharing an `id` are one actor in the graph, for flows,
`--party` and the web page's network; without an id the NFC-normalised name decides;
`validate` checks that an id's parties agree and warns about look-alike actors."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import both_sources, program_record, write_catalogue
from exchange_cli.cli.export import build_page
from exchange_cli.load.loader import check_text, load_catalogue
from exchange_cli.model.identity import lookalike
from exchange_cli.query.filters import resolve_criteria

Run = Callable[..., Any]
GROUP = {"type": "group", "country": None}


def group(name: str, id: str | None = None) -> dict[str, Any]:
    return {"name": name, **GROUP, **({"id": id} if id else {})}


def two(first: dict[str, Any], second: dict[str, Any], program: str) -> dict[str, Any]:
    return program_record(program, parties=[first, second])


def graph_of(run: Run, *args: str) -> dict[str, Any]:
    result = run("graph", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_shipped_actors_are_one_node_each_under_one_name(run: Run) -> None:
    nodes = graph_of(run)["nodes"]
    [collective] = [n for n in nodes if n["name"].lower().startswith("islamic nation")]
    assert collective["id"] == "islamic-nation"
    assert collective["name"] == "Islamic Nation"
    # the programs of both documents' wordings hang on the one node, start-ups' too
    assert {
        "skilled-personnel-exchange",
        "joint-defense-systems",
        "startup-investment",
    } <= set(collective["programs"])
    assert len(collective["programs"]) == 13
    by_id = {n["id"]: n for n in nodes}
    # the first document's professionals of other nations, in both of its records
    assert by_id["foreign-professionals"]["programs"] == [
        "skilled-personnel-exchange",
        "crafts-city-planning-study",
    ]
    # the partner countries of the second and third documents
    assert by_id["partner-countries"]["programs"] == [
        "tech-exchange-programs",
        "tech-sharing-partnerships",
    ]
    assert by_id["defense-counterparts-abroad"]["programs"] == ["joint-defense-systems"]
    names = [n["name"] for n in nodes]
    assert len(names) == len(set(names)), names  # distinct actors, distinct names


def test_the_web_page_network_has_one_node_for_the_collective() -> None:
    from exchange_cli.query.memory import MemoryRecords

    page = build_page(MemoryRecords(load_catalogue()), resolve_criteria(), "test")
    names = [node["name"] for node in page.graph["nodes"]]
    assert names.count("Islamic Nation") == 1
    assert len(names) == len(set(names)), names
    assert "Islamic nations" not in names


def test_json_output_gives_every_party_its_id(run: Run) -> None:
    records = json.loads(run("list", "--json").stdout)
    parties = [p for r in records for p in r["parties"]]
    assert all(list(p) == ["name", "type", "country", "id"] for p in parties)
    assert {p["id"] for p in parties if p["name"] == "Islamic Nation"} == {"islamic-nation"}
    assert {p["id"] for p in parties if p["name"] == "Japan"} == {None}


def test_one_id_is_one_node_one_flow_party_and_one_party_filter(run: Run, tmp_path: Path) -> None:
    path = write_catalogue(
        tmp_path / "ids.yaml",
        [
            two(group("Gulf Council", "gcc"), group("Partners A"), "one"),
            two(group("The GCC states", "gcc"), group("Partners B"), "two"),
            two(group("Gulf council"), group("Partners C"), "three"),  # no id: another actor
        ],
    )
    nodes = graph_of(run, "--data", str(path))["nodes"]
    assert [(n["id"], n["programs"]) for n in nodes if "gulf" in n["name"].lower()] == [
        ("gcc", ["one", "two"]),
        ("gulf-council", ["three"]),
    ]
    flows = json.loads(
        run("flows", "--data", str(path), "--from", "The GCC states", "--json").stdout
    )
    assert {f["program"] for f in flows} == {"one", "two"}
    for source in both_sources(load_catalogue(path)):
        for words, wanted in (("gcc states", [0, 1]), ("gcc", [0, 1]), ("gulf", [0, 1, 2])):
            criteria = resolve_criteria(parties=[words])
            assert source.select(criteria) == wanted, (type(source).__name__, words)


def test_without_an_id_names_are_compared_in_nfc(run: Run, tmp_path: Path) -> None:
    composed, decomposed = "Caf\u00e9 Group", unicodedata.normalize("NFD", "Caf\u00e9 Group")
    path = write_catalogue(
        tmp_path / "nfc.yaml",
        [two(group(composed), group("A"), "one"), two(group(decomposed), group("B"), "two")],
    )
    nodes = graph_of(run, "--data", str(path))["nodes"]
    assert [n["programs"] for n in nodes if n["name"].startswith("Caf")] == [["one", "two"]]
    _, problems = check_text(path.read_text(encoding="utf-8"), "nfc.yaml")
    [warning] = problems
    assert warning.severity == "warning" and warning.line is not None
    assert warning.path == "programs[1].parties[0].name"
    assert "one actor (same name) written two ways" in warning.message


def problems_of(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    import yaml

    text = yaml.safe_dump({"programs": records}, sort_keys=False, allow_unicode=True)
    _, found = check_text(text, "ids.yaml")
    assert all(p.line is not None and p.column is not None for p in found)
    return [(p.severity, p.path, p.message) for p in found]


def test_parties_sharing_an_id_must_agree_on_type_and_country() -> None:
    found = problems_of(
        [
            two({"name": "Aramco", "type": "organization", "country": "SA", "id": "aramco"},
                group("A"), "one"),
            two({"name": "Aramco", "type": "group", "country": None, "id": "aramco"},
                group("B"), "two"),
            two(group("Gulf", "gulf"), group("Gulf states", "gulf"), "three"),
        ]
    )  # fmt: skip
    errors = [(path, message) for severity, path, message in found if severity == "error"]
    assert errors == [
        (
            "programs[1].parties[0].type",
            "party id 'aramco' has type 'organization' at programs[0].parties[0]; parties "
            "sharing an id are one actor and must agree",
        ),
        (
            "programs[1].parties[0].country",
            "party id 'aramco' has country 'SA' at programs[0].parties[0]; parties sharing "
            "an id are one actor and must agree",
        ),
        ("programs[2].parties[1].id", "party id 'gulf' is listed twice"),
    ]


def test_the_conflict_is_found_on_the_fast_path_too(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "ids.json"
    records = [
        two({"name": "X", "type": "organization", "country": "SA", "id": "x"}, group("A"), "a"),
        two({"name": "X", "type": "organization", "country": "KR", "id": "x"}, group("B"), "b"),
    ]
    path.write_text(json.dumps({"programs": records}, indent=1), encoding="utf-8")
    result = run("list", "--data", str(path), "--no-cache")
    assert result.exit_code == 3
    assert "programs[1].parties[0].country: party id 'x' has country 'SA'" in result.stderr


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Islamic Nation", "Islamic nation"),  # case
        ("Islamic Nation", "Islamic nations"),  # singular and plural
        ("Cafe Alliance", "Caf\u00e9 Alliance"),  # accents
        ("Islamic Nation", "Islamic\u200b Nation"),  # an invisible character
        ("Islamic Nation", "Islamic Nation\u3164"),  # a Hangul filler, shown as nothing
        ("Islamic Nation", "Is\u115flamic Nation"),
        ("Islamic Nation", "Islamic Nation\u2800"),  # the Braille blank
        ("Allied Party", "Allied Parties"),
    ],
)
def test_names_that_look_like_one_actor_but_are_two_are_a_warning(first: str, second: str) -> None:
    from exchange_cli.model.vocab import visible

    def lookalikes(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
        """The look-alike warnings (a name holding an invisible character also gets a
        warning of its own, tested in test_hostile_text)."""
        return [p for p in problems_of(records) if "prints as nothing" not in p[2]]

    assert lookalike(first) == lookalike(second)
    found = lookalikes(
        [two(group(first), group("A"), "one"), two(group(second), group("B"), "two")]
    )
    assert [(s, p) for s, p, _ in found] == [("warning", "programs[1].parties[0].name")]
    assert "looks like" in found[0][2] and "two actors" in found[0][2]
    # one id for both: one actor, no look-alike warning (but two display names)
    same = lookalikes(
        [two(group(first, "one-actor"), group("A"), "one"),
         two(group(second, "one-actor"), group("B"), "two")]
    )  # fmt: skip
    assert [(s, m.split(" (")[0]) for s, _, m in same] == [
        ("warning", f"'{visible(second)}' and '{visible(first)}'")
    ]
    assert "give it one display name" in same[0][2]
    # two ids: declared two actors, nothing to say
    apart = lookalikes(
        [two(group(first, "first"), group("A"), "one"),
         two(group(second, "second"), group("B"), "two")]
    )  # fmt: skip
    assert apart == []


def test_unrelated_names_are_no_warning() -> None:
    assert problems_of(
        [two(group("Foreign investors"), group("A"), "one"),
         two(group("Foreign military allies"), group("B"), "two")]
    ) == []  # fmt: skip


# -- found by the second mutation pass -------------------------------------------------------


def test_actor_warnings_in_full_at_the_name_s_value() -> None:
    """Both kinds of actor warning, worded in full and placed at the name's value (not
    its key); a group of names that is one actor does not end the search for others."""
    import yaml

    records = [
        two(group("Gulf Council", "gcc"), group("A"), "one"),
        two(group("Gulf Cooperation", "gcc"), group("B"), "two"),
        two(group("Islamic Nation"), group("C"), "three"),
        two(group("Islamic nations"), group("D"), "four"),
    ]
    text = yaml.safe_dump({"programs": records}, sort_keys=False)
    _, found = check_text(text, "ids.yaml")
    assert [(p.file, p.line, p.column, p.path, p.message, p.severity) for p in found] == [
        (
            "ids.yaml",
            33,
            11,
            "programs[1].parties[0].name",
            "'Gulf Cooperation' and 'Gulf Council' (line 8) are one actor (same id 'gcc') "
            "written two ways; give it one display name",
            "warning",
        ),
        (
            "ids.yaml",
            82,
            11,
            "programs[3].parties[0].name",
            "'Islamic nations' looks like 'Islamic Nation' (line 58) but they are two actors; "
            "give both the same party id if they are one, or different ids if they are not",
            "warning",
        ),
    ]


def test_a_look_alike_after_a_party_seen_before_is_still_noted() -> None:
    """A program's first party repeating an earlier spelling does not hide its others."""
    found = problems_of(
        [
            two(group("Alpha"), group("Islamic Nation"), "one"),
            two(group("Alpha"), group("Islamic nations"), "two"),
        ]
    )
    assert [(s, p) for s, p, _ in found] == [("warning", "programs[1].parties[1].name")]


def test_warnings_found_across_records_are_counted_past_the_limit() -> None:
    from exchange_cli.load.validation import Report

    report = Report("x.yaml", limit=2)
    for line in (1, 2, 3):
        report.warn_at(line, 1, "odd", ("programs", line))
    assert report.warnings == 3 and report.dropped == 1
    assert [(p.file, p.line, p.path) for p in report.problems()] == [
        ("x.yaml", 1, "programs[1]"),
        ("x.yaml", 2, "programs[2]"),
    ]


def test_an_id_conflict_with_a_null_country_after_a_party_without_id() -> None:
    """A party without an id does not end the check of the program's later parties;
    a null country is shown as null."""
    found = problems_of(
        [
            two(group("Gulf", "gulf"), group("A"), "one"),
            two(group("B"), {**group("Gulf", "gulf"), "country": "SA"}, "two"),
        ]
    )
    assert ("error", "programs[1].parties[1].country") in [(s, p) for s, p, _ in found]
    [message] = [m for s, p, m in found if p == "programs[1].parties[1].country"]
    assert message == (
        "party id 'gulf' has country null at programs[0].parties[0]; parties sharing an id "
        "are one actor and must agree"
    )
