"""Terminal views and graph languages compared byte for byte with golden files, at fixed
widths and without colour. After a deliberate change, regenerate them with
`EXCHANGE_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and read the diff."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small.yaml"
LONG = FIXTURES / "long.yaml"  # the shipped catalogue's longest ids, titles and names
Run = Callable[..., Any]

#: golden file → (arguments, terminal width; 0 for a pipe, catalogue)
CASES: dict[str, tuple[tuple[str, ...], int, Path]] = {
    **{f"list-{w}.txt": (("list",), w, LONG) for w in (60, 80, 120, 200)},
    **{f"search-{w}.txt": (("search", "technology"), w, LONG) for w in (80, 120, 200)},
    **{f"flows-{w}.txt": (("flows",), w, LONG) for w in (80, 120, 200)},
    **{
        f"show-{w}.txt": (("show", "military-education-exchange"), w, LONG) for w in (80, 120, 200)
    },
    "list-wide-80.txt": (("list", "--wide"), 80, LONG),
    "flows-wide-120.txt": (("flows", "--wide"), 120, LONG),
    "summarize-80.txt": (("summarize",), 80, SMALL),
    "summarize-by-sector-120.txt": (("summarize", "--by", "sector"), 120, SMALL),
    "graph-tree-80.txt": (("graph",), 80, SMALL),
    "graph.mmd": (("graph", "--format", "mermaid"), 0, SMALL),
    "graph.dot": (("graph", "--format", "dot"), 0, SMALL),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_view_matches_its_golden_file(run: Run, name: str) -> None:
    args, width, data = CASES[name]
    env = {"COLUMNS": str(width or 100)}
    result = run(*args, "--data", str(data), "--no-color", tty=width > 0, env=env)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    path = GOLDEN / name
    if os.environ.get("EXCHANGE_UPDATE_GOLDEN") == "1":
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8"), f"regenerate {name} if intended"


def test_the_long_fixture_is_the_shipped_catalogues_longest() -> None:
    """long.yaml's records are shipped records as they are, and among them are the
    shipped catalogue's longest id, title and party name: rebuild it when they change."""
    from exchange_cli.load.loader import load_catalogue

    shipped = load_catalogue(FIXTURES.parents[1] / "data" / "programs.yaml")
    long = load_catalogue(LONG)
    for program in long:
        assert program == shipped.get(program.id), program.id
    for measure in (
        lambda p: len(p.id),
        lambda p: len(p.title),
        lambda p: max(len(party.name) for party in p.parties),
    ):
        assert max(map(measure, long)) == max(map(measure, shipped))


def test_every_golden_file_is_checked() -> None:
    files = {p.name for p in GOLDEN.iterdir()} - {"list-table.txt"}  # test_render's own
    assert files == set(CASES)
