"""Where catalogues come from, and how one is opened for querying: the file (or standard
input) read safely, then either the store's copy when it holds this exact file, or the
file checked and compiled (`loader` → `store`). The one module that knows both.

Reading treats the file as untrusted: regular files (or standard input) only, and a
size cap checked before anything is read.
"""

import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from exchange_cli.errors import CatalogueError, Problem, UsageError

if TYPE_CHECKING:
    from exchange_cli.source import RecordSource

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_BYTES_ENV = "EXCHANGE_MAX_BYTES"
STDIN = "-"
STDIN_NAME = "<stdin>"


def default_catalogue_path() -> Path:
    """The shipped catalogue: inside the installed package, else the checkout's data/."""
    packaged = Path(__file__).resolve().parent / "data" / "programs.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "programs.yaml"


def display_name(path: Path | str) -> str:
    """How a catalogue is named in messages: `<stdin>` for `-`."""
    return STDIN_NAME if str(path) == STDIN else str(path)


def max_bytes_from_env() -> int:
    """EXCHANGE_MAX_BYTES: a positive whole number of bytes, in ASCII digits (a typo, or
    `²`, which `str.isdigit` accepts, is an error, not ignored)."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18 or int(raw) == 0:
        shown = raw[:40].encode("unicode_escape").decode("ascii")
        raise UsageError(f"{MAX_BYTES_ENV} must be a positive number of bytes, not '{shown}'")
    return int(raw)


# -- bytes -----------------------------------------------------------------------------------


def open_regular(path: Path, max_bytes: int) -> tuple[int, os.stat_result]:
    """An open descriptor of a regular file within the size limit (the caller closes it):
    a directory, FIFO or device is refused before anything is read from it."""
    name = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise fatal(name, "no such file") from None
    except IsADirectoryError:
        raise fatal(name, "is a directory, not a catalogue file") from None
    except OSError as exc:
        raise fatal(name, f"cannot open: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise fatal(name, "is a directory, not a catalogue file")
        if not stat.S_ISREG(info.st_mode):
            raise fatal(
                name, "is not a regular file (a device, FIFO or socket); refusing to read it"
            )
        if info.st_size > max_bytes:
            raise fatal(name, _over(max_bytes, f"is {info.st_size:,} bytes, "))
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def read_all(fd: int, name: str, max_bytes: int, size_hint: int = 0) -> bytes:
    """Every byte up to `max_bytes` (one more means too large: the file grew, or a pipe
    holds more than the cap)."""
    chunks: list[bytes] = []
    remaining = max_bytes + 1
    size = max(size_hint + 1, 1 << 16)  # usually the whole file in one read, no join
    try:
        while remaining > 0:
            chunk = os.read(fd, min(remaining, size))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise fatal(name, f"cannot read: {exc.strerror or exc}") from None
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) > max_bytes:
        raise fatal(name, _over(max_bytes, "is "))
    return data


def read_catalogue_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a catalogue file, or of standard input for `-`."""
    if str(path) == STDIN:
        return read_all(sys.stdin.fileno(), STDIN_NAME, max_bytes)
    fd, info = open_regular(path, max_bytes)
    try:
        return read_all(fd, str(path), max_bytes, info.st_size)
    finally:
        os.close(fd)


def _over(max_bytes: int, what: str) -> str:
    return f"{what}over the {max_bytes:,}-byte limit (raise it with {MAX_BYTES_ENV})"


def fatal(name: str, message: str) -> CatalogueError:
    return CatalogueError([Problem(name, None, None, "", message)])


def open_catalogue(path: Path | None = None, *, cache: bool = True) -> "RecordSource":
    """The catalogue at `path` (the shipped one by default; `-` for standard input) as a
    record source. `CatalogueError` when it cannot be read or does not validate."""
    try:
        from exchange_cli import store
    except ImportError:  # a Python built without sqlite3: plain Python answers
        return _in_memory(path)
    path = path or default_catalogue_path()
    name = display_name(path)
    limit = max_bytes_from_env()
    if str(path) == STDIN:
        from exchange_cli.loader import catalogue_from_bytes

        catalogue = catalogue_from_bytes(read_catalogue_bytes(path, limit), name)
        return store.compile_catalogue(catalogue, None, None)
    directory = store.trusted_directory() if cache and store.enabled() else None
    fd, info = open_regular(path, limit)
    try:
        if directory is not None:
            found = store.lookup(directory, path, fd, info)
            if found is not None:
                found.name = name
                return found
        data = read_all(fd, name, limit, info.st_size)
    finally:
        os.close(fd)
    whole = directory is not None and len(data) == info.st_size  # not changed as we read
    key = store.SourceKey.of(path, info, store.checksum(data)) if whole else None
    from exchange_cli.loader import catalogue_from_bytes

    catalogue = catalogue_from_bytes(data, name)
    del data
    return store.compile_catalogue(catalogue, key, directory)


def _in_memory(path: Path | None) -> "RecordSource":
    from exchange_cli.loader import load_catalogue
    from exchange_cli.source import MemorySource

    return MemorySource(load_catalogue(path))
