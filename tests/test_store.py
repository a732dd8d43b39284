"""The store's trust model (the docstring of `exchange_cli.store`), point by point, and
replays of the attacks the JSON-Lines cache was tested against, each ending as the model
says.

CI runs the tests as root, so "another user" is a chown to `OTHER_UID`. A forged
database is one the store itself built for the catalogue (so it records the file's exact
key) whose titles were then changed: from a trusted directory it would be used, which
`test_an_untrusted_cache_directory_is_neither_read_nor_written[trusted]` shows.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from childproc import run_measured
from exchange_cli.errors import CatalogueError
from exchange_cli.store import files as store

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "small.yaml"
SHIPPED = HERE.parent / "data" / "programs.yaml"
MAKE_CATALOGUE = HERE.parent / "bench" / "make_catalogue.py"
EXCHANGE = Path(sys.executable).parent / "exchange"
Run = Callable[..., Any]
TITLES = ["Alpha Technology Exchange", "Beta Defense Work", "Gamma Trade Zone"]
FORGED = "Forged Title"
OTHER_UID = 12345
OURS = re.compile(r"[0-9a-f]{16}\.sqlite3")
Snapshot = dict[str, tuple[object, ...]]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the fixture catalogue."""
    copy = tmp_path / "programs.yaml"
    copy.write_bytes(FIXTURE.read_bytes())
    return copy


@pytest.fixture
def cache(private_cache: Path) -> Path:
    """This test's cache directory, `$XDG_CACHE_HOME/exchange` (not made yet)."""
    return private_cache / "exchange"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10,000 valid programs (11 MB of JSON Lines, read faster than YAML): a first load
    whose build lasts long enough (about a second) to interrupt."""
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    with path.open("wb") as out:
        argv = [sys.executable, str(MAKE_CATALOGUE), "10000", "--jsonl"]
        subprocess.run(argv, stdout=out, check=True)
    return path


class Unhandled(Exception):
    """A signal reached the test's own handler: the store did not take it over."""


