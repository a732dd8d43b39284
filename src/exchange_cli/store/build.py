"""A validated catalogue compiled into SQLite tables: programs with their records as
JSON, indexed sectors, countries, parties and party keys, and a full-text index of the
words search matches.

The tables are filled as programs arrive (`Sink`), a batch at a time, so memory holds one
batch whatever the catalogue's size: from a catalogue already in memory, or from one
checked as its file is read (the load layer's `streaming.CatalogueFile`), which asks the
programs table's id index whether an id is taken."""

import json
import sqlite3
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from exchange_cli import __version__
from exchange_cli.model.identity import actor_key, actor_names
from exchange_cli.model.records import Catalogue, Party, Program
from exchange_cli.query.records import party_keys
from exchange_cli.query.related import sector_mask

SCHEMA = """
CREATE TABLE source (
    format TEXT NOT NULL, version TEXT NOT NULL, path TEXT NOT NULL,
    device INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, checksum TEXT NOT NULL,
    programs INTEGER NOT NULL
);
CREATE TABLE programs (
    position INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    evidence TEXT NOT NULL,
    sectors INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE program_aliases (
    alias TEXT PRIMARY KEY, program INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX programs_by_kind ON programs (kind);
CREATE INDEX programs_by_evidence ON programs (evidence);
CREATE TABLE program_sectors (
    sector TEXT NOT NULL, program INTEGER NOT NULL, PRIMARY KEY (sector, program)
) WITHOUT ROWID;
CREATE TABLE program_countries (
    country TEXT NOT NULL, program INTEGER NOT NULL, PRIMARY KEY (country, program)
) WITHOUT ROWID;
CREATE TABLE parties (
    program INTEGER NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL,
    actor TEXT NOT NULL, type TEXT NOT NULL, country TEXT, id TEXT,
    PRIMARY KEY (program, position)
) WITHOUT ROWID;
CREATE INDEX parties_by_actor ON parties (actor);
CREATE TABLE actor_names (
    actor TEXT NOT NULL, folded TEXT NOT NULL, PRIMARY KEY (actor, folded)
) WITHOUT ROWID;
CREATE TABLE party_keys (
    key TEXT NOT NULL, program INTEGER NOT NULL, PRIMARY KEY (key, program)
) WITHOUT ROWID;
"""
#: SQLite's largest page. A listing reads the records' text (about 1 KB each) across the
#: programs table: in 64 KiB pages that is a sixteenth of the reads of 4 KiB ones, and
#: half the time at 250,000 programs (BENCHMARKS.md); building is no slower.
PAGE_SIZE = 65536
#: The page cache while building, in KiB: SQLite's default, set again once the page size
#: is, since it counts pages from the size when it was set (2,000 KiB of 4 KiB pages is
#: 500 pages: 32 MiB of 64 KiB ones, and a build's memory grew to that). Larger is no
#: faster here.
CACHE_KIB = 2000
#: One row per program, one column per text field; words hex-encoded (see `_token`).
FTS_SCHEMA = (
    "CREATE VIRTUAL TABLE words USING fts5("
    "title, flows, parties, benefits, summary, content='', columnsize=0)"
)
FTS_VOCABULARY = "CREATE VIRTUAL TABLE word_list USING fts5vocab(words, 'row')"
#: Raised by hand when what fills the tables changes in a way the declaration and the
#: schema do not show (how words are encoded, say); 4: the stamp is derived.
STORE_VERSION = 4


def declaration_stamp() -> str:
    """The store's format stamp: its version and a checksum of the record declaration
    with its vocabularies (`fields.fingerprint`: keys, specs, values, aliases, order)
    and of this schema, so that a change to any of them rebuilds every cached database.
    Computed by scripts/generate.py into `store/stamp.py`, which a run reads (the walk
    costs a millisecond); tests/test_store.py fails when that file is stale."""
    import zlib

    from exchange_cli.model.declaration import fingerprint
    from exchange_cli.model.records import Program

    text = "\n".join((fingerprint(Program), SCHEMA, FTS_SCHEMA, FTS_VOCABULARY))
    return f"exchange-store/{STORE_VERSION}-{zlib.crc32(text.encode('utf-8')):08x}"


