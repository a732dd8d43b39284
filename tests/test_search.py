"""Search ranking rules, as unit tests on the query layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import both_sources
from exchange_cli.load.loader import load_catalogue
from exchange_cli.model.records import Catalogue
from exchange_cli.query.search import (
    Term,
    closest_words,
    match_level,
    no_match_hint,
    parse_query,
    score_program,
    search_programs,
)

FIXTURE = Path(__file__).parent / "fixtures" / "small.yaml"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(FIXTURE)


@pytest.fixture(params=["memory", "store", "uncached"])
def source(request: pytest.FixtureRequest, catalogue: Catalogue) -> Any:
    kinds = dict(zip(("memory", "store", "uncached"), both_sources(catalogue), strict=True))
    return kinds[request.param]


def ids(source: Any, *query: str) -> list[str]:
    every = source.ids()
    return [every[p] for p, _ in search_programs(source, parse_query(query))]


def test_words_match_as_prefixes_case_and_accent_insensitively(source: Any) -> None:
    assert ids(source, "chip") == ["alpha-tech"]
    assert ids(source, "CHI") == ["alpha-tech"]
    assert ids(source, "plâtform") == ["gamma-trade"]


def test_every_word_must_match(source: Any) -> None:
    assert ids(source, "oil", "chip") == ["alpha-tech"]
    assert ids(source, "oil", "alibaba") == []


def test_phrases_match_consecutive_words(source: Any) -> None:
    assert ids(source, "oil production") == ["alpha-tech"]
    assert ids(source, "production oil") == []
    assert ids(source, '"joint exercises"') == ["beta-defense"]
    assert parse_query(['"digital technology" korea']) == [
        Term(("digital", "technology")),
        Term(("korea",)),
    ]


def test_vocabulary_aliases_are_searchable(source: Any) -> None:
    assert ids(source, "petroleum") == ["alpha-tech"]  # sector energy's alias
    assert ids(source, "defence") == ["beta-defense"]


def test_title_and_flows_outrank_the_summary(catalogue: Catalogue) -> None:
    alpha, gamma = catalogue.get("alpha-tech"), catalogue.get("gamma-trade")
    assert alpha is not None and gamma is not None
    in_title = score_program(gamma, parse_query(["trade"]))  # "Gamma Trade Zone"
    in_summary = score_program(alpha, parse_query(["trade"]))  # "...trade energy..."
    assert in_title > in_summary > 0


def test_whole_words_outrank_prefixes(catalogue: Catalogue) -> None:
    alpha = catalogue.get("alpha-tech")
    assert alpha is not None
    assert score_program(alpha, parse_query(["oil"])) > score_program(alpha, parse_query(["oi"]))


def test_ties_keep_catalogue_order(source: Any) -> None:
    hits = search_programs(source, parse_query(["a"]))
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    same = [p for p, s in hits if s == scores[0]]
    assert same == sorted(same)


def test_closest_words_for_a_miss(source: Any) -> None:
    assert "production" in closest_words(source, parse_query(["prodution"]))


def test_a_phrase_never_spans_two_names_flows_or_aliases(source: Any) -> None:
    # "Saudi Arabia" and "South Korea" are separate parties; "oil production methods"
    # and the receiver's name are separate parts of a flow.
    assert ids(source, '"arabia south"') == []
    assert ids(source, '"methods south"') == []
    assert ids(source, '"saudi arabia"') == ["alpha-tech"]


def test_the_search_index_scores_like_search_programs(catalogue: Catalogue) -> None:
    """A client given only the index (as the exported page is) ranks the same way."""
    from exchange_cli.query.search import search_index

    index = search_index(catalogue)
    assert index["words"]["alpha-tech"]["title"] == [["alpha", "technology", "exchange"]]

    def client_score(program_id: str, terms: list[Term]) -> float:
        total = 0.0
        for term in terms:
            part = 0.0
            for field, weight in index["weights"].items():
                n, best = len(term.words), 0.0
                for tokens in index["words"][program_id][field]:
                    for i in range(len(tokens) - n + 1):
                        if tokens[i : i + n - 1] != list(term.words[:-1]):
                            continue
                        if tokens[i + n - 1] == term.words[-1]:
                            best = max(best, 1 + index["exact_bonus"])
                        elif tokens[i + n - 1].startswith(term.words[-1]):
                            best = max(best, 1.0)
                part += weight * best
            if part == 0:
                return 0.0
            total += part
        return round(total, 2)

    for words in (
        ["chip"],
        ["oil", "chip"],
        ['"oil production"'],
        ['"arabia south"'],
        ["tech"],
        ["défense"],
    ):
        terms = parse_query(words)
        for program in catalogue:
            assert client_score(program.id, terms) == score_program(program, terms), words


QUERIES = [
    ["chip"],
    ["oil", "chip"],
    ['"oil production"'],
    ['"arabia south"'],
    ["tech"],
    ["défense"],
    ["e-commerce"],
    ["a"],
    ["e"],
    ["saudi", "korea"],
    ['"islamic nat"'],
    ["zzzz"],
    ["tec", "digi"],
    ["production"],
    ["ali"],
    ["petroleum"],
    ["military"],
    ['"joint exercises"'],
    ["r", "d"],
]


@pytest.mark.parametrize("words", QUERIES)
def test_the_store_ranks_exactly_like_the_reference_scorer(words: list[str]) -> None:
    """The store finds candidates with SQLite's full-text index and scores them from
    per-field match levels; the result must equal `score_program` over every program."""
    for path in (FIXTURE, Path(__file__).resolve().parents[1] / "data" / "programs.yaml"):
        catalogue = load_catalogue(path)
        memory, store, uncached = both_sources(catalogue)
        terms = parse_query(words)
        expected = [
            (i, score_program(p, terms))
            for i, p in enumerate(catalogue)
            if score_program(p, terms)
        ]
        expected.sort(key=lambda hit: -hit[1])
        assert memory.search(terms) == expected
        assert store.search(terms) == expected
        assert uncached.search(terms) == expected


# -- found by mutation testing (mutmut): behaviour no test pinned ----------------------------


def test_an_unbalanced_quote_still_makes_terms() -> None:
    assert parse_query(['"oil production']) == [Term(("oil", "production"))]
    assert parse_query(["korea's", "chips"]) == [Term(("korea", "s")), Term(("chips",))]


def test_a_phrase_of_three_words_matches_them_in_order(source: Any) -> None:
    assert (
        match_level(Term(("oil", "production", "met")), [["oil", "production", "methods"]]) == 1.0
    )
    assert ids(source, "oil production methods") == ["alpha-tech"]
    assert ids(source, "production oil methods") == []


def test_the_no_match_hint_names_the_missing_words(source: Any) -> None:
    def hint(*query: str) -> str:
        return no_match_hint(source, parse_query(query))

    assert hint("prodution", "zzqx") == (
        "exchange: no programs match 'prodution zzqx': nothing contains 'prodution, zzqx'; "
        "the catalogue has: production"
    )
    assert hint('"oil production" zzz', "qqq") == (
        "exchange: no programs match '\"oil production\" zzz qqq': nothing contains 'zzz, qqq'"
    )
    assert hint("oil", "malaysia") == (
        "exchange: no program matches all of 'oil malaysia' (each word matches some "
        "program on its own); try fewer words"
    )
    assert "'a b c d e'" in hint("a", "b", "c", "d", "e")
    assert "'a b c d e ...'" in hint("a", "b", "c", "d", "e", "f")


# -- found by the second mutation pass -------------------------------------------------------


def test_a_quoted_part_inside_one_argument_is_its_own_phrase() -> None:
    """`exchange search "'oil production' korea"`: the quoted part is a phrase, the
    rest separate terms (single quotes as double ones)."""
    assert parse_query(["'oil production' korea"]) == [
        Term(("oil", "production")),
        Term(("korea",)),
    ]


def test_the_hint_when_the_filters_leave_no_match(source: Any) -> None:
    """The search matched, but the filters (applied before) left nothing: how many."""
    assert no_match_hint(source, parse_query(["oil"])) == (
        "exchange: the filters leave none of the 1 program matching 'oil'"
    )
    assert no_match_hint(source, parse_query(["techn"])) == (
        "exchange: the filters leave none of the 2 programs matching 'techn'"
    )


def test_the_no_match_hint_lists_several_close_words_and_keeps_a_long_query(
    source: Any,
) -> None:
    assert no_match_hint(source, parse_query(["prodution", "chipz", "oils"])) == (
        "exchange: no programs match 'prodution chipz oils': nothing contains "
        "'prodution, chipz, oils'; the catalogue has: production, chip, oil"
    )
    long = ["abcdefghij" + letter for letter in "vwxyz"]  # 59 characters: under the cap
    assert no_match_hint(source, parse_query(long)) == (
        f"exchange: no programs match '{' '.join(long)}': nothing contains '{', '.join(long)}'"
    )


def test_the_page_s_search_index_can_stream_its_words(catalogue: Catalogue) -> None:
    """`lazy` gives (id, words) pairs as they are made, not a dict of every program."""
    from exchange_cli.query.search import search_index

    lazy = search_index(catalogue, lazy=True)["words"]
    assert not isinstance(lazy, dict)
    assert dict(lazy) == search_index(catalogue)["words"]


def test_a_field_of_thousands_of_segments_is_indexed_whole(tmp_path: Path) -> None:
    """The index's text is made a few thousand segments at a time (`store.build`): a
    word in any benefit is found, and a phrase never spans two benefits, at the seams
    between those batches too; all three sources answer alike."""
    from conftest import program_record, write_catalogue
    from exchange_cli.store.build import _SEGMENTS_AT_ONCE

    count = 3 * _SEGMENTS_AT_ONCE + 5
    benefits = [f"first{n} last{n}" for n in range(count)]
    # no words: a segment skipped at a seam, and a whole batch of them
    benefits[_SEGMENTS_AT_ONCE] = "(-)"
    benefits[2 * _SEGMENTS_AT_ONCE : 3 * _SEGMENTS_AT_ONCE] = ["(-)"] * _SEGMENTS_AT_ONCE
    records = [program_record("many", benefits=benefits), program_record("other")]
    catalogue = load_catalogue(write_catalogue(tmp_path / "many.yaml", records))
    seam = _SEGMENTS_AT_ONCE
    for source in both_sources(catalogue):
        for n in (0, seam - 1, seam + 1, 2 * seam - 1, 3 * seam, count - 1):
            assert ids(source, f"first{n}") == ["many"], (source, n)
            assert ids(source, f'"first{n} last{n}"') == ["many"], (source, n)
        for n in (0, seam - 1, seam + 1, 3 * seam, count - 2):
            assert ids(source, f'"last{n} first{n + 1}"') == [], (source, n)
        assert ids(source, f'"last{seam - 1} first{seam + 1}"') == [], source
        assert ids(source, f'"last{2 * seam - 1} first{3 * seam}"') == [], source
