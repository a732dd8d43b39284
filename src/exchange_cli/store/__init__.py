"""Validated catalogues compiled into SQLite, and the `StoreSource` that answers queries
from one.

A catalogue is parsed and checked once, then compiled into a database: programs with
indexed sectors, countries, parties and party keys, and a full-text index of their
words. A later run of the same file opens the database instead of parsing YAML. When no
trusted cache directory is at hand (or `--no-cache`), the database is built in memory
for the run, so every query takes the same path.

Trust model (each point tested in tests/test_store.py; the README's "The cache"):

- The directory is `$XDG_CACHE_HOME/exchange` (an absolute XDG_CACHE_HOME only), else
  `~/.cache/exchange`; a missing home directory is never created. It is used only when
  it is a real directory (not a symlink), owned by the user, and not writable by group
  or others, as ssh treats `~/.ssh`; otherwise the command answers from the file alone.
- Only files named like ours are written or deleted: `<32 hex>.sqlite3`, and
  `<32 hex>.sqlite3.<pid>-<8 hex>.tmp` while one is built. A database is opened only
  when it is a regular file owned by the user.
- A database is used only when it records this exact file: its real path, device,
  inode, size, modification and change times, and the SHA-256 of its bytes, read (never
  mapped: a file truncated while it is read ends in exit 3, not a signal).
- A database is built in a temporary file (created exclusively, mode 0600) and renamed
  into place; an interrupted build (Ctrl-C, SIGTERM, SIGHUP) removes it.
- Reading runs no code: no extension is loaded, triggers and views are never consulted
  (`trusted_schema` off, read-only), and records are JSON, type-checked when rebuilt.
"""

import contextlib
import os
import re
import sqlite3
import stat
from pathlib import Path
from typing import NamedTuple

from exchange_cli import __version__
from exchange_cli.errors import CatalogueError, Problem
from exchange_cli.model import Catalogue
from exchange_cli.store.build import FORMAT, fill
from exchange_cli.store.source import StoreSource

__all__ = [
    "SourceKey",
    "StoreSource",
    "compile_catalogue",
    "content_hash",
    "enabled",
    "lookup",
    "trusted_directory",
]

NO_CACHE_ENV = "EXCHANGE_NO_CACHE"
#: Databases kept; the least recently built go first (each catalogue path makes one).
MAX_ENTRIES = 16
_DATABASE = re.compile(r"[0-9a-f]{32}\.sqlite3\Z")
_BUILDING = re.compile(r"[0-9a-f]{32}\.sqlite3\.[0-9]+-[0-9a-f]{8}\.tmp\Z")
_STALE_NS = 3600 * 10**9  # a build file this old was left by a run killed outright
_CHUNK = 1 << 20


def enabled(no_cache: bool = False) -> bool:
    return not no_cache and os.environ.get(NO_CACHE_ENV, "") in ("", "0")


# -- where, and whether to trust it -------------------------------------------------------


def cache_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "exchange"


def trusted_directory() -> Path | None:
    """The cache directory, made if needed, when it is safe to use; else None."""
    directory = cache_directory()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if not (xdg and os.path.isabs(xdg)) and not directory.parent.parent.is_dir():
        return None  # never create a missing home directory (a daemon's /nonexistent)
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = os.lstat(directory)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        return None
    if info.st_mode & 0o022:
        return None
    return directory


class SourceKey(NamedTuple):
    """What a database must record to stand for a catalogue file."""

    path: str
    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path, info: os.stat_result, sha256: str) -> "SourceKey":
        return cls(
            os.path.realpath(path),
            info.st_dev,
            info.st_ino,
            info.st_size,
            info.st_mtime_ns,
            info.st_ctime_ns,
            sha256,
        )

    def same_file(self, path: Path, info: os.stat_result) -> bool:
        return self[:-1] == SourceKey.of(path, info, "")[:-1]


