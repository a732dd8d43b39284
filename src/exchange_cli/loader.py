"""Catalogue file → validated `Catalogue`, or every problem with file:line:column.

Treats the file as untrusted: regular files only, a size cap, strict UTF-8, strict
YAML (see `safeyaml`), then field-by-field validation against the model and the
vocabularies. Prints nothing; problems travel in `CatalogueError`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from exchange_cli.errors import CatalogueError, Problem, UsageError
from exchange_cli.model import (
    Catalogue,
)

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_BYTES_ENV = "EXCHANGE_MAX_BYTES"
_BOM = b"\xef\xbb\xbf"

PathTuple = tuple[str | int, ...]


def default_catalogue_path() -> Path:
    """The shipped catalogue: inside the installed package, else the checkout's data/."""
    packaged = Path(__file__).resolve().parent / "data" / "programs.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "programs.yaml"


def max_bytes_from_env() -> int:
    """EXCHANGE_MAX_BYTES, a positive whole number of bytes (a typo is an error, not ignored)."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    if not raw.isdigit() or int(raw) == 0 or len(raw) > 18:
        raise UsageError(f"{MAX_BYTES_ENV} must be a positive number of bytes, not '{raw[:40]}'")
    return int(raw)


def read_catalogue_bytes(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES, *, follow_symlinks: bool = True
) -> bytes:
    """The file's bytes; refuses non-regular files and files over `max_bytes` before reading."""
    fd, info = open_catalogue(path, max_bytes, follow_symlinks=follow_symlinks)
    try:
        return _read_all(fd, info, str(path), max_bytes)
    finally:
        os.close(fd)


def open_catalogue(
    path: Path, max_bytes: int, *, follow_symlinks: bool = True
) -> tuple[int, os.stat_result]:
    """An open descriptor of a regular file within the size limit (the caller closes it).

    `follow_symlinks=False` is for files in a place others might plant a link (the cache).
    """
    name = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _fatal(name, "no such file") from None
    except IsADirectoryError:
        raise _fatal(name, "is a directory, not a catalogue file") from None
    except OSError as exc:
        raise _fatal(name, f"cannot open: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _fatal(name, "is a directory, not a catalogue file")
        if not stat.S_ISREG(info.st_mode):
            raise _fatal(
                name, "is not a regular file (a device, FIFO or socket); refusing to read it"
            )
        if info.st_size > max_bytes:
            raise _fatal(
                name,
                f"is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit "
                f"(raise it with {MAX_BYTES_ENV})",
            )
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def _read_all(fd: int, info: os.stat_result, name: str, max_bytes: int) -> bytes:
    try:
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        size = max(info.st_size + 1, 1 << 16)  # usually the whole file in one read, no join
        while remaining > 0:
            chunk = os.read(fd, min(remaining, size))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise _fatal(name, f"cannot read: {exc.strerror or exc}") from None
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) > max_bytes:  # the file grew while we read it
        raise _fatal(name, f"is over the {max_bytes:,}-byte limit (raise it with {MAX_BYTES_ENV})")
    return data


def decode_text(data: bytes, name: str) -> str:
    """Strict UTF-8 (a leading BOM is allowed); a bad byte is reported with its offset."""
    offset = len(_BOM) if data.startswith(_BOM) else 0
    try:
        return data[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        start = offset + exc.start
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        bad = data[start]
        raise CatalogueError(
            [
                Problem(
                    name,
                    line,
                    column,
                    "",
                    f"not UTF-8: invalid byte 0x{bad:02x} at byte offset {start}",
                )
            ]
        ) from None


def load_catalogue(
    path: Path | None = None, *, max_bytes: int | None = None, use_cache: bool = False
) -> Catalogue:
    """Read, parse and validate a catalogue file; raises `CatalogueError` on any error.

    With `use_cache`, a validated copy from an earlier run of the same file is used when
    it matches exactly (see `cache`), and a fresh load is stored for next time.
    """
    path = path or default_catalogue_path()
    limit = max_bytes or max_bytes_from_env()
    fd, info = open_catalogue(path, limit)
    try:
        if use_cache:
            from exchange_cli import cache

            # Hashed in place (a large file is mapped, not copied): a hit reads nothing else.
            cached = cache.read(cache.file_key(path, fd, info), str(path))
            if cached is not None:
                return cached
        data = _read_all(fd, info, str(path), limit)
    finally:
        os.close(fd)
    # The key of the bytes about to be parsed, so an edit racing this run cannot be
    # cached under the old content's key.
    key = cache.source_key(path, data, info) if use_cache else None
    text = decode_text(data, str(path))
    del data  # a large catalogue: keep one copy of its text in memory, not two
    catalogue, problems = check_text(text, str(path), warnings=False)
    del text
    if catalogue is None:
        raise CatalogueError([p for p in problems if p.severity == "error"])
    if key is not None:
        cache.write(key, catalogue)
    return catalogue


def check_catalogue(
    path: Path | None = None, *, max_bytes: int | None = None
) -> tuple[Catalogue | None, list[Problem]]:
    """Every problem in a file, warnings included; the catalogue too when it has no errors.

    Raises `CatalogueError` only when the file cannot be read at all.
    """
    path = path or default_catalogue_path()
    data = read_catalogue_bytes(path, max_bytes or max_bytes_from_env())
    try:
        text = decode_text(data, str(path))
    except CatalogueError as exc:
        return None, exc.problems
    return check_text(text, str(path))


def check_text(
    text: str, name: str = "<text>", *, warnings: bool = True
) -> tuple[Catalogue | None, list[Problem]]:
    """Validate catalogue text: (catalogue or None if any error, problems sorted by position).

    With `warnings=False`, a file with only warnings is not parsed a second time to locate them.
    """
    from exchange_cli.safeyaml import parse
    from exchange_cli.yamltypes import YamlError

    try:
        parsed = parse(text)
    except YamlError as exc:
        return None, [Problem(name, exc.line, exc.column, "", exc.message)]
    from exchange_cli.validation import Validator

    validator = Validator()
    programs = validator.document(parsed.data)
    raw = validator.problems
    if not warnings:
        raw = [issue for issue in raw if issue.severity == "error"]
    if not raw and not parsed.duplicates:
        return Catalogue(tuple(programs), name), []
    # Something to report: parse again, this time remembering where every value starts.
    located = parse(text, with_marks=True)
    assert located.marks is not None and located.key_marks is not None
    problems = [
        Problem(name, line, column, format_path(path), message)
        for path, (line, column), message in parsed.duplicates
    ]
    for issue in raw:
        line, column = _locate(issue.path, issue.at_key, located.marks, located.key_marks)
        problems.append(
            Problem(name, line, column, format_path(issue.path), issue.message, issue.severity)
        )
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    has_errors = any(p.severity == "error" for p in problems)
    return (None if has_errors else Catalogue(tuple(programs), name)), problems


def format_path(path: PathTuple) -> str:
    """`("programs", 3, "sectors", 1)` → `programs[3].sectors[1]`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _locate(
    path: PathTuple,
    at_key: bool,
    marks: Mapping[PathTuple, tuple[int, int]],
    key_marks: Mapping[PathTuple, tuple[int, int]],
) -> tuple[int | None, int | None]:
    if at_key and path in key_marks:
        return key_marks[path]
    while path:
        if path in marks:
            return marks[path]
        path = path[:-1]
    return marks.get((), (None, None))


def _fatal(name: str, message: str) -> CatalogueError:
    return CatalogueError([Problem(name, None, None, "", message)])
