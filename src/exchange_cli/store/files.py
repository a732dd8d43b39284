"""Where databases live, whether to trust them, and when one stands for a catalogue
file: the store's trust model (see the package docstring), lookup, building, pruning."""

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from exchange_cli import __version__
from exchange_cli.errors import CatalogueError, Problem, Terminated, display_name
from exchange_cli.model.records import Catalogue
from exchange_cli.store.records import StoreRecords
from exchange_cli.store.stamp import STAMP

if TYPE_CHECKING:
    from exchange_cli.store.build import ProgramSource

__all__ = [
    "FileKey",
    "StoreRecords",
    "compile_catalogue",
    "compile_stream",
    "checksum",
    "enabled",
    "lookup",
    "trusted_directory",
]

FORMAT = STAMP  # derived from the declaration and the schema (`build.declaration_stamp`)
NO_CACHE_ENV = "EXCHANGE_NO_CACHE"
#: Databases kept; the least recently built go first (each catalogue path makes one).
MAX_ENTRIES = 16
_DATABASE = r"[0-9a-f]{16}\.sqlite3\Z"
_BUILDING = r"[0-9a-f]{16}\.sqlite3\.[0-9]+-[0-9a-f]{8}\.tmp\Z"
_STALE_NS = 3600 * 10**9  # a build file this old was left by a run killed outright
_CHUNK = 1 << 20
#: What a database of ours never holds: fill creates tables and indexes only.
_NOT_OURS = "SELECT 1 FROM sqlite_master WHERE type NOT IN ('table', 'index') LIMIT 1"


def enabled(no_cache: bool = False) -> bool:
    return not no_cache and os.environ.get(NO_CACHE_ENV, "") in ("", "0")


# -- where, and whether to trust it -------------------------------------------------------


