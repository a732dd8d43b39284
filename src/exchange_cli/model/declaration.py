"""What is derived from a declaration beyond checking it: records as JSON-ready data
(compiled once per record type), one field as a line of text, every field with its path
and doc, and the declaration's fingerprint (the store's format stamp is made from it).
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from exchange_cli.model.fields import Field, ListOf, Nested, Path, Spec, fields_of


def to_json(value: Any) -> dict[str, Any]:
    """A record as JSON-ready data: its declared keys, in order."""
    converter = _TO_JSON.get(type(value))
    if converter is None:
        converter = _TO_JSON[type(value)] = _compile_to_json(type(value))
    return converter(value)


_TO_JSON: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _compile_to_json(record: type) -> Callable[[Any], dict[str, Any]]:
    """A function written out from the declaration, as dataclasses write `__init__`:
    a large catalogue converts every record, and a generic loop was most of that time."""
    namespace: dict[str, Any] = {}
    items = []
    for index, field in enumerate(fields_of(record)):
        spec, value = field.spec, f"v[{index}]"
        nested = spec.item if isinstance(spec, ListOf) else spec
        if isinstance(nested, Nested):
            name = f"_{nested.record.__name__}"
            namespace[name] = to_json
            call = f"{name}(item)" if spec is not nested else f"{name}({value})"
            expr = f"[{call} for item in {value}]" if spec is not nested else call
        elif isinstance(spec, ListOf):
            expr = f"list({value})"
        else:
            expr = value
        if expr != value and spec.nullable:
            expr = f"(None if {value} is None else {expr})"
        items.append(f"{field.key!r}: {expr}")
    source = "def to_json(v):\n    return {" + ", ".join(items) + "}\n"
    exec(source, namespace)  # noqa: S102 - our own declaration, not data
    function: Callable[[Any], dict[str, Any]] = namespace["to_json"]
    return function


def flat_field(record: type, key: str, value: Any) -> str:
    """One field of a record's JSON-ready data as one line of text."""
    for field in fields_of(record):
        if field.key == key:
            return field.spec.flat(value)
    raise KeyError(key)


def walk(record: type, path: Path = ()) -> Iterator[tuple[Path, Field]]:
    """Every declared field, nested records' fields included, with its key path."""
    for field in fields_of(record):
        where = (*path, field.key)
        yield where, field
        spec = field.spec.item if isinstance(field.spec, ListOf) else field.spec
        if isinstance(spec, Nested):
            yield from walk(spec.record, (*where, 0) if spec is not field.spec else where)


def fingerprint(record: type) -> str:
    """The declaration of `record` as text that changes whenever stored data would
    notice: each field's attribute, key and order, its spec's kind and settings, the
    records it nests, and the vocabularies it checks against (values, aliases, order).
    Docs and examples are left out. The store derives its format stamp from it."""
    parts = [
        f"{field.attribute}/{field.key}:{_spec_text(field.spec)}" for field in fields_of(record)
    ]
    return f"{record.__name__}({'; '.join(parts)})"


def _spec_text(spec: Spec) -> str:
    settings = []
    for kind in type(spec).__mro__:
        for slot in getattr(kind, "__slots__", ()):
            if slot in ("doc", "example", "vocabulary") or not hasattr(spec, slot):
                continue
            value = getattr(spec, slot)
            if isinstance(value, Spec):
                text = _spec_text(value)
            elif isinstance(value, type):
                text = fingerprint(value)
            else:
                text = repr(value)
            settings.append(f"{slot}={text}")
    return f"{type(spec).__name__}[{', '.join(settings)}]{spec.vocabulary_text()}"


def field_docs(record: type) -> Mapping[str, str]:
    """`parties[].name` → its one-line doc, for the README's field list."""
    docs: dict[str, str] = {}
    for path, field in walk(record):
        name = ".".join(str(p) if isinstance(p, str) else "[]" for p in path).replace(".[]", "[]")
        docs[name] = field.spec.doc
    return docs
