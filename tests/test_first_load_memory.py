"""A first load holds a piece of the file and a batch of programs, not the catalogue
(issue 24): its peak memory stops growing with the catalogue. Measured as the child's
own peak RSS (tests/childproc.py), which does not depend on the machine's speed, at two
sizes four times apart: the peak may grow while SQLite's page cache, the full-text
index's buffer and the allocator's heap fill up, but by far less than the input grows.

Loads that held the catalogue (the code before issue 24) grow the peak by about 5 MiB
per MiB of YAML or JSON Lines, and holding only the checked programs by about 3 (a
scratch edit keeping every program the store is handed fails here at 2.7 and 3.0);
streaming by under 1 (0.63-0.85 measured), on the way to a plateau: 34 MiB at 16,000
programs, 38 at 50,000, 39 at 100,000."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from childproc import Finished, run_measured

EXCHANGE = Path(sys.executable).parent / "exchange"
MAKE_CATALOGUE = Path(__file__).resolve().parents[1] / "bench" / "make_catalogue.py"
MiB = 1024 * 1024
SMALL, LARGE = 2000, 8000
#: The most the peak may grow per MiB of catalogue added; holding the programs is ~3.
MOST_MIB_PER_MIB = 2.0


def catalogues(directory: Path, form: str) -> tuple[Path, Path]:
    """`LARGE` programs from make_catalogue.py, and the first `SMALL` of them (the same
    records it writes for `SMALL`: each record takes the same draws of its generator)."""
    argv = [sys.executable, str(MAKE_CATALOGUE), str(LARGE)]
    if form == "jsonl":
        argv.append("--jsonl")
    text = subprocess.run(argv, capture_output=True, check=True).stdout
    if form == "jsonl":
        head = b"".join(text.splitlines(keepends=True)[:SMALL])
    else:
        head = text[: text.index(b"\n  - id: program-%06d\n" % SMALL) + 1]
    small, large = directory / f"small.{form}", directory / f"large.{form}"
    small.write_bytes(head)
    large.write_bytes(text)
    return small, large


def first_load(path: Path, cache: Path) -> Finished:
    """`exchange list --sector defense --json` with an empty cache, as bench/scale.py's
    `first`: read, check, compile the store, answer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    env["XDG_CACHE_HOME"] = str(cache)
    argv = [str(EXCHANGE), "list", "--sector", "defense", "--json", "--data", str(path)]
    finished = run_measured(argv, env=env, timeout=600, address_space_mib=2048)
    assert finished.returncode == 0, finished.stderr[-500:]
    assert list((cache / "exchange").glob("*.sqlite3")), "the load did not build the store"
    return finished


@pytest.mark.parametrize("form", ["yaml", "jsonl"])
def test_a_first_loads_peak_memory_grows_far_less_than_the_catalogue(
    tmp_path: Path, form: str
) -> None:
    small, large = catalogues(tmp_path, form)
    peaks = {
        path: first_load(path, tmp_path / f"cache-{path.stem}").peak_mib for path in (small, large)
    }
    added_mib = (large.stat().st_size - small.stat().st_size) / MiB
    grown = (peaks[large] - peaks[small]) / added_mib
    shown = (
        f"{SMALL:,} programs: {peaks[small]:.1f} MiB; {LARGE:,}: {peaks[large]:.1f} MiB; "
        f"{grown:.2f} MiB more per MiB of catalogue (at most {MOST_MIB_PER_MIB})"
    )
    print(shown)
    assert grown <= MOST_MIB_PER_MIB, shown
