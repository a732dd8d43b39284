"""Related programs: both record sources follow the rule in related.py, checked against a
brute-force reading of it over catalogues where some parties are very common."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from conftest import both_sources, program_record, write_catalogue
from exchange_cli.load.loader import load_catalogue
from exchange_cli.model import vocab
from exchange_cli.model.records import Program
from exchange_cli.query.records import party_keys
from exchange_cli.query.related import PARTY_CANDIDATES


def rule(programs: list[Program], position: int, limit: int, within: list[int]) -> list[int]:
    """The docstring of related.py, read literally: one point for each shared sector, and
    one for each shared party key when the other program is among the first
    PARTY_CANDIDATES (in catalogue order, the program itself left out, only `within`)
    having that key; the `limit` best, ties in catalogue order."""
    mine = programs[position]
    counted: dict[str, list[int]] = {}
    for key in party_keys(mine):
        having = [i for i in within if i != position and key in party_keys(programs[i])]
        counted[key] = having[:PARTY_CANDIDATES]
    scored = []
    for i in within:
        if i == position:
            continue
        score = sum(s in mine.sectors for s in programs[i].sectors)
        score += sum(i in counted[key] for key in counted)
        if score:
            scored.append((-score, i))
    return [i for _, i in sorted(scored)[:limit]]


def catalogue_with_common_parties(tmp_path: Path, seed: int, size: int) -> Path:
    """Programs among few countries (so each is shared by far more than the cap) and a
    few organizations, with one to three sectors each."""
    rng = random.Random(seed)
    countries = ["SA", "KR", "JP", "MY", "US"]
    organizations = ["Alibaba", "KAIST", "Aramco"]
    sectors = list(vocab.SECTORS.values)
    records = []
    for i in range(size):
        parties: list[dict[str, object]] = [
            {"name": vocab.country_name(code), "type": "country", "country": code}
            for code in rng.sample(countries, rng.randint(1, 2))
        ]
        if rng.random() < 0.5:
            org = rng.choice(organizations)
            parties.append({"name": org, "type": "organization", "country": None})
        if len(parties) == 1:
            parties.append({"name": f"Office {i}", "type": "organization", "country": None})
        records.append(
            program_record(
                f"p-{i:04d}",
                parties=parties,
                sectors=rng.sample(sectors, rng.randint(1, 3)),
            )
        )
    return write_catalogue(tmp_path / f"common-{seed}.yaml", records)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_both_sources_follow_the_rule_where_parties_are_common(tmp_path: Path, seed: int) -> None:
    catalogue = load_catalogue(catalogue_with_common_parties(tmp_path, seed, 260))
    programs = list(catalogue)
    everything = list(range(len(programs)))
    subset = [i for i in everything if i % 3 != 1]
    sample = everything[::13] + [len(programs) - 1]
    for source in both_sources(catalogue):
        got = source.related_many(sample, 10)  # type: ignore[attr-defined]
        assert got == {p: rule(programs, p, 10, everything) for p in sample}
        for position in sample[:4]:
            assert source.related(position, 10) == got[position]  # type: ignore[attr-defined]
        within = source.related_many(subset[::11], 5, subset)  # type: ignore[attr-defined]
        assert within == {p: rule(programs, p, 5, subset) for p in subset[::11]}


def test_the_cap_decides_only_where_a_party_is_common(tmp_path: Path) -> None:
    """A late program sharing a common country and every sector is ranked by its sectors
    alone; where no party is that common, the ranking is exact."""
    early = [program_record(f"e-{i:03d}", sectors=["energy"]) for i in range(PARTY_CANDIDATES + 5)]
    late = program_record("late", sectors=["energy", "education"])
    first = program_record("first", sectors=["energy", "education"])
    data = write_catalogue(tmp_path / "cap.yaml", [first, *early, late])
    catalogue = load_catalogue(data)
    for source in both_sources(catalogue):
        related = source.related(0, 10)  # type: ignore[attr-defined]
        # the early ones share two countries and a sector: 3 points; `late` shares two
        # sectors only, as the countries count for the first 50 programs having them
        assert related == list(range(1, 11))
        last = len(catalogue) - 1
        assert source.related(last, 1) == [0]  # `first` is within the cap for `late`


def test_programs_sharing_only_sectors_fill_every_place(tmp_path: Path) -> None:
    def alone(i: int, sectors: list[str]) -> dict[str, object]:
        parties = [
            {"name": f"Office {i}a", "type": "organization", "country": None},
            {"name": f"Office {i}b", "type": "organization", "country": None},
        ]
        return program_record(f"s-{i:03d}", parties=parties, sectors=sectors)

    records = [alone(i, ["energy", "education"] if i % 4 == 0 else ["energy"]) for i in range(40)]
    catalogue = load_catalogue(write_catalogue(tmp_path / "sectors.yaml", records))
    programs, everything = list(catalogue), list(range(40))
    for source in both_sources(catalogue):
        for position in (0, 1, 39):
            expected = rule(programs, position, 10, everything)
            assert len(expected) == 10
            assert source.related(position, 10) == expected  # type: ignore[attr-defined]