@pytest.fixture
def signals_caught() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Unhandled` unless the store handles them, so a test that
    sends one to itself fails instead of killing the test run."""

    def unhandled(signum: int, frame: object) -> None:
        raise Unhandled(signum)

    saved = {s: signal.signal(s, unhandled) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


# -- helpers ---------------------------------------------------------------------------------


def titles(run: Run, data: Path, *extra: str) -> list[str]:
    result = run("list", "--data", str(data), "--json", *extra)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return [record["title"] for record in json.loads(result.stdout)]


def shown_title(run: Run, data: Path) -> str:
    result = run("show", "alpha-tech", "--data", str(data), "--json")
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return str(json.loads(result.stdout)["title"])


def one_line_error(result: Any, words: str) -> None:
    """Exit 3, nothing on stdout, one line on stderr that says `words`, no traceback."""
    assert result.exit_code == 3, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr


def database_of(directory: Path, data: Path) -> Path:
    return store.database_path(directory, os.path.realpath(data))


def ours(directory: Path) -> set[str]:
    """The names in `directory` that are databases of ours (`<16 hex>.sqlite3`)."""
    return {name for name in os.listdir(directory) if OURS.fullmatch(name)}


def edit(database: Path, *statements: str) -> None:
    with contextlib.closing(sqlite3.connect(database)) as connection, connection:
        for statement in statements:
            connection.execute(statement)


def set_in_records(database: Path, key: str, value: object) -> None:
    """Give every record a new `key` as a forger would: valid JSON, the same source key."""
    with contextlib.closing(sqlite3.connect(database)) as connection, connection:
        for position, text in connection.execute("SELECT position, record FROM programs"):
            record = json.loads(text)
            record[key] = value
            connection.execute(
                "UPDATE programs SET record = ? WHERE position = ?",
                (json.dumps(record, ensure_ascii=False), position),
            )


def forged_database(data: Path, directory: Path) -> Path:
    """A database standing for `data` (built by the store, so it records the file's exact
    key), with every title forged, in `directory`."""
    from exchange_cli.load.loader import catalogue_from_bytes

    raw = data.read_bytes()
    key = store.FileKey.of(data, os.stat(data), store.checksum(raw))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    store.compile_catalogue(catalogue_from_bytes(raw, str(data)), key, directory).close()
    database = database_of(directory, data)
    assert database.is_file()
    set_in_records(database, "title", FORGED)
    return database


def forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, parsing a catalogue fails the test: answers must come from the store."""
    import exchange_cli.load.catalogue
    import exchange_cli.load.loader

    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the catalogue was parsed again")

    for module in (exchange_cli.load.loader, exchange_cli.load.catalogue):
        monkeypatch.setattr(module, "catalogue_from_bytes", parse, raising=False)


def snapshot(root: Path) -> Snapshot:
    """Everything at and under `root`, links not followed: kind, owner, mode, inode, size,
    modification time, and the bytes or the link's target. Equal snapshots: nothing was
    written, created, removed or replaced."""
    found: Snapshot = {}
    if not os.path.lexists(root):
        return found
    paths = [str(root)]
    if root.is_dir() and not root.is_symlink():
        for directory, names, files in os.walk(root):  # os.walk does not follow links
            paths += [os.path.join(directory, name) for name in [*names, *files]]
    for path in paths:
        info = os.lstat(path)
        content: object = None
        if stat.S_ISLNK(info.st_mode):
            content = os.readlink(path)
        elif stat.S_ISREG(info.st_mode):
            content = Path(path).read_bytes()
        found[os.path.relpath(path, root)] = (
            stat.S_IFMT(info.st_mode),
            info.st_uid,
            stat.S_IMODE(info.st_mode),
            info.st_ino,
            info.st_size,
            info.st_mtime_ns,
            content,
        )
    return found


# -- 1. the directory: used only when it is ours alone ----------------------------------------

DIRECTORIES = [
    "trusted",  # the control: the forgery would be used from here
    "a symlink",
    "a dangling symlink",
    "another user's",
    "group-writable",
    "world-writable",
    "world-writable, sticky",
]
MODES = {"group-writable": 0o720, "world-writable": 0o702, "world-writable, sticky": 0o1777}


@pytest.mark.parametrize("setup", DIRECTORIES)
def test_an_untrusted_cache_directory_is_neither_read_nor_written(
    run: Run, data: Path, cache: Path, tmp_path: Path, setup: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    if "symlink" in setup:
        if setup == "a symlink":
            forged_database(data, elsewhere)  # a real directory of ours, behind a link
        cache.symlink_to(elsewhere, target_is_directory=True)
    else:
        forged_database(data, cache)
        if setup == "another user's":
            os.chown(cache, OTHER_UID, OTHER_UID)
        os.chmod(cache, MODES.get(setup, 0o700))
    before = (snapshot(cache.parent), snapshot(elsewhere))
    if setup == "trusted":
        assert shown_title(run, data) == FORGED
        return
    assert shown_title(run, data) == TITLES[0]  # from the file: the forgery was not read
    other = tmp_path / "other.yaml"  # a catalogue with no database anywhere yet
    other.write_bytes(FIXTURE.read_bytes())
    assert titles(run, other) == TITLES
    assert (snapshot(cache.parent), snapshot(elsewhere)) == before  # nothing written


@pytest.mark.parametrize(
    "setup",
    [
        "trusted",
        "a world-writable parent",
        "a group-writable parent",
        "another user's parent",
        "another user's link on the way",
    ],
)
def test_a_cache_whose_parent_someone_else_can_change_is_not_used(
    run: Run, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup: str
) -> None:
    """Whoever can write the directory above ours can swap ours for theirs between the
    check and the use (a race, but theirs to win): as ssh's StrictModes, every directory
    on the way must be root's or ours and writable by no one else unless sticky."""
    parent = tmp_path / "xdg"
    forged_database(data, parent / "exchange")
    home = parent
    if setup == "a world-writable parent":
        os.chmod(parent, 0o777)
    elif setup == "a group-writable parent":
        os.chmod(parent, 0o770)
    elif setup == "another user's parent":
        os.chown(parent, OTHER_UID, OTHER_UID)
    elif setup == "another user's link on the way":
        home = tmp_path / "link"
        home.symlink_to(parent, target_is_directory=True)
        os.chown(home, OTHER_UID, OTHER_UID, follow_symlinks=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    before = snapshot(parent)
    if setup == "trusted":
        assert shown_title(run, data) == FORGED  # the control: the forgery would be read
        return
    assert shown_title(run, data) == TITLES[0]
    assert snapshot(parent) == before  # nothing written either


@pytest.mark.parametrize("column", ["format", "version"])
def test_a_database_of_another_format_or_version_is_rebuilt(
    run: Run, data: Path, cache: Path, column: str
) -> None:
    """Rules change between formats (a format-2 database may hold a program of more
    parties than format 3 allows): a database that is not of ours now is never read."""
    database = forged_database(data, cache)
    with contextlib.closing(sqlite3.connect(database)) as connection:
        first, second = connection.execute("SELECT format, version FROM source").fetchone()
    stale = ("exchange-store/2", second) if column == "format" else (first, "0.0.1")
    edit(database, f"UPDATE source SET format = '{stale[0]}', version = '{stale[1]}'")
    assert shown_title(run, data) == TITLES[0]  # from the file, not the stale database
    assert shown_title(run, data) == TITLES[0]  # and the rebuilt one agrees


def test_the_stamp_in_use_is_the_one_the_declaration_makes() -> None:
    from exchange_cli.store import build, files

    assert build.declaration_stamp() == files.FORMAT, "run: python scripts/generate.py"


@pytest.mark.parametrize(
    "change",
    [
        "a new optional field",
        "a field made optional",
        "sectors reordered",
        "an alias added",
        "a party cap raised",
        "the store's schema",
    ],
)
def test_any_change_to_the_declaration_or_schema_changes_the_stamp(
    monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A cache written before the change is then rebuilt, never served (the stamp is
    compared on every lookup: test_a_database_of_another_format_or_version_is_rebuilt)."""
    from exchange_cli.model import fields, vocab
    from exchange_cli.model.records import Program
    from exchange_cli.store import build

    before = build.declaration_stamp()
    declared = fields.fields_of(Program)
    if change == "a new optional field":
        url = fields.Text("A web address.", required=False)
        added = (*declared, fields.Field("url", "url", url, None))
        monkeypatch.setitem(fields._FIELDS, Program, added)
    elif change == "a field made optional":
        monkeypatch.setattr(declared[1].spec, "required", False)
    elif change == "sectors reordered":
        monkeypatch.setattr(vocab.SECTORS, "terms", vocab.SECTORS.terms[::-1])
    elif change == "an alias added":
        term = vocab.KINDS.terms[0]
        monkeypatch.setattr(term, "aliases", (*term.aliases, "exchange-of-people"))
    elif change == "a party cap raised":
        parties = next(f.spec for f in declared if f.key == "parties")
        monkeypatch.setattr(parties, "max_items", 13)
    else:
        monkeypatch.setattr(build, "SCHEMA", build.SCHEMA + "CREATE TABLE x (y);")
    assert build.declaration_stamp() != before


def test_a_changed_doc_keeps_the_stamp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Docs and examples are not stored: a better sentence does not rebuild caches."""
    from exchange_cli.model.fields import fields_of
    from exchange_cli.model.records import Program
    from exchange_cli.store import build

    before = build.declaration_stamp()
    monkeypatch.setattr(fields_of(Program)[1].spec, "doc", "A better sentence.")
    assert build.declaration_stamp() == before


# -- 2. a database: only our own regular file -------------------------------------------------


@pytest.mark.parametrize("plant", ["another user's file", "a symlink to a forgery"])
def test_a_database_that_is_not_our_regular_file_is_never_opened(
    run: Run, data: Path, cache: Path, tmp_path: Path, plant: str
) -> None:
    database = database_of(cache, data)
    if plant == "another user's file":
        forged_database(data, cache)
        os.chown(database, OTHER_UID, OTHER_UID)
    else:
        forgery = forged_database(data, tmp_path / "elsewhere")
        cache.mkdir(mode=0o700)
        database.symlink_to(forgery)
    elsewhere = snapshot(tmp_path / "elsewhere")
    assert shown_title(run, data) == TITLES[0]
    assert titles(run, data) == TITLES
    assert database.is_file() and not database.is_symlink()  # replaced by our own
    assert database.stat().st_uid == os.geteuid()
    assert snapshot(tmp_path / "elsewhere") == elsewhere  # the link's target untouched


# -- 3. only what it wrote is deleted ----------------------------------------------------------

NOT_OURS = [
    "notes-a.jsonl",
    ".tmp-important.txt",
    "0123456789abcdef.txt",
    "0123456789abcdef.sqlite3.bak",
    "0123456789abcdef.sqlite3-journal",
    "0123456789ABCDEF.sqlite3",
    "x0123456789abcdef.sqlite3",
    "0123456789abcdef.sqlite3.1-0123abcd.tmp.keep",
]


def test_pruning_deletes_only_our_own_databases(run: Run, cache: Path, tmp_path: Path) -> None:
    """Old names, a directory and a link named like a database, and another user's
    database and build file, all older than anything of ours (so they would go first if
    they counted), survive a run that prunes; only our databases go, down to the limit."""
    cache.mkdir(mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.utime(victim, ns=(1, 1))
    victim_before = snapshot(victim)
    for name in NOT_OURS:
        (cache / name).write_text(f"not ours: {name}")
    (cache / "subdir").mkdir()
    (cache / "subdir" / "keep.txt").write_text("keep")
    (cache / "1111111111111111.sqlite3").mkdir()  # a directory named like a database
    (cache / "2222222222222222.sqlite3").symlink_to(victim)  # a link named like one
    (cache / "link-to-victim").symlink_to(victim)
    for name in ("3333333333333333.sqlite3", "4444444444444444.sqlite3.1-0123abcd.tmp"):
        (cache / name).write_text("another user's")
        os.chown(cache / name, OTHER_UID, OTHER_UID)
    planted = set(os.listdir(cache))
    for name in planted:
        os.utime(cache / name, ns=(1, 1), follow_symlinks=False)  # 1970: the oldest
    before = snapshot(cache)

    copies = [tmp_path / f"copy-{i:02}.yaml" for i in range(store.MAX_ENTRIES + 3)]
    for copy in copies:
        copy.write_bytes(FIXTURE.read_bytes())
        assert titles(run, copy) == TITLES

    after = snapshot(cache)
    for name, entry in before.items():
        if name != ".":  # the directory itself changed: our databases came and went
            assert after.get(name) == entry, name
    assert snapshot(victim) == victim_before
    kept = {database_of(cache, copy).name for copy in copies[-store.MAX_ENTRIES :]}
    assert ours(cache) - planted == kept


def test_pruning_removes_our_stale_build_files_only(run: Run, data: Path, cache: Path) -> None:
    """A build file of ours older than an hour was left by a run killed outright (SIGKILL)
    and goes; a fresh one may be another run's build in progress and stays, as does
    another user's."""
    cache.mkdir(mode=0o700)
    stale, fresh, theirs = (cache / f"{digit * 16}.sqlite3.4242-0123abcd.tmp" for digit in "567")
    two_hours_ago = time.time_ns() - 2 * 3600 * 10**9
    for path in (stale, fresh, theirs):
        path.write_text("half a database")
    os.chown(theirs, OTHER_UID, OTHER_UID)
    for path in (stale, theirs):
        os.utime(path, ns=(two_hours_ago, two_hours_ago))
    assert titles(run, data) == TITLES
    assert not stale.exists()
    assert fresh.exists() and theirs.exists()


# -- 4. a database stands for one exact file --------------------------------------------------


def test_the_second_run_is_served_from_the_store(
    run: Run, data: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert titles(run, data) == TITLES
    database = database_of(cache, data)
    built = snapshot(database)

    forbid_parsing(monkeypatch)
    assert titles(run, data) == TITLES
    assert shown_title(run, data) == TITLES[0]
    assert snapshot(database) == built  # read, not rewritten


def test_a_changed_file_of_the_same_size_and_time_is_read_again(
    run: Run, data: Path, cache: Path
) -> None:
    assert titles(run, data) == TITLES
    info = data.stat()
    data.write_bytes(data.read_bytes().replace(b"Alpha Technology", b"Alpha Technologx"))
    os.utime(data, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert data.stat().st_size == info.st_size
    assert titles(run, data)[0] == "Alpha Technologx Exchange"


def test_only_the_checksum_tells_a_changed_file(run: Run, data: Path, cache: Path) -> None:
    """The change time moves with every write, so to see the checksum do its part the
    database is told the file's new times (as on a file system whose clock did not tick
    between the two writes): only the bytes then differ."""
    assert titles(run, data) == TITLES
    info = data.stat()
    data.write_bytes(data.read_bytes().replace(b"Alpha Technology", b"Alpha Technologx"))
    os.utime(data, ns=(info.st_atime_ns, info.st_mtime_ns))
    now = data.stat()
    edit(
        database_of(cache, data),
        f"UPDATE source SET inode = {now.st_ino}, size = {now.st_size}, "
        f"mtime_ns = {now.st_mtime_ns}, ctime_ns = {now.st_ctime_ns}",
    )
    assert titles(run, data)[0] == "Alpha Technologx Exchange"


@pytest.mark.parametrize("how", ["truncated", "grown"])
def test_the_checksum_is_read_and_a_size_change_meanwhile_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.setattr(store, "_CHUNK", 256)  # several reads for a small file
    path = tmp_path / "catalogue.yaml"
    path.write_bytes(b"x" * 3000)
    fd = os.open(path, os.O_RDONLY)
    try:
        info = os.fstat(fd)
        assert store.checksum_open_file(fd, info, "c") == store.checksum(b"x" * 3000)
        if how == "truncated":
            os.truncate(path, 1000)
        else:
            with path.open("ab") as grow:
                grow.write(b"y" * 1000)
        with pytest.raises(CatalogueError, match="changed while it was being read"):
            store.checksum_open_file(fd, info, "c")
    finally:
        os.close(fd)


def test_a_catalogue_truncated_while_its_checksum_is_read_ends_in_exit_3(
    run: Run, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert titles(run, data) == TITLES  # the store holds it: the next run checksums it
    monkeypatch.setattr(store, "_CHUNK", 64)
    read = os.pread

    def pread_then_truncate(fd: int, length: int, offset: int) -> bytes:
        chunk = read(fd, length, offset)
        os.truncate(data, offset + len(chunk))  # someone cuts the file as we read it
        return chunk

    monkeypatch.setattr(os, "pread", pread_then_truncate)
    one_line_error(run("list", "--data", str(data), "--json"), "changed while it was being read")


TRUNCATE_WHILE_READ = """
import os, sys, zlib
from exchange_cli.cli.main import main

path, crc32, done = sys.argv[1], zlib.crc32, []

def truncating_crc32(data, value=0):
    if len(data) > 65536 and not done:  # the catalogue, read (or mapped): cut it in half
        done.append(True)
        os.truncate(path, os.stat(path).st_size // 2)
    return crc32(data, value)

zlib.crc32 = truncating_crc32
sys.exit(main(sys.argv[2:]))
"""


def test_a_large_catalogue_truncated_mid_run_ends_in_exit_3_not_a_signal(
    run: Run, tmp_path: Path
) -> None:
    """In a child process, the file cut in half as its first piece is checksummed: were
    it mapped, touching the pages past the new end would raise SIGBUS and kill the child
    (exit -7)."""
    catalogue = tmp_path / "large.yaml"
    with catalogue.open("wb") as out:  # about 1.7 MB: more than one read of the checksum
        subprocess.run([sys.executable, str(MAKE_CATALOGUE), "1500"], stdout=out, check=True)
    assert catalogue.stat().st_size > store._CHUNK  # cut in half, the first read overruns
    assert run("list", "--data", str(catalogue), "--json").exit_code == 0  # now stored
    argv = [sys.executable, "-c", TRUNCATE_WHILE_READ, str(catalogue)]
    child = run_measured([*argv, "list", "--data", str(catalogue), "--json"], env=os.environ)
    assert child.returncode == 3, child.stderr
    assert child.stdout == b""
    assert child.stderr.count(b"\n") == 1, child.stderr
    assert b"changed while it was being read" in child.stderr


# -- 5. a build: exclusive, private, renamed into place, removed when interrupted ----------


def test_a_database_is_private_to_the_user(run: Run, data: Path, cache: Path) -> None:
    old = os.umask(0)  # the most permissive umask: the mode must not come from it
    try:
        assert titles(run, data) == TITLES
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(database_of(cache, data)).st_mode) == 0o600


def test_a_planted_build_file_is_not_written_through(
    run: Run, data: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link planted at the name the build file will take (the name made predictable
    here) is not followed: its target is untouched and the command still answers."""
    monkeypatch.setattr(os, "urandom", lambda n: b"\0" * n)
    cache.mkdir(mode=0o700)
    final = database_of(cache, data)
    planted = final.with_name(f"{final.name}.{os.getpid()}-00000000.tmp")
    victim = tmp_path / "victim.db"
    victim.write_bytes(b"")  # SQLite would make an empty file a database
    planted.symlink_to(victim)
    before = snapshot(victim)
    assert titles(run, data) == TITLES
    assert snapshot(victim) == before
    assert planted.is_symlink()


@pytest.mark.parametrize("interruption", ["SIGTERM", "SIGHUP", "Ctrl-C"])
def test_an_interrupted_build_removes_its_file(
    run: Run,
    data: Path,
    cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    signals_caught: None,
    interruption: str,
) -> None:
    from exchange_cli.store import build

    fill = build.fill

    def fill_then_interrupt(connection: sqlite3.Connection, *args: Any) -> None:
        fill(connection, *args)
        assert [p.suffix for p in cache.iterdir()] == [".tmp"]  # being built
        if interruption == "Ctrl-C":
            raise KeyboardInterrupt
        os.kill(os.getpid(), getattr(signal, interruption))

    monkeypatch.setattr(build, "fill", fill_then_interrupt)
    result = run("list", "--data", str(data), "--json")
    codes = {"SIGTERM": 128 + signal.SIGTERM, "SIGHUP": 128 + signal.SIGHUP, "Ctrl-C": 130}
    assert result.exit_code == codes[interruption], result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert list(cache.iterdir()) == []


def test_a_signal_just_after_the_build_file_is_made_still_removes_it(
    run: Run, data: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, signals_caught: None
) -> None:
    """The narrowest window: the file exists, but `os.open` has not yet returned."""
    real_open = os.open

    def open_then_terminate(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        fd = real_open(path, flags, mode, **kwargs)
        if str(path).endswith(".tmp"):
            # to this thread, as the kernel would deliver it to a one-thread `exchange`;
            # a test runner's other threads (pytest-xdist's) do not block the signal
            signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        return fd

    monkeypatch.setattr(os, "open", open_then_terminate)
    result = run("list", "--data", str(data), "--json")
    assert result.exit_code == 128 + signal.SIGTERM, result.stderr
    assert list(cache.iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_during_a_first_load_leaves_nothing_behind(
    big: Path, cache: Path, signum: int
) -> None:
    """The replay: a real process, a real signal, sent once its build file appears."""
    env = {**os.environ, "EXCHANGE_MAX_BYTES": str(1 << 30)}
    argv = [str(EXCHANGE), "list", "--data", str(big), "--json"]
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not list(cache.glob("*.tmp")):
            assert child.poll() is None, "the run ended before its build file was seen"
            assert time.monotonic() < deadline, "no build file appeared"
            time.sleep(0.005)
        child.send_signal(signum)
        _, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 128 + signum, stderr
    assert b"Traceback" not in stderr
    assert list(cache.iterdir()) == []  # no build file, and no database


# -- 6. reading runs no code, and a forged database never crashes --------------------------


def test_a_stored_database_is_read_only_and_trusts_no_schema(run: Run, data: Path) -> None:
    from exchange_cli.load.loader import open_regular

    assert titles(run, data) == TITLES
    directory = store.trusted_directory()
    assert directory is not None
    fd, info = open_regular(data, 1 << 20)
    try:
        found = store.lookup(directory, data, fd, info)
    finally:
        os.close(fd)
    assert found is not None
    try:
        assert found.connection.execute("PRAGMA trusted_schema").fetchone() == (0,)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            found.connection.execute("DELETE FROM programs")
    finally:
        found.close()


#: A forgery that adds code to the schema (a view, a trigger): the database is never
#: consulted, so the command answers from the file and the database is built again.
SCHEMA_FORGERIES: dict[str, list[str]] = {
    "a view in place of a table": [
        "ALTER TABLE programs RENAME TO originals",
        "CREATE VIEW programs AS SELECT * FROM originals",
    ],
    "a view that loads an extension": [
        "ALTER TABLE programs RENAME TO originals",
        "CREATE VIEW programs AS SELECT * FROM originals "
        "WHERE load_extension('/nonexistent/evil.so') IS NULL",
    ],
    "a view in place of the source row": [
        "ALTER TABLE source RENAME TO original_source",
        "CREATE VIEW source AS SELECT * FROM original_source",
    ],
    "an extra view": ["CREATE VIEW extra AS SELECT load_extension('/nonexistent/evil.so')"],
    "a trigger": [
        "CREATE TRIGGER t AFTER INSERT ON programs "
        "BEGIN SELECT load_extension('/nonexistent/evil.so'); END"
    ],
}


def overwrite_pages(database: Path) -> None:
    """Garbage over every page after the schema and the source row: what a failing disk
    or a bad copy leaves."""
    raw = bytearray(database.read_bytes())
    page = int.from_bytes(raw[16:18], "big")
    raw[2 * page :] = bytes(i * 131 % 251 for i in range(len(raw) - 2 * page))
    database.write_bytes(bytes(raw))


#: Damage, or a forgery that breaks the tables or a record: never a traceback; one line
#: (exit 3) and the database goes, or the command answers as before.
DAMAGE: dict[str, Callable[[Path], None]] = {
    "a table dropped": lambda db: edit(db, "DROP TABLE programs"),
    "a column renamed": lambda db: edit(db, "ALTER TABLE programs RENAME record TO other"),
    "a record of the wrong type": lambda db: set_in_records(db, "title", 123),
    "pages overwritten": overwrite_pages,
}
COMMANDS = [
    ["list", "--json"],
    ["show", "alpha-tech", "--json"],
    ["summarize", "--json"],
    ["search", "alpha", "--json"],
    ["flows", "--json"],
]


def schema_objects(database: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT type FROM sqlite_master").fetchall()
    return {kind for (kind,) in rows}


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("forgery", SCHEMA_FORGERIES)
def test_a_database_with_views_or_triggers_is_never_consulted(
    run: Run, data: Path, cache: Path, forgery: str, command: list[str]
) -> None:
    fresh = run(*command, "--data", str(data), "--no-cache")
    assert fresh.exit_code == 0
    database = forged_database(data, cache)
    edit(database, *SCHEMA_FORGERIES[forgery])
    result = run(*command, "--data", str(data))
    assert (result.exit_code, result.stdout, result.stderr) == (0, fresh.stdout, "")
    assert schema_objects(database) == {"table", "index"}  # built again, without them


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_database_is_one_line_or_rebuilt_never_a_traceback(
    run: Run, data: Path, cache: Path, damage: str, command: list[str]
) -> None:
    fresh = run(*command, "--data", str(data), "--no-cache")
    assert titles(run, data) == TITLES  # the real database, built by the store
    DAMAGE[damage](database_of(cache, data))
    result = run(*command, "--data", str(data))
    assert "Traceback" not in result.stderr
    if result.exit_code == 3:
        one_line_error(result, "the cached copy is damaged")
        assert not database_of(cache, data).exists()  # so the next run builds it again
        result = run(*command, "--data", str(data))
        assert (result.exit_code, result.stdout, result.stderr) == (0, fresh.stdout, "")
    elif damage != "a record of the wrong type":
        assert (result.exit_code, result.stdout, result.stderr) == (0, fresh.stdout, "")
    else:  # a listing prints stored records as they are: the directory's owner is trusted
        assert (result.exit_code, result.stderr) == (0, "")


def test_a_forged_record_of_the_wrong_type_never_crashes_a_listing(
    run: Run, data: Path, cache: Path
) -> None:
    for fmt in ("csv", "table", "tsv", "yaml", "markdown"):
        assert titles(run, data) == TITLES
        set_in_records(database_of(cache, data), "parties", "x")
        result = run("list", "--data", str(data), "--format", fmt)
        assert result.exit_code == 3, (fmt, result.stderr)
        assert result.stderr.count("\n") == 1 and "damaged" in result.stderr, fmt
        assert result.stdout == ""
        assert titles(run, data) == TITLES  # the damaged copy was removed and rebuilt


# -- 7. the replays of the old cache's attacks ---------------------------------------------


def test_replay_a_database_planted_in_a_shared_cache_home(
    run: Run, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """XDG_CACHE_HOME is a shared, sticky, world-writable directory (like /tmp), where
    another user made `exchange/` first and planted a database with a forged title."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    planted = forged_database(data, shared / "exchange")
    for path in (planted.parent, planted):
        os.chown(path, OTHER_UID, OTHER_UID)
    os.chmod(planted.parent, 0o755)
    os.chmod(planted, 0o644)
    before = snapshot(shared)
    result = run("show", "alpha-tech", "--data", str(data))
    assert result.exit_code == 0, result.stderr
    assert TITLES[0] in result.stdout and FORGED not in result.stdout
    assert shown_title(run, data) == TITLES[0]
    assert snapshot(shared) == before


# The other replays: pruning beside `notes-*.jsonl` and friends is
# test_pruning_deletes_only_our_own_databases; truncation is
# test_a_catalogue_truncated_while_its_checksum_is_read_ends_in_exit_3 and
# test_a_large_catalogue_truncated_mid_run_ends_in_exit_3_not_a_signal; SIGTERM and
# SIGHUP are test_a_signal_during_a_first_load_leaves_nothing_behind.


# -- 8. ordinary behaviour ----------------------------------------------------------------


@pytest.mark.parametrize("off", ["--no-cache", "EXCHANGE_NO_CACHE=1"])
def test_no_cache_writes_nothing(run: Run, data: Path, private_cache: Path, off: str) -> None:
    before = snapshot(private_cache)
    for _ in range(2):
        if off == "--no-cache":
            assert titles(run, data, "--no-cache") == TITLES
        else:
            result = run("list", "--data", str(data), "--json", env={"EXCHANGE_NO_CACHE": "1"})
            assert result.exit_code == 0 and json.loads(result.stdout)[0]["title"] == TITLES[0]
    assert snapshot(private_cache) == before


@pytest.mark.parametrize("xdg", [None, "relative/cache"], ids=["unset", "relative"])
def test_a_missing_home_directory_is_never_created(
    run: Run,
    data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    xdg: str | None,
) -> None:
    home = tmp_path / "nonexistent"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME")
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)  # only an absolute one counts
    assert titles(run, data) == TITLES
    assert not home.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["programs.yaml"]


@pytest.mark.parametrize("where", ["a file in its place", "under a file", "in /proc"])
def test_an_unwritable_cache_location_is_not_an_error(
    run: Run, data: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "a file in its place":
        (private_cache / "exchange").write_text("a file where the directory should be")
    elif where == "under a file":
        monkeypatch.setenv("XDG_CACHE_HOME", str(data))
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", "/proc/self")  # not writable, even by root
    for _ in range(2):
        assert titles(run, data) == TITLES


def test_a_database_that_cannot_be_put_in_place_is_not_an_error(
    run: Run, data: Path, cache: Path
) -> None:
    cache.mkdir(mode=0o700)
    database_of(cache, data).mkdir()  # the rename fails
    for _ in range(2):
        assert titles(run, data) == TITLES
    assert [p.name for p in cache.iterdir()] == [database_of(cache, data).name]


EVERY_COMMAND = [
    ["list", "--json"],
    ["list", "--sector", "defence", "--format", "csv"],
    ["summarize", "--json"],
    ["summarize", "--country", "KR", "--json"],
    ["show", "saudi-korea-tech-exchange", "--json"],
    ["search", "petro", "--json"],
    ["flows", "--to", "SA", "--json"],
    ["graph", "--format", "json"],
    ["export"],
]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=" ".join)
def test_every_command_prints_the_same_fresh_first_and_warm(
    run: Run, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    copy = tmp_path / "programs.yaml"
    copy.write_bytes(SHIPPED.read_bytes())
    fresh = run(*command, "--data", str(copy), "--no-cache")
    assert fresh.exit_code == 0 and fresh.stdout, fresh.stderr
    assert not cache.exists()
    first = run(*command, "--data", str(copy))
    built = snapshot(database_of(cache, copy))
    assert built, "the first run should have built the database"
    forbid_parsing(monkeypatch)
    warm = run(*command, "--data", str(copy))
    for result in (first, warm):
        assert (result.exit_code, result.stdout, result.stderr) == (0, fresh.stdout, "")
    assert snapshot(database_of(cache, copy)) == built


def test_hundreds_of_party_values_are_a_query_not_a_damaged_cache(
    run: Run, tmp_path: Path, cache: Path
) -> None:
    """A few hundred `--party` values made an SQL expression deeper than SQLite allows:
    it was reported as a damaged cache (exit 3), and the good database was deleted."""
    from conftest import program_record, write_catalogue

    name = "abcdefghijklmnopqrstuvwxyz0123456789"
    group = {"name": name, "type": "group", "country": None}
    country = {"name": "Saudi Arabia", "type": "country", "country": "SA"}
    data = write_catalogue(tmp_path / "c.yaml", [program_record("p1", parties=[group, country])])
    parts = sorted({name[i:j] for i in range(len(name)) for j in range(i + 2, len(name) + 1)})
    many = [arg for part in parts for arg in ("--party", part)]  # 630 values
    titles(run, data)  # builds the database
    built = ours(cache)
    cached = run("list", "--data", str(data), "--json", *many)
    assert (cached.exit_code, cached.stderr) == (0, ""), cached.stderr
    fresh = run("list", "--data", str(data), "--json", "--no-cache", *many)
    assert cached.stdout == fresh.stdout
    assert ours(cache) == built
