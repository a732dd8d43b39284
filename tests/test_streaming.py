"""A first load streams (`load.streaming`): the file read a piece at a time, each program
written to the store as it is checked. It must load what reading the whole file loads,
and refuse what it refuses with the same problems, in the same words and places, and
leave no database behind. Read here in pieces as small as one byte, so that every
record, key, escape and multi-byte character is cut somewhere."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import program_record
from exchange_cli.errors import CatalogueError, Problem
from exchange_cli.load import safejson, safeyaml
from exchange_cli.load.loader import catalogue_from_bytes
from exchange_cli.load.streaming import CatalogueFile
from exchange_cli.model.records import Program
from exchange_cli.store import files as store
from exchange_cli.store.build import fill

HERE = Path(__file__).parent
HOSTILE = HERE / "hostile"
SHIPPED = HERE.parent / "data" / "programs.yaml"
Outcome = tuple[list[Program] | None, list[Problem], int]


def whole(data: bytes, name: str) -> Outcome:
    """What reading the whole file gives: the programs, or the problems and their count."""
    try:
        return list(catalogue_from_bytes(data, name)), [], 0
    except CatalogueError as exc:
        return None, exc.problems, exc.errors


def streamed(data: bytes, name: str, directory: Path, piece: int) -> Outcome:
    """What a first load gives, the file read `piece` bytes at a time and written to an
    SQLite store as it goes (in memory: the build file's rules are tests/test_store.py's)."""
    path = directory / name
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        source = CatalogueFile(fd, os.fstat(fd), path, name, 1 << 20, piece=piece)
        connection = store.connect(":memory:")
        try:
            fill(connection, source, store.FORMAT)
        except CatalogueError as exc:
            return None, exc.problems, exc.errors
        records = store.StoreRecords(connection, name)
        return records.programs(range(len(records))), [], 0
    finally:
        os.close(fd)


#: Both YAML parsers PyYAML may have: libyaml's, and its own (when built without it).
LOADERS = {"libyaml": getattr(yaml, "CSafeLoader", None), "pure-python": yaml.SafeLoader}


@pytest.fixture(params=sorted(LOADERS))
def parser(request: pytest.FixtureRequest) -> Iterator[None]:
    loader = LOADERS[request.param]
    if loader is None:
        pytest.skip("this PyYAML was built without libyaml")
    with mock.patch.object(safeyaml, "_LOADER", loader):
        yield


@pytest.fixture
def small_window() -> Iterator[None]:
    """The JSON reader drops what it has read as soon as it can, not past 64 KiB."""
    with mock.patch.object(safejson, "_KEEP", 1):
        yield


def assert_same(data: bytes, name: str, directory: Path, pieces: tuple[int, ...]) -> None:
    expected = whole(data, name)
    for piece in pieces:
        assert streamed(data, name, directory, piece) == expected, (piece, expected[1][:3])


def records(count: int) -> list[dict[str, Any]]:
    return [program_record(f"p{i}") for i in range(count)]


def as_yaml(programs: list[Any]) -> str:
    return yaml.safe_dump({"programs": programs}, sort_keys=False, allow_unicode=True)


def as_json(programs: list[Any]) -> str:
    return json.dumps({"programs": programs}, indent=1, ensure_ascii=False) + "\n"


def as_jsonl(programs: list[Any]) -> str:
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in programs)


FORMATS = {"c.yaml": as_yaml, "c.json": as_json, "c.jsonl": as_jsonl}
PIECES = (1, 2, 3, 7, 64, 1 << 20)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_valid_catalogue_loads_the_same_programs_in_any_pieces(
    tmp_path: Path, small_window: None, name: str
) -> None:
    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["programs"]
    data = FORMATS[name](shipped).encode()
    assert_same(data, name, tmp_path, PIECES)
    assert len(streamed(data, name, tmp_path, 5)[0] or []) == len(shipped)


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.glob("*.yaml")))
def test_every_hostile_file_is_refused_the_same_in_any_pieces(
    tmp_path: Path, parser: None, name: str
) -> None:
    assert_same((HOSTILE / name).read_bytes(), name, tmp_path, PIECES)


def broken(count: int) -> list[dict[str, Any]]:
    """Records with problems of each kind the walk and the cross-record checks find."""
    found = records(count)
    found[1]["id"] = "p0"  # a repeat of an id written long before
    found[2]["sectors"] = ["nowhere"]
    found[3]["flows"] = [{"from": "Nobody", "to": "Saudi Arabia", "what": "x"}]
    found[5]["id"] = "p2"  # a repeat of an id whose record had a problem
    found[6]["parties"][0]["id"] = "sa"
    found[7]["parties"][0]["id"] = "sa"
    found[7]["parties"][0]["type"] = "organization"  # one actor, two types
    found[9]["id"] = "p8"  # a repeat after the first error, of a good record
    return found


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_problems_across_records_are_found_in_any_pieces(
    tmp_path: Path, small_window: None, name: str
) -> None:
    data = FORMATS[name](broken(12)).encode()
    programs, problems, errors = whole(data, name)
    assert programs is None and errors >= 6
    messages = [p.message for p in problems]
    assert "duplicate id 'p0' (already used by programs[0])" in messages
    assert "duplicate id 'p8' (already used by programs[8])" in messages
    assert_same(data, name, tmp_path, (1, 13, 1 << 20))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_repeated_id_far_apart_is_found_through_the_store(tmp_path: Path, name: str) -> None:
    """The first use was written to the store batches ago: only its index knows it."""
    programs = records(1300)
    programs[-1]["id"] = "p3"
    data = FORMATS[name](programs).encode()
    _, problems, _ = streamed(data, name, tmp_path, 1 << 16)
    expected = "duplicate id 'p3' (already used by programs[3])"
    assert [p.message for p in problems] == [expected]


def with_party_ids(count: int) -> list[dict[str, Any]]:
    """Programs whose parties carry ids: one of their own each, and one all share."""
    found = records(count)
    for i, record in enumerate(found):
        parties = record["parties"]
        assert isinstance(parties, list)
        parties[0]["id"] = "saudi-arabia"
        parties[1] = {
            "name": f"Org {i}",
            "type": "organization",
            "country": "KR",
            "id": f"org-{i}",
        }
        record["flows"] = [{"from": parties[0]["name"], "to": f"Org {i}", "what": "x"}]
    return found


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_party_ids_far_apart_are_checked_through_the_store(tmp_path: Path, name: str) -> None:
    """A party id first used batches ago is found in the store's parties table."""
    programs = with_party_ids(1300)
    programs[-1]["parties"][1] = {
        "name": "Org 1299",
        "type": "group",
        "country": None,
        "id": "org-3",
    }
    programs[-2]["parties"][0]["country"] = "KW"
    data = FORMATS[name](programs).encode()
    expected = whole(data, name)
    assert [p.message for p in expected[1]] == [
        "party id 'saudi-arabia' has country 'SA' at programs[0].parties[0]; parties sharing "
        "an id are one actor and must agree",
        "party id 'org-3' has type 'organization' at programs[3].parties[1]; parties sharing "
        "an id are one actor and must agree",
        "party id 'org-3' has country 'KR' at programs[3].parties[1]; parties sharing an id "
        "are one actor and must agree",
    ]
    assert streamed(data, name, tmp_path, 1 << 16) == expected


