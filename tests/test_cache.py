"""The cache of validated catalogues: used only when it matches exactly, never trusted."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from exchange_cli import cache
from exchange_cli.loader import load_catalogue

FIXTURE = Path(__file__).parent / "fixtures" / "small.yaml"
Run = Callable[..., Any]


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A private cache directory and a private copy of the fixture catalogue."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("EXCHANGE_NO_CACHE", raising=False)
    data = tmp_path / "programs.yaml"
    data.write_bytes(FIXTURE.read_bytes())
    return data, tmp_path / "cache" / "exchange"


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*")) if directory.exists() else []


def titles(run: Run, data: Path, *extra: str) -> list[str]:
    result = run("list", "--data", str(data), "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return [r["title"] for r in json.loads(result.stdout)]


def test_first_run_writes_json_and_the_second_reads_it(run: Run, setup: tuple[Path, Path]) -> None:
    data, directory = setup
    assert titles(run, data)[0] == "Alpha Technology Exchange"
    [entry] = entries(directory)
    stored = json.loads(entry.read_text(encoding="utf-8"))  # plain JSON, nothing executable
    assert stored["format"] == cache.FORMAT
    assert stored["source"]["path"] == str(data.resolve())
    # Prove the second run is served from the cache: edit the cached copy only.
    stored["programs"][0]["title"] = "Served From Cache"
    entry.write_text(json.dumps(stored), encoding="utf-8")
    assert titles(run, data)[0] == "Served From Cache"
    assert titles(run, data, "--no-cache")[0] == "Alpha Technology Exchange"


def test_a_changed_file_invalidates_the_entry(run: Run, setup: tuple[Path, Path]) -> None:
    data, directory = setup
    titles(run, data)
    stat = data.stat()
    data.write_text(data.read_text().replace("Alpha Technology", "Alpha Tech"), encoding="utf-8")
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: the hash still tells
    assert titles(run, data)[0] == "Alpha Tech Exchange"


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: "not json at all {",
        lambda e: json.dumps({**e, "format": "someone-else/9"}),
        lambda e: json.dumps({**e, "programs": [{"id": 1}]}),
        lambda e: json.dumps({**e, "programs": [{**e["programs"][0], "kind": "spying"}]}),
        lambda e: json.dumps({**e, "programs": e["programs"] * 2}),
        lambda e: json.dumps([e]),
        lambda e: "[" * 100_000,
    ],
)
def test_a_broken_or_foreign_entry_is_ignored_and_rebuilt(
    run: Run, setup: tuple[Path, Path], damage: Callable[[dict[str, Any]], str]
) -> None:
    data, directory = setup
    titles(run, data)
    [entry] = entries(directory)
    entry.write_text(damage(json.loads(entry.read_text(encoding="utf-8"))), encoding="utf-8")
    assert titles(run, data) == [
        "Alpha Technology Exchange",
        "Beta Defense Work",
        "Gamma Trade Zone",
    ]
    assert json.loads(entry.read_text(encoding="utf-8"))["format"] == cache.FORMAT  # rebuilt


def test_no_cache_writes_nothing(run: Run, setup: tuple[Path, Path]) -> None:
    data, directory = setup
    titles(run, data, "--no-cache")
    result = run("list", "--data", str(data), env={"EXCHANGE_NO_CACHE": "1"})
    assert result.exit_code == 0
    assert entries(directory) == []


def test_an_unwritable_cache_directory_is_not_an_error(
    run: Run, setup: tuple[Path, Path], tmp_path: Path
) -> None:
    data, _ = setup
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the directory should be", encoding="utf-8")
    assert titles(run, data)[0] == "Alpha Technology Exchange"


def test_writes_are_atomic_and_leave_no_temporary_files(setup: tuple[Path, Path]) -> None:
    data, directory = setup
    for _ in range(3):
        load_catalogue(data, use_cache=True)
    assert [p.suffix for p in entries(directory)] == [".json"]
    assert not any(p.name.startswith(".tmp-") for p in directory.iterdir())


def test_cached_and_fresh_loads_agree(setup: tuple[Path, Path]) -> None:
    data, _ = setup
    fresh = load_catalogue(data, use_cache=True)
    cached = load_catalogue(data, use_cache=True)
    assert cached.programs == fresh.programs
