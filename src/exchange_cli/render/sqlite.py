"""The catalogue as an SQLite database for people and their tools (`exchange export
--format sqlite`): datasette, sqlite-utils, the sqlite3 shell, visidata.

A schema of its own, normalised and named for reading (the store's is for answering
queries fast): programs with their scalar fields; sectors and program–sector links;
actors (one per `identity`, as the graph has them) and program–party links with each
party's role in the program's flows; flows; benefits; foreign keys and indexes; and an
FTS5 table over the text `exchange search` reads. Every table and column is described
once, below: as comments in the schema (which `.schema` and datasette's table pages
show) and in the `metadata.json` datasette reads beside the database
(`metadata`).

Escaping: every value goes in as a bound parameter, never into SQL text; identifiers
and comments are this module's own. The database is built in memory by one sequence of
statements and serialized, so the same catalogue gives the same bytes with the same
SQLite library (its version is written in the file's header).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from exchange_cli.model.records import Program, program_text

#: A column: name, SQL type and constraints, description.
Column = tuple[str, str, str]
#: A table: name, description, columns, extra constraints, indexes (column lists).
Table = tuple[str, str, tuple[Column, ...], tuple[str, ...], tuple[str, ...]]

_PROGRAM = "TEXT NOT NULL REFERENCES programs(id)"
TABLES: tuple[Table, ...] = (
    (
        "programs",
        "One row per program, in catalogue order, with its single-valued fields.",
        (
            ("id", "TEXT PRIMARY KEY", "Unique lowercase slug (the program's id)."),
            ("number", "INTEGER NOT NULL UNIQUE", "Place in the catalogue, from 1."),
            ("title", "TEXT NOT NULL", "Short name of the program."),
            ("kind", "TEXT NOT NULL", "What sort of program this is."),
            ("evidence", "TEXT NOT NULL", "How the source document presents the program: "
             "reported, illustrative or hypothetical."),
            ("recurrence", "TEXT", "How often it happens, or null when the source does "
             "not say."),
            ("summary", "TEXT NOT NULL", "One or two sentences in the catalogue's own words."),
            ("source_document", "TEXT NOT NULL", "The seed document's title, verbatim."),
            ("source_section", "TEXT NOT NULL", "The section heading the program comes "
             "from, verbatim."),
        ),
        (),
        ("kind", "evidence"),
    ),
    (
        "sectors",
        "Every sector of the vocabulary, with what it covers.",
        (
            ("sector", "TEXT PRIMARY KEY", "The sector's name."),
            ("description", "TEXT NOT NULL", "What the sector covers."),
        ),
        (),
        (),
    ),
    (
        "program_sectors",
        "Which sectors each program touches: one row per program and sector.",
        (
            ("program", _PROGRAM, "The program's id."),
            ("sector", "TEXT NOT NULL REFERENCES sectors(sector)", "One of its sectors."),
        ),
        ("PRIMARY KEY (program, sector)",),
        ("sector",),
    ),
    (
        "actors",
        "Every side that takes part somewhere: one row per actor (parties sharing a "
        "party id, a country's parties, or parties of one name), as the graph draws them.",
        (
            ("id", "TEXT PRIMARY KEY", "The actor's id: the party id when the catalogue "
             "gives one, else the country code or a slug of the name."),
            ("name", "TEXT NOT NULL", "The actor's display name (its first party's)."),
            ("type", "TEXT NOT NULL", "country, organization or group."),
            ("country", "TEXT", "ISO 3166-1 alpha-2 code, or null for groups without one."),
        ),
        (),
        ("type", "country"),
    ),
    (
        "program_parties",
        "Who takes part in each program, and in what role: one row per party.",
        (
            ("program", _PROGRAM, "The program's id."),
            ("position", "INTEGER NOT NULL", "The party's place among the program's "
             "parties, from 1."),
            ("actor", "TEXT NOT NULL REFERENCES actors(id)", "The actor this party is."),
            ("name", "TEXT NOT NULL", "The party's name as this program gives it."),
            ("role", "TEXT NOT NULL", "What the party does in the program's flows: "
             "giver, receiver, both, or partner (in no flow)."),
        ),
        ("PRIMARY KEY (program, position)",),
        ("actor", "role"),
    ),
    (
        "flows",
        "What one party gives or teaches another: one row per directed flow.",
        (
            ("program", _PROGRAM, "The program's id."),
            ("position", "INTEGER NOT NULL", "The flow's place in the program, from 1."),
            ("from_actor", "TEXT NOT NULL REFERENCES actors(id)", "The giving actor."),
            ("to_actor", "TEXT NOT NULL REFERENCES actors(id)", "The receiving actor."),
            ("what", "TEXT NOT NULL", "What flows, in a short phrase."),
        ),
        ("PRIMARY KEY (program, position)",),
        ("from_actor", "to_actor"),
    ),
    (
        "benefits",
        "What each program brings, in the catalogue's words: one row per benefit.",
        (
            ("program", _PROGRAM, "The program's id."),
            ("position", "INTEGER NOT NULL", "The benefit's place in the program, from 1."),
            ("benefit", "TEXT NOT NULL", "One benefit, in a short sentence."),
        ),
        ("PRIMARY KEY (program, position)",),
        (),
    ),
)  # fmt: skip
FTS_TABLE = "programs_fts"
FTS_DESCRIPTION = (
    "Full-text index of each program's searchable text (rowid = the program's rowid): "
    "SELECT id FROM programs WHERE rowid IN (SELECT rowid FROM programs_fts WHERE "
    "programs_fts MATCH 'oil')."
)
FTS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "The program's title."),
    ("summary", "Its summary."),
    ("parties", "Its parties' names."),
    ("flows", "What flows, one phrase each."),
    ("benefits", "Its benefits."),
    ("kind", "Its kind."),
    ("sectors", "Its sectors."),
)
#: Written in the header (`PRAGMA application_id`): "exCH" in ASCII.
APPLICATION_ID = 0x65784348
SCHEMA_VERSION = 1


def schema_sql() -> list[str]:
    """The statements that create the tables, each column's description a comment."""
    statements = []
    for name, description, columns, constraints, indexes in TABLES:
        lines = [f"  {column} {kind}, -- {doc}" for column, kind, doc in columns]
        lines += [f"  {constraint}," for constraint in constraints]
        last = lines[-1]
        comment = last.find(", --")
        lines[-1] = last[:comment] + last[comment + 1 :] if comment >= 0 else last[:-1]
        statements.append(f"CREATE TABLE {name} ( -- {description}\n" + "\n".join(lines) + "\n)")
        statements += [
            f"CREATE INDEX {name}_by_{column} ON {name} ({column})" for column in indexes
        ]
    searched = ", ".join(column for column, _ in FTS_COLUMNS)
    statements.append(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({searched}, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    return statements


def _roles(program: Program) -> dict[str, str]:
    gives = {flow.giver for flow in program.flows}
    takes = {flow.receiver for flow in program.flows}
    return {
        party.name: "both" if party.name in gives and party.name in takes
        else "giver" if party.name in gives
        else "receiver" if party.name in takes
        else "partner"
        for party in program.parties
    }  # fmt: skip


def build_database(
    programs: Sequence[Program],
    nodes: Sequence[dict[str, Any]],
    by_program: Sequence[dict[str, str]],
) -> bytes:
    """The database of these programs and their actors (`network.actor_nodes`: the
    nodes, and for each program its parties' node ids), as the bytes of an SQLite file."""
    from exchange_cli.model import vocab

    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA foreign_keys = ON")  # every link checked as it goes in
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        with connection:
            for statement in schema_sql():
                connection.execute(statement)
            _fill(connection, programs, nodes, by_program, vocab.SECTORS.terms)
        connection.execute("VACUUM")  # pages in one deterministic order, no free space
        return connection.serialize()
    finally:
        connection.close()


def _fill(
    connection: sqlite3.Connection,
    programs: Sequence[Program],
    nodes: Sequence[dict[str, Any]],
    by_program: Sequence[dict[str, str]],
    sectors: Sequence[Any],
) -> None:
    many = connection.executemany
    many(
        "INSERT INTO programs (rowid, id, number, title, kind, evidence, recurrence, summary, "
        "source_document, source_section) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                i,
                p.id,
                i,
                p.title,
                p.kind,
                p.evidence,
                p.recurrence,
                p.summary,
                p.source.document,
                p.source.section,
            )
            for i, p in enumerate(programs, 1)
        ),  # fmt: skip
    )
    many("INSERT INTO sectors VALUES (?, ?)", ((t.value, t.description) for t in sectors))
    many(
        "INSERT INTO program_sectors VALUES (?, ?)",
        ((p.id, sector) for p in programs for sector in p.sectors),
    )
    many(
        "INSERT INTO actors VALUES (?, ?, ?, ?)",
        ((n["id"], n["name"], n["type"], n["country"]) for n in nodes),
    )
    for program, ids in zip(programs, by_program, strict=True):
        roles = _roles(program)
        many(
            "INSERT INTO program_parties VALUES (?, ?, ?, ?, ?)",
            (
                (program.id, j, ids[party.name], party.name, roles[party.name])
                for j, party in enumerate(program.parties, 1)
            ),
        )
        many(
            "INSERT INTO flows VALUES (?, ?, ?, ?, ?)",
            (
                (program.id, j, ids[flow.giver], ids[flow.receiver], flow.what)
                for j, flow in enumerate(program.flows, 1)
            ),
        )
        many(
            "INSERT INTO benefits VALUES (?, ?, ?)",
            ((program.id, j, text) for j, text in enumerate(program.benefits, 1)),
        )
    columns = ", ".join(column for column, _ in FTS_COLUMNS)
    many(
        f"INSERT INTO {FTS_TABLE} (rowid, {columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                i,
                p.title,
                p.summary,
                "\n".join(party.name for party in p.parties),
                "\n".join(flow.what for flow in p.flows),
                "\n".join(p.benefits),
                p.kind,
                program_text("sectors", list(p.sectors)),
            )
            for i, p in enumerate(programs, 1)
        ),  # fmt: skip
    )


def metadata(database: str, title: str) -> dict[str, Any]:
    """What datasette reads beside the database (`metadata.json` in a configuration
    directory, or `-m`): every table's and column's description, the programs table's
    facets, full-text search and label column, and each table's label column."""
    tables: dict[str, Any] = {}
    for name, description, columns, _, _ in TABLES:
        tables[name] = {
            "description": description,
            "columns": {column: doc for column, _, doc in columns},
        }
    tables["programs"].update(
        facets=["kind", "evidence", "recurrence"],
        fts_table=FTS_TABLE,
        fts_pk="rowid",
        label_column="title",
        sort="number",
    )
    tables["actors"].update(facets=["type", "country"], label_column="name")
    tables["program_sectors"]["facets"] = ["sector"]
    tables["program_parties"]["facets"] = ["role", "actor"]
    tables["sectors"]["label_column"] = "sector"
    tables[FTS_TABLE] = {
        "description": FTS_DESCRIPTION,
        "columns": dict(FTS_COLUMNS),
        "hidden": True,
    }
    return {
        "title": title,
        "description": "International cooperation and exchange programs, exported by "
        "`exchange export --format sqlite`.",
        "databases": {database: {"tables": tables}},
    }
