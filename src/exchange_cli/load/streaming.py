"""A first load in bounded memory: the catalogue file read a piece at a time, each piece
decoded, parsed and checked, and each good program handed to the store as it comes, so
memory holds a piece of the file and a batch of programs, never the whole catalogue
(BENCHMARKS.md, "Large catalogues").

`FileText` does for one piece at a time what `loader.read_all` and `loader.decode_text`
do for a whole file: the size cap, strict UTF-8 (a leading BOM skipped, a bad byte
reported at the same line, column and offset, in the same words), and the CRC-32 the
store records for the file (`store.files.checksum` of the same bytes). `CatalogueFile`
is what the store's `fill` takes (`store.build.ProgramSource`): it reads the file
through `reading.read_stream` and raises `CatalogueError`, with the problems a whole
read reports, when the file does not validate, so no database is kept for it.
"""

import codecs
import os
import re
import zlib
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from exchange_cli.errors import CatalogueError, Problem
from exchange_cli.load.loader import BOM, catalogue_format, fatal, over_the_limit
from exchange_cli.load.validation import Actors
from exchange_cli.model.fields import Path as PathOf
from exchange_cli.model.records import Program

if TYPE_CHECKING:
    from exchange_cli.load.reading import Sink
    from exchange_cli.store.files import FileKey

#: Bytes read from the file at a time: large enough that a read, a decode and the
#: parser's bookkeeping cost little per byte, small beside a catalogue.
PIECE = 1 << 20
#: Text already handed to the parser that is kept for `find`: more than the YAML
#: parsers read ahead of the character they are checking (libyaml 16 KiB of bytes, one
#: read of ours at a time; PyYAML 4,096 characters).
RECENT = 1 << 18

Mark = tuple[int, int]
#: A match: its line, column and text.
Found = tuple[int, int, str]


