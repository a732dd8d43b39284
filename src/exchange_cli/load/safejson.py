"""Strict JSON catalogues, read record by record at the speed of Python's C decoder.

Two shapes: a JSON document `{"programs": [...]}` (the YAML catalogue's shape), and
JSON Lines, one program object a line (`.jsonl`, `.ndjson`), for generated catalogues.

Each record is decoded on its own (`JSONDecoder.raw_decode` at its offset), so memory
holds the text and one record's data; when the text arrives in pieces (a first load,
`streaming.FileText`), only a window of it: the pieces a record spans, dropped once it
has been read. Positions cost nothing until a record has a
problem: only then is its text scanned again (`record_marks`) for the line and column of
every value and key. What JSON allows and a catalogue does not is refused, as in
`safeyaml`: a duplicate key (the first value is kept, the rest reported), `NaN` and
`Infinity` (kept as `Unquoted`, so the check says what they are), a lone surrogate
escape (`"\\ud800"`, which no encoding can write), anything after the document.
"""

import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

from exchange_cli.model.fields import Unquoted, describe

Path = tuple[str | int, ...]
Mark = tuple[int, int]
#: (line, column, message, path): a problem the reader found (a duplicate key, a stray
#: top-level key), reported without stopping.
OnProblem = Callable[[int, int, str, Path], None]

_SPACE = re.compile(r"[ \t\n\r]*")
_LINE_SPACE = re.compile(r"[ \t\r]*")
#: A token of the marks scanner: a string, or one character of structure, or a bare
#: word (number, true, false, null, NaN...). A string is matched possessively and
#: unrolled: `(?:a|b)*` keeps a backtracking entry per character (a 4 MiB string took
#: 500 MiB).
_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)
#: How near the end of the window a decoding error may be and still come from the window
#: ending inside the value: the longest bare word (`-Infinity`) or a cut `\\uXXXX`, and room.
_CUT_MARGIN = 16
#: Read text is dropped from the window only past this offset (and past half the window).
_KEEP = 1 << 16
#: Positions remembered per record with a problem (as `safeyaml.MAX_MARKS`): a record of
#: millions of values costs no more memory than its data.
MAX_MARKS = 20_000
_SURROGATE_HINT = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile(
    r"(?<!\\)(?:\\\\)*\\u([dD][89a-fA-F][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
)


class JsonError(Exception):
    """The text is not JSON we accept; `line`/`column` are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def sniff(text: str) -> str | None:
    """ "json" or "jsonl" when standard input holds JSON, else None (YAML). A JSON
    object whose first key is `programs` is a document; any other object starts JSON
    Lines. (A YAML flow mapping with quoted keys is JSON already, and reads the same.)"""
    start = _SPACE.match(text).end()  # type: ignore[union-attr]
    if text.startswith("[", start):
        return "json"  # a list of programs, as `list --json` prints it
    if not text.startswith("{", start):
        return None
    key_at = _SPACE.match(text, start + 1).end()  # type: ignore[union-attr]
    if not text.startswith('"', key_at):
        return None
    return "json" if text.startswith('"programs"', key_at) else "jsonl"


class _Lines:
    """Offsets → (line, column), counting newlines forward from the last offset asked
    for (problems arrive in file order), so a whole file is counted at most once.

    Offsets are into the reader's window of the text; when the window drops what it has
    read (`drop`), the lines in the dropped part are counted first, and `first_line_start`
    keeps where the window's first line began (before the window: zero or less)."""

    __slots__ = ("offset", "line", "line_start", "first_line_start")

    def __init__(self) -> None:
        self.offset, self.line, self.line_start, self.first_line_start = 0, 1, 0, 0

    def at(self, text: str, offset: int) -> Mark:
        if offset < self.offset:  # back to a record already counted: step back, not restart
            crossed = text.count("\n", offset, self.offset)
            if crossed:
                self.line -= crossed
                found = text.rfind("\n", 0, offset)
                self.line_start = found + 1 if found >= 0 else self.first_line_start
            self.offset = offset
            return (self.line, offset - self.line_start + 1)
        newlines = text.count("\n", self.offset, offset)
        if newlines:
            self.line += newlines
            self.line_start = text.rfind("\n", self.offset, offset) + 1
        self.offset = offset
        return (self.line, offset - self.line_start + 1)

    def drop(self, text: str, cut: int) -> None:
        """The window loses its first `cut` characters: count their lines, then shift."""
        self.at(text, cut)
        self.offset -= cut
        self.line_start -= cut
        self.first_line_start = self.line_start


