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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from exchange_cli.model.fields import ListOf, Nested, Path, Spec, Term, Year, fields_of
from exchange_cli.model.records import Program

#: A column: name, SQL type and constraints, description.
Column = tuple[str, str, str]
#: A table: name, description, columns, extra constraints, indexes (column lists).
Table = tuple[str, str, tuple[Column, ...], tuple[str, ...], tuple[str, ...]]

_PROGRAM = "TEXT NOT NULL REFERENCES programs(id)"
#: Columns of programs that are not fields, and where each table's rows are indexed.
_NUMBER: Column = ("number", "INTEGER NOT NULL UNIQUE", "Place in the catalogue, from 1.")
_INDEXED = ("kind", "evidence")
_ACTOR_TABLES: tuple[Table, ...] = (
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
)  # fmt: skip
FTS_TABLE = "programs_fts"
FTS_DESCRIPTION = (
    "Full-text index of each program's searchable text, over the programs table "
    "(content=[programs], rowid = the program's rowid), so datasette's search box and "
    "`sqlite-utils search` find it: SELECT id FROM programs WHERE rowid IN (SELECT "
    "rowid FROM programs_fts WHERE programs_fts MATCH 'oil')."
)
#: The text `exchange search` reads (query.search.field_words), one column each.
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
SCHEMA_VERSION = 2  # 2: columns and list tables laid out from the declaration


def _sql_type(spec: Spec, *, key: bool = False) -> str:
    kind = "INTEGER" if isinstance(spec, Year) else "TEXT"
    if key:
        return f"{kind} PRIMARY KEY"
    return kind if spec.nullable else f"{kind} NOT NULL"


def _scalar_columns(record: type, prefix: str = "") -> list[tuple[Column, Path]]:
    """The record's scalar fields as columns (a nested record's as `key_field`), each
    with the path that reads its value from the record's JSON data."""
    found: list[tuple[Column, Path]] = []
    for field in fields_of(record):
        spec = field.spec
        if isinstance(spec, ListOf):
            continue
        if isinstance(spec, Nested):
            for column, path in _scalar_columns(spec.record, f"{field.key}_"):
                found.append((column, (field.key, *path)))
            continue
        name = prefix + field.key
        kind = _sql_type(spec, key=not prefix and field.key == "id")
        found.append(((name, kind, spec.doc), (field.key,)))
    return found


#: How a programs column reads its value: (the program's place from 1, its JSON data).
Getter = Callable[[int, Mapping[str, Any]], Any]


def program_columns() -> list[tuple[Column, Getter]]:
    """The programs table: `id`, `number`, then every field of the declaration in its
    order: a scalar as it is, a nested record's fields as `key_field`, a list as one
    line of text (as csv writes it), which its own table holds item by item. Every
    field is a column, so the full-text index can take its text from this table."""
    found: list[tuple[Column, Getter]] = [(_NUMBER, lambda number, _: number)]
    for field in fields_of(Program):
        spec = field.spec
        if isinstance(spec, ListOf):
            column = (field.key, "TEXT NOT NULL", f"{spec.doc} As one line of text.")
            found.append((column, _flat_getter(spec, field.key)))
            continue
        found += [
            (column, _path_getter(path))
            for column, path in _scalar_columns(Program)
            if path[0] == field.key
        ]
    return [found[1], found[0], *found[2:]]  # id first, then number


def _flat_getter(spec: ListOf, key: str) -> Getter:
    return lambda _, record: spec.flat(record[key])


def _path_getter(path: Path) -> Getter:
    return lambda _, record: _read(record, path)


def list_tables(key: str, spec: ListOf) -> tuple[Table, ...]:
    """The tables of a list field not modelled by hand: a list of vocabulary values links
    each program to a table of the vocabulary (`program_sectors` → `sectors`); a list of
    text, or of records, gets one row per item, in order (`benefits`)."""
    one, many = spec.noun
    item = spec.item
    if isinstance(item, Term):
        vocabulary: Table = (
            many,
            f"Every {one} of the vocabulary, with what it covers.",
            (
                (one, "TEXT PRIMARY KEY", f"The {one}'s name."),
                ("description", "TEXT NOT NULL", f"What the {one} covers."),
            ),
            (),
            (),
        )
        link: Table = (
            f"program_{many}",
            f"Which {many} each program has: one row per program and {one}.",
            (
                ("program", _PROGRAM, "The program's id."),
                (one, f"TEXT NOT NULL REFERENCES {many}({one})", f"One of its {many}."),
            ),
            (f"PRIMARY KEY (program, {one})",),
            (one,),
        )
        return vocabulary, link
    if isinstance(item, Nested):
        values = tuple(column for column, _ in _scalar_columns(item.record))
    else:
        values = ((one, _sql_type(item), item.doc),)
    rows: Table = (
        key,
        f"{spec.doc} One row per {one}.",
        (
            ("program", _PROGRAM, "The program's id."),
            ("position", "INTEGER NOT NULL", f"The {one}'s place in the program, from 1."),
            *values,
        ),
        ("PRIMARY KEY (program, position)",),
        (),
    )
    return (rows,)


#: List fields this view models by hand, and why: a program's parties and flows become
#: actors (one per `identity`, as the graph has them), each party's role, and directed
#: flows between actors. Every other field is laid out from the declaration
#: (`program_columns`, `list_tables`); tests/test_declaration.py holds every declared
#: field to appearing in the database.
MODELLED: dict[str, tuple[Table, ...]] = {
    "parties": _ACTOR_TABLES[:2],
    "flows": _ACTOR_TABLES[2:],
}