class FileText:
    """The text of an open catalogue file, read and decoded a piece at a time, for a
    parser to `read` (the YAML parsers take it as a file) or take by `pieces` (JSON)."""

    def __init__(self, fd: int, name: str, max_bytes: int, *, piece: int = PIECE) -> None:
        self.name = name
        self.size = 0  # bytes read so far
        self._fd, self._max_bytes, self._piece = fd, max_bytes, max(piece, 1)
        self._crc = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._started = self._ended = False
        # where the bytes decoded so far end: for a bad byte's line and column
        self._newlines, self._line_start = 0, 0
        # the text handed out lately, each piece with the line and column it starts at
        self._recent: deque[tuple[Mark, str]] = deque()
        self._recent_length = 0
        self._next_mark: Mark = (1, 1)
        self._current = ""
        self._served = 0

    @property
    def checksum(self) -> str:
        return f"{self._crc:08x}"

    # -- bytes -------------------------------------------------------------------------

    def _read(self) -> bytes:
        """The next bytes of the file (b"" at its end), counted against the cap."""
        try:
            data = os.read(self._fd, min(self._max_bytes + 1 - self.size, self._piece))
        except OSError as exc:
            raise fatal(self.name, f"cannot read: {exc.strerror or exc}") from None
        self.size += len(data)
        if self.size > self._max_bytes:
            raise fatal(self.name, over_the_limit(self._max_bytes, "is "))
        self._crc = zlib.crc32(data, self._crc)
        return data

    def _decoded(self) -> str:
        """The next piece of text; "" only at the end of the file."""
        while not self._ended:
            data = self._read()
            skipped = 0
            if not self._started:  # a leading byte order mark is not text
                while data and len(data) < len(BOM) and BOM.startswith(data):
                    more = self._read()
                    if not more:
                        break
                    data += more
                self._started = True
                if data.startswith(BOM):
                    skipped = len(BOM)
            pending = len(self._decoder.getstate()[0])
            try:
                text = self._decoder.decode(data[skipped:] if skipped else data, not data)
            except UnicodeDecodeError as exc:
                raise self._not_utf8(exc, self.size - len(data) + skipped - pending) from None
            newlines = data.count(b"\n")
            if newlines:
                self._newlines += newlines
                self._line_start = self.size - len(data) + data.rfind(b"\n") + 1
            self._ended = not data
            if text:
                return text
        return ""

    def _not_utf8(self, exc: UnicodeDecodeError, base: int) -> CatalogueError:
        """`decode_text`'s problem for the bad byte: `exc.object` is what the decoder
        held (a character cut by the last read, and this read), from offset `base`."""
        start = base + exc.start
        before = exc.object[: exc.start]
        newline = before.rfind(b"\n")
        line = self._newlines + before.count(b"\n") + 1
        line_start = base + newline + 1 if newline >= 0 else self._line_start
        message = f"not UTF-8: invalid byte 0x{exc.object[exc.start]:02x} at byte offset {start}"
        return CatalogueError([Problem(self.name, line, start - line_start + 1, "", message)])

    # -- text ----------------------------------------------------------------------------

    def _next_piece(self) -> str:
        """Decode the next piece and remember it, with where it starts, for `find`."""
        piece = self._decoded()
        if piece:
            self._recent.append((self._next_mark, piece))
            self._recent_length += len(piece)
            while self._recent_length - len(self._recent[0][1]) >= RECENT:
                self._recent_length -= len(self._recent.popleft()[1])
            line, column = self._next_mark
            newline = piece.rfind("\n")
            if newline < 0:
                self._next_mark = (line, column + len(piece))
            else:
                self._next_mark = (line + piece.count("\n"), len(piece) - newline)
        return piece

    def read(self, size: int = -1) -> str:
        """`size` characters (the rest of a piece when not given), fewer only at the end
        of the file, as a file's `read`: so a parser reads as far ahead as it does in a
        string, and finds what it refuses (a syntax error, a control character) in the
        same order."""
        if size < 0:
            size = max(len(self._current) - self._served, 1)
        parts = []
        while size > 0:
            if self._served >= len(self._current):
                self._current, self._served = self._next_piece(), 0
                if not self._current:
                    break
            start, current = self._served, self._current
            self._served = min(len(current), start + size)
            size -= self._served - start
            parts.append(
                current
                if start == 0 and self._served == len(current)
                else current[start : self._served]
            )
        return "".join(parts)

    def pieces(self) -> Iterator[str]:
        """The text, piece by piece (for a reader that keeps its own window)."""
        while piece := self._next_piece():
            yield piece

    def find(self, pattern: "re.Pattern[str]") -> Found | None:
        """Where `pattern` first matches in the text handed out lately, and what it
        matched: a parser that refuses a character says how far it has read, not on
        which line."""
        handed = len(self._current) - self._served  # decoded, not yet handed out
        for number, (mark, piece) in enumerate(self._recent):
            end = len(piece) - handed if number == len(self._recent) - 1 else len(piece)
            found = pattern.search(piece, 0, end)
            if found is not None:
                return _placed(found, mark, piece)
        return None

    def find_ahead(self, pattern: "re.Pattern[str]") -> Found | None:
        """Where `pattern` first matches in the text not handed out yet (reading the
        rest of the file for it): what a parser that checks a string whole before it
        parses (PyYAML's own) would have found first."""
        piece, start = self._current, self._served
        while piece:
            found = pattern.search(piece, start)
            if found is not None:
                return _placed(found, self._recent[-1][0], piece)
            piece, start = self._next_piece(), 0
            self._current, self._served = piece, len(piece)
        return None

    def drain(self) -> None:
        """Read the file to its end: every byte is checksummed and must be UTF-8 (a bad
        byte anywhere is the one problem reported, as when the file is read whole)."""
        while self._decoded():
            pass


