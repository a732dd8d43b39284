"""A small hostile file stays cheap, whatever its shape: memory and time grow with the
input by a small factor. Each case runs the installed command in a child process with its
own address-space limit, and measures that child alone (CPU time, not wall time: the
machine is shared)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from childproc import Finished, run_measured

EXCHANGE = Path(sys.executable).parent / "exchange"
MiB = 1024 * 1024

#: shape → (head, repeated unit, tail): a catalogue of exactly the asked size.
SHAPES: dict[str, tuple[str, str, str]] = {
    "empty maps": ("programs: [", "{},", "{}]\n"),
    "ids only": ("programs:\n", "  - id: p1\n", ""),
    "bad vocabulary values": ("programs:\n", "  - {sectors: [zz]}\n", ""),
    "scalars under an unknown key": ("bad: [", "a,", "a]\nprograms: []\n"),
    "scalars as programs": ("programs: [", "a,", "a]\n"),
    "duplicate unknown keys": ("programs:\n  - {", "k: 1, ", "z: 1}\n"),
    "one record with a huge list": ("programs:\n  - sectors: [", "x, ", "x]\n"),
}


def write(path: Path, shape: str, size: int) -> Path:
    head, unit, tail = SHAPES[shape]
    count = (size - len(head) - len(tail)) // len(unit)
    with path.open("w", encoding="ascii") as handle:
        handle.write(head)
        handle.write(unit * count)
        handle.write(tail)
    return path


def exchange(*args: str, limit_mib: int) -> Finished:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    return run_measured([str(EXCHANGE), *args], env=env, timeout=120, address_space_mib=limit_mib)


def refused_in_one_line(proc: Finished, code: int) -> None:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == code, err[-500:]
    assert "Traceback" not in err and "MemoryError" not in err
    if code == 3:
        assert proc.stdout == b"" and err.count("\n") == 1, err[:500]


Check = Callable[[Finished], None]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_1_mib_hostile_file_costs_little(tmp_path: Path, shape: str) -> None:
    path = write(tmp_path / "hostile.yaml", shape, MiB)
    for args, code in (
        (("list", "--no-cache", "--data", str(path)), 3),
        (("validate", str(path)), 1),
    ):
        proc = exchange(*args, limit_mib=1024)
        refused_in_one_line(proc, code)
        assert proc.peak_mib < 150, (args[0], proc.peak_mib)
        assert proc.cpu_seconds < 3, (args[0], proc.cpu_seconds)
    listed = exchange("validate", str(path), limit_mib=1024).stdout.decode().splitlines()
    assert len(listed) <= 100, "at most 100 problems are listed; the rest are counted"


@pytest.mark.parametrize(
    "shape", ["empty maps", "one record with a huge list", "scalars under an unknown key"]
)
def test_a_4_mib_hostile_file_costs_little(tmp_path: Path, shape: str) -> None:
    path = write(tmp_path / "hostile.yaml", shape, 4 * MiB)
    proc = exchange("list", "--no-cache", "--data", str(path), limit_mib=1024)
    refused_in_one_line(proc, 3)
    assert proc.peak_mib < 320, proc.peak_mib
    assert proc.cpu_seconds < 10, proc.cpu_seconds


def test_a_catalogue_at_the_size_cap_stays_under_a_gibibyte(tmp_path: Path) -> None:
    """64 MiB, the default cap, in one string: the file, its text and the parser's copy."""
    path = tmp_path / "big.yaml"
    path.write_text('programs:\n  - title: "' + "x" * (64 * MiB - 40) + '"\n', encoding="ascii")
    assert path.stat().st_size <= 64 * MiB
    proc = exchange("validate", str(path), limit_mib=1024)
    refused_in_one_line(proc, 1)
    assert proc.peak_mib < 1024


def test_problems_beyond_the_first_hundred_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text("programs:\n" + "  - {sectors: [zz]}\n" * 200, encoding="ascii")
    proc = exchange("validate", str(path), limit_mib=1024)
    listed = proc.stdout.decode().splitlines()
    assert len(listed) == 100
    err = proc.stderr.decode()  # each record: ten missing fields and an unknown sector
    assert "failed: 2,200 errors, 0 warnings (not loaded); 2,100 more not listed" in err
    load = exchange("list", "--no-cache", "--data", str(path), limit_mib=1024)
    assert "(and 2,199 more;" in load.stderr.decode()


