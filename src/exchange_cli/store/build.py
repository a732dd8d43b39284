"""A validated catalogue compiled into SQLite tables: programs with their records as
JSON, indexed sectors, countries, parties and party keys, and a full-text index of the
words search matches."""

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from exchange_cli import __version__
from exchange_cli.model.identity import actor_key, actor_names
from exchange_cli.model.records import Catalogue
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


def fill(
    connection: sqlite3.Connection, catalogue: Catalogue, key: Sequence[Any] | None, form: str
) -> None:
    """Create the tables and fill them, in one transaction."""
    from exchange_cli.query.search import text_segments

    source = key or (catalogue.name, 0, 0, 0, 0, 0, "")
    with connection:
        connection.executescript(SCHEMA)
        connection.execute(
            "INSERT INTO source VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (form, __version__, *source, len(catalogue)),
        )
        encode = json.JSONEncoder(ensure_ascii=False).encode
        connection.executemany(
            "INSERT INTO programs VALUES (?, ?, ?, ?, ?, ?)",
            (
                (i, p.id, p.kind, p.evidence, sector_mask(p.sectors), encode(p.to_dict()))
                for i, p in enumerate(catalogue)
            ),
        )
        programs = catalogue.programs
        connection.executemany(
            "INSERT INTO program_sectors VALUES (?, ?)",
            ((s, i) for i, p in enumerate(programs) for s in p.sectors),
        )
        connection.executemany(
            "INSERT INTO program_countries VALUES (?, ?)",
            ((c, i) for i, p in enumerate(programs) for c in p.countries()),
        )
        connection.executemany(
            "INSERT INTO parties VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (i, j, party.name, actor_key(party), party.type, party.country, party.id)
                for i, p in enumerate(programs)
                for j, party in enumerate(p.parties)
            ),
        )
        actors = actor_names(party for p in programs for party in p.parties)
        connection.executemany(
            "INSERT INTO actor_names VALUES (?, ?)",
            ((actor, name) for actor, names in actors.items() for name in names),
        )
        connection.executemany(
            "INSERT INTO party_keys VALUES (?, ?)",
            ((k, i) for i, p in enumerate(programs) for k in party_keys(p)),
        )
        try:
            connection.execute(FTS_SCHEMA)
            connection.execute(FTS_VOCABULARY)
        except sqlite3.OperationalError:  # an SQLite built without FTS5: search in Python
            return
        connection.executemany(
            "INSERT INTO words (rowid, title, flows, parties, benefits, summary) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                (i, *(_column(segments) for segments in fields))
                for i, fields in enumerate(map(text_segments, programs))
            ),
        )


def token(word: str) -> str:
    """A search word as the full-text index holds it: its UTF-8 bytes in hex. SQLite's
    tokenizer then sees only [0-9a-f] and never splits or merges a word differently from
    `vocab.words`, and a prefix of a word is a prefix of its hex."""
    return word.encode("utf-8").hex()


#: Between two segments (names, flow parts, benefits): a token no query can produce, so a
#: phrase never matches across two of them.
_BARRIER = " x "


def _column(segments: Sequence[str]) -> str:
    """A field's segments (words separated by single spaces) as the index takes them:
    each word's UTF-8 in hex, words separated by spaces, segments by `_BARRIER`. Done on
    the whole field at once with C-level replaces: hex each byte with a space between,
    then the bytes of a space (20) and of the segment mark (01) become separators."""
    text = "\x01".join(segment for segment in segments if segment)
    spaced = text.encode("utf-8").hex(" ")
    spaced = spaced.replace(" 20 ", ",").replace(" 01 ", ";").replace(" ", "")
    return spaced.replace(",", " ").replace(";", _BARRIER)
