"""A hostile file stays cheap, whatever its shape: memory and time grow with the input
by a small factor. Each case runs the installed command in child processes with their
own address-space limit, and measures each child alone: its CPU time as a growth ratio
between two sizes (tests/growth.py: no budget in seconds, which a slower machine would
fail), and its peak memory, which does not depend on the machine's speed."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from childproc import Finished, run_measured
from growth import assert_linear, measure_growth

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


#: The environment of every command run here: no EXCHANGE_ setting of the caller's.
ENV = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}


def exchange(*args: str, limit_mib: int) -> Finished:
    return run_measured([str(EXCHANGE), *args], env=ENV, timeout=600, address_space_mib=limit_mib)


def scratch(tmp_path: Path) -> Path:
    """Where a growth measure keeps each run's output."""
    path = tmp_path / "runs"
    path.mkdir()
    return path


def refused_in_one_line(proc: Finished, code: int) -> None:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == code, err[-500:]
    assert "Traceback" not in err and "MemoryError" not in err
    if code == 3:
        assert proc.stdout == b"" and err.count("\n") == 1, err[:500]


Check = Callable[[Finished], None]


@pytest.mark.parametrize("command", ["list", "validate"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_hostile_file_costs_linear_time_and_little_memory(
    tmp_path: Path, shape: str, command: str
) -> None:
    """Refused in one line, whatever the shape and size; the cost grows linearly (by
    ratio, on this machine: tests/growth.py) and memory by little more than the input."""
    argv, code = (
        (lambda p: (str(EXCHANGE), "list", "--no-cache", "--data", str(p)), 3)
        if command == "list"
        else (lambda p: (str(EXCHANGE), "validate", str(p)), 1)
    )

    def make(size: int) -> Path:
        return write(tmp_path / f"hostile-{size}.yaml", shape, size)

    grown = measure_growth(
        make,
        argv,
        start=8 * 1024,
        largest=4 * MiB,
        smallest=256,
        check=lambda proc: refused_in_one_line(proc, code),
        env=ENV,
        scratch=scratch(tmp_path),
    )
    assert_linear(grown, mib_per_mib=40)
    if command == "validate":
        listed = grown.large.finished.stdout.decode().splitlines()
        assert len(listed) <= 100, "at most 100 problems are listed; the rest are counted"


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
    # one record holding millions of values, each with a problem: every value's position
    # was kept (a 4 MiB file took 560 MiB and 19 s); now at most MAX_MARKS, as in YAML
    "one record with a huge list in json": (
        "hostile.json",
        '{"programs":[{"sectors":[',
        '"x",',
        '"x"]}]}',
    ),
    # the same with a repeated key, so that the record is scanned to its end for them
    "a huge list and a repeated key in json": (
        "hostile.json",
        '{"programs":[{"a":1,"a":1,"sectors":[',
        '"x",',
        '"x"]}]}',
    ),
}


@pytest.mark.parametrize("shape", sorted(JSON_SHAPES))
def test_a_hostile_json_file_costs_linear_time_and_little_memory(
    tmp_path: Path, shape: str
) -> None:
    name, head, unit, tail = JSON_SHAPES[shape]

    def make(size: int) -> Path:
        path = tmp_path / f"{size}-{name}"
        count = max((size - len(head) - len(tail)) // len(unit), 1)
        path.write_text(head + unit * count + tail, encoding="ascii")
        return path

    grown = measure_growth(
        make,
        lambda p: (str(EXCHANGE), "validate", str(p)),
        start=8 * 1024,
        largest=4 * MiB,
        smallest=64,
        check=lambda proc: refused_in_one_line(proc, 1),
        env=ENV,
        scratch=scratch(tmp_path),
    )
    assert_linear(grown, mib_per_mib=40)


#: The most a JSON record's positions may add to the peak, per MiB of the record: the
#: README's "a few MiB per MiB of input" (16 puts a 64 MiB file under 1 GiB).
POSITIONS_MIB_PER_MIB = 16


@pytest.mark.parametrize("head", ['{"programs":[{', '{"programs":[{"a":1,"a":1,'])
def test_one_json_record_of_millions_of_values_keeps_few_positions(
    tmp_path: Path, head: str
) -> None:
    """A JSON record with a problem is scanned for where its values are; every one of
    them was kept (a 4 MiB record: 560 MiB, 19 s). At most `MAX_MARKS` are kept, as YAML
    keeps; the repeated key is still found. Measured as the peak beyond a one-value
    record's, per MiB: 11 here for 1 MiB (a quarter million values); keeping every
    position measures 67 (a scratch edit of MAX_MARKS)."""
    head += '"sectors":['

    def validate(name: str, count: int) -> Finished:
        path = tmp_path / name
        path.write_text(head + '"x",' * count + '"x"]}]}', encoding="ascii")
        proc = exchange("validate", str(path), limit_mib=1024)
        refused_in_one_line(proc, 1)
        if '"a"' in head:
            assert "duplicate key 'a'" in proc.stdout.decode()
        return proc

    tiny = validate("tiny.json", 1)
    huge = validate("huge.json", MiB // 4)
    grown = huge.peak_mib - tiny.peak_mib
    allowed = POSITIONS_MIB_PER_MIB * (tmp_path / "huge.json").stat().st_size / MiB + 8
    shown = f"{tiny.peak_mib:.0f} -> {huge.peak_mib:.0f} MiB (allowed {allowed:.0f} more)"
    assert grown <= allowed, shown


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


def crowd(path: Path, parties: int) -> Path:
    import json

    path.write_text(json.dumps({"programs": [program_with_parties(0, parties)]}), "ascii")
    return path


@pytest.mark.parametrize("command", ["graph", "export"])
def test_one_program_with_thousands_of_parties_is_refused_cheaply(
    tmp_path: Path, command: str
) -> None:
    """The graph joins a program's parties pairwise: 4,000 parties in 190 KB were 8
    million edges (35 s, 4.6 GiB). The declaration caps parties (model.MAX_PARTIES), so
    the cost grows with the file, not with the square of its parties."""

    def refused(proc: Finished) -> None:
        refused_in_one_line(proc, 3)
        assert "parties: at most 12 parties, got " in proc.stderr.decode()

    grown = measure_growth(
        lambda n: crowd(tmp_path / f"crowd-{n}.json", n),
        lambda p: (str(EXCHANGE), command, "--data", str(p), "--no-cache"),
        start=1000,
        largest=64_000,
        smallest=13,
        check=refused,
        env=ENV,
        scratch=scratch(tmp_path),
    )
    assert_linear(grown, mib_per_mib=40)
    assert (
        "got 4,000"
        in exchange(
            command,
            "--data",
            str(crowd(tmp_path / "4000.json", 4000)),
            "--no-cache",
            limit_mib=1024,
        ).stderr.decode()
    )


def dense(path: Path, size: int) -> Path:
    """Valid, and as dense as the declaration allows: 66 partnership edges a program."""
    import json

    from exchange_cli.model.records import MAX_PARTIES

    programs: list[dict[str, object]] = []
    written = 0
    while written < size or not programs:
        programs.append(program_with_parties(len(programs), MAX_PARTIES))
        written += len(json.dumps(programs[-1])) + 2
    path.write_text(json.dumps({"programs": programs}), "ascii")
    return path


@pytest.mark.parametrize(
    "args", [("graph",), ("graph", "-f", "json"), ("graph", "-f", "dot"), ("export",)]
)
def test_the_graph_of_the_most_parties_allowed_grows_linearly(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    def succeeded(proc: Finished) -> None:
        assert proc.returncode == 0, proc.stderr[-500:]

    grown = measure_growth(
        lambda size: dense(tmp_path / f"dense-{size}.json", size),
        lambda p: (str(EXCHANGE), *args, "--data", str(p), "--no-cache"),
        start=8 * 1024,
        largest=4 * MiB,
        smallest=1,
        check=succeeded,
        env=ENV,
        scratch=scratch(tmp_path),
    )
    # The graph holds every node and edge: 4 MiB measured 228-286 MiB in all.
    assert_linear(grown, mib_per_mib=80)


def listing(path: Path, count: int, *, long_id: int = 0, long_title: int = 0) -> Path:
    """A valid catalogue of `count` programs; the first with an id or a title that long."""
    import json

    programs = []
    for index in range(count):
        program = program_with_parties(index, 2)
        if index == 0 and long_id:
            program["id"] = "p" + "-x" * (long_id // 2)
        if index == 0 and long_title:
            program["title"] = "Title " * (long_title // 6)
        programs.append(program)
    path.write_text(json.dumps({"programs": programs}), "ascii")
    return path


def test_a_table_costs_linear_time_in_the_longest_cell(tmp_path: Path) -> None:
    """One very long title, with --wide on a wide terminal: its text is wrapped into as
    many lines as it needs, and the cost grows with it, not with its square."""
    grown = measure_growth(
        lambda size: listing(tmp_path / f"long-title-{size}.json", 40, long_title=size),
        lambda p: (str(EXCHANGE), "list", "--data", str(p), "--no-cache", "-f", "table", "--wide"),
        start=4000,
        largest=400_000,
        smallest=60,
        check=lambda proc: proc.returncode == 0 or pytest.fail(proc.stderr.decode()),
        env=ENV,
        environ=lambda size: {"COLUMNS": "1000"},
        scratch=scratch(tmp_path),
    )
    assert_linear(grown, mib_per_mib=200)
    lines = grown.large.finished.stdout.decode().splitlines()
    assert max(len(line) for line in lines) <= 1000 and len(lines) > 40


def test_a_table_costs_linear_time_in_the_terminals_width(tmp_path: Path) -> None:
    """One long title on a terminal as wide as allowed: every shorter row is padded to
    the width, and the padding is trimmed in time that grows with it."""
    data = listing(tmp_path / "long-title.json", 600, long_title=5000)
    grown = measure_growth(
        lambda size: data,
        lambda p: (str(EXCHANGE), "list", "--data", str(p), "--no-cache", "-f", "table"),
        start=125,
        largest=1000,
        smallest=125,
        check=lambda proc: proc.returncode == 0 or pytest.fail(proc.stderr.decode()),
        env=ENV,
        environ=lambda size: {"COLUMNS": str(size)},
        scratch=scratch(tmp_path),
    )
    assert_linear(grown, mib_per_mib=1000)
    lines = grown.large.finished.stdout.decode().splitlines()
    assert max(len(line) for line in lines) == 1000
    assert all(line == line.rstrip() for line in lines)


#: The most a first load's store may add to the peak of reading the same catalogue
#: without one: its buffers (SQLite's page cache, the full-text index's, a batch of
#: programs: about 20 MiB here, give or take 5 from run to run) and a little per MiB.
STORE_FIXED_MIB, STORE_MIB_PER_MIB = 32, 2


def benefits(path: Path, size: int) -> Path:
    """A valid catalogue of one program whose benefits fill `size` bytes of JSON."""
    import json

    program = program_with_parties(0, 2)
    program["benefits"] = ["@"]
    head, tail = json.dumps({"programs": [program]}).split('"@"')
    count = max((size - len(head) - len(tail)) // 7, 1)
    path.write_text(head + '"gain",' * count + '"gain"' + tail, "ascii")
    return path


def test_a_first_load_of_one_program_with_millions_of_benefits_grows_linearly(
    tmp_path: Path,
) -> None:
    """A first load builds the store, its full-text index included, in time that grows
    with the catalogue, and in little more memory than reading it without a store: the
    index takes a field's segments a few thousand at a time. Holding a string per
    benefit at once (the code before) added 59 MiB to a 4 MiB catalogue's peak (15
    million benefits in 57 MiB: 1.45 GiB, three times `--no-cache`'s 489 MiB); now
    21-25 (610 MiB), allowed 40."""
    runs = scratch(tmp_path)
    grown = measure_growth(
        lambda size: benefits(tmp_path / f"benefits-{size}.json", size),
        lambda p: (str(EXCHANGE), "list", "--data", str(p)),
        start=64 * 1024,
        largest=8 * MiB,
        smallest=1,
        check=lambda proc: proc.returncode == 0 or pytest.fail(proc.stderr.decode()),
        env=ENV,
        scratch=runs,
        first_loads=True,
    )
    assert_linear(grown, mib_per_mib=40)
    stores = list(runs.glob("cache-*/exchange/*.sqlite3"))
    assert len(stores) == 2 + len(grown.runs), "each run builds a store of its own"

    path = benefits(tmp_path / "benefits.json", 4 * MiB)
    argv = ("list", "--data", str(path))
    env = ENV | {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = run_measured([str(EXCHANGE), *argv], env=env, timeout=600, address_space_mib=2048)
    assert first.returncode == 0 and list((tmp_path / "cache").glob("exchange/*.sqlite3"))
    unstored = exchange(*argv, "--no-cache", limit_mib=2048)
    added = first.peak_mib - unstored.peak_mib
    shown = f"first load {first.peak_mib:.0f} MiB, --no-cache {unstored.peak_mib:.0f} MiB"
    print(shown)
    assert added <= STORE_MIB_PER_MIB * 4 + STORE_FIXED_MIB, shown
