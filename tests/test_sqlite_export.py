"""`exchange export --format sqlite`: a normalised database read back by its real
consumers (Python's sqlite3, the sqlite3 shell, sqlite-utils, and a running datasette,
whose facet counts must equal `exchange summarize`'s); the same bytes for the same
catalogue; every value bound, never spliced into SQL."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from exchange_cli.load.loader import default_catalogue_path

Run = Callable[..., Any]
BIN = Path(sys.executable).parent
EXCHANGE = BIN / "exchange"
SHIPPED = default_catalogue_path()


def export(tmp_path: Path, *args: str, name: str = "c.db") -> Path:
    target = tmp_path / name
    ran = subprocess.run(
        [str(EXCHANGE), "export", "--format", "sqlite", "--output", str(target), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == ""
    return target


def listed(*args: str) -> list[dict[str, Any]]:
    ran = subprocess.run(
        [str(EXCHANGE), "list", "--json", *args], capture_output=True, text=True, check=True
    )
    return json.loads(ran.stdout)  # type: ignore[no-any-return]


SECTORS = "SELECT sector FROM program_sectors WHERE program = ? ORDER BY rowid"
PARTIES = (
    "SELECT pp.name, a.type, a.country FROM program_parties pp "
    "JOIN actors a ON a.id = pp.actor WHERE program = ? ORDER BY position"
)
FLOWS = (
    "SELECT g.name, t.name, f.what FROM flows f "
    "JOIN program_parties g ON g.program = f.program AND g.actor = f.from_actor "
    "JOIN program_parties t ON t.program = f.program AND t.actor = f.to_actor "
    "WHERE f.program = ? ORDER BY f.position"
)
BENEFITS = "SELECT benefit FROM benefits WHERE program = ? ORDER BY position"
ALIASES = "SELECT alias FROM aliases WHERE program = ? ORDER BY position"


def records_from(database: Path) -> list[dict[str, Any]]:
    """The catalogue's JSON records rebuilt from the database's tables (parties compared
    by name, type and country: an actor's id is the party id or one made up)."""
    db = sqlite3.connect(database)
    db.row_factory = sqlite3.Row
    out = []
    for p in db.execute("SELECT * FROM programs ORDER BY number"):

        def rows(sql: str, program: str = p["id"]) -> list[sqlite3.Row]:
            return db.execute(sql, (program,)).fetchall()

        out.append(
            {
                "id": p["id"],
                "title": p["title"],
                "kind": p["kind"],
                "sectors": [r[0] for r in rows(SECTORS)],
                "parties": [
                    {"name": r["name"], "type": r["type"], "country": r["country"]}
                    for r in rows(PARTIES)
                ],
                "flows": [{"from": r[0], "to": r[1], "what": r[2]} for r in rows(FLOWS)],
                "benefits": [r[0] for r in rows(BENEFITS)],
                "evidence": p["evidence"],
                "recurrence": p["recurrence"],
                "summary": p["summary"],
                "source": {"document": p["source_document"], "section": p["source_section"]},
                "aliases": [r[0] for r in rows(ALIASES)],
            }
        )
    return out


def without_party_ids(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for record in records:
        for party in record["parties"]:
            party.pop("id", None)
    return records


def test_the_database_holds_the_catalogue_exactly(tmp_path: Path) -> None:
    database = export(tmp_path)
    assert records_from(database) == without_party_ids(listed())
    db = sqlite3.connect(database)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    links = {
        (table, fk[2], fk[3], fk[4])
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for fk in db.execute(f"PRAGMA foreign_key_list({table})")
    }
    assert {
        ("program_sectors", "programs", "program", "id"),
        ("program_sectors", "sectors", "sector", "sector"),
        ("program_parties", "actors", "actor", "id"),
        ("flows", "actors", "from_actor", "id"),
        ("flows", "actors", "to_actor", "id"),
        ("benefits", "programs", "program", "id"),
    } <= links
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {
        "program_sectors_by_sector",
        "program_parties_by_actor",
        "programs_by_evidence",
    } <= indexes


def test_one_actor_row_per_actor_with_roles(tmp_path: Path) -> None:
    db = sqlite3.connect(export(tmp_path))
    names = [r[0] for r in db.execute("SELECT name FROM actors ORDER BY name")]
    assert names.count("Islamic Nation") == 1
    assert len(names) == len(set(names)), names  # one row an actor, each its own name
    shared = db.execute(
        "SELECT count(*) FROM program_parties WHERE actor = 'foreign-professionals'"
    ).fetchone()
    assert shared == (2,)  # one actor in two programs: one row, two links
    roles = dict(
        db.execute(
            "SELECT actor, role FROM program_parties WHERE program = ?",
            ("malaysia-digital-trade-zone",),
        ).fetchall()
    )
    assert roles == {"my": "receiver", "alibaba": "giver"}


def test_full_text_search_finds_what_exchange_search_finds(tmp_path: Path) -> None:
    db = sqlite3.connect(export(tmp_path))
    found = db.execute(
        "SELECT id FROM programs WHERE rowid IN "
        "(SELECT rowid FROM programs_fts WHERE programs_fts MATCH ?) ORDER BY number",
        ("petroleum",),
    ).fetchall()
    ran = subprocess.run(
        [str(EXCHANGE), "search", "petroleum", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [r[0] for r in found] == [r["id"] for r in json.loads(ran.stdout)]
    accents = db.execute("SELECT count(*) FROM programs_fts WHERE programs_fts MATCH 'défense'")
    assert accents.fetchone()[0] > 0  # accents folded, as `exchange search` folds them


def test_the_same_catalogue_gives_the_same_bytes(tmp_path: Path) -> None:
    first = export(tmp_path, name="one.db").read_bytes()
    assert export(tmp_path, name="two.db").read_bytes() == first
    as_json = tmp_path / "programs.json"
    as_json.write_text(json.dumps({"programs": listed()}), encoding="utf-8")
    assert export(tmp_path, "--data", str(as_json), name="three.db").read_bytes() == first
    piped = subprocess.run(
        [str(EXCHANGE), "export", "-f", "sqlite"], capture_output=True, check=True
    )
    assert piped.stdout == first


def test_the_sqlite3_shell_reads_it_and_shows_the_descriptions(tmp_path: Path) -> None:
    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.skip("the sqlite3 shell is not installed (Debian package sqlite3)")
    database = export(tmp_path)
    ran = subprocess.run(
        [shell, str(database), ".schema flows", "SELECT count(*) FROM programs"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "-- What one party gives or teaches another" in ran.stdout
    assert "from_actor TEXT NOT NULL REFERENCES actors(id), -- The giving actor." in ran.stdout
    assert ran.stdout.strip().endswith("15")


def test_sqlite_utils_reads_it(tmp_path: Path) -> None:
    database = export(tmp_path)
    ran = subprocess.run(
        [str(BIN / "sqlite-utils"), "tables", str(database), "--counts"],
        capture_output=True,
        text=True,
        check=True,
    )
    counts = {t["table"]: t["count"] for t in json.loads(ran.stdout)}
    records = listed()
    assert counts["programs"] == len(records) == 15
    assert counts["program_sectors"] == sum(len(r["sectors"]) for r in records)
    assert counts["flows"] == sum(len(r["flows"]) for r in records)
    assert counts["benefits"] == sum(len(r["benefits"]) for r in records)
    import sqlite_utils

    db = sqlite_utils.Database(database)
    assert {fk.other_table for fk in db["flows"].foreign_keys} == {"programs", "actors"}
    assert db["programs"].pks == ["id"]
    assert db["programs"].detect_fts() == "programs_fts"  # by its own rule: content=[programs]
    assert "programs_fts" in db.table_names(fts5=True)
    searched = subprocess.run(
        [str(BIN / "sqlite-utils"), "search", str(database), "programs", "petroleum"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = [row["id"] for row in json.loads(searched.stdout)]
    assert found == ["saudi-korea-tech-exchange"]


def test_hostile_text_is_stored_as_written(tmp_path: Path) -> None:
    data = FIXTURES / "hostile-text.yaml"
    database = export(tmp_path, "--data", str(data))
    assert records_from(database) == without_party_ids(listed("--data", str(data)))


def test_filters_narrow_the_export(tmp_path: Path) -> None:
    database = export(tmp_path, "--sector", "defense")
    db = sqlite3.connect(database)
    ids = [r[0] for r in db.execute("SELECT id FROM programs ORDER BY number")]
    assert ids == [r["id"] for r in listed("--sector", "defense")]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_terminal_needs_output_and_a_bad_output_is_exit_4(run: Run, tmp_path: Path) -> None:
    refused = run("export", "--format", "sqlite", tty=True)
    assert refused.exit_code == 2
    assert "--output catalogue.db" in refused.stderr
    failed = subprocess.run(
        [str(EXCHANGE), "export", "-f", "sqlite", "-o", str(tmp_path / "missing" / "c.db")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert failed.returncode == 4 and failed.stderr.startswith("exchange: error: cannot write")
    page = run("export", "--output", str(tmp_path / "page.html"), tty=True)
    assert page.exit_code == 0
    assert (tmp_path / "page.html").read_text(encoding="ascii").startswith("<!DOCTYPE html>")
    directory = run("export", "--output", str(tmp_path) + "/")
    assert directory.exit_code == 2


# -- datasette, running -------------------------------------------------------------------


@pytest.fixture
def datasette(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Start `datasette serve` on 127.0.0.1 with an ephemeral port; yield a function that
    starts it on a path and returns its base URL. Every server is stopped after."""
    started: list[subprocess.Popen[bytes]] = []

    def start(path: str) -> str:
        log = tmp_path / f"datasette-{len(started)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(BIN / "datasette"), "serve", path, "--host", "127.0.0.1", "--port", "0"],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(rb"http://127\.0\.0\.1:(\d+)", log.read_bytes())
            if found:
                return f"http://127.0.0.1:{found.group(1).decode()}"
            if proc.poll() is not None:
                raise AssertionError(log.read_text(errors="replace"))
            time.sleep(0.1)
        raise AssertionError("datasette did not start in 60 s: " + log.read_text())

    yield start
    for proc in started:
        with contextlib_suppress():
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


class contextlib_suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is ProcessLookupError


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our server
        body = response.read().decode("utf-8")
    return json.loads(body) if url.split("?")[0].endswith(".json") else body


def facet(data: dict[str, Any], name: str) -> dict[str, int]:
    return {r["value"]: r["count"] for r in data["facet_results"][name]["results"]}


def test_datasette_facets_equal_summarize_and_it_shows_the_descriptions(
    tmp_path: Path, datasette: Callable[[str], str]
) -> None:
    directory = tmp_path / "catalogue"
    ran = subprocess.run(
        [str(EXCHANGE), "export", "-f", "sqlite", "-o", f"{directory}/"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert sorted(p.name for p in directory.iterdir()) == ["catalogue.db", "metadata.json"]
    summary = subprocess.run(
        [str(EXCHANGE), "summarize", "--json"], capture_output=True, text=True, check=True
    )
    expected: dict[str, dict[str, int]] = {}
    for row in json.loads(summary.stdout):
        if row["count"]:
            expected.setdefault(row["facet"], {})[row["value"]] = row["count"]

    base = datasette(str(directory))  # configuration-directory mode: metadata.json is read
    sectors = get(f"{base}/catalogue/program_sectors.json?_size=0")
    programs = get(f"{base}/catalogue/programs.json?_size=0")
    assert facet(sectors, "sector") == expected["sector"]
    assert facet(programs, "evidence") == expected["evidence"]
    page = get(f"{base}/catalogue/programs")
    assert "One row per program, in catalogue order" in page  # the table's description
    assert "How the source document presents the program" in page  # a column's
    found = get(f"{base}/catalogue/programs.json?_search=petroleum&_shape=array")
    assert [r["id"] for r in found] == ["saudi-korea-tech-exchange"]

    alone = datasette(str(directory / "catalogue.db"))  # a file alone: no metadata
    evidence = get(f"{alone}/catalogue/programs.json?_facet=evidence&_size=0")
    assert facet(evidence, "evidence") == expected["evidence"]
    schema = get(f"{alone}/catalogue/programs")
    assert "-- One row per program" in schema  # datasette shows the schema, comments in it
    # the full-text index is found by datasette's own rule (content=[programs]): no metadata
    found = get(f"{alone}/catalogue/programs.json?_search=petroleum&_shape=array")
    assert [r["id"] for r in found] == ["saudi-korea-tech-exchange"]


def test_an_output_that_is_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    """`--output /dev/null` (or /dev/stdout, or a FIFO) must not be renamed over: as root
    the rename replaced /dev/null with a regular file. A FIFO stands for the device."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    ran = subprocess.run(
        [str(EXCHANGE), "export", "-f", "sqlite", "--output", str(fifo)],
        capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    replaced = not stat_is_fifo(fifo)
    if replaced:  # nothing will ever write to the reader's end
        reader.kill()
    received, _ = reader.communicate(timeout=60)
    assert not replaced, "the FIFO was replaced by a regular file"
    assert ran.returncode == 0, ran.stderr
    assert received.startswith(b"SQLite format 3\x00")


def test_an_output_that_is_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    """The file a link names is replaced whole; the link (`latest.db`, /dev/stdout) stays."""
    real = tmp_path / "real.db"
    real.write_bytes(b"old")
    (tmp_path / "latest.db").symlink_to("real.db")
    export(tmp_path, name="latest.db")
    assert (tmp_path / "latest.db").is_symlink()
    assert real.read_bytes().startswith(b"SQLite format 3\x00")


def stat_is_fifo(path: Path) -> bool:
    import stat

    return stat.S_ISFIFO(os.lstat(path).st_mode)


# -- found by the second mutation pass -------------------------------------------------------


def test_export_to_a_file_or_a_directory_in_process(run: Run, tmp_path: Path) -> None:
    """The same as the subprocess tests above, in-process so mutation testing sees it:
    `-o FILE` writes the database there (nothing on stdout); `-o DIR/` writes it as
    catalogue.db beside datasette's metadata.json (indented, one newline at the end)."""
    from exchange_cli.render import sqlite as render_sqlite

    one = run("export", "-f", "sqlite", "-o", str(tmp_path / "one.db"))
    assert (one.exit_code, one.stdout) == (0, "")
    single = (tmp_path / "one.db").read_bytes()
    assert single.startswith(b"SQLite format 3\x00")
    directory = tmp_path / "catalogue"
    assert run("export", "-f", "sqlite", "-o", f"{directory}/").exit_code == 0
    assert sorted(p.name for p in directory.iterdir()) == ["catalogue.db", "metadata.json"]
    assert (directory / "catalogue.db").read_bytes() == single
    text = (directory / "metadata.json").read_text(encoding="utf-8")
    assert text.startswith('{\n  "title": "Exchange programs",\n') and text.endswith("}\n")
    assert json.loads(text) == render_sqlite.metadata("catalogue", "Exchange programs")
    assert list(json.loads(text)["databases"]) == ["catalogue"]
