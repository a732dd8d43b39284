"""Strict, safe YAML: parser events in, plain Python data out, every refusal located.

Why not `yaml.safe_load`: it keeps the last of two duplicate keys without a word,
reads YAML 1.1 scalars as other types (`NO` is False, `1:20` is 80, `017` is 15),
expands alias bombs, and its C composer crashes the process on deeply nested input.
Here libyaml (when present) still does the scanning, but nodes are built by an
iterative loop that refuses tags, anchors, aliases, extra documents and excessive
depth as they appear, and never converts a plain scalar: one YAML 1.1 would read as
something other than a string is kept as `Unquoted` so the loader can say "quote it".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events
from yaml.resolver import Resolver

from exchange_cli.yamltypes import Unquoted, YamlError, excerpt

#: Deeper than any catalogue needs (a record is five levels), far below what hurts.
MAX_DEPTH = 64

Path = tuple[str | int, ...]
Mark = tuple[int, int]

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


@dataclass(slots=True)
class Parsed:
    """The document's data, the duplicate keys found, and (on request) where each value starts."""

    data: Any
    duplicates: list[tuple[Path, Mark, str]] = field(default_factory=list)
    marks: dict[Path, Mark] | None = None
    key_marks: dict[Path, Mark] | None = None


def _mark(event: events.Event) -> Mark:
    mark = event.start_mark
    assert mark is not None  # both parsers mark every event
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
    if value is None:
        return "null"
    return "a list" if isinstance(value, list) else "a mapping"


class _Frame:
    """An open mapping or sequence on the builder's stack."""

    __slots__ = ("container", "path", "key", "key_mark", "first_seen", "drop_value")

    def __init__(self, container: dict[str, Any] | list[Any], path: Path) -> None:
        self.container = container
        self.path = path
        self.key: str | None = None
        self.key_mark: Mark = (0, 0)
        self.first_seen: dict[str, Mark] = {}
        self.drop_value = False  # the pending key repeats an earlier one


def parse(text: str, *, with_marks: bool = False, max_depth: int = MAX_DEPTH) -> Parsed:
    """Parse one YAML document strictly. Raises `YamlError` for anything we refuse.

    Whichever parser PyYAML has (libyaml's, or its pure-Python one when built without
    libyaml), the same input gives the same kind of message: the pure-Python reader
    checks characters as it is constructed, and libyaml stops at its own nesting limit
    while scanning ahead, before our depth check sees an event; both are translated here.
    """
    loader = None
    try:
        loader = _LOADER(text)
        return _build(loader, with_marks, max_depth)
    except yaml.reader.ReaderError as exc:  # a character YAML forbids, e.g. a raw ESC or NUL
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        raise YamlError(
            f"character U+{exc.character:04X} is not allowed in YAML; write control "
            'characters as escapes inside double quotes (e.g. "\\t")',
            line,
            column,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in message:  # libyaml's own limit, reached while scanning ahead
            message = _too_deep(max_depth)
        elif exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        if mark is None:
            raise YamlError(message) from None
        raise YamlError(message, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every other error is marked
        raise YamlError(" ".join(str(exc).split())) from None
    except RecursionError:  # pragma: no cover - the builder is iterative; a parser may not be
        raise YamlError(_too_deep(max_depth)) from None
    finally:
        if loader is not None:
            loader.dispose()


def _too_deep(max_depth: int) -> str:
    return f"nesting deeper than {max_depth} levels is not allowed"


def _build(loader: Any, with_marks: bool, max_depth: int) -> Parsed:
    parsed = Parsed(data=None)
    marks: dict[Path, Mark] | None = {} if with_marks else None
    key_marks: dict[Path, Mark] | None = {} if with_marks else None
    parsed.marks, parsed.key_marks = marks, key_marks
    stack: list[_Frame] = []
    get_event = loader.get_event

    get_event()  # StreamStartEvent
    event = get_event()
    if isinstance(event, events.StreamEndEvent):
        raise YamlError("the file holds no YAML document (it is empty or only comments)", 1, 1)
    # event is DocumentStartEvent
    done = False
    while True:
        event = get_event()
        cls = type(event)
        if cls is events.DocumentEndEvent:
            done = True
            break
        if cls is events.MappingEndEvent or cls is events.SequenceEndEvent:
            frame = stack.pop()
            if cls is events.MappingEndEvent and frame.key is not None:  # pragma: no cover
                raise _refuse(event, "a mapping key has no value")
            continue
        if cls is events.AliasEvent:
            raise _refuse(event, f"aliases (*{event.anchor}) are not allowed in a catalogue")
        if event.anchor is not None:
            raise _refuse(event, f"anchors (&{event.anchor}) are not allowed in a catalogue")

        top = stack[-1] if stack else None
        if top is not None and top.key is None and type(top.container) is dict:
            # This node is a mapping key: it must be a plain or quoted string.
            if cls is not events.ScalarEvent:
                raise _refuse(event, "mapping keys must be strings, not lists or mappings")
            key = _scalar_value(event)
            if not isinstance(key, str):
                raise _refuse(
                    event, f"mapping keys must be strings; quote the key {_describe(key)}"
                )
            mark = _mark(event)
            seen = top.first_seen
            duplicate = key in seen
            if duplicate:
                first_line = seen[key][0]
                parsed.duplicates.append(
                    (
                        (*top.path, key),
                        mark,
                        f"duplicate key '{excerpt(key)}' (first at line {first_line}); "
                        "YAML would silently keep only the last one",
                    )
                )
            else:
                seen[key] = mark
            top.drop_value = duplicate
            top.key = key
            top.key_mark = mark
            continue

        # This node is a value: in a sequence, under a key, or the document root.
        if top is None:
            path: Path = ()
        elif type(top.container) is list:
            path = (*top.path, len(top.container))
        else:
            assert top.key is not None
            path = (*top.path, top.key)
            if key_marks is not None:
                key_marks[path] = top.key_mark

        if cls is events.ScalarEvent:
            value: Any = _scalar_value(event)
        elif cls is events.MappingStartEvent or cls is events.SequenceStartEvent:
            tag = event.tag
            wanted = _YAML + ("map" if cls is events.MappingStartEvent else "seq")
            if tag is not None and tag != "!" and tag != wanted:
                raise _refuse(event, f"the tag {_short_tag(tag)} is not allowed; remove it")
            if len(stack) >= max_depth:
                raise _refuse(event, _too_deep(max_depth))
            value = {} if cls is events.MappingStartEvent else []
        else:  # pragma: no cover - the parser emits nothing else inside a document
            raise _refuse(event, f"unexpected YAML event {cls.__name__}")

        if marks is not None:
            marks[path] = _mark(event)
        container = top.container if top is not None else None
        if top is None:
            parsed.data = value
        elif isinstance(container, list):
            container.append(value)
        else:
            assert container is not None and top.key is not None
            if not top.drop_value:
                container[top.key] = value
            top.key = None
        if type(value) is dict or type(value) is list:
            stack.append(_Frame(value, path))

    assert done
    event = get_event()
    if not isinstance(event, events.StreamEndEvent):
        raise _refuse(event, "the file holds more than one YAML document; a catalogue is one")
    return parsed
