"""The shipped catalogue, checked on its own: vocabularies, provenance, own words."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from exchange_cli.load.loader import check_catalogue, default_catalogue_path, load_catalogue
from exchange_cli.model import vocab
from exchange_cli.model.records import Catalogue, Program

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("EXCHANGE_SEEDS", REPO.parent / "shared" / "seeds"))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(REPO / "data" / "programs.yaml")


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple[list[str], str]]:
    """Seed title → (its section headings, its body text)."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS} (set EXCHANGE_SEEDS)")
    documents: dict[str, tuple[list[str], str]] = {}
    for path in sorted(SEEDS.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        title = next(line[2:].strip() for line in lines if line.startswith("# "))
        headings = [line[3:].strip() for line in lines if line.startswith("## ")]
        body = "\n".join(line for line in lines if not line.startswith("#"))
        documents[title] = (headings, body)
    assert len(documents) == 5
    return documents


def test_the_installed_package_ships_the_same_file(catalogue: Catalogue) -> None:
    assert load_catalogue(default_catalogue_path()).programs == catalogue.programs


def test_it_validates_without_errors_or_warnings() -> None:
    found, report = check_catalogue(REPO / "data" / "programs.yaml")
    assert found is not None
    assert report.problems() == []


def test_size_is_in_the_expected_range(catalogue: Catalogue) -> None:
    assert 13 <= len(catalogue) <= 20


def test_every_source_names_a_real_seed_title_and_section(
    catalogue: Catalogue, seeds: dict[str, tuple[list[str], str]]
) -> None:
    for program in catalogue:
        assert program.source.document in seeds, program.id
        headings, _ = seeds[program.source.document]
        assert program.source.section in headings, (program.id, program.source.section)


def test_every_seed_document_is_used(
    catalogue: Catalogue, seeds: dict[str, tuple[list[str], str]]
) -> None:
    assert {p.source.document for p in catalogue} == set(seeds)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def test_text_is_in_our_own_words(
    catalogue: Catalogue, seeds: dict[str, tuple[list[str], str]]
) -> None:
    """No run of twelve words from a seed's body appears in any record."""
    grams: set[str] = set()
    for _, body in seeds.values():
        words = _words(body)
        grams.update(" ".join(words[i : i + 12]) for i in range(len(words) - 11))
    for program in catalogue:
        texts = [
            program.title,
            program.summary,
            *program.benefits,
            *(f.what for f in program.flows),
        ]
        words = _words(" ".join(texts))
        copied = [" ".join(words[i : i + 12]) for i in range(len(words) - 11)]
        assert not grams.intersection(copied), program.id


#: Summaries and benefits are the catalogue's own sentences: a shorter run than the
#: twelve words above already reads as copied.
OWN_SENTENCE_RUN = 8


def test_summaries_and_benefits_copy_no_run_of_eight_words(
    catalogue: Catalogue, seeds: dict[str, tuple[list[str], str]]
) -> None:
    """No summary or benefit shares eight consecutive words with a seed's body (each
    text on its own: a run never spans two benefits)."""
    n = OWN_SENTENCE_RUN
    grams: set[str] = set()
    for _, body in seeds.values():
        words = _words(body)
        grams.update(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    copied = []
    for program in catalogue:
        for text in (program.summary, *program.benefits):
            words = _words(text)
            runs = {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
            copied += [(program.id, run) for run in sorted(runs & grams)]
    assert copied == []


#: Ids a person can type and a table can hold beside a title at 60 columns.
MAX_ID_LENGTH = 28


def test_ids_are_short_and_earlier_ids_name_no_other_program(catalogue: Catalogue) -> None:
    assert [p.id for p in catalogue if len(p.id) > MAX_ID_LENGTH] == []
    names = [name for p in catalogue for name in (p.id, *p.aliases)]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_one_actor_one_display_name_and_no_two_actors_share_one(catalogue: Catalogue) -> None:
    """Each graph node is one actor: every party of it has the node's name, and no two
    nodes have one name (a reader could not tell them apart)."""
    from exchange_cli.query.network import actor_nodes

    nodes, by_program = actor_nodes(catalogue.programs)
    names = {node["id"]: node["name"] for node in nodes}
    for program, ids in zip(catalogue, by_program, strict=True):
        for party in program.parties:
            assert party.name == names[ids[party.name]], (program.id, party.name)
    shown = list(names.values())
    assert len(shown) == len(set(shown)), sorted(n for n in shown if shown.count(n) > 1)


def by_id(catalogue: Catalogue, program_id: str) -> Program:
    program = catalogue.get(program_id)
    assert program is not None, program_id
    return program


def test_the_named_programs_are_there(catalogue: Catalogue) -> None:
    korea = by_id(catalogue, "saudi-korea-tech-exchange")
    assert {p.country for p in korea.parties} == {"SA", "KR"}
    assert {(f.giver, f.receiver) for f in korea.flows} == {
        ("Saudi Arabia", "South Korea"),
        ("South Korea", "Saudi Arabia"),
    }
    assert korea.evidence == "reported"
    zone = by_id(catalogue, "malaysia-digital-trade-zone")
    alibaba = next(p for p in zone.parties if p.name == "Alibaba")
    assert (alibaba.type, alibaba.country) == ("organization", "CN")
    symposium = by_id(catalogue, "usa-defense-symposium")
    assert (symposium.evidence, symposium.recurrence) == ("hypothetical", "annual")
    assert "US" in symposium.countries()
    japan = by_id(catalogue, "japan-farming-expedition")
    assert japan.evidence == "illustrative"
    assert "agriculture" in japan.sectors


def test_every_kind_the_seeds_describe_is_catalogued(catalogue: Catalogue) -> None:
    kinds = {p.kind for p in catalogue}
    assert kinds == set(vocab.KINDS.values)


def test_unnamed_sides_are_groups(catalogue: Catalogue) -> None:
    for program in catalogue:
        for party in program.parties:
            if "islamic" in party.name.lower():
                assert (party.type, party.country) == ("group", None), program.id