def tables() -> tuple[Table, ...]:
    """Every table but the full-text index, in the declaration's order of fields."""
    found: list[Table] = [
        (
            "programs",
            "One row per program, in catalogue order: every field, a list as one line of "
            "text (its own table holds it item by item).",
            tuple(column for column, _ in program_columns()),
            (),
            _INDEXED,
        )
    ]
    for field in fields_of(Program):
        if field.key in MODELLED:
            found += MODELLED[field.key]
        elif isinstance(field.spec, ListOf):
            found += list_tables(field.key, field.spec)
    return tuple(found)


def schema_sql() -> list[str]:
    """The statements that create the tables, each column's description a comment."""
    statements = []
    for name, description, columns, constraints, indexes in tables():
        lines = [f"  {column} {kind}, -- {_comment(doc)}" for column, kind, doc in columns]
        lines += [f"  {constraint}," for constraint in constraints]
        last = lines[-1]
        comment = last.find(", --")
        lines[-1] = last[:comment] + last[comment + 1 :] if comment >= 0 else last[:-1]
        statements.append(
            f"CREATE TABLE {name} ( -- {_comment(description)}\n" + "\n".join(lines) + "\n)"
        )
        statements += [
            f"CREATE INDEX {name}_by_{column} ON {name} ({column})" for column in indexes
        ]
    searched = ", ".join(column for column, _ in FTS_COLUMNS)
    statements.append(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({searched}, content=[programs], "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    return statements


def _comment(text: str) -> str:
    """A description as one SQL comment line (our own text, kept to one line)."""
    return " ".join(text.split())


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
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA foreign_keys = ON")  # every link checked as it goes in
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        with connection:
            for statement in schema_sql():
                connection.execute(statement)
            _fill(connection, programs, nodes, by_program)
        connection.execute("VACUUM")  # pages in one deterministic order, no free space
        return connection.serialize()
    finally:
        connection.close()


def _read(data: Any, path: Path) -> Any:
    for step in path:
        data = None if data is None else data[step]
    return data


def _insert(connection: sqlite3.Connection, table: str, width: int, rows: Any) -> None:
    marks = ", ".join("?" * width)
    connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _fill(
    connection: sqlite3.Connection,
    programs: Sequence[Program],
    nodes: Sequence[dict[str, Any]],
    by_program: Sequence[dict[str, str]],
) -> None:
    records = [program.to_dict() for program in programs]
    columns = program_columns()
    names = ", ".join(column[0] for column, _ in columns)
    connection.executemany(
        f"INSERT INTO programs (rowid, {names}) VALUES (?, {', '.join('?' * len(columns))})",
        ((i, *[read(i, record) for _, read in columns]) for i, record in enumerate(records, 1)),
    )
    for field in fields_of(Program):
        spec = field.spec
        if field.key in MODELLED or not isinstance(spec, ListOf):
            continue
        key, item = field.key, spec.item
        if isinstance(item, Term):
            terms = [(t.value, t.description) for t in item.vocabulary.terms]
            _insert(connection, spec.noun[1], 2, terms)
            link = ((r["id"], value) for r in records for value in r[key] or ())
            _insert(connection, f"program_{spec.noun[1]}", 2, link)
        elif isinstance(item, Nested):
            inner = [path for _, path in _scalar_columns(item.record)]
            rows = (
                (r["id"], j, *[_read(one, path) for path in inner])
                for r in records
                for j, one in enumerate(r[key] or (), 1)
            )
            _insert(connection, key, 2 + len(inner), rows)
        else:
            rows = ((r["id"], j, one) for r in records for j, one in enumerate(r[key] or (), 1))
            _insert(connection, key, 3, rows)
    _insert(
        connection, "actors", 4, ((n["id"], n["name"], n["type"], n["country"]) for n in nodes)
    )
    for program, ids in zip(programs, by_program, strict=True):
        roles = _roles(program)
        _insert(
            connection,
            "program_parties",
            5,
            (
                (program.id, j, ids[party.name], party.name, roles[party.name])
                for j, party in enumerate(program.parties, 1)
            ),
        )
        _insert(
            connection,
            "flows",
            5,
            (
                (program.id, j, ids[flow.giver], ids[flow.receiver], flow.what)
                for j, flow in enumerate(program.flows, 1)
            ),
        )
    # External content: the index takes its text from the programs table's columns.
    searched = ", ".join(column for column, _ in FTS_COLUMNS)
    connection.execute(
        f"INSERT INTO {FTS_TABLE} (rowid, {searched}) SELECT rowid, {searched} FROM programs"
    )


def metadata(database: str, title: str) -> dict[str, Any]:
    """What datasette reads beside the database (`metadata.json` in a configuration
    directory, or `-m`): every table's and column's description, the programs table's
    facets, full-text search and label column, and each table's label column."""
    found: dict[str, Any] = {}
    for name, description, columns, _, _ in tables():
        found[name] = {
            "description": description,
            "columns": {column: doc for column, _, doc in columns},
        }
    found["programs"].update(
        facets=["kind", "evidence", "recurrence"],
        fts_table=FTS_TABLE,
        fts_pk="rowid",
        label_column="title",
        sort="number",
    )
    found["actors"].update(facets=["type", "country"], label_column="name")
    found["program_sectors"]["facets"] = ["sector"]
    found["program_parties"]["facets"] = ["role", "actor"]
    found["sectors"]["label_column"] = "sector"
    found[FTS_TABLE] = {
        "description": FTS_DESCRIPTION,
        "columns": dict(FTS_COLUMNS),
        "hidden": True,
    }
    return {
        "title": title,
        "description": "International cooperation and exchange programs, exported by "
        "`exchange export --format sqlite`.",
        "databases": {database: {"tables": found}},
    }
