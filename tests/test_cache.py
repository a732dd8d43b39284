"""The cache of validated catalogues: used only when it matches exactly, never trusted."""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from exchange_cli import cache
from exchange_cli.loader import load_catalogue
from exchange_cli.model import Catalogue, FacetColumns, Facets

FIXTURE = Path(__file__).parent / "fixtures" / "small.yaml"
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "programs.yaml"
Run = Callable[..., Any]
TITLES = ["Alpha Technology Exchange", "Beta Defense Work", "Gamma Trade Zone"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the fixture catalogue (the cache directory is private already)."""
    copy = tmp_path / "programs.yaml"
    copy.write_bytes(FIXTURE.read_bytes())
    return copy


def entries() -> list[Path]:
    directory = cache.cache_directory()
    return sorted(directory.iterdir()) if directory.exists() else []


def titles(run: Run, data: Path, *extra: str) -> list[str]:
    result = run("list", "--data", str(data), "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return [r["title"] for r in json.loads(result.stdout)]


def lines_of(entry: Path) -> list[Any]:
    """The entry's JSON lines: header, index, records..., checksum."""
    return [json.loads(line) for line in entry.read_bytes().splitlines()]


def seal(entry: Path, lines: list[Any], *, lengths: bool = True) -> None:
    """Write lines back with valid line lengths and checksum, as a deliberate forger would."""
    encoded = [json.dumps(line).encode() + b"\n" for line in lines[:-1]]
    if lengths and isinstance(lines[1], dict) and "length" in lines[1]:
        lines[1]["length"] = [len(record) for record in encoded[2:]]
        encoded[1] = json.dumps(lines[1]).encode() + b"\n"
    body = b"".join(encoded)
    entry.write_bytes(body + b'{"crc32":%d}\n' % zlib.crc32(body))


def test_first_run_writes_json_lines_and_the_second_reads_them(run: Run, data: Path) -> None:
    assert titles(run, data) == TITLES
    [entry] = entries()
    header, index, *records, checksum = lines_of(entry)  # plain JSON, nothing executable
    assert header["format"] == cache.FORMAT
    assert header["source"]["path"] == str(data.resolve())
    assert header["count"] == len(records) == 3
    assert index["id"] == ["alpha-tech", "beta-defense", "gamma-trade"]
    assert set(checksum) == {"crc32"}
    # Prove the second run is served from the cache: change the cached copy only.
    records[0]["title"] = "Served From Cache"
    seal(entry, [header, index, *records, checksum])
    assert titles(run, data)[0] == "Served From Cache"
    assert titles(run, data, "--no-cache") == TITLES


def test_a_changed_file_invalidates_the_entry(run: Run, data: Path) -> None:
    titles(run, data)
    stat = data.stat()
    data.write_text(data.read_text().replace("Alpha Technology", "Alpha Tech"), encoding="utf-8")
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: the hash still tells
    assert titles(run, data)[0] == "Alpha Tech Exchange"


def _edit_title(lines: list[Any]) -> list[Any]:
    lines[2]["title"] = "Edited"
    return lines


RESEALED: list[Callable[[list[Any]], list[Any]]] = [
    lambda ls: [{**ls[0], "format": "someone-else/9"}, *ls[1:]],
    lambda ls: [{**ls[0], "version": "0.0.0"}, *ls[1:]],
    lambda ls: [{**ls[0], "count": 2}, *ls[1:]],
    lambda ls: [ls[0], {**ls[1], "kind": ["spying", *ls[1]["kind"][1:]]}, *ls[2:]],
    lambda ls: [ls[0], {**ls[1], "sectors": [[1], *ls[1]["sectors"][1:]]}, *ls[2:]],
    lambda ls: [
        ls[0],
        {**ls[1], "sectors": ["defense\x1fspying", *ls[1]["sectors"][1:]]},
        *ls[2:],
    ],
    lambda ls: [ls[0], {**ls[1], "id": ["x", "x", "x"]}, *ls[2:]],
    lambda ls: [ls[0], ls[1]["id"], *ls[2:]],
    lambda ls: [[ls[0]], *ls[1:]],
]
RAW: list[Callable[[bytes], bytes]] = [
    lambda raw: b"",
    lambda raw: b"not json at all {",
    lambda raw: raw[: len(raw) // 2],  # truncated
    lambda raw: raw.replace(b"Alpha", b"Alpah"),  # edited without a new checksum
    lambda raw: b"[" * 100_000 + b"\n" + raw,
    lambda raw: bytes(range(256)) * 10,
]


@pytest.mark.parametrize("damage", RESEALED + RAW)
def test_a_broken_or_foreign_entry_is_ignored_and_rebuilt(
    run: Run, data: Path, damage: Callable[[Any], Any]
) -> None:
    titles(run, data)
    [entry] = entries()
    if damage in RAW:
        entry.write_bytes(damage(entry.read_bytes()))
    else:
        seal(entry, damage(lines_of(entry)))
    assert titles(run, data) == TITLES
    assert lines_of(entry)[0]["format"] == cache.FORMAT  # rebuilt


def test_line_lengths_that_do_not_add_up_are_refused(run: Run, data: Path) -> None:
    titles(run, data)
    [entry] = entries()
    lines = lines_of(entry)
    lines[1]["length"] = [1, 1, 1]
    seal(entry, lines, lengths=False)
    assert titles(run, data) == TITLES
    assert lines_of(entry)[1]["length"] != [1, 1, 1]  # rebuilt


def test_a_forged_record_is_refused_with_one_line_not_used(run: Run, data: Path) -> None:
    """A record that disagrees with its (validly sealed) index is never printed."""
    titles(run, data)
    [entry] = entries()
    lines = lines_of(entry)
    lines[2]["kind"] = "research-partnership"  # the index still says technology-exchange
    seal(entry, lines)
    result = run("list", "--data", str(data), "--json")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert str(entry) in result.stderr and "run the command again" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not entry.exists()  # removed, so the next run rebuilds it
    assert titles(run, data) == TITLES


@pytest.mark.parametrize("plant", ["symlink-to-dev-zero", "fifo", "directory"])
def test_an_entry_that_is_not_a_plain_file_is_never_read(run: Run, data: Path, plant: str) -> None:
    titles(run, data)
    [entry] = entries()
    entry.unlink()
    if plant == "fifo":
        os.mkfifo(entry)
    elif plant == "directory":
        entry.mkdir()
    else:
        entry.symlink_to("/dev/zero")
    assert titles(run, data) == TITLES  # neither hangs nor reads forever
    if plant != "directory":  # a directory cannot be replaced by a file; it stays unused
        assert entry.is_file() and not entry.is_symlink()


def test_an_interrupted_write_leaves_no_temporary_file(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "_index", interrupt)
    with pytest.raises(KeyboardInterrupt):
        load_catalogue(data, use_cache=True)
    assert entries() == []


def test_a_name_holding_the_index_separator_is_served_but_not_cached(
    run: Run, tmp_path: Path
) -> None:
    """U+001F joins an index row's values, so a name holding it cannot go in the index."""
    odd = tmp_path / "odd.yaml"
    text = FIXTURE.read_text(encoding="utf-8")
    odd.write_text(text.replace(" Alibaba,", ' "Ali\\x1fbaba",'), encoding="utf-8")
    for _ in range(2):
        result = run("list", "--data", str(odd), "--party", "ali", "--json")
        assert [r["title"] for r in json.loads(result.stdout)] == ["Gamma Trade Zone"]
    assert entries() == []


def test_no_cache_writes_nothing(run: Run, data: Path) -> None:
    titles(run, data, "--no-cache")
    result = run("list", "--data", str(data), env={"EXCHANGE_NO_CACHE": "1"})
    assert result.exit_code == 0
    assert entries() == []


def test_an_unwritable_cache_directory_is_not_an_error(
    run: Run, data: Path, private_cache: Path
) -> None:
    (private_cache / "exchange").write_text("a file where the directory should be")
    assert titles(run, data) == TITLES


def test_writes_are_atomic_and_leave_no_temporary_files(data: Path) -> None:
    for _ in range(3):
        load_catalogue(data, use_cache=True)
    assert [p.suffix for p in entries()] == [".jsonl"]


def test_cached_and_fresh_loads_agree_on_the_shipped_catalogue(tmp_path: Path) -> None:
    copy = tmp_path / "programs.yaml"
    copy.write_bytes(SHIPPED.read_bytes())
    fresh = load_catalogue(copy, use_cache=True)
    cached = load_catalogue(copy, use_cache=True)
    assert cached._fetch is not None, "the second load should come from the cache"
    assert cached.facets == fresh.facets
    assert cached.programs == fresh.programs
    assert cached.ids() == fresh.ids()


@pytest.mark.parametrize(
    "command",
    [
        ["list", "--json"],
        ["list", "--sector", "defence", "--format", "csv"],
        ["summarize", "--json"],
        ["summarize", "--country", "KR", "--json"],
        ["show", "saudi-korea-technology-exchange", "--json"],
        ["search", "petro", "--json"],
        ["flows", "--to", "SA", "--json"],
        ["graph", "--format", "json"],
    ],
)
def test_every_command_prints_the_same_from_the_cache(
    run: Run, tmp_path: Path, command: list[str]
) -> None:
    copy = tmp_path / "programs.yaml"
    copy.write_bytes(SHIPPED.read_bytes())
    fresh = run(*command, "--data", str(copy), "--no-cache")
    run(*command, "--data", str(copy))  # fills the cache
    warm = run(*command, "--data", str(copy))
    assert (warm.exit_code, warm.stdout, warm.stderr) == (0, fresh.stdout, fresh.stderr)
    assert entries(), "the cache should have been used"


def test_an_indexed_catalogue_builds_only_what_a_query_needs() -> None:
    from exchange_cli import query

    programs = list(load_catalogue(FIXTURE))
    built: list[int] = []

    def fetch(index: int) -> Any:
        built.append(index)
        return programs[index], programs[index].to_dict()

    columns = FacetColumns.of([Facets.of(p) for p in programs])
    catalogue = Catalogue.indexed(columns, fetch, "<test>")
    defense = query.resolve_criteria(sectors=["defense"])
    assert [p.id for p in query.select(catalogue, defense)] == ["beta-defense"]
    assert built == [1]
    query.facet_counts(query.select_facets(catalogue, query.Criteria()))
    assert built == [1]  # summarize needs no program text
    assert catalogue.get("gamma-trade") is programs[2] and built == [1, 2]


def test_a_missing_home_directory_is_never_created(
    run: Run, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "nonexistent"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(home))
    assert titles(run, data) == TITLES
    assert not home.exists()


def test_old_entries_are_pruned(run: Run, tmp_path: Path) -> None:
    for i in range(cache.MAX_ENTRIES + 3):
        copy = tmp_path / f"copy-{i}.yaml"
        copy.write_bytes(FIXTURE.read_bytes())
        os.utime(copy, ns=(i, i))
        assert titles(run, copy) == TITLES
    assert len(entries()) == cache.MAX_ENTRIES


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _leaves(item, (*path, i))]
    return [path]


def test_rebuilding_a_record_checks_every_key_and_type() -> None:
    from exchange_cli.model import program_from_dict

    program = load_catalogue(SHIPPED).programs[3]  # has parties, flows, a recurrence
    record = program.to_dict()
    assert program_from_dict(json.loads(json.dumps(record))) == program
    for path in _leaves(record):
        for wrong in (1, ["x"], {"x": 1}, True):
            damaged = json.loads(json.dumps(record))
            target = damaged
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = wrong
            with pytest.raises(ValueError):
                program_from_dict(damaged)
    for key in ("parties", "flows", "source"):
        extra = json.loads(json.dumps(record))
        inner = extra[key][0] if isinstance(extra[key], list) else extra[key]
        inner["extra"] = "field"
        with pytest.raises(ValueError):
            program_from_dict(extra)


def test_a_large_file_is_keyed_by_sha256_hashed_in_place(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "_LARGE", 100)  # the fixture counts as large
    fresh = load_catalogue(data, use_cache=True)
    cached = load_catalogue(data, use_cache=True)
    assert cached._fetch is not None and cached.programs == fresh.programs
    [entry] = entries()
    assert set(lines_of(entry)[0]["source"]) == {"path", "size", "mtime_ns", "sha256"}