def content_hash(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def hash_open_file(fd: int, info: os.stat_result, name: str) -> str:
    """SHA-256 of an open file's bytes, read from the start (never mapped); a file that
    changes size while it is read is an error (exit 3), not a wrong answer."""
    import hashlib

    digest = hashlib.sha256()
    offset = 0
    while True:
        chunk = os.pread(fd, _CHUNK, offset)
        if not chunk:
            break
        digest.update(chunk)
        offset += len(chunk)
        if offset > info.st_size:
            break
    if offset != info.st_size:
        message = "changed while it was being read; run the command again"
        raise CatalogueError([Problem(name, None, None, "", message)])
    return digest.hexdigest()


def database_path(directory: Path, real_path: str) -> Path:
    import hashlib

    name = hashlib.sha256(real_path.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return directory / f"{name}.sqlite3"


# -- opening and building -------------------------------------------------------------------


def lookup(directory: Path, path: Path, fd: int, info: os.stat_result) -> "StoreSource | None":
    """The database compiled from exactly this file, or None."""
    database = database_path(directory, os.path.realpath(path))
    try:
        entry = os.lstat(database)
    except OSError:
        return None
    if not stat.S_ISREG(entry.st_mode) or entry.st_uid != os.geteuid():
        return None
    try:
        connection = connect(f"file:{_uri_path(database)}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT * FROM source").fetchone()
        if row is None or tuple(row[:2]) != (FORMAT, __version__):
            raise LookupError
        recorded = SourceKey(*row[2:9])
        if not recorded.same_file(path, info):
            raise LookupError
        if recorded.sha256 != hash_open_file(fd, info, str(path)):
            raise LookupError
        return StoreSource(connection, str(path))
    except (sqlite3.Error, LookupError, TypeError, ValueError):
        connection.close()
        return None
    except BaseException:
        connection.close()
        raise


def compile_catalogue(
    catalogue: Catalogue, key: SourceKey | None, directory: Path | None
) -> "StoreSource":
    """A database of the catalogue: in the cache directory when there is one, else in
    memory for this run. A failure to write the cache only means no cache this time."""
    if directory is not None and key is not None:
        with contextlib.suppress(OSError, sqlite3.Error):
            return _compile_to_file(catalogue, key, directory)
    connection = connect(":memory:")
    fill(connection, catalogue, key)
    return StoreSource(connection, catalogue.name)


def _compile_to_file(catalogue: Catalogue, key: SourceKey, directory: Path) -> "StoreSource":
    final = database_path(directory, key.path)
    temporary = final.with_name(f"{final.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    connection = None
    try:
        connection = connect(str(temporary))
        connection.execute("PRAGMA journal_mode=OFF")  # the rename is what makes it atomic
        connection.execute("PRAGMA synchronous=OFF")
        fill(connection, catalogue, key)
        os.replace(temporary, final)
    except BaseException:  # Ctrl-C, SIGTERM, SIGHUP (see main) included
        if connection is not None:
            connection.close()
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _prune(directory)
    return StoreSource(connection, catalogue.name)


def connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
    connection = sqlite3.connect(target, uri=uri, check_same_thread=False)
    connection.execute("PRAGMA trusted_schema=OFF")
    return connection


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path))


def _prune(directory: Path) -> None:
    """Keep the `MAX_ENTRIES` most recently built databases and no stale build files;
    never touch a file that is not named like ours, not regular, or not the user's."""
    import time

    databases = []
    uid, now = os.geteuid(), time.time_ns()
    for entry in os.scandir(directory):
        if not (_DATABASE.match(entry.name) or _BUILDING.match(entry.name)):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != uid:
                continue
            if _BUILDING.match(entry.name):
                if now - info.st_mtime_ns > _STALE_NS:
                    os.unlink(entry.path)
            else:
                databases.append((info.st_mtime_ns, entry.path))
    databases.sort(reverse=True)
    for _, path in databases[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            os.unlink(path)