def test_a_valid_stream_holds_no_id_in_memory(tmp_path: Path) -> None:
    """Every program went to the store: the ids and party ids it used are asked of the
    store's indexes, none is held (a load of any size holds as few)."""
    from exchange_cli.load.reading import read_stream
    from exchange_cli.load.streaming import Claims, FileText, StoredActors
    from exchange_cli.store.build import SCHEMA, Sink

    path = tmp_path / "c.jsonl"
    path.write_text(as_jsonl(with_party_ids(1100)), encoding="utf-8")
    connection = store.connect(":memory:")
    connection.executescript(SCHEMA)
    sink = Sink(connection, words=False)
    used, actors = Claims(sink), StoredActors(sink)
    fd = os.open(path, os.O_RDONLY)
    try:
        text = FileText(fd, "c.jsonl", 1 << 24, piece=1 << 16)
        report = read_stream(text, "c.jsonl", "jsonl", sink, used, actors)
    finally:
        os.close(fd)
    sink.flush()
    assert report.errors == 0 and sink.count == 1100
    assert (dict(used), actors.kinds) == ({}, {})


BYTES = [
    b"\xef\xbb\xbf",  # a byte order mark, at the start only
    'programs:\n  - title: "\u00e9\x01"\n'.encode(),  # a control character after a wide one
    "\u00e9\u00e9\n\x07".encode(),
    b"programs: [\n" + b"x" * 70 + b"\xff]\n",  # not UTF-8, after a few pieces
    b"programs: [\xe2\x82",  # a character cut by the end of the file
    b"programs: [ }\n" + b"\n" * 50 + b"\xc3(",  # a syntax error, then a bad byte
    b"\xef\xbb\xbf\xef\xbb\xbfprograms: []\n",  # two marks: the second is text
    b"\xef\xbb",
]


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".jsonl"])
@pytest.mark.parametrize("data", BYTES, ids=range(len(BYTES)))
def test_bytes_are_decoded_and_refused_the_same_in_any_pieces(
    tmp_path: Path, parser: None, small_window: None, data: bytes, suffix: str
) -> None:
    assert_same(data, "c" + suffix, tmp_path, PIECES)


