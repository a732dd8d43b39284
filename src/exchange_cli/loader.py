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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exchange_cli.errors import STDIN_NAME, CatalogueError, Problem, UsageError
from exchange_cli.model import Catalogue

if TYPE_CHECKING:  # checking imports these when a file is actually parsed
    from exchange_cli.model import Program
    from exchange_cli.validation import Marks, Report

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_BYTES_ENV = "EXCHANGE_MAX_BYTES"
STDIN = "-"
_BOM = b"\xef\xbb\xbf"


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
        try:  # None when started with `<&-`; no descriptor under some test runners
            fd = sys.stdin.fileno()
        except (AttributeError, ValueError, OSError):
            raise fatal(STDIN_NAME, "standard input is closed; nothing to read") from None
        return read_all(fd, STDIN_NAME, max_bytes)
    fd, info = open_regular(path, max_bytes)
    try:
        return read_all(fd, str(path), max_bytes, info.st_size)
    finally:
        os.close(fd)


def _over(max_bytes: int, what: str) -> str:
    return f"{what}over the {max_bytes:,}-byte limit (raise it with {MAX_BYTES_ENV})"


def fatal(name: str, message: str) -> CatalogueError:
    return CatalogueError([Problem(name, None, None, "", message)])


def decode_text(data: bytes, name: str) -> str:
    """Strict UTF-8 (a leading BOM is allowed); a bad byte is reported with its offset."""
    offset = len(_BOM) if data.startswith(_BOM) else 0
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
        from exchange_cli.safejson import sniff

        return sniff(text) or "yaml"
    return "yaml"


def inspect_text(
    text: str, name: str = "<text>", *, lint: bool = True, form: str | None = None
) -> tuple[Catalogue | None, Report]:
    """Check catalogue text: the catalogue (None when there is any error) and the report.

    Once an error is found no more programs are built (the catalogue is refused anyway),
    but checking goes on so that every problem is counted.
    """
    from exchange_cli.validation import Report

    report = Report(name)
    programs = _Programs(report, lint)
    form = form or catalogue_format(name, text)
    if form in ("json", "jsonl"):
        _read_json(text, report, programs, form == "jsonl")
    else:
        _read_yaml(text, report, programs)
    programs.finish()
    if report.errors:
        return None, report
    return Catalogue(programs.found, name), report


class _Programs:
    """Checked programs, in file order, taken one record at a time. A record that is
    exactly right is built by the compiled check (`fastcheck`); anything else, and every
    record when warnings are wanted, goes through the full walk, with its positions."""

    __slots__ = ("report", "lint", "found", "first_ids", "fast", "actors")

    def __init__(self, report: Report, lint: bool) -> None:
        from exchange_cli.fastcheck import fast_checker
        from exchange_cli.model import Program
        from exchange_cli.validation import Actors

        self.report, self.lint = report, lint
        self.found: list[Program] = []
        self.first_ids: dict[str, int] = {}
        self.fast = None if lint else fast_checker(Program)
        self.actors = Actors()

    def take(self, raw: Any, index: int, marks: Callable[[], Marks], slow: bool = False) -> None:
        from exchange_cli.fields import INVALID
        from exchange_cli.model import Program
        from exchange_cli.validation import Marks, check_record, claim_id

        report = self.report
        program = self.fast(raw) if self.fast is not None and not slow else None
        if program is not None and program.id not in self.first_ids:
            self.first_ids[program.id] = index
            conflicts = self.actors.conflicts(program, index)
            if not conflicts:
                if not report.errors:
                    self.found.append(program)
                return
            report.marks = marks()
            for path, message in conflicts:
                report.error(path, message)
            report.marks = Marks()
            return
        report.marks = marks()
        unique = claim_id(raw, index, self.first_ids, report)
        program = check_record(
            Program, raw, ("programs", index), report, "a program", lint=self.lint
        )
        if program is not INVALID:
            for path, message in self.actors.conflicts(program, index):
                report.error(path, message)
            if self.lint:
                self.actors.note(program, index, report)
        if program is not INVALID and unique and not report.errors:
            self.found.append(program)
        report.marks = Marks()

    def finish(self) -> None:
        """What only the whole file shows: actors that look alike (warnings)."""
        if self.lint:
            self.actors.warnings(self.report)


