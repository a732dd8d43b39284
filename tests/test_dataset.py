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