class Reader:
    """One JSON catalogue: `records()` yields (index, data, start, end) for each
    program, in file order; structural problems go to `on_problem` or, when nothing
    after them can be trusted (a syntax error in a document), raise `JsonError`.

    The text is the whole of it, or its first piece and `more` for the rest (each call
    the next piece, "" at the end). Offsets (`start`, `end`, those `at` takes) are into
    `text`, the window held now: they stay good until the next record is asked for,
    when what has been read is dropped."""

    def __init__(
        self,
        text: str,
        on_problem: OnProblem,
        *,
        lines: bool,
        more: Callable[[], str] | None = None,
    ) -> None:
        self.text = text
        self.lines = lines
        self.on_problem = on_problem
        self.positions = _Lines()
        self.duplicated = False  # the record just decoded had a repeated key
        self._more = more
        self._decode = json.JSONDecoder(
            object_pairs_hook=self._object, parse_constant=_constant
        ).raw_decode

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(pairs)
        if len(found) != len(pairs):  # keep the first value of a repeated key, as YAML does
            self.duplicated = True
            found = {}
            for key, value in pairs:
                found.setdefault(key, value)
        return found

    def at(self, offset: int) -> Mark:
        return self.positions.at(self.text, offset)

    # -- the window --------------------------------------------------------------------

    def _extend(self) -> bool:
        """Add the next piece of the text to the window; False when there is no more."""
        while self._more is not None:
            piece = self._more()
            if not piece:
                self._more = None
                break
            self.text += piece
            return True
        return False

    def _grow(self, offset: int) -> bool:
        """Read on past a value that starts at `offset` and that the window cuts short,
        until the window holds twice what the value was seen to span; False when there
        is no more. So a value many pieces long is decoded (or searched) a few times,
        each twice as long as the last, not once a piece: quadratic in its length."""
        wanted = 2 * max(len(self.text) - offset, 1)
        pieces = [self.text]
        have = len(self.text) - offset
        while self._more is not None and have < wanted:
            piece = self._more()
            if not piece:
                self._more = None
                break
            pieces.append(piece)
            have += len(piece)
        if len(pieces) == 1:
            return False
        self.text = "".join(pieces)
        return True

    def _drop(self, offset: int) -> int:
        """Forget the window before `offset` (read and done with) once that is most of
        it, so the window stays about one piece long; `offset` in the window after."""
        if self._more is None or offset < _KEEP or offset * 2 < len(self.text):
            return offset
        self.positions.drop(self.text, offset)
        self.text = self.text[offset:]
        return 0

    # -- reading -------------------------------------------------------------------------

    def _value(self, offset: int, text: str | None = None, base: int = 0) -> tuple[Any, int]:
        """The value at `offset` and where it ends; JsonError for bad JSON there. With
        `text` (one line, which starts at `base` in the file), only that text is read.
        A value cut by the end of the window is read again once the window holds more."""
        while True:
            self.duplicated = False
            try:
                if text is not None:
                    value, end = self._decode(text, offset - base)
                    return value, end + base
                value, end = self._decode(self.text, offset)
            except json.JSONDecodeError as exc:
                if text is None and _cut_short(exc, self.text) and self._grow(offset):
                    continue
                raise JsonError(_message(exc.msg), *self.at(exc.pos + base)) from None
            except RecursionError:
                raise JsonError("nesting too deep", *self.at(offset)) from None
            except ValueError:  # an integer of more digits than Python converts
                limit = sys.get_int_max_str_digits()
                raise JsonError(
                    f"a number of more than {limit:,} digits", *self.at(offset)
                ) from None
            if end < len(self.text) or not self._extend():  # a number may go on
                return value, end

    def _skip_space(self, offset: int) -> int:
        """The offset of the next character that is not white space (or the end)."""
        end = _SPACE.match(self.text, offset).end()  # type: ignore[union-attr]
        if end < len(self.text) or self._more is None:
            return end
        # space to the end of the window: read on to the piece where it stops, and join
        # once (space a piece at a time, each time from the start, was quadratic)
        pieces = [self.text]
        while True:
            piece = self._more()
            if not piece:
                self._more = None
                break
            pieces.append(piece)
            if _SPACE.match(piece).end() < len(piece):  # type: ignore[union-attr]
                break
        self.text = "".join(pieces)
        return _SPACE.match(self.text, end).end()  # type: ignore[union-attr]

    def _holds(self, wanted: str, offset: int) -> bool:
        """Whether the text at `offset` starts with `wanted` (read on as far as needed)."""
        while len(self.text) < offset + len(wanted) and self._extend():
            pass
        return self.text.startswith(wanted, offset)

    def _expect(self, offset: int, wanted: str, what: str) -> int:
        offset = self._skip_space(offset)
        if not self.text.startswith(wanted, offset):
            found = self.text[offset : offset + 1]
            got = f"'{found}'" if found else "the end of the file"
            raise JsonError(f"expected {what}, found {got}", *self.at(offset))
        return offset + 1

    def records(self) -> Iterator[tuple[int, Any, int, int]]:
        if self.lines:
            yield from self._json_lines()
        else:
            yield from self._document()

    def _json_lines(self) -> Iterator[tuple[int, Any, int, int]]:
        """One value a line, each line decoded on its own; a line that is not JSON is
        reported and the next one is read."""
        index, offset = 0, 0
        if self._skip_space(0) >= len(self.text):  # as an empty YAML or JSON file is
            raise JsonError("the file holds no JSON Lines (it is empty)", 1, 1)
        while True:
            offset = self._skip_space(self._drop(offset))
            text = self.text
            if offset >= len(text):
                return
            newline = text.find("\n", offset)
            while newline < 0:
                searched = len(text)
                if not self._grow(offset):
                    break
                text = self.text
                newline = text.find("\n", searched)
            stop = len(text) if newline < 0 else newline
            base = text.rfind("\n", 0, offset) + 1
            try:
                value, end = self._value(offset, text[base:stop], base)
                after = _LINE_SPACE.match(text, end, stop).end()  # type: ignore[union-attr]
                if after < stop:
                    raise JsonError(
                        "expected the end of the line after a program", *self.at(after)
                    )
            except JsonError as exc:
                self.on_problem(exc.line or 0, exc.column or 0, exc.message, (index,))
            else:
                yield index, value, offset, end
            index += 1
            offset = stop

    def _document(self) -> Iterator[tuple[int, Any, int, int]]:
        start = self._skip_space(0)
        if start >= len(self.text):
            raise JsonError("the file holds no JSON value (it is empty)", 1, 1)
        if self.text.startswith("[", start):  # the programs alone: `list --json` printed it
            yield from self._programs(start + 1)
            self._one_value(self._closed_list)
            return
        if not self.text.startswith("{", start):
            value, _ = self._value(start)
            raise JsonError(
                "the top level must be a mapping with a 'programs' list, or a list of "
                "programs, not " + describe(value),
                *self.at(start),
            )
        if self._holds('"id"', self._skip_space(start + 1)):  # one program, as `show` prints
            value, end = self._value(start)
            yield 0, value, start, end
            self._one_value(end)
            return
        top, found = self.at(start), False
        offset = start + 1
        if self.text.startswith("}", self._skip_space(offset)):
            offset = self._skip_space(offset)
        else:
            while True:
                key_at = self._skip_space(offset)
                if not self.text.startswith('"', key_at):
                    raise JsonError("expected a key in double quotes", *self.at(key_at))
                key, offset = self._value(key_at)
                offset = self._expect(offset, ":", "':' after a key")
                value_at = self._skip_space(offset)
                if key == "programs" and not found:
                    found = True
                    if self.text.startswith("[", value_at):
                        yield from self._programs(value_at + 1)
                        offset = self._closed_list
                    else:
                        value, offset = self._value(value_at)
                        got = f"expected a list of programs, got {describe(value)}"
                        self.on_problem(*self.at(value_at), got, ("programs",))
                else:
                    if key == "programs":
                        message = "duplicate key 'programs'; a catalogue has one list"
                    else:
                        shown = key if len(key) <= 40 else key[:39] + "…"
                        message = f"unknown top-level key '{shown}' (expected only 'programs')"
                    self.on_problem(*self.at(key_at), message, (key,))
                    _, offset = self._value(value_at)
                offset = self._skip_space(offset)
                if self.text.startswith(",", offset):
                    offset += 1
                    continue
                offset = self._expect(offset, "}", "',' or '}'") - 1
                break
        self._one_value(offset + 1)
        if not found:
            self.on_problem(*top, "missing the top-level 'programs' list", ())

    def _one_value(self, offset: int) -> None:
        """Nothing but space may follow the document, which ended before `offset`."""
        end = self._skip_space(offset)
        if end < len(self.text):
            raise JsonError(
                "the file holds more than one JSON value; a catalogue is one", *self.at(end)
            )

    _closed_list = 0  # where the programs list ended (set by `_programs`)

    def _programs(self, offset: int) -> Iterator[tuple[int, Any, int, int]]:
        index = 0
        offset = self._skip_space(offset)
        if self.text.startswith("]", offset):
            self._closed_list = offset + 1
            return
        while True:
            offset = self._skip_space(offset)
            value, end = self._value(offset)
            yield index, value, offset, end
            index += 1
            offset = self._skip_space(self._drop(end))
            if self.text.startswith(",", offset):
                offset += 1
                continue
            self._closed_list = self._expect(offset, "]", "',' or ']' in the programs list")
            return

    # -- a record with a problem -----------------------------------------------------

    def lone_surrogate(self, start: int, end: int) -> Mark | None:
        """Where the record between these offsets has a lone surrogate escape, if any."""
        text = self.text
        if _SURROGATE_HINT.search(text, start, end) is None:
            return None
        for match in _SURROGATE.finditer(text, start, end):
            high = int(match.group(1), 16)
            if high >= 0xDC00 or match.group(2) is None:
                return self.at(match.start(1) - 2)
        return None

    def record_marks(
        self,
        start: int,
        end: int,
        root: Path,
        *,
        positions: bool = True,
        on_duplicate: OnProblem | None = None,
    ) -> tuple[dict[Path, Mark], dict[Path, Mark]]:
        """Where the values (and the mapping keys) of the record at `start` begin, by
        path: the first `MAX_MARKS` of them (a problem further on is placed at its
        nearest recorded parent, as `safeyaml` does), none without `positions`. With
        `on_duplicate`, each repeated key is handed to it as it is found, and the record
        is scanned to its end for them; else the scan stops once the marks are taken."""
        values: dict[Path, Mark] = {}
        keys: dict[Path, Mark] = {}
        budget = MAX_MARKS if positions else 0
        if not budget and on_duplicate is None:
            return values, keys
        at = self.at
        # Each open container: [its path, is a mapping, next index, pending key, keys seen]
        stack: list[list[Any]] = []
        expect_key = False
        for token in _TOKEN.finditer(self.text, start, end):
            piece = token.group()
            if piece in (",", ":"):
                if piece == "," and stack and stack[-1][1]:
                    expect_key = True
                continue
            if piece in ("}", "]"):
                expect_key = False
                stack.pop()
                if stack and stack[-1][1]:
                    stack[-1][3] = None
                continue
            top = stack[-1] if stack else None
            if expect_key and top is not None:
                offset = token.start()
                key = piece
                if piece.startswith('"'):  # (the record decoded: a plain one is its text)
                    key = json.loads(piece) if "\\" in piece else piece[1:-1]
                where = (*top[0], key)
                if key in top[4]:
                    if on_duplicate is not None:
                        first = top[4][key]
                        on_duplicate(
                            *at(offset),
                            f"duplicate key '{key}' (first at line {first[0]}); "
                            "JSON readers would silently keep only the last one",
                            where,
                        )
                    where = (*top[0], key, "\x00duplicate")  # its value is not recorded
                else:
                    top[4][key] = mark = at(offset)
                    if budget:
                        keys[where] = mark
                top[3] = where
                expect_key = False
                continue
            if not budget and on_duplicate is None:
                break  # the marks are taken, and no repeated key is looked for
            opens = piece == "{" or piece == "["
            if top is None:
                path = root
            elif top[1]:
                path = top[3]
            else:
                top[2] += 1
                if not (budget or opens):
                    continue  # a scalar item: no path to make
                path = (*top[0], top[2] - 1)
            if budget:
                values[path] = at(token.start())
                budget -= 1
            if opens:
                stack.append([path, piece == "{", 0, None, {}])
                expect_key = piece == "{"
            elif not stack:
                break
        return values, keys


def _cut_short(exc: json.JSONDecodeError, text: str) -> bool:
    """Whether a decoding error may come from the window ending inside the value: the
    error is at its end, or a string runs to it (reported where the string starts; in
    the whole text a string only runs to the end when the file does)."""
    return exc.pos >= len(text) - _CUT_MARGIN or exc.msg.startswith("Unterminated string")


def _constant(name: str) -> Unquoted:
    """NaN and ±Infinity, which Python's decoder accepts and JSON does not."""
    return Unquoted("number", name)


def _message(text: str) -> str:
    """The decoder's message with a hint where one helps."""
    if text.startswith("Unexpected UTF-8 BOM"):
        return "a byte order mark inside the text"
    text = text.removesuffix(" at")
    if text.startswith("Invalid control character"):
        text += ' in a string; write it as an escape (e.g. "\\t")'
    return text[:1].lower() + text[1:]
