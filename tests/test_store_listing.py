"""The store answers filters from its indexes alone and reads a large listing a batch at a
time (`store.records.BatchedRecords`), which the JSON writer prints record by record: the
answers must be what memory gives, byte for byte. Batches are made tiny here so that the
shipped catalogue spans many of them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import both_sources
from exchange_cli.load.loader import load_catalogue
from exchange_cli.query import filters as query
from exchange_cli.store import records as stored

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "programs.yaml"
Run = Callable[..., Any]


@pytest.fixture
def tiny_batches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(stored, "BATCH", 2)
    yield


VALUES = {
    "sectors": [[], ["defense"], ["energy", "digital-technology"]],
    "kinds": [[], ["technology-exchange"]],
    "evidence": [[], ["reported"], ["hypothetical", "illustrative"]],
    "countries": [[], ["SA"], ["US", "MY"]],
    "parties": [[], ["a"]],
}


def test_every_combination_of_filters_selects_what_memory_selects(tiny_batches: None) -> None:
    memory, store, _ = both_sources(load_catalogue(SHIPPED))
    for chosen in itertools.product(*VALUES.values()):
        criteria = query.resolve_criteria(**dict(zip(VALUES, chosen, strict=True)))
        positions = memory.select(criteria)
        assert store.select(criteria) == positions, chosen
        assert list(store.records(positions)) == memory.records(positions), chosen


def test_a_listing_of_many_batches_is_read_as_it_is_iterated(tiny_batches: None) -> None:
    _, store, _ = both_sources(load_catalogue(SHIPPED))
    everything = store.select(query.Criteria())
    listing = store.records(everything)
    assert isinstance(listing, stored.BatchedRecords) and len(listing) == len(everything)
    assert [r["id"] for r in listing] == [r["id"] for r in listing[:]]
    assert listing[3]["id"] == listing[-12]["id"] == list(listing)[3]["id"]


COMMANDS = [
    ["list", "--json"],
    ["list", "--format", "jsonl"],
    ["list", "--format", "csv"],
    ["list", "--format", "yaml"],
    ["list", "--sector", "digital-technology", "--evidence", "reported", "--json"],
    ["list", "--sort", "title", "--reverse", "--limit", "5", "--json"],
    ["list", "--fields", "id,title", "--json"],
    ["search", "exchange", "--json"],
    ["search", "tech", "--country", "SA", "--json"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_listing_of_many_batches_prints_what_memory_prints(
    run: Run, tmp_path: Path, tiny_batches: None, command: list[str]
) -> None:
    copy = tmp_path / "programs.yaml"
    copy.write_bytes(SHIPPED.read_bytes())
    fresh = run(*command, "--data", str(copy), "--no-cache")
    assert fresh.exit_code == 0 and fresh.stdout, fresh.stderr
    for _ in range(2):  # the first load, then the store alone
        stored_run = run(*command, "--data", str(copy))
        assert (stored_run.exit_code, stored_run.stdout, stored_run.stderr) == (
            0,
            fresh.stdout,
            "",
        )
    if "--json" in command:
        json.loads(fresh.stdout)
