"""Shared test fixtures: fixture catalogues and a helper to run the CLI in-process."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


class _FakeTTY(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own cache directory: no test reads or fills the user's real one."""
    directory = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(directory))
    monkeypatch.delenv("EXCHANGE_NO_CACHE", raising=False)
    return directory


@pytest.fixture
def small() -> Path:
    return FIXTURES / "small.yaml"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Run `exchange` in-process through `main`, the real entry point, with an
    Environment of its own (a fake terminal when `tty`) instead of the process's streams.

    `main` is used rather than Typer's CliRunner so the exception-to-exit-code mapping
    under test is the one users get.
    """
    from exchange_cli.cli.main import main
    from exchange_cli.render.terminal import Environment

    for name in ("NO_COLOR", "FORCE_COLOR", "EXCHANGE_DATA", "EXCHANGE_DEBUG", "COLUMNS", "LINES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EXCHANGE_PAGER", "")  # a fake terminal is never paged (test_pager's job)

    def invoke(*args: str, tty: bool = False, env: dict[str, str] | None = None) -> Result:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        out, err = _FakeTTY(tty), _FakeTTY(False)
        code = main(list(args), Environment.detect(stdout=out, stderr=err))
        return Result(code, out.getvalue(), err.getvalue())

    yield invoke


def program_record(program_id: str, **fields: object) -> dict[str, object]:
    """A valid catalogue record with sensible defaults; `fields` replace any of them."""
    parties = fields.pop("parties", None) or [
        {"name": "Saudi Arabia", "type": "country", "country": "SA"},
        {"name": "South Korea", "type": "country", "country": "KR"},
    ]
    assert isinstance(parties, list)
    first, second = parties[0]["name"], parties[1]["name"]
    record: dict[str, object] = {
        "id": program_id,
        "title": f"Program {program_id}",
        "kind": "technology-exchange",
        "sectors": ["energy"],
        "parties": parties,
        "flows": [{"from": first, "to": second, "what": "know-how"}],
        "benefits": ["shared skills"],
        "evidence": "reported",
        "recurrence": None,
        "summary": f"A test program called {program_id}.",
        "source": {"document": "Doc", "section": "Part"},
    }
    record.update(fields)
    return record


def write_catalogue(path: Path, records: list[dict[str, object]]) -> Path:
    """Write records as a catalogue file (YAML, keys in record order)."""
    import yaml

    path.write_text(yaml.safe_dump({"programs": records}, sort_keys=False), encoding="utf-8")
    return path


def both_sources(catalogue: object) -> list[object]:
    """The same catalogue as each kind of record source: in memory, compiled into an
    (in-memory) SQLite store, and read for one run only (`load.catalogue.OneRunRecords`: memory,
    compiled on demand). Queries must answer identically from all."""
    from exchange_cli.load.catalogue import OneRunRecords
    from exchange_cli.query.memory import MemoryRecords
    from exchange_cli.store.files import compile_catalogue

    return [
        MemoryRecords(catalogue),  # type: ignore[arg-type]
        compile_catalogue(catalogue, None, None),  # type: ignore[arg-type]
        OneRunRecords(catalogue),  # type: ignore[arg-type]
    ]


@pytest.fixture(params=["memory", "store"])
def source_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)