def _read_yaml(text: str, report: Report, programs: _Programs) -> None:
    from exchange_cli.safeyaml import Reader, YamlError

    def duplicate(path: tuple[str | int, ...], mark: tuple[int, int], message: str) -> None:
        report.at(*mark, message, path)

    with Reader(text, duplicate) as reader:
        try:
            reader.begin()
            _read_document(reader, report, programs)
            reader.end()
        except YamlError as exc:
            report.fatal(exc.line, exc.column, exc.message)


def _read_json(text: str, report: Report, programs: _Programs, lines: bool) -> None:
    """A JSON document or JSON Lines, record by record; a record's positions are worked
    out only when it has a problem (and only while problems are still being kept)."""
    from exchange_cli.safejson import JsonError, Reader
    from exchange_cli.validation import Marks

    def problem(line: int, column: int, message: str, path: tuple[str | int, ...]) -> None:
        report.at(line, column, message, ("programs", *path) if lines else path)

    reader = Reader(text, problem, lines=lines)
    try:
        for index, raw, start, end in reader.records():
            at = ("programs", index)
            surrogate = reader.lone_surrogate(start, end)
            if surrogate is not None:
                message = "a lone surrogate escape (\\ud800 to \\udfff) is not a character"
                report.at(*surrogate, message, at)
                continue
            found: list[Marks] = []

            def marks(
                start: int = start,
                end: int = end,
                at: tuple[str | int, ...] = at,
                found: list[Marks] = found,
            ) -> Marks:
                if not found:
                    if report.errors >= report.limit and report.warnings >= report.limit:
                        return Marks()  # nothing more is kept: no position is needed
                    values, keys, duplicates = reader.record_marks(start, end, at)
                    found.append(Marks(values, keys))
                return found[0]

            if reader.duplicated:
                _, _, duplicates = reader.record_marks(start, end, at)
                for path, (line, column), message in duplicates:
                    report.at(line, column, message, path)
            programs.take(raw, index, marks, slow=reader.duplicated)
    except JsonError as exc:
        report.fatal(exc.line, exc.column, exc.message)


def _read_document(reader: Any, report: Report, programs: _Programs) -> None:
    from exchange_cli.fields import describe
    from exchange_cli.vocab import excerpt

    line, column = reader.mark()
    kind = reader.kind()
    if kind != "mapping":
        value = reader.read(()) if kind == "scalar" else reader.skip() or []
        report.at(
            line,
            column,
            f"the top level must be a mapping with a 'programs' list, not {describe(value)}",
        )
        return
    found = False
    for key, key_mark in reader.entries(()):
        if key != "programs":
            unknown = f"unknown top-level key '{excerpt(key)}' (expected only 'programs')"
            report.at(key_mark[0], key_mark[1], unknown, (key,))
            reader.skip()
            continue
        found = True
        at_line, at_column = reader.mark()
        if reader.kind() != "sequence":
            value = (
                reader.read(("programs",)) if reader.kind() == "scalar" else reader.skip() or {}
            )
            got = f"expected a list of programs, got {describe(value)}"
            report.at(at_line, at_column, got, ("programs",))
            continue
        _read_programs(reader, programs)
    if not found:
        report.at(line, column, "missing the top-level 'programs' list")


def _read_programs(reader: Any, programs: _Programs) -> None:
    from exchange_cli.validation import Marks

    for index in reader.items():
        values: dict[tuple[str | int, ...], tuple[int, int]] = {}
        keys: dict[tuple[str | int, ...], tuple[int, int]] = {}
        raw = reader.read(("programs", index), values, keys)
        programs.take(raw, index, lambda: Marks(values, keys))  # noqa: B023 - called at once


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
        from exchange_cli.validation import Report

        report = Report(name)
        for problem in exc.problems:
            report.at(problem.line, problem.column, problem.message)
        return None, report
    return inspect_text(text, name)
