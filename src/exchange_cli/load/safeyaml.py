"""Strict, safe YAML: parser events in, plain Python data out, every refusal located.

Why not `yaml.safe_load`: it keeps the last of two duplicate keys without a word,
reads YAML 1.1 scalars as other types (`NO` is False, `1:20` is 80, `017` is 15),
expands alias bombs, and its C composer crashes the process on deeply nested input.
Here libyaml (when present) still does the scanning, but nodes are built by an
iterative loop that refuses tags, anchors, aliases, extra documents and excessive
depth as they appear, and never converts a plain scalar: one YAML 1.1 would read as
something other than a string is kept as `Unquoted` so the loader can say "quote it".

`Reader` is a pull reader: the loader walks the top level and takes one record at a
time, so a large file is never held whole as data, and a value nobody needs (under an
unknown key) is skipped without being built. The text may be a string, or arrive in
pieces (`streaming.FileText`, which both parsers read as a file): then it is never held
whole either.
"""

import re
from collections.abc import Callable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

import yaml
from yaml import events
from yaml.resolver import Resolver

from exchange_cli.model.fields import Unquoted
from exchange_cli.model.vocab import excerpt


class YamlError(Exception):
    """The text is not YAML we accept; `line`/`column` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


#: Deeper than any catalogue needs (a record is five levels), far below what hurts.
MAX_DEPTH = 64
#: Positions remembered per record; beyond, a problem is placed at its nearest parent.
MAX_MARKS = 20_000
#: Distinct short plain scalars remembered, resolved, per document.
_PLAIN_CACHE = 4096

Path = tuple[str | int, ...]
Mark = tuple[int, int]
OnDuplicate = Callable[[Path, Mark, str], None]

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_TYPE_NAMES = {
    _YAML + "bool": "boolean",
    _YAML + "int": "integer",
    _YAML + "float": "number",
    _YAML + "timestamp": "date",
}
_IMPLICIT = Resolver.yaml_implicit_resolvers
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAPPING, _SEQUENCE = events.MappingStartEvent, events.SequenceStartEvent
_MAPPING_END, _SEQUENCE_END = events.MappingEndEvent, events.SequenceEndEvent
#: A character YAML does not allow in a stream, as both parsers define it (compiled only
#: when one is refused).
_NOT_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
#: Where a pattern matched: line, column, and the text matched.
Found = tuple[int, int, str]

if TYPE_CHECKING:  # for the type checker alone: reading a file pays nothing for it
    from typing import Protocol

    class Pieces(Protocol):
        """Text that arrives in pieces (`streaming.FileText`): read as a file by the
        parser, and asked where a refused character is: among the text it handed out
        lately, or in what it has not handed out yet."""

        def read(self, size: int = -1) -> str: ...

        def find(self, pattern: "re.Pattern[str]") -> Found | None: ...

        def find_ahead(self, pattern: "re.Pattern[str]") -> Found | None: ...


def _mark(event: events.Event) -> Mark:
    mark = event.start_mark
    assert mark is not None  # both parsers mark every event
    return (mark.line + 1, mark.column + 1)


def _position(mark: Any) -> Mark:
    return (mark.line + 1, mark.column + 1)


def _refuse(event: events.Event, message: str) -> YamlError:
    line, column = _mark(event)
    return YamlError(message, line, column)


def _scalar_value(event: events.ScalarEvent) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        if event.style:  # quoted or block scalar: always a string
            return event.value
        return _resolve_plain(event.value)
    if tag not in _SCALAR_TAGS:
        raise _refuse(event, f"the tag {_short_tag(tag)} is not allowed; remove it")
    if tag == _YAML + "str":
        return event.value
    if tag == _YAML + "null":
        return None
    return Unquoted(_TYPE_NAMES[tag], event.value)


def _resolve_plain(text: str) -> Any:
    for tag, pattern in _IMPLICIT.get(text[:1], ()):
        if pattern.match(text):
            if tag == _YAML + "null":
                return None
            if tag in _TYPE_NAMES:
                return Unquoted(_TYPE_NAMES[tag], text)
            break  # merge (`<<`) and value (`=`) keys stay strings
    return text


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


def _describe(value: Any) -> str:
    if isinstance(value, Unquoted):
        return f"{value.type} `{excerpt(value.text)}`"
    return "null" if value is None else "a list" if isinstance(value, list) else "a mapping"


def too_deep(max_depth: int = MAX_DEPTH) -> str:
    return f"nesting deeper than {max_depth} levels is not allowed"


def _check_node(event: events.Event, depth: int, max_depth: int) -> None:
    """Refuse what no catalogue node may be: an alias, an anchor, a foreign collection
    tag, or one level too many."""
    cls = type(event)
    anchor = getattr(event, "anchor", None)
    if cls is events.AliasEvent:
        raise _refuse(event, f"aliases (*{anchor}) are not allowed in a catalogue")
    if anchor is not None:
        raise _refuse(event, f"anchors (&{anchor}) are not allowed in a catalogue")
    if cls is _MAPPING or cls is _SEQUENCE:
        tag = event.tag  # type: ignore[attr-defined]
        wanted = _YAML + ("map" if cls is _MAPPING else "seq")
        if tag is not None and tag != "!" and tag != wanted:
            raise _refuse(event, f"the tag {_short_tag(tag)} is not allowed; remove it")
        if depth >= max_depth:
            raise _refuse(event, too_deep(max_depth))


class Reader:
    """One strict YAML document, read piece by piece.

    Raises `YamlError` (with a position) for anything refused; duplicate keys are
    reported through `on_duplicate` and their later values skipped, so a file with a
    duplicate key still has every other problem found.
    """

    def __init__(
        self, text: "str | Pieces", on_duplicate: OnDuplicate, *, max_depth: int = MAX_DEPTH
    ) -> None:
        self._text = text
        self._loader: Any = None
        self._on_duplicate = on_duplicate
        self._max_depth = max_depth
        self._depth = 0  # containers opened by `entries` and `items`
        self._plain: dict[str, Any] = {}  # plain scalar text → what it reads as
        self._back: events.Event | None = None  # read ahead by `first_key`, not yet used

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loader is not None:
            self._loader.dispose()

    # -- the document ------------------------------------------------------------------

    def begin(self) -> None:
        """Open the document (the pure-Python reader checks every character right here)."""
        with self._translated():
            self._loader = _LOADER(self._text)
            get = self._loader.get_event
            get()  # StreamStartEvent
            if isinstance(self._loader.peek_event(), events.StreamEndEvent):
                raise YamlError(
                    "the file holds no YAML document (it is empty or only comments)", 1, 1
                )
            get()  # DocumentStartEvent

    def end(self) -> None:
        with self._translated():
            self._loader.get_event()  # DocumentEndEvent
            event = self._loader.get_event()
            if not isinstance(event, events.StreamEndEvent):
                raise _refuse(
                    event, "the file holds more than one YAML document; a catalogue is one"
                )

    def kind(self) -> str:
        """What the next node is: "mapping", "sequence" or "scalar" (aliases are refused)."""
        with self._translated():
            event = self._back or self._loader.peek_event()
            _check_node(event, self._depth, self._max_depth)
            cls = type(event)
            return "mapping" if cls is _MAPPING else "sequence" if cls is _SEQUENCE else "scalar"

    def mark(self) -> Mark:
        with self._translated():
            return _mark(self._back or self._loader.peek_event())

    def first_key(self) -> str | None:
        """The first key of the next node, a mapping, read ahead without using it up
        (None when the mapping is empty or its first key is not a scalar): a mapping
        that starts with `id` is one program, as `show --format yaml` prints it."""
        with self._translated():
            self._back = self._loader.get_event()
            key = self._loader.peek_event()
            return key.value if type(key) is events.ScalarEvent else None

    def _getter(self) -> Callable[[], Any]:
        """The loader's `get_event`, after the event `first_key` read ahead, if any."""
        get: Callable[[], Any] = self._loader.get_event
        if self._back is not None:
            back, self._back = self._back, None
            get = chain((back,), iter(get, None)).__next__
        return get

    def entries(self, path: Path) -> Iterator[tuple[str, Mark]]:
        """The keys of the next node, a mapping; the caller reads or skips each value."""
        with self._translated():
            self._open()
            seen: dict[str, Mark] = {}
            while True:
                event = self._loader.get_event()
                if type(event) is _MAPPING_END:
                    self._depth -= 1
                    return
                key, mark = self._key(event), _mark(event)
                if key in seen:
                    self._duplicate((*path, key), mark, key, seen[key])
                    self.skip()
                    continue
                seen[key] = mark
                yield key, mark

    def items(self) -> Iterator[int]:
        """The positions of the next node's items, a sequence; the caller reads or skips
        each one."""
        with self._translated():
            self._open()
            index = 0
            while type(self._loader.peek_event()) is not _SEQUENCE_END:
                yield index
                index += 1
            self._loader.get_event()
            self._depth -= 1

    def _open(self) -> None:
        event = self._getter()()
        _check_node(event, self._depth, self._max_depth)
        self._depth += 1

    def skip(self) -> None:
        """Consume the next node without building it (still refusing what is refused)."""
        with self._translated():
            depth = 0
            get, base, max_depth = self._getter(), self._depth, self._max_depth
            while True:
                event = get()
                cls = type(event)
                if cls is _MAPPING_END or cls is _SEQUENCE_END:
                    depth -= 1
                else:
                    _check_node(event, base + depth, max_depth)
                    if cls is _MAPPING or cls is _SEQUENCE:
                        depth += 1
                    elif cls is events.ScalarEvent:
                        _scalar_value(event)  # refuses a foreign tag
                if depth == 0:
                    return

    # -- building one node -------------------------------------------------------------

    def read(
        self,
        path: Path,
        values: dict[Path, Any] | None = None,
        keys: dict[Path, Any] | None = None,
    ) -> Any:
        """Build the next node whole; with `values`/`keys`, remember where each value
        (and each value's key) starts, up to `MAX_MARKS` of them."""
        with self._translated():
            return self._build(path, values, keys)

    def _build(
        self, root: Path, values: dict[Path, Any] | None, keys: dict[Path, Any] | None
    ) -> Any:
        """The loop every catalogue's bytes go through: kept lean. Marks are stored as
        PyYAML's own objects (`validation.Marks` turns one into a position when a
        problem needs it), and plain scalars that repeat (vocabulary values) are
        resolved once."""
        get = self._getter()
        base, max_depth = self._depth, self._max_depth
        budget = MAX_MARKS if values is not None else 0
        plain = self._plain
        scalar_event = events.ScalarEvent
        # Each open container: [container, its path, pending key, key mark, keys seen,
        # whether the pending key repeats an earlier one].
        stack: list[list[Any]] = []
        result: Any = None
        while True:
            event = get()
            cls = type(event)
            if cls is _MAPPING_END or cls is _SEQUENCE_END:
                stack.pop()
                if not stack:
                    return result
                continue
            if cls is not scalar_event or event.anchor is not None:
                _check_node(event, base + len(stack), max_depth)
            top = stack[-1] if stack else None
            if top is not None and top[2] is None and type(top[0]) is dict:
                key, mark = self._key(event), event.start_mark
                seen = top[4]
                top[5] = key in seen
                if top[5]:
                    self._duplicate((*top[1], key), _position(mark), key, _position(seen[key]))
                else:
                    seen[key] = mark
                top[2], top[3] = key, mark
                continue
            if top is None:
                path = root
            elif type(top[0]) is list:
                path = (*top[1], len(top[0]))
            else:
                path = (*top[1], top[2])
                if budget and keys is not None:
                    keys[path] = top[3]
            if budget and values is not None:
                values[path] = event.start_mark
                budget -= 1
            if cls is scalar_event:
                if event.tag is None and not event.style:
                    value: Any = plain.get(event.value)
                    if value is None and event.value not in plain:
                        value = _resolve_plain(event.value)
                        if len(plain) < _PLAIN_CACHE and len(event.value) <= 40:
                            plain[event.value] = value
                else:
                    value = _scalar_value(event)
            else:
                value = {} if cls is _MAPPING else []
            if top is None:
                result = value
            elif type(top[0]) is list:
                top[0].append(value)
            else:
                if not top[5]:
                    top[0][top[2]] = value
                top[2] = None
            if type(value) is dict or type(value) is list:
                stack.append([value, path, None, None, {}, False])
            elif top is None:
                return result

    def _key(self, event: events.Event) -> str:
        if type(event) is events.ScalarEvent and event.tag is None and event.anchor is None:
            text = event.value
            if event.style:
                return text
            plain = self._plain
            if text in plain:
                key = plain[text]
            else:
                key = _resolve_plain(text)
                if len(plain) < _PLAIN_CACHE and len(text) <= 40:
                    plain[text] = key
            if isinstance(key, str):
                return key
        _check_node(event, 0, self._max_depth)
        if type(event) is not events.ScalarEvent:
            raise _refuse(event, "mapping keys must be strings, not lists or mappings")
        key = _scalar_value(event)
        if not isinstance(key, str):
            raise _refuse(event, f"mapping keys must be strings; quote the key {_describe(key)}")
        return key

    def _duplicate(self, path: Path, mark: Mark, key: str, first: Mark) -> None:
        self._on_duplicate(
            path,
            mark,
            f"duplicate key '{excerpt(key)}' (first at line {first[0]}); "
            "YAML would silently keep only the last one",
        )

    # -- errors ------------------------------------------------------------------------

    def _translated(self) -> "_Translated":
        return _Translated(self, self._max_depth)

    def refused_character(self) -> Found | None:
        """Where the first character YAML refuses is. Both parsers check characters in
        file order, so the first one in the text is the one refused; their own offsets
        are of no use here (libyaml's counts bytes, not characters)."""
        text = self._text
        if not isinstance(text, str):
            return text.find(re.compile(_NOT_PRINTABLE))
        found = re.search(_NOT_PRINTABLE, text)
        if found is None:
            return None
        start = found.start()
        line, column = text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
        return (line, column, found.group())

    def refused_before_parsing(self) -> Found | None:
        """A refused character further on, which PyYAML's own parser, checking a string
        whole before parsing it, reports in place of a syntax error it meets first:
        looked for when the text arrives in pieces, to say what it would have said."""
        text = self._text
        if isinstance(text, str) or _LOADER is getattr(yaml, "CSafeLoader", None):
            return None
        return text.find_ahead(re.compile(_NOT_PRINTABLE))