def cache_directory() -> Path | None:
    """`$XDG_CACHE_HOME/exchange` (an absolute one only), else `~/.cache/exchange`; None
    when there is no home to speak of: none known (no HOME and no password entry, where
    Python's `Path.home()` raises RuntimeError), an empty HOME (which Python reads as
    `/`), or a relative one (which would put the cache beside the user's data)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if base and os.path.isabs(base):
        return Path(base) / "exchange"
    if os.environ.get("HOME") == "":
        return None
    home = os.path.expanduser("~")
    return Path(home) / ".cache" / "exchange" if os.path.isabs(home) else None


def trusted_directory() -> Path | None:
    """The cache directory, made if needed, when it is safe to use; else None.

    Never raises: a cache that cannot be used only means answering from the file alone
    (README: "The cache"). Every stat is inside the `try`, because Python 3.11's
    `Path.is_dir()` raises on EACCES and ENAMETOOLONG rather than answering False (a home
    under someone else's 0750 directory, seen through `sudo -u`; an over-long HOME)."""
    directory = cache_directory()
    if directory is None:
        return None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    try:
        if not (xdg and os.path.isabs(xdg)) and not stat.S_ISDIR(
            os.stat(directory.parent.parent).st_mode
        ):
            return None  # never create a missing home directory (a daemon's /nonexistent)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = os.lstat(directory)
    except (OSError, ValueError):  # ValueError: a NUL byte, which no path may hold
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        return None
    if info.st_mode & 0o022:
        return None
    return directory if _nobody_else_can_swap(directory) else None


def _nobody_else_can_swap(directory: Path) -> bool:
    """ssh's StrictModes for the way to the cache: each directory above it (as named,
    and as resolved) is owned by root or you, and writable by no one else unless sticky,
    and each link on the way is root's or yours. Otherwise someone else could replace
    the cache directory, or a link to it, between our check and our use."""
    me = os.geteuid()

    def safe(info: os.stat_result) -> bool:
        if info.st_uid not in (0, me):
            return False
        return stat.S_ISLNK(info.st_mode) or not (
            info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX
        )

    try:
        named = Path(os.path.abspath(directory))
        real = Path(os.path.realpath(named))
        if not all(safe(os.lstat(p)) for p in named.parents):
            return False
        # no link on the way (the usual case): the resolved way is the one just checked
        return real == named or all(safe(os.stat(p)) for p in real.parents)
    except OSError:
        return False


class FileKey(tuple[str, int, int, int, int, int, str]):
    """What a database must record to stand for a catalogue file: its real path, device,
    inode, size, modification and change times, and checksum (a plain tuple subclass,
    cheaper to define on every run than a NamedTuple)."""

    __slots__ = ()

    @classmethod
    def of(cls, path: Path, info: os.stat_result, checksum: str) -> "FileKey":
        real = os.path.realpath(path)
        return cls(
            (
                real,
                info.st_dev,
                info.st_ino,
                info.st_size,
                info.st_mtime_ns,
                info.st_ctime_ns,
                checksum,
            )
        )

    @property
    def path(self) -> str:
        return self[0]

    @property
    def checksum(self) -> str:
        return self[6]

    def same_file(self, path: Path, info: os.stat_result) -> bool:
        return self[:6] == FileKey.of(path, info, "")[:6]


def checksum(data: bytes) -> str:
    """The CRC-32 of a catalogue's bytes (zlib's: no OpenSSL to load on every run)."""
    import zlib

    return f"{zlib.crc32(data):08x}"


def checksum_open_file(fd: int, info: os.stat_result, name: str) -> str:
    """`checksum` of an open file, read from the start in pieces (never mapped); a file
    that changes size while it is read is an error (exit 3), not a wrong answer."""
    import zlib

    crc, offset = 0, 0
    while True:
        chunk = os.pread(fd, _CHUNK, offset)
        if not chunk:
            break
        crc = zlib.crc32(chunk, crc)
        offset += len(chunk)
        if offset > info.st_size:
            break
    if offset != info.st_size:
        message = "changed while it was being read; run the command again"
        raise CatalogueError([Problem(name, None, None, "", message)])
    return f"{crc:08x}"


def database_path(directory: Path, real_path: str) -> Path:
    """Where the database of the catalogue at `real_path` lives: named by a checksum of
    the path (two paths that collide only take turns; the path inside decides)."""
    import zlib

    encoded = real_path.encode("utf-8", "surrogateescape")
    name = f"{zlib.crc32(encoded):08x}{zlib.adler32(encoded):08x}"
    return directory / f"{name}.sqlite3"


# -- opening and building -------------------------------------------------------------------


def being_built(directory: Path, path: Path) -> bool:
    """Whether a database of this catalogue is being built now (its build file exists)."""
    final = database_path(directory, os.path.realpath(path))
    try:
        return any(
            name.startswith(f"{final.name}.") and name.endswith(".tmp")
            for name in os.listdir(directory)
        )
    except OSError:
        return False


def lookup(directory: Path, path: Path, fd: int, info: os.stat_result) -> "StoreRecords | None":
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
        if connection.execute(_NOT_OURS).fetchone() is not None:
            raise LookupError  # a view or a trigger: never consulted, so never used
        row = connection.execute("SELECT * FROM source").fetchone()
        if row is None or tuple(row[:2]) != (FORMAT, __version__):
            raise LookupError
        recorded = FileKey(tuple(row[2:9]))
        if not recorded.same_file(path, info):
            raise LookupError
        if recorded.checksum != checksum_open_file(fd, info, display_name(path)):
            raise LookupError
        return StoreRecords(connection, display_name(path), str(database))
    except (sqlite3.Error, LookupError, TypeError, ValueError):
        connection.close()
        return None
    except BaseException:
        connection.close()
        raise


def compile_catalogue(
    catalogue: Catalogue, key: FileKey | None, directory: Path | None
) -> "StoreRecords":
    """A database of the catalogue: in the cache directory when there is one, else in
    memory for this run. A failure to write the cache only means no cache this time."""
    from exchange_cli.store.build import Catalogued

    source = Catalogued(catalogue, key)
    if directory is not None and key is not None:
        with contextlib.suppress(OSError, sqlite3.Error):
            return _compile_to_file(source, key.path, directory)
    from exchange_cli.store.build import fill

    connection = connect(":memory:")
    fill(connection, source, FORMAT)
    return StoreRecords(connection, catalogue.name)


def compile_stream(source: "ProgramSource", path: str, directory: Path) -> "StoreRecords | None":
    """A database of a catalogue checked as its file (real path `path`) is read: built
    in the cache directory and put in place once the whole file is read and valid (an
    invalid one raises `CatalogueError`, and no database is left). None when the cache
    cannot be written: the source may be part read, so the caller reads the file again."""
    try:
        return _compile_to_file(source, path, directory)
    except (OSError, sqlite3.Error):
        return None


def _compile_to_file(source: "ProgramSource", path: str, directory: Path) -> StoreRecords:
    """Build in a file of our own, then rename it into place. A database that cannot
    stand for the file (it changed while it was read: no key) or cannot be put in place
    still answers this run, from its build file, which is removed now."""
    final = database_path(directory, path)
    temporary = final.with_name(f"{final.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    connection = None
    created = False
    with _unwinding_on_signals():
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            with _signals_held():  # else one arriving just after the open leaves the file
                os.close(os.open(temporary, flags, 0o600))
                created = True
            connection = connect(str(temporary))
            connection.execute("PRAGMA journal_mode=OFF")  # the rename makes it atomic
            connection.execute("PRAGMA synchronous=OFF")
            from exchange_cli.store.build import fill

            fill(connection, source, FORMAT)
            kept = source.key() is not None
            if kept:
                try:
                    os.replace(temporary, final)
                except OSError:
                    kept = False
            if not kept:
                os.unlink(temporary)  # the open connection keeps what it holds
        except BaseException:  # Ctrl-C, SIGTERM and SIGHUP included
            if connection is not None:
                connection.close()
            if created:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            raise
    if kept:
        _prune(directory)
    return StoreRecords(connection, source.name)


@contextlib.contextmanager
def _unwinding_on_signals() -> Iterator[None]:
    """While a file is being written, SIGTERM and SIGHUP (a `timeout`, a closed terminal)
    raise `Terminated` instead of killing the process outright, so the half-written
    file is removed; `main` then exits as the signal would."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise Terminated(signum)

    saved = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError):  # not the main thread: leave them be
            saved[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP wait (blocked, then delivered) until the block ends."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


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
    import re
    import time

    database, building = re.compile(_DATABASE), re.compile(_BUILDING)
    databases = []
    uid, now = os.geteuid(), time.time_ns()
    for entry in os.scandir(directory):
        if not (database.match(entry.name) or building.match(entry.name)):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != uid:
                continue
            if building.match(entry.name):
                if now - info.st_mtime_ns > _STALE_NS:
                    os.unlink(entry.path)
            else:
                databases.append((info.st_mtime_ns, entry.path))
    databases.sort(reverse=True)
    for _, path in databases[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            os.unlink(path)
