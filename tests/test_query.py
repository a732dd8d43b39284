"""The query layer: filtering, ordering, facets, related programs. Pure functions over a
record source, answered the same from memory and from the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import both_sources, program_record
from exchange_cli.errors import UsageError
from exchange_cli.load.loader import load_catalogue
from exchange_cli.model.records import Catalogue
from exchange_cli.query import filters as query
from exchange_cli.query import ordering

FIXTURE = Path(__file__).parent / "fixtures" / "small.yaml"
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "programs.yaml"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(FIXTURE)


@pytest.fixture(params=["memory", "store", "uncached"])
def source(request: pytest.FixtureRequest, catalogue: Catalogue) -> Any:
    kinds = dict(zip(("memory", "store", "uncached"), both_sources(catalogue), strict=True))
    return kinds[request.param]


def ids(source: Any, criteria: query.Criteria) -> list[str]:
    return [p.id for p in query.select_programs(source, criteria)]


def test_no_criteria_keeps_everything_in_order(source: Any, catalogue: Catalogue) -> None:
    assert ids(source, query.Criteria()) == list(catalogue.ids())


def test_values_of_one_option_or_and_options_and(source: Any) -> None:
    either = query.resolve_criteria(sectors=["defence", "e-commerce"])
    assert ids(source, either) == ["beta-defense", "gamma-trade"]
    both = query.resolve_criteria(sectors=["defence", "e-commerce"], evidence=["reported"])
    assert ids(source, both) == ["gamma-trade"]


def test_country_by_code_name_or_alias(source: Any) -> None:
    for typed in ("SA", "sa", "Saudi Arabia", "KSA"):
        criteria = query.resolve_criteria(countries=[typed])
        assert ids(source, criteria) == ["alpha-tech"]


def test_party_is_a_case_insensitive_substring_including_organizations(source: Any) -> None:
    criteria = query.resolve_criteria(parties=["ALIBA"])
    assert ids(source, criteria) == ["gamma-trade"]
    criteria = query.resolve_criteria(parties=["islamic"])
    assert ids(source, criteria) == ["beta-defense"]


def test_a_party_fragment_no_party_has_is_a_usage_error(source: Any) -> None:
    with pytest.raises(UsageError, match="unknown party 'Alibab Group' for --party"):
        query.select(source, query.resolve_criteria(parties=["Alibab Group"]))
    assert query.select(source, query.resolve_criteria(parties=["alibab"])) == [2]


def test_unknown_values_are_usage_errors_with_a_suggestion() -> None:
    with pytest.raises(UsageError, match="did you mean 'defense'"):
        query.resolve_criteria(sectors=["defnse"])
    with pytest.raises(UsageError, match="unknown country 'Atlantis'"):
        query.resolve_criteria(countries=["Atlantis"])


def test_order_records_sorts_stably_with_nulls_last() -> None:
    records = [{"id": "b", "r": None}, {"id": "a", "r": "x"}, {"id": "c", "r": "X"}]
    assert [r["id"] for r in ordering.order_records(records, sort="r")] == ["a", "c", "b"]
    assert [r["id"] for r in ordering.order_records(records, sort="id", reverse=True)] == [
        "c",
        "b",
        "a",
    ]
    assert [r["id"] for r in ordering.order_records(records, limit=1)] == ["b"]


def test_facet_counts_list_every_vocabulary_value(source: Any) -> None:
    rows = query.facet_counts(source, source.select(query.Criteria()), ["evidence", "country"])
    evidence = {r["value"]: r["count"] for r in rows if r["facet"] == "evidence"}
    assert evidence == {"reported": 2, "hypothetical": 1, "illustrative": 0}
    countries = [r["value"] for r in rows if r["facet"] == "country"]
    assert countries == ["CN", "KR", "MY", "SA", "US"]


@settings(deadline=None)
@given(
    sectors=st.lists(
        st.sampled_from(["defense", "energy", "e-commerce", "healthcare"]), max_size=3
    ),
    evidence=st.lists(st.sampled_from(["reported", "hypothetical", "illustrative"]), max_size=2),
)
def test_a_filter_returns_an_ordered_subset(sectors: list[str], evidence: list[str]) -> None:
    catalogue = load_catalogue(FIXTURE)
    criteria = query.resolve_criteria(sectors=sectors, evidence=evidence)
    memory, store, uncached = both_sources(catalogue)
    found = query.select_programs(memory, criteria)
    assert found == query.select_programs(store, criteria)
    assert found == query.select_programs(uncached, criteria)
    all_ids = list(catalogue.ids())
    positions = [all_ids.index(p.id) for p in found]
    assert positions == sorted(positions)
    for program in found:
        assert not sectors or set(sectors) & set(program.sectors)
        assert not evidence or program.evidence in evidence


def test_facet_index_holds_what_each_facet_counts() -> None:
    catalogue = load_catalogue(FIXTURE)
    index = query.facet_index(catalogue)
    assert list(index) == list(catalogue.ids())
    assert index["gamma-trade"] == {
        "sector": ("e-commerce",),
        "kind": ("technology-exchange",),
        "evidence": ("reported",),
        "country": ("MY", "CN"),
    }


def test_the_shipped_catalogue_answers_the_same_from_both_sources() -> None:
    catalogue = load_catalogue(SHIPPED)
    memory, *others = both_sources(catalogue)
    everything = memory.select(query.Criteria())
    for store in others:
        assert store.select(query.Criteria()) == everything
        for facet in query.FACETS:
            assert memory.count(facet, everything) == store.count(facet, everything)
        for position in everything:
            assert memory.related(position, 10) == store.related(position, 10)
        assert memory.related_many(everything, 3, everything[:7]) == store.related_many(
            everything, 3, everything[:7]
        )
        assert memory.parties() == store.parties()
        assert memory.countries() == store.countries()
        assert memory.words() == store.words()


# -- found by mutation testing (mutmut): behaviour no test pinned ----------------------------


def test_order_records_sorts_lists_and_mappings_by_their_text_nulls_last() -> None:
    """`--sort sectors` orders by the values' text, `--sort source` by the mapping's."""
    records = [
        {"id": "a", "sectors": ["energy", "Trade"], "source": {"document": "Doc B"}},
        {"id": "b", "sectors": None, "source": None},
        {"id": "c", "sectors": ["Defense"], "source": {"document": "doc a", "section": "Z"}},
        {"id": "d", "sectors": ["energy", "defense"], "source": {"document": "Doc A"}},
    ]
    order = ordering.order_records
    assert [r["id"] for r in order(records, sort="sectors")] == ["c", "d", "a", "b"]
    assert [r["id"] for r in order(records, sort="source")] == ["d", "c", "a", "b"]


def test_list_sorts_by_a_list_field(run: Any) -> None:
    result = run("list", "--data", str(FIXTURE), "--sort", "sectors", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)] == [
        "beta-defense",
        "gamma-trade",
        "alpha-tech",
    ]


def test_by_forgives_plurals_case_and_countries() -> None:
    facets = query.resolve_facets(["Countries", "SECTORS", "kinds", "country", "Parties"])
    assert facets == ("country", "sector", "kind", "party")
    assert query.resolve_facets(["actors"]) == ("party",)
    assert query.resolve_facets([]) == query.FACETS  # the actors only when asked for
    with pytest.raises(UsageError) as caught:
        query.resolve_facets(["secter"])
    assert str(caught.value) == (
        "unknown facet 'secter' for --by; did you mean 'sector'? "
        "valid facets: sector, kind, evidence, country, party"
    )


def test_unknown_id_suggests_at_most_three_close_or_containing_ids() -> None:
    from exchange_cli.load.loader import catalogue_from_bytes
    from exchange_cli.query.memory import MemoryRecords

    ids = [
        "unrelated-first",
        "onex",
        "solar-ones",
        "long-program-one-a",
        "long-program-one-b",
        "energy-two",
        "energy-three",
        "energy-four",
        "energy-five",
    ]
    text = yaml.safe_dump({"programs": [program_record(i) for i in ids]}, sort_keys=False)
    source = MemoryRecords(catalogue_from_bytes(text.encode(), "ids.yaml"))
    # one close id, then ids containing what was typed, in catalogue order
    assert query.unknown_id("one", source) == (
        "no program with id 'one'; did you mean 'onex', 'solar-ones' or "
        "'long-program-one-a'? (see 'exchange list')"
    )
    # the closest ids first, however far down the catalogue they are
    assert query.unknown_id("energy", source) == (
        "no program with id 'energy'; did you mean 'energy-two', 'energy-four' or "
        "'energy-five'? (see 'exchange list')"
    )
    assert query.unknown_id("zzzz", source) == "no program with id 'zzzz' (see 'exchange list')"


# -- found by the second mutation pass -------------------------------------------------------


def test_unknown_value_messages_in_full() -> None:
    """The whole message a script or person reads: the hint, then what is valid."""
    with pytest.raises(UsageError) as sector:
        query.resolve_criteria(sectors=["enrgy"])
    assert str(sector.value) == (
        "unknown sector 'enrgy' for --sector; did you mean 'energy'? valid sectors: "
        "agriculture, crafts-textiles, urban-planning, energy, manufacturing, "
        "digital-technology, e-commerce, research, education, healthcare, defense, "
        "cybersecurity, legal-regulatory, investment"
    )
    with pytest.raises(UsageError) as country:
        query.resolve_criteria(countries=["Atlantis"])
    assert str(country.value) == (
        "unknown country 'Atlantis' for --country; use an ISO 3166-1 code such as SA or "
        "a name such as 'Saudi Arabia'"
    )


def test_each_option_names_itself_in_its_unknown_value_message() -> None:
    for option, typed in (("kinds", "exchang"), ("evidence", "rumour")):
        with pytest.raises(UsageError) as caught:
            query.resolve_criteria(**{option: [typed]})
        flag = "--kind" if option == "kinds" else "--evidence"
        assert f"'{typed}' for {flag}; " in str(caught.value)


def test_unknown_party_messages_in_full(source: Any) -> None:
    with pytest.raises(UsageError) as close:
        query.select(source, query.resolve_criteria(parties=["Unitd Sates"]))
    assert str(close.value) == (
        "unknown party 'Unitd Sates' for --party; did you mean 'United States'? no party's "
        "name in the catalogue contains it"
    )
    with pytest.raises(UsageError) as far:
        query.select(source, query.resolve_criteria(parties=["Zzzq"]))
    assert str(far.value) == (
        "unknown party 'Zzzq' for --party; no party's name in the catalogue contains it"
    )


def test_a_vocabulary_field_sorts_in_the_vocabularys_order() -> None:
    """evidence: reported, illustrative, hypothetical (as declared), not alphabetically."""
    records = [{"id": i, "evidence": e, "recurrence": r} for i, e, r in (
        ("a", "hypothetical", None), ("b", "reported", "annual"),
        ("c", "illustrative", "ongoing"), ("d", "reported", None))]  # fmt: skip
    by_evidence = ordering.order_records(records, sort="evidence")
    assert [r["evidence"] for r in by_evidence] == [
        "reported", "reported", "illustrative", "hypothetical"
    ]  # fmt: skip
    from exchange_cli.model import vocab

    by_recurrence = [r["recurrence"] for r in ordering.order_records(records, sort="recurrence")]
    declared = list(vocab.RECURRENCE.values)
    assert by_recurrence[:2] == sorted(["annual", "ongoing"], key=declared.index)
    assert by_recurrence[2:] == [None, None]


def test_list_sorts_by_evidence_in_the_vocabularys_order(run: Any) -> None:
    listed = json.loads(run("list", "--sort", "evidence", "--json").stdout)
    levels = [record["evidence"] for record in listed]
    assert levels == sorted(levels, key=["reported", "illustrative", "hypothetical"].index)
    assert levels[-1] == "hypothetical" and levels[0] == "reported"


def test_show_takes_the_start_of_exactly_one_id(run: Any, tmp_path: Any) -> None:
    """As git takes a short hash: a unique start names its program, an exact id wins
    over a longer one it starts, and a start several ids share lists them (exit 2)."""
    from conftest import program_record, write_catalogue

    data = write_catalogue(
        tmp_path / "c.yaml",
        [program_record(i) for i in ("alpha", "alpha-tech", "beta-one", "beta-two", "gamma")],
    )
    shown = run("show", "gam", "--data", str(data), "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == "gamma"
    assert json.loads(run("show", "alpha", "--data", str(data), "--json").stdout)["id"] == "alpha"
    assert json.loads(run("show", "ALPHA-T", "--data", str(data), "--json").stdout)["id"] == (
        "alpha-tech"
    )
    both = run("show", "beta", "--data", str(data))
    assert both.exit_code == 2 and both.stdout == ""
    assert both.stderr == (
        "exchange: error: 'beta' starts 2 ids: beta-one, beta-two; type more of the one you mean\n"
    )
    assert run("show", "delta", "--data", str(data)).exit_code == 1
    assert run("show", "", "--data", str(data)).exit_code == 1  # nothing typed: no prefix
