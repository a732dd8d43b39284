"""Vocabularies: canonical values, aliases, suggestions."""

from __future__ import annotations

import pytest

from exchange_cli.model import vocab


@pytest.mark.parametrize(
    ("vocabulary", "typed", "expected"),
    [
        (vocab.SECTORS, "defence", "defense"),
        (vocab.SECTORS, "Military", "defense"),
        (vocab.SECTORS, "R&D", "research"),
        (vocab.SECTORS, "health", "healthcare"),
        (vocab.SECTORS, "oil", "energy"),
        (vocab.SECTORS, "PETROLEUM", "energy"),
        (vocab.SECTORS, "tech", "digital-technology"),
        (vocab.SECTORS, "digital technology", "digital-technology"),
        (vocab.SECTORS, "FDI", "investment"),
        (vocab.SECTORS, "Défense", "defense"),
        (vocab.countries(), "KR", "KR"),
        (vocab.countries(), "kr", "KR"),
        (vocab.countries(), "Korea", "KR"),
        (vocab.countries(), "south korea", "KR"),
        (vocab.countries(), "USA", "US"),
        (vocab.countries(), "United States", "US"),
        (vocab.countries(), "KSA", "SA"),
        (vocab.countries(), "Saudi Arabia", "SA"),
        (vocab.KINDS, "R&D", "research-partnership"),
        (vocab.EVIDENCE, "Hypothetical", "hypothetical"),
        (vocab.RECURRENCE, "yearly", "annual"),
    ],
)
def test_aliases_resolve_to_canonical_values(
    vocabulary: vocab.Vocabulary, typed: str, expected: str
) -> None:
    assert vocabulary.resolve(typed) == expected


def test_unknown_values_resolve_to_none_and_get_suggestions() -> None:
    assert vocab.SECTORS.resolve("defnse") is None
    assert vocab.SECTORS.suggest("defnse")[0] == "defense"
    assert vocab.KINDS.suggest("tecnology-exchange")[0] == "technology-exchange"


def test_every_value_has_a_description_and_aliases_do_not_collide() -> None:
    for vocabulary in (
        vocab.KINDS,
        vocab.SECTORS,
        vocab.EVIDENCE,
        vocab.RECURRENCE,
        vocab.PARTY_TYPES,
    ):
        seen: dict[str, str] = {}
        for term in vocabulary.terms:
            assert term.description.strip(), term.value
            for word in (term.value, *term.aliases):
                key = vocab.normalize(word)
                assert seen.setdefault(key, term.value) == term.value, (vocabulary.name, word)


def test_countries_cover_iso_3166() -> None:
    assert len(vocab.countries().values) == 249
    assert vocab.country_name("SA") == "Saudi Arabia"
    assert vocab.country_name("ZZ") == "ZZ"


def test_completion_matches_aliases_too() -> None:
    assert [value for value, _ in vocab.SECTORS.complete("def")] == ["defense"]  # value wins
    assert [value for value, _ in vocab.SECTORS.complete("defenc")] == ["defence"]
    assert list(vocab.SECTORS.complete("milit")) == [("military", "→ defense")]
    assert [v for v, _ in vocab.countries().complete("k", aliases=False)][:2] == ["ke", "kg"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Arabia", ["SA"]),  # a word of the name, not the look-alike Aruba
        ("Saudi", ["SA"]),
        ("Korea Republic", ["KR", "KP"]),
        ("South", ["KR", "SS", "ZA"]),  # the shortest names first
        ("Saudi Arbia", ["SA"]),
        ("Narnia", []),  # not Armenia
        ("Poland", []),  # a country already: resolves, nothing to suggest
        ("Burmah", ["MM"]),
        ("XX", []),  # a code is not guessed from another code
    ],
)
def test_country_suggestions_go_by_name(typed: str, expected: list[str]) -> None:
    countries = vocab.countries()
    if countries.resolve(typed) is None:
        assert countries.suggest(typed) == expected


def test_suggestions_by_word_and_labels() -> None:
    assert vocab.KINDS.suggest("collaboration") == ["defense-collaboration"]
    assert vocab.SECTORS.suggest("digit") == ["digital-technology"]
    assert vocab.countries().label("SA") == "'SA' (Saudi Arabia)"
    assert vocab.SECTORS.label("energy") == "'energy'"
    assert vocab.did_you_mean(["a", "b", "c"]) == "did you mean 'a', 'b' or 'c'?"
