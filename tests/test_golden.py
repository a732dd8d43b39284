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
SMALL = Path(__file__).parent / "fixtures" / "small.yaml"
Run = Callable[..., Any]

#: golden file → (arguments, terminal width; 0 for a pipe)
CASES: dict[str, tuple[tuple[str, ...], int]] = {
    **{f"list-{w}.txt": (("list",), w) for w in (80, 120, 200)},
    **{f"search-{w}.txt": (("search", "a"), w) for w in (80, 120, 200)},
    **{f"flows-{w}.txt": (("flows",), w) for w in (80, 120, 200)},
    **{f"show-{w}.txt": (("show", "alpha-tech"), w) for w in (80, 120, 200)},
    "summarize-80.txt": (("summarize",), 80),
    "summarize-by-sector-120.txt": (("summarize", "--by", "sector"), 120),
    "graph-tree-80.txt": (("graph",), 80),
    "graph.mmd": (("graph", "--format", "mermaid"), 0),
    "graph.dot": (("graph", "--format", "dot"), 0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_view_matches_its_golden_file(run: Run, name: str) -> None:
    args, width = CASES[name]
    env = {"COLUMNS": str(width or 100)}
    result = run(*args, "--data", str(SMALL), "--no-color", tty=width > 0, env=env)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    path = GOLDEN / name
    if os.environ.get("EXCHANGE_UPDATE_GOLDEN") == "1":
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8"), f"regenerate {name} if intended"


def test_every_golden_file_is_checked() -> None:
    files = {p.name for p in GOLDEN.iterdir()} - {"list-table.txt"}  # test_render's own
    assert files == set(CASES)
