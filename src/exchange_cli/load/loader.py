"""Catalogue file → validated `Catalogue`, or its problems with file:line:column.

Treats the file as untrusted: regular files (or standard input) only, a size cap, strict
UTF-8, strict YAML (`safeyaml`), then the declaration's checks (`validation`), one
record at a time, so memory holds the programs and one record's raw data, never the
whole file as data. Prints nothing; problems travel in `CatalogueError`.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from exchange_cli.errors import (
    STDIN,
    STDIN_NAME,
    CatalogueError,
    Problem,
    UsageError,
    display_name,
)
from exchange_cli.model.records import Catalogue

if TYPE_CHECKING:  # checking imports these when a file is actually parsed
    from exchange_cli.load.validation import Report

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_BYTES_ENV = "EXCHANGE_MAX_BYTES"
BOM = b"\xef\xbb\xbf"


def default_catalogue_path() -> Path:
    """The shipped catalogue: inside the installed package, else the checkout's data/."""
    package = Path(__file__).resolve().parents[1]  # exchange_cli/
    packaged = package / "data" / "programs.yaml"
    if packaged.is_file():
        return packaged
    return package.parents[1] / "data" / "programs.yaml"


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
    name = display_name(path)
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
        if stat.S_ISFIFO(info.st_mode):
            raise fatal(
                name,
                "is a pipe (a FIFO, or <(...) process substitution), not a regular file; "
                "send it to standard input and name it '-' instead",
            )
        if not stat.S_ISREG(info.st_mode):
            raise fatal(
                name, "is not a regular file (a device, FIFO or socket); refusing to read it"
            )
        if info.st_size > max_bytes:
            raise fatal(name, over_the_limit(max_bytes, f"is {info.st_size:,} bytes, "))
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
        raise fatal(name, over_the_limit(max_bytes, "is "))
    return data


def read_catalogue_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a catalogue file, or of standard input for `-`."""
    if str(path) == STDIN:
        try:  # None when started with `<&-`; no descriptor under some test runners
            fd = sys.stdin.fileno()
        except (AttributeError, ValueError, OSError):
            raise fatal(STDIN_NAME, "standard input is closed; nothing to read") from None
        return read_all(fd, STDIN_NAME, max_bytes)
    fd, info = open_regular(path, max_bytes)
    try:
        return read_all(fd, display_name(path), max_bytes, info.st_size)
    finally:
        os.close(fd)


def over_the_limit(max_bytes: int, what: str) -> str:
    return f"{what}over the {max_bytes:,}-byte limit (raise it with {MAX_BYTES_ENV})"


def fatal(name: str, message: str) -> CatalogueError:
    return CatalogueError([Problem(name, None, None, "", message)])


def decode_text(data: bytes, name: str) -> str:
    """Strict UTF-8 (a leading BOM is allowed); a bad byte is reported with its offset."""
    offset = len(BOM) if data.startswith(BOM) else 0
    try:
        return data[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        start = offset + exc.start
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        message = f"not UTF-8: invalid byte 0x{data[start]:02x} at byte offset {start}"
        raise CatalogueError([Problem(name, line, column, "", message)]) from None


# -- text → programs ---------------------------------------------------------------------------


def catalogue_format(name: str, text: str) -> str:
    """How a catalogue's text is read: "json" for `.json` (a `{"programs": [...]}`
    document), "jsonl" for `.jsonl` and `.ndjson` (one program a line), else "yaml";
    standard input is JSON when it starts like JSON (`safejson.sniff`)."""
    lower = name.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name == STDIN_NAME:
        from exchange_cli.load.safejson import sniff

        return sniff(text) or "yaml"
    return "yaml"


def inspect_text(
    text: str, name: str = "<text>", *, lint: bool = True, form: str | None = None
) -> tuple[Catalogue | None, Report]:
    """Check catalogue text: the catalogue (None when there is any error) and the report.

    Once an error is found no more programs are built (the catalogue is refused anyway),
    but checking goes on so that every problem is counted.
    """
    from exchange_cli.load.reading import read_text

    programs, report = read_text(text, name, form or catalogue_format(name, text), lint=lint)
    if report.errors:
        return None, report
    return Catalogue(programs, name), report


def check_text(
    text: str, name: str = "<text>", *, warnings: bool = True
) -> tuple[Catalogue | None, list[Problem]]:
    """Every problem kept (errors, and warnings unless told not to), in file order."""
    catalogue, report = inspect_text(text, name, lint=warnings)
    return catalogue, report.problems()


# -- files --------------------------------------------------------------------------------------


def load_catalogue(path: Path | None = None, *, max_bytes: int | None = None) -> Catalogue:
    """Read, parse and check a catalogue file (`-` is standard input); raises
    `CatalogueError` with its errors."""
    path = path or default_catalogue_path()
    name = display_name(path)
    data = read_catalogue_bytes(path, max_bytes or max_bytes_from_env())
    return catalogue_from_bytes(data, name)


def catalogue_from_bytes(data: bytes, name: str) -> Catalogue:
    text = decode_text(data, name)
    del data  # a large catalogue: keep one copy of it in memory, not two
    catalogue, report = inspect_text(text, name, lint=False)
    if catalogue is None:
        raise CatalogueError(report.problems(), errors=report.errors)
    return catalogue


def check_catalogue(
    path: Path | None = None, *, max_bytes: int | None = None
) -> tuple[Catalogue | None, Report]:
    """Every problem in a file, warnings included; the catalogue too when it has no
    errors. Raises `CatalogueError` only when the file cannot be read at all."""
    path = path or default_catalogue_path()
    name = display_name(path)
    data = read_catalogue_bytes(path, max_bytes or max_bytes_from_env())
    try:
        text = decode_text(data, name)
    except CatalogueError as exc:
        from exchange_cli.load.validation import Report

        report = Report(name)
        for problem in exc.problems:
            report.at(problem.line, problem.column, problem.message)
        return None, report
    return inspect_text(text, name)


def load_both(old: Path | str, new: Path | str) -> tuple[Catalogue, Catalogue]:
    """The two catalogues `diff` compares; '-' (standard input) for one of them."""
    if str(old) == STDIN and str(new) == STDIN:
        raise UsageError("only one of OLD and NEW can be '-' (standard input is read once)")
    return load_catalogue(Path(old)), load_catalogue(Path(new))
