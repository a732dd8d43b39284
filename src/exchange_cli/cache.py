"""A cache of validated catalogues, so repeated runs skip YAML parsing and validation.

One JSON Lines file per catalogue path in the user cache directory
(`$XDG_CACHE_HOME/exchange`, else `~/.cache/exchange`), written atomically. JSON only:
never pickle or marshal, so reading it cannot run code. The layout lets a query over a
large catalogue parse only the records it prints:

    line 1      header: format, program version, the source key, the record count
    line 2      index: each record's `Facets` (what filters and `summarize` read), in
                columns (a record's several values joined by U+001F, which JSON
                decodes far faster than nested lists; a catalogue with a name holding
                U+001F is not cached), and each record line's length
    lines 3..   one record per line, as `Program.to_dict` writes it
    last line   CRC-32 of everything above it (catches damage, not forgery)

An entry is used only when the catalogue's path, size, modification time and content
hash all match, its checksum holds and every index value is well typed and in its
vocabulary; anything else is ignored and rebuilt. Each record is rebuilt with every key
and type checked, and compared with its index row, when first used: a forged entry can
make a run fail, never print unchecked data. `EXCHANGE_NO_CACHE=1` or `--no-cache`
turns it off.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exchange_cli import __version__, vocab
from exchange_cli.errors import CatalogueError, Problem
from exchange_cli.loader import read_catalogue_bytes
from exchange_cli.model import (
    Catalogue,
    FacetColumns,
    Facets,
    Fetch,
    Program,
    program_from_dict,
)

if TYPE_CHECKING:
    from mmap import mmap

try:  # hashlib's own BLAKE2, without the ~5 ms it spends loading OpenSSL on every run
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b

FORMAT = "exchange-catalogue-cache/4"
NO_CACHE_ENV = "EXCHANGE_NO_CACHE"
_INDEX_FIELDS = (*Facets._fields, "length")
_JOINED = ("sectors", "countries", "party_names")
_SEP = "\x1f"
#: Above this size, SHA-256 (hardware-accelerated in OpenSSL, about twice BLAKE2b's speed)
#: is worth the few milliseconds `hashlib` takes to import.
_LARGE = 4 * 1024 * 1024


def enabled(no_cache: bool = False) -> bool:
    return not no_cache and os.environ.get(NO_CACHE_ENV, "") in ("", "0")


#: Entries kept; the least recently written go first (each `--data` path makes one).
MAX_ENTRIES = 16


def _xdg_cache_home() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME", "")
    return Path(base) if base and os.path.isabs(base) else None  # relative: ignored, per XDG


def cache_directory() -> Path:
    return (_xdg_cache_home() or Path.home() / ".cache") / "exchange"


def _may_create(directory: Path) -> bool:
    """Under XDG_CACHE_HOME, or under a home directory that exists: never create a
    missing home (a daemon account's `/nonexistent`) on the way."""
    return _xdg_cache_home() is not None or directory.parent.parent.is_dir()


def source_key(path: Path, data: bytes | mmap, info: os.stat_result) -> dict[str, Any]:
    """What an entry must match: where the catalogue is, its size, mtime and content."""
    if len(data) > _LARGE:
        import hashlib

        content = {"sha256": hashlib.sha256(data).hexdigest()}
    else:
        content = {"blake2b": blake2b(data, digest_size=32).hexdigest()}
    return {
        "path": str(path.resolve()),
        "size": len(data),
        "mtime_ns": info.st_mtime_ns,
        **content,
    }


def file_key(path: Path, fd: int, info: os.stat_result) -> dict[str, Any]:
    """`source_key` of an open file, hashed where it lies: a large one is mapped, not read."""
    if info.st_size > _LARGE:
        from mmap import ACCESS_READ, mmap

        with mmap(fd, 0, access=ACCESS_READ) as mapped:
            return source_key(path, mapped, info)
    return source_key(path, os.pread(fd, info.st_size + 1, 0), info)


def entry_path(key: dict[str, Any]) -> Path:
    name = blake2b(key["path"].encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    return cache_directory() / f"{name}.jsonl"


def _checksum_line(crc: int) -> bytes:
    return b'{"crc32":%d}\n' % crc


class _Damaged(ValueError):
    """The entry is not one this version wrote for this file."""


def read(key: dict[str, Any], name: str) -> Catalogue | None:
    """The cached catalogue for this exact file, or None (missing, stale, damaged, foreign)."""
    path = entry_path(key)
    try:
        # Only a plain file of a plausible size (the catalogue as compact JSON plus an
        # index is never 4 times larger): a planted symlink, FIFO or device is not read.
        raw = read_catalogue_bytes(path, 4 * key["size"] + (1 << 20), follow_symlinks=False)
        body_end = raw.rfind(b"\n", 0, len(raw) - 1) + 1
        if raw[body_end:] != _checksum_line(zlib.crc32(memoryview(raw)[:body_end])):
            raise _Damaged("checksum")
        header_end = raw.index(b"\n") + 1
        header = json.loads(raw[:header_end])
        if type(header) is not dict or header.get("format") != FORMAT:
            raise _Damaged("format")
        if header.get("version") != __version__ or header.get("source") != key:
            raise _Damaged("stale")
        count = header.get("count")
        if type(count) is not int:
            raise _Damaged("count")
        index_end = raw.index(b"\n", header_end) + 1
        columns, lengths = _index_columns(json.loads(raw[header_end:index_end]), count)
        starts = [index_end, *accumulate(lengths, initial=index_end)][1:]
        if starts[-1] != body_end:
            raise _Damaged("lengths")
    except (
        CatalogueError,
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        RecursionError,
    ):
        return None
    fetch = _fetcher(raw, starts, columns, path)
    return Catalogue.indexed(columns, fetch, name)


def _all_of(kind: type, values: list[Any]) -> bool:
    return set(map(type, values)) <= {kind}


def _split(joined: str) -> tuple[str, ...]:
    return tuple(joined.split(_SEP)) if joined else ()


def _values_of(joined: list[str]) -> set[str]:
    """Every value in a joined column, from its distinct rows (a few hundred, not 100,000)."""
    return {value for row in set(joined) if row for value in row.split(_SEP)}


def _iso_code(text: str) -> bool:
    return len(text) == 2 and text.isascii() and text.isalpha() and text.isupper()


def _index_columns(index: Any, count: int) -> tuple[FacetColumns, list[int]]:
    """Index → lazily split `FacetColumns` and line lengths, every value checked now.

    Checks run column-wise at C speed (types, unique ids, vocabularies), so a
    100,000-record index is checked in milliseconds; only splitting waits until a
    query reads the column.
    """
    if type(index) is not dict or list(index) != list(_INDEX_FIELDS):
        raise _Damaged("index")
    columns = list(index.values())
    if not all(type(column) is list and len(column) == count for column in columns):
        raise _Damaged("index")
    *texts, lengths = columns
    if not all(_all_of(str, column) for column in texts):
        raise _Damaged("index")
    if not _all_of(int, lengths) or min(lengths, default=1) < 1:
        raise _Damaged("lengths")
    ids, kinds, evidence = index["id"], index["kind"], index["evidence"]
    if len(set(ids)) != count:
        raise _Damaged("ids")
    if not set(kinds) <= set(vocab.KINDS.values):
        raise _Damaged("kind")
    if not set(evidence) <= set(vocab.EVIDENCE.values):
        raise _Damaged("evidence")
    if not _values_of(index["sectors"]) <= set(vocab.SECTORS.values):
        raise _Damaged("sectors")
    if not all(_iso_code(code) for code in _values_of(index["countries"])):
        raise _Damaged("countries")  # shape only: the 249-code vocabulary costs 2 ms to build
    raw = {name: index[name] for name in Facets._fields}
    return FacetColumns(raw, {name: _split for name in _JOINED}), lengths


def _fetcher(raw: bytes, starts: list[int], columns: FacetColumns, path: Path) -> Fetch:
    def fetch(index: int) -> tuple[Program, dict[str, Any]]:
        """Rebuild one record, checked; a record that disagrees with the index is refused."""
        try:
            record = json.loads(raw[starts[index] : starts[index + 1]])
            program = _checked(program_from_dict(record))
            if Facets.of(program) != columns.row(index):
                raise _Damaged("index")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            with contextlib.suppress(OSError):
                path.unlink()  # so the next run rebuilds it from the catalogue
            message = (
                f"the cached copy of record {index + 1} did not check out, so the cache "
                "entry was removed; run the command again (or use --no-cache)"
            )
            raise CatalogueError([Problem(str(path), None, None, "", message)]) from None
        return program, record

    return fetch


def _checked(program: Program) -> Program:
    """The vocabulary half of 'never trusted': values the loader would have refused."""
    if program.kind not in vocab.KINDS or program.evidence not in vocab.EVIDENCE:
        raise ValueError(program.id)
    if program.recurrence is not None and program.recurrence not in vocab.RECURRENCE:
        raise ValueError(program.id)
    if not all(s in vocab.SECTORS for s in program.sectors):
        raise ValueError(program.id)
    names = {p.name for p in program.parties}
    if not all(f.giver in names and f.receiver in names for f in program.flows):
        raise ValueError(program.id)
    return program


class _Unjoinable(ValueError):
    """A value holds the column separator itself: such a catalogue is simply not cached."""


def _index(columns: FacetColumns) -> dict[str, list[Any]]:
    index: dict[str, list[Any]] = {}
    for name in Facets._fields:
        column = list(columns[name])
        if name in _JOINED:
            if any(_SEP in value for values in column for value in values):
                raise _Unjoinable(name)
            column = [_SEP.join(values) for values in column]
        index[name] = column
    return index


def _encode(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass") + b"\n"  # json.loads(bytes) undoes it


def write(key: dict[str, Any], catalogue: Catalogue) -> None:
    """Store the catalogue atomically; any failure just means no cache this time."""
    directory = cache_directory()
    header = {"format": FORMAT, "version": __version__, "source": key, "count": len(catalogue)}
    import tempfile  # only when writing

    temporary: str | None = None
    if not _may_create(directory):
        return
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(
            "wb", dir=directory, prefix=".tmp-", suffix=".jsonl", delete=False
        ) as handle:
            temporary = handle.name
            records = [_encode(program.to_dict()) for program in catalogue]
            index = _index(catalogue.columns)
            index["length"] = [len(record) for record in records]
            crc = 0
            for line in (_encode(header), _encode(index), *records):
                crc = zlib.crc32(line, crc)
                handle.write(line)
            handle.write(_checksum_line(crc))
        os.replace(temporary, entry_path(key))
        temporary = None
        _prune(directory)
    except (OSError, ValueError):
        pass  # no cache this time
    finally:  # also on Ctrl-C: never leave a half-written file behind
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


#: A temporary file older than this was left by a run that was killed outright.
_STALE_NS = 3600 * 10**9


def _prune(directory: Path) -> None:
    """Keep the `MAX_ENTRIES` most recently written entries, and no stale temporaries."""
    import time

    entries = []
    for path in directory.iterdir():
        with contextlib.suppress(OSError):
            written = path.stat().st_mtime_ns
            if path.name.startswith(".tmp-"):
                if time.time_ns() - written > _STALE_NS:
                    path.unlink()
            elif path.suffix == ".jsonl":
                entries.append((written, path))
    entries.sort(reverse=True)
    for _, path in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            path.unlink()