if TYPE_CHECKING:  # for the type checker alone: a first load pays nothing for it
    from typing import Protocol

    class ProgramSource(Protocol):
        """What `fill` takes programs from: it hands each to the sink in file order (and
        raises, `CatalogueError` say, to leave the database unfinished), then says what
        file the database stands for (`files.FileKey`), or None when it stands for none."""

        name: str

        def write(self, sink: "Sink") -> None: ...

        def key(self) -> Sequence[Any] | None: ...


class Catalogued:
    """A catalogue already read and checked, as a `ProgramSource`."""

    def __init__(self, catalogue: Catalogue, key: Sequence[Any] | None = None) -> None:
        self.catalogue, self.name, self._key = catalogue, catalogue.name, key

    def write(self, sink: "Sink") -> None:
        for position, program in enumerate(self.catalogue):
            sink.add(position, program)

    def key(self) -> Sequence[Any] | None:
        return self._key


def fill(connection: sqlite3.Connection, source: "ProgramSource", form: str) -> None:
    """Create the tables and fill them from `source`, in one transaction; the source
    row, which makes the database one a lookup accepts, goes in last."""
    connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    with connection:
        connection.executescript(SCHEMA)
        try:
            connection.execute(FTS_SCHEMA)
            connection.execute(FTS_VOCABULARY)
            words = True
        except sqlite3.OperationalError:  # an SQLite built without FTS5: search in Python
            words = False
        sink = Sink(connection, words)
        source.write(sink)
        sink.flush()
        key = source.key() or (source.name, 0, 0, 0, 0, 0, "")
        connection.execute(
            "INSERT INTO source VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (form, __version__, *key, sink.count),
        )


#: The position of the program an id or an alias names (one namespace: `claim_id`).
NAMED = (
    "SELECT position FROM programs WHERE id = ? "
    "UNION ALL SELECT program FROM program_aliases WHERE alias = ? LIMIT 1"
)