#: Pieces of noise: structure, escapes, wide and refused characters, and an id.
NOISE = st.lists(
    st.sampled_from(
        list("{}[]:,\"'\\ \n\t-#&*!|>0123456789.eEtrufalsnNIé")
        + ["\u2028", "\x00", "\x1b", "p1", "\\ud800", "\U0001f600"]
    ),
    max_size=20,
).map("".join)
BASES = {name: make(records(3)) for name, make in FORMATS.items()}


@settings(
    max_examples=1500 if os.environ.get("CI") else 250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.sampled_from(sorted(FORMATS)),
    NOISE,
    st.floats(0, 1),
    st.integers(1, 40),
    st.sampled_from(sorted(name for name, loader in LOADERS.items() if loader)),
)
def test_any_text_loads_or_is_refused_the_same_in_any_pieces(
    tmp_path: Path, name: str, noise: str, where: float, piece: int, loader: str
) -> None:
    """Fuzz: noise spliced into a valid catalogue, read whole and read in pieces."""
    base = BASES[name]
    at = int(where * len(base))
    data = (base[:at] + noise + base[at:]).encode()
    with (
        mock.patch.object(safejson, "_KEEP", 1),
        mock.patch.object(safeyaml, "_LOADER", LOADERS[loader]),
    ):
        assert streamed(data, name, tmp_path, piece) == whole(data, name)


def test_the_checksum_and_size_are_the_files(tmp_path: Path) -> None:
    """The database records the CRC-32 of every byte, a leading mark included."""
    from exchange_cli.load.streaming import FileText

    data = b"\xef\xbb\xbf" + SHIPPED.read_bytes()
    path = tmp_path / "c.yaml"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        text = FileText(fd, "c.yaml", 1 << 20, piece=1000)
        assert "".join(text.pieces()) == data[3:].decode()
        assert (text.size, text.checksum) == (len(data), store.checksum(data))
    finally:
        os.close(fd)


def test_a_file_that_grows_past_the_cap_as_it_is_read_is_refused(tmp_path: Path) -> None:
    from exchange_cli.load.streaming import FileText

    path = tmp_path / "c.yaml"
    path.write_bytes(b"x" * 5000)
    fd = os.open(path, os.O_RDONLY)
    try:
        text = FileText(fd, "c.yaml", 4096, piece=1000)
        with pytest.raises(CatalogueError, match="c.yaml: is over the 4,096-byte limit"):
            text.drain()
        assert os.lseek(fd, 0, os.SEEK_CUR) == 4097  # and read no further
    finally:
        os.close(fd)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))


@pytest.mark.parametrize("lines", [False, True], ids=["json", "jsonl"])
def test_a_record_of_many_pieces_is_decoded_a_few_times_not_once_a_piece(lines: bool) -> None:
    """A record the window cuts short is read again once the window holds more. Read on
    one piece at a time, a record of n pieces was decoded n times (a 64 MiB record, in
    1 MiB pieces: 64 decodes of up to 64 MiB, 90 s where a whole read takes 4 s); the
    window now grows by doubling, so all its decodes together cost a few times one."""
    record = json.dumps(program_record("big", benefits=["b"] * 200_000))
    text = record + "\n" if lines else "[" + record + "]"
    piece = 1024
    parts = iter([text[i : i + piece] for i in range(piece, len(text), piece)])
    reader = safejson.Reader(text[:piece], pytest.fail, lines=lines, more=lambda: next(parts, ""))
    decoded = []
    real = reader._decode

    def counted(text: str, offset: int) -> tuple[Any, int]:
        decoded.append(len(text) - offset)
        return real(text, offset)

    reader._decode = counted  # type: ignore[method-assign]
    found = list(reader.records())
    assert [index for index, *_ in found] == [0]
    assert found[0][1]["id"] == "big"
    assert sum(decoded) < 6 * len(text), (len(decoded), sum(decoded), len(text))


@pytest.mark.parametrize("lines", [False, True], ids=["json", "jsonl"])
def test_space_many_pieces_long_is_read_once(lines: bool) -> None:
    """Space that runs past the window was matched again from its start each time the
    window grew by a piece (64 MiB of it, in 1 MiB pieces: 10 s where 16 MiB took 0.7)."""
    record = json.dumps(program_record("after-the-space"))
    space = " " * 200_000
    text = space + record + "\n" if lines else "[" + space + record + "]"
    piece = 64
    parts = iter([text[i : i + piece] for i in range(piece, len(text), piece)])
    reader = safejson.Reader(text[:piece], pytest.fail, lines=lines, more=lambda: next(parts, ""))
    matched = []
    real = safejson._SPACE

    class Counted:
        def match(self, text: str, pos: int = 0) -> Any:
            found = real.match(text, pos)
            matched.append(found.end() - pos)  # type: ignore[union-attr]
            return found

    with mock.patch.object(safejson, "_SPACE", Counted()):
        found = list(reader.records())
    assert [data["id"] for _, data, *_ in found] == ["after-the-space"]
    assert sum(matched) < 3 * len(text), (len(matched), sum(matched), len(text))