class Claims(dict[str, int]):
    """Ids already used, and the index of the record that used each first: those of
    programs handed to the sink are asked of it (its store has them indexed), only the
    rest (records with problems, or read after the first error) are held here. So a
    valid catalogue's ids are not all held in memory at once."""

    __slots__ = ("sink",)

    def __init__(self, sink: "Sink") -> None:
        super().__init__()
        self.sink = sink

    def __contains__(self, program_id: object) -> bool:
        if dict.__contains__(self, program_id):
            return True
        return type(program_id) is str and self.sink.position_of(program_id) is not None

    def __getitem__(self, program_id: str) -> int:
        if dict.__contains__(self, program_id):
            return dict.__getitem__(self, program_id)
        found = self.sink.position_of(program_id)
        if found is None:
            raise KeyError(program_id)
        return found


class StoredActors(Actors):
    """`validation.Actors` for a streamed load: the first use of a party id is asked of
    the sink when the program that used it first was handed to it (its store indexes
    parties by actor), and held here only otherwise, so a catalogue of many party ids
    does not hold them all."""

    __slots__ = ("sink", "new", "stored")
    #: First uses the sink told of that are remembered (an id most programs share is
    #: asked once): a first use, once handed on, never changes.
    REMEMBERED = 4096

    def __init__(self, sink: "Sink") -> None:
        super().__init__()
        self.sink = sink
        self.new: list[str] = []  # ids first used by the program being checked
        self.stored: dict[str, tuple[str, str | None, PathOf]] = {}

    def conflicts(self, program: Program, index: int) -> list[tuple[PathOf, str]]:
        self.new.clear()
        return super().conflicts(program, index)

    def first_use(
        self, party_id: str, this: tuple[str, str | None, PathOf]
    ) -> tuple[str, str | None, PathOf]:
        found = self.kinds.get(party_id) or self.stored.get(party_id)
        if found is not None:
            return found
        stored = self.sink.first_party(party_id)
        if stored is not None:
            kind, country, program, position = stored
            found = (kind, country, ("programs", program, "parties", position))
            if len(self.stored) >= self.REMEMBERED:
                self.stored.clear()
            self.stored[party_id] = found
            return found
        self.kinds[party_id] = this
        self.new.append(party_id)
        return this

    def handed_on(self) -> None:
        for party_id in self.new:
            del self.kinds[party_id]  # the sink answers for it now
        self.new.clear()


def _placed(found: "re.Match[str]", mark: Mark, piece: str) -> Found:
    """Line, column and text of a match in a piece that starts at `mark`."""
    line, column = mark
    at = found.start()
    before = piece.count("\n", 0, at)
    if before:
        return (line + before, at - piece.rfind("\n", 0, at), found.group())
    return (line, column + at, found.group())


class CatalogueFile:
    """A catalogue file checked as it is read, its programs handed to the store as they
    pass (`store.build.ProgramSource`); `key` says what file the database stands for,
    or None when the file changed while it was read (then no database is kept)."""

    def __init__(
        self,
        fd: int,
        info: os.stat_result,
        path: Path,
        name: str,
        max_bytes: int,
        *,
        piece: int = PIECE,
    ) -> None:
        self.name = name
        self.path = os.path.realpath(path)
        self._fd, self._info, self._source, self._max_bytes = fd, info, path, max_bytes
        self._piece = piece
        self._key: FileKey | None = None

    def write(self, sink: "Sink") -> None:
        from exchange_cli.load.reading import read_stream

        text = FileText(self._fd, self.name, self._max_bytes, piece=self._piece)
        form = catalogue_format(self.name, "")
        report = read_stream(text, self.name, form, sink, Claims(sink), StoredActors(sink))
        if report.errors:
            raise CatalogueError(report.problems(), errors=report.errors)
        if text.size == self._info.st_size:  # not grown or cut as it was read
            from exchange_cli.store.files import FileKey

            self._key = FileKey.of(self._source, self._info, text.checksum)

    def key(self) -> "FileKey | None":
        return self._key