class _Translated:
    """PyYAML's errors as one `YamlError` with a position, whichever parser raised it.

    The pure-Python reader checks characters when it is built, and libyaml stops at its
    own nesting limit while scanning ahead, before our depth check sees an event: both
    come out as the same message the other parser gives.
    """

    __slots__ = ("reader", "max_depth")

    def __init__(self, reader: Reader, max_depth: int) -> None:
        self.reader, self.max_depth = reader, max_depth

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> None:
        if exc is None or isinstance(exc, YamlError):
            return
        if isinstance(exc, yaml.reader.ReaderError):  # a character YAML forbids (NUL, ESC)
            found = self.reader.refused_character()
            raise _not_allowed(exc.character, found[:2] if found else (None, None)) from None
        if isinstance(exc, yaml.MarkedYAMLError):
            ahead = self.reader.refused_before_parsing()
            if ahead is not None:
                raise _not_allowed(ord(ahead[2]), ahead[:2]) from None
            mark = exc.problem_mark or exc.context_mark
            message = exc.problem or exc.context or "invalid YAML"
            if "nesting depth" in message:  # libyaml's limit, reached while scanning ahead
                message = too_deep(self.max_depth)
            elif exc.context and exc.problem:
                message = f"{exc.problem} ({exc.context})"
            if mark is None:
                raise YamlError(message) from None
            raise YamlError(message, mark.line + 1, mark.column + 1) from None
        if isinstance(exc, yaml.YAMLError):  # pragma: no cover - every other error is marked
            raise YamlError(" ".join(str(exc).split())) from None
        if isinstance(exc, RecursionError):  # pragma: no cover - nothing here recurses
            raise YamlError(too_deep(self.max_depth)) from None


def _not_allowed(character: int, where: tuple[int | None, int | None]) -> YamlError:
    return YamlError(
        f"character U+{character:04X} is not allowed in YAML; write control "
        'characters as escapes inside double quotes (e.g. "\\t")',
        *where,
    )
