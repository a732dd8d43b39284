"""The JSON Schema (draft 2020-12) of a catalogue file and the `exchange new` skeleton,
both derived from the record declaration (`model`, through `fields`): field names,
types, docs and allowed values cannot drift from what the loader accepts."""

from typing import Annotated, Any, NamedTuple

from exchange_cli.model import vocab
from exchange_cli.model.declaration import walk
from exchange_cli.model.fields import ListOf, Nested, Spec, Term, fields_of
from exchange_cli.model.records import Flow, Party, Program, Source

SCHEMA_ID = "programs.schema.json"


class CatalogueFile(NamedTuple):
    """A catalogue file: one mapping whose `programs` key lists the records."""

    programs: Annotated[
        tuple[Program, ...],
        ListOf(
            Nested(Program, "One documented cooperation or exchange program.", noun="a program"),
            "The programs, in the order they are listed.",
            noun=("program", "programs"),
        ),
    ]


#: The records a catalogue nests, named in the schema's `$defs`.
RECORDS: tuple[type, ...] = (Program, Party, Flow, Source)


def _properties(spec: Spec) -> dict[str, Any]:
    return {"description": spec.doc, **spec.schema()}


def _descriptions() -> dict[type, str]:
    """Each nested record's description: the doc of the field that holds it."""
    found: dict[type, str] = {
        CatalogueFile: "A catalogue of international cooperation and exchange "
        "programs for the `exchange` command-line tool."
    }
    for _, field in walk(CatalogueFile):
        spec = field.spec.item if isinstance(field.spec, ListOf) else field.spec
        if isinstance(spec, Nested):
            found.setdefault(spec.record, spec.doc)
    return found


def record_schema(record: type, description: str) -> dict[str, Any]:
    declared = fields_of(record)
    return {
        "description": description,
        "type": "object",
        "required": [f.key for f in declared if f.spec.required],
        "additionalProperties": False,
        "properties": {f.key: _properties(f.spec) for f in declared},
    }


def catalogue_schema() -> dict[str, Any]:
    """The schema as a JSON-ready dict."""
    described = _descriptions()
    root = record_schema(CatalogueFile, described[CatalogueFile])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "exchange catalogue",
        **root,
        "$defs": {
            record.__name__.lower(): record_schema(record, described[record]) for record in RECORDS
        },
    }


# -- the skeleton ------------------------------------------------------------------------------


def _choices(spec: Spec) -> str:
    if isinstance(spec, Term):
        values = " | ".join(spec.vocabulary.values)
        return f"{values} | null" if spec.nullable else values
    return ""


def _yaml_scalar(value: Any) -> str:
    import json

    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def _lines(
    record: type, indent: str, first: str, values: dict[str, Any] | None = None
) -> list[str]:
    """A record's fields as YAML, each with its doc (and allowed values) as a comment:
    the declaration's example values, or `values` (one item of a list's example)."""
    lines = []
    for i, field in enumerate(fields_of(record)):
        lead = first if i == 0 else indent
        spec = field.spec
        note = spec.doc + (f" One of: {_choices(spec)}." if _choices(spec) else "")
        if isinstance(spec, ListOf) and isinstance(spec.item, Nested):
            lines.append(f"{lead}{field.key}:  # {note}")
            for item in spec.example or [None]:
                lines.extend(_lines(spec.item.record, indent + "    ", indent + "  - ", item))
        elif isinstance(spec, Nested):
            lines.append(f"{lead}{field.key}:  # {note}")
            lines.extend(_lines(spec.record, indent + "  ", indent + "  "))
        else:
            given = values is not None and field.key in values  # an optional field may not be
            value = _yaml_scalar(values[field.key]) if given else _example(spec)  # type: ignore[index]
            lines.append(f"{lead}{field.key}: {value}  # {note}")
    return lines


def _example(spec: Spec) -> str:
    if not spec.required:  # optional: left empty (a shared example would tie parties)
        return "[]" if isinstance(spec, ListOf) else "null"
    if isinstance(spec, ListOf):
        items = spec.example or [spec.item.example]
        return "[" + ", ".join(_yaml_scalar(v) for v in items if v is not None) + "]"
    if spec.example is not None:
        return _yaml_scalar(spec.example)
    if isinstance(spec, Term):
        return "null" if spec.nullable else _yaml_scalar(spec.vocabulary.values[0])
    return '""'


def _vocabularies() -> list[str]:
    return [
        *(f"  #   kind {t.value}: {t.description}" for t in vocab.KINDS.terms),
        *(f"  #   sector {t.value}: {t.description}" for t in vocab.SECTORS.terms),
        *(f"  #   evidence {t.value}: {t.description}" for t in vocab.EVIDENCE.terms),
    ]


def record_skeleton() -> str:
    """One commented record, to paste under `programs:` (every allowed value listed)."""
    head = [
        "  # A new program: paste under `programs:`, replace the examples, then run",
        "  # `exchange validate`.",
        *_vocabularies(),
    ]
    return "\n".join([*head, *_lines(Program, "    ", "  - ")]) + "\n"


def catalogue_skeleton() -> str:
    """A whole catalogue file holding one commented example program: valid as it is, so
    `exchange new > my-programs.yaml && exchange validate my-programs.yaml` passes."""
    head = [
        "# A catalogue for `exchange`: check it with `exchange validate FILE`, read it with",
        "# `exchange list --data FILE`. Editors complete fields with `exchange schema`.",
        "programs:",
        "  # One program, with example values: replace them (`exchange new --record`",
        "  # prints another to add), then run `exchange validate`.",
        *_vocabularies(),
    ]
    return "\n".join([*head, *_lines(Program, "    ", "  - ")]) + "\n"