class Sink:
    """Programs written to the tables as they arrive, `BATCH` at a time, at the position
    each is given (its index in the file). Their ids are indexed (`programs.id`), so
    `position_of` answers for every id written, and memory holds one batch."""

    BATCH = 512
    #: Parties whose actor names were written lately, skipped when they come again.
    NAMED = 4096

    def __init__(self, connection: sqlite3.Connection, words: bool) -> None:
        self.connection, self.words, self.count = connection, words, 0
        self._batch: list[tuple[int, Program]] = []
        self._ids: dict[str, int] = {}  # the batch's, not yet written
        self._party_ids: dict[str, tuple[str, str | None, int, int]] = {}  # the same
        self._named: set[tuple[str, str | None]] = set()
        self._encode = json.JSONEncoder(ensure_ascii=False).encode
        self._lookup = connection.cursor()  # one cursor for every id asked about

    def add(self, position: int, program: Program) -> None:
        self._batch.append((position, program))
        for name in (program.id, *program.aliases):
            self._ids[name] = position
        for number, party in enumerate(program.parties):
            if party.id is not None:
                where = (party.type, party.country, position, number)
                self._party_ids.setdefault(party.id, where)
        if len(self._batch) >= self.BATCH:
            self.flush()

    def position_of(self, program_id: str) -> int | None:
        """Where the program with this id, or this alias, was added, if one was."""
        found = self._ids.get(program_id)
        if found is None and self.count:
            row = self._lookup.execute(NAMED, (program_id, program_id)).fetchone()
            found = None if row is None else int(row[0])
        return found

    def first_party(self, party_id: str) -> tuple[str, str | None, int, int] | None:
        """The type and country of the first party added with this id, and where it is:
        its program's position and its own among the program's parties (written ones
        first: they came before the batch)."""
        if self.count:
            row = self._lookup.execute(
                "SELECT type, country, program, position FROM parties WHERE actor = ? "
                "ORDER BY program, position LIMIT 1",
                ("#" + party_id,),
            ).fetchone()
            if row is not None:
                return (row[0], row[1], int(row[2]), int(row[3]))
        return self._party_ids.get(party_id)

    def flush(self) -> None:
        """Write the batch to every table."""
        batch, execute = self._batch, self.connection.executemany
        if not batch:
            return
        encode = self._encode
        execute(
            "INSERT INTO programs VALUES (?, ?, ?, ?, ?, ?)",
            [
                (i, p.id, p.kind, p.evidence, sector_mask(p.sectors), encode(p.to_dict()))
                for i, p in batch
            ],
        )
        execute(
            "INSERT INTO program_aliases VALUES (?, ?)",
            [(alias, i) for i, p in batch for alias in p.aliases],
        )
        execute(
            "INSERT INTO program_sectors VALUES (?, ?)",
            [(s, i) for i, p in batch for s in p.sectors],
        )
        execute(
            "INSERT INTO program_countries VALUES (?, ?)",
            [(c, i) for i, p in batch for c in p.countries()],
        )
        execute(
            "INSERT INTO parties VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (i, j, party.name, actor_key(party), party.type, party.country, party.id)
                for i, p in batch
                for j, party in enumerate(p.parties)
            ],
        )
        actors = actor_names(self._unnamed(party for _, p in batch for party in p.parties))
        execute(
            "INSERT OR IGNORE INTO actor_names VALUES (?, ?)",
            [(actor, name) for actor, names in actors.items() for name in names],
        )
        execute(
            "INSERT INTO party_keys VALUES (?, ?)",
            [(k, i) for i, p in batch for k in party_keys(p)],
        )
        if self.words:
            from exchange_cli.query.search import text_segments

            execute(
                "INSERT INTO words (rowid, title, flows, parties, benefits, summary) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(i, *map(_column, text_segments(p))) for i, p in batch],
            )
        self.count += len(batch)
        batch.clear()
        self._ids.clear()
        self._party_ids.clear()

    def _unnamed(self, parties: Any) -> list[Party]:
        """The parties whose actor's names are not known to be written yet. Each actor's
        names are a set (`actor_names`, inserted or ignored), so a party seen again adds
        nothing; remembering the last few thousand spares most of the work."""
        named = self._named
        found = []
        for party in parties:
            seen = (party.name, party.id)
            if seen not in named:
                if len(named) >= self.NAMED:
                    named.clear()
                named.add(seen)
                found.append(party)
        return found


def token(word: str) -> str:
    """A search word as the full-text index holds it: its UTF-8 bytes in hex. SQLite's
    tokenizer then sees only [0-9a-f] and never splits or merges a word differently from
    `vocab.words`, and a prefix of a word is a prefix of its hex."""
    return word.encode("utf-8").hex()


#: Between two segments (names, flow parts, benefits): a token no query can produce, so a
#: phrase never matches across two of them.
_BARRIER = " x "


#: Segments turned into the index's text at a time: a field of millions of them (a
#: program's benefits) costs its text, not a string object per segment.
_SEGMENTS_AT_ONCE = 4096


def _column(field: Iterable[str]) -> str:
    """A field's segments (words separated by single spaces) as the index takes them:
    each word's UTF-8 in hex, words separated by spaces, segments by `_BARRIER`. Done a
    few thousand segments at once with C-level replaces: hex each byte with a space
    between, then the bytes of a space (20) and of the segment mark (01) become
    separators."""
    segments, pieces = iter(field), []
    while taken := list(islice(segments, _SEGMENTS_AT_ONCE)):
        chunk = [segment for segment in taken if segment]  # a segment without words
        if not chunk:
            continue
        spaced = "\x01".join(chunk).encode("utf-8").hex(" ")
        spaced = spaced.replace(" 20 ", ",").replace(" 01 ", ";").replace(" ", "")
        pieces.append(spaced.replace(",", " ").replace(";", _BARRIER))
    return _BARRIER.join(pieces)