def test_a_childs_peak_is_its_own_not_the_test_processs() -> None:
    """Linux counts in a child's peak the process it was forked from; childproc starts
    the command from a small launcher so that a big test process does not show."""
    import sys

    ballast = bytearray(300 * MiB)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touch every page: it is resident
    proc = run_measured([sys.executable, "-c", "pass"])
    assert proc.returncode == 0
    assert proc.peak_mib < 100, proc.peak_mib
    del ballast


#: JSON shapes whose problems make the reader look for positions (hostile-pass).
JSON_SHAPES: dict[str, tuple[str, str, str, str]] = {
    # every line has a problem and a repeated key: positions were counted from the top
    # of the file again for each line (quadratic: 1 MiB took 7 s, 4 MiB over 2 minutes)
    "json lines with repeated keys": ("hostile.jsonl", "", '{"a":1,"a":1,"a":1,"a":1}\n', ""),
    # one string that fills the file, in a record with a problem: the position scanner's
    # pattern kept a backtracking entry per character (4 MiB took 500 MiB)
    "one long string in json": ("hostile.json", '{"programs":[{"title":"', "a", '"}]}'),
}


@pytest.mark.parametrize("shape", sorted(JSON_SHAPES))
def test_a_4_mib_hostile_json_file_costs_little(tmp_path: Path, shape: str) -> None:
    name, head, unit, tail = JSON_SHAPES[shape]
    path = tmp_path / name
    count = (4 * MiB - len(head) - len(tail)) // len(unit)
    path.write_text(head + unit * count + tail, encoding="ascii")
    proc = exchange("validate", str(path), limit_mib=1024)
    refused_in_one_line(proc, 1)
    assert proc.peak_mib < 320, proc.peak_mib
    assert proc.cpu_seconds < 10, proc.cpu_seconds


def program_with_parties(index: int, count: int) -> dict[str, object]:
    """A valid program whose `count` parties the graph joins pairwise."""
    parties = [{"name": f"G{index}-{n}", "type": "group", "country": None} for n in range(count)]
    return {
        "id": f"p-{index}",
        "title": "T",
        "kind": "technology-exchange",
        "sectors": ["energy"],
        "parties": parties,
        "flows": [{"from": parties[0]["name"], "to": parties[1]["name"], "what": "x"}],
        "benefits": ["b"],
        "evidence": "reported",
        "recurrence": None,
        "summary": "A summary here.",
        "source": {"document": "D", "section": "S"},
    }


def test_one_program_with_thousands_of_parties_is_refused_cheaply(tmp_path: Path) -> None:
    """The graph joins a program's parties pairwise: 4,000 parties in 190 KB were 8
    million edges (35 s, 4.6 GiB). The declaration caps parties (model.MAX_PARTIES)."""
    import json

    path = tmp_path / "crowd.json"
    path.write_text(json.dumps({"programs": [program_with_parties(0, 4000)]}), "ascii")
    for command in ("graph", "export"):
        proc = exchange(command, "--data", str(path), "--no-cache", limit_mib=1024)
        refused_in_one_line(proc, 3)
        assert "parties: at most 12 parties, got 4,000" in proc.stderr.decode()
        assert proc.peak_mib < 150 and proc.cpu_seconds < 3, (proc.peak_mib, proc.cpu_seconds)


@pytest.mark.parametrize(
    "args", [("graph",), ("graph", "-f", "json"), ("graph", "-f", "dot"), ("export",)]
)
def test_the_graph_of_4_mib_of_the_most_parties_allowed_costs_little(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Valid, and as dense as the declaration allows: 66 partnership edges a program."""
    import json

    from exchange_cli.model import MAX_PARTIES

    path, programs, size = tmp_path / "dense.json", [], 0
    while size < 4 * MiB:
        programs.append(program_with_parties(len(programs), MAX_PARTIES))
        size += len(json.dumps(programs[-1])) + 2
    path.write_text(json.dumps({"programs": programs}), "ascii")
    proc = exchange(*args, "--data", str(path), "--no-cache", limit_mib=1024)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.peak_mib < 320 and proc.cpu_seconds < 10, (proc.peak_mib, proc.cpu_seconds)
