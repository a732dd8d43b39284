"""The JSON Schema (draft 2020-12) of a catalogue file, derived from the model and the
vocabularies so the two cannot drift: field names come from `model`, allowed values and
their descriptions from `vocab`."""

from __future__ import annotations

from typing import Any

from exchange_cli import vocab
from exchange_cli.model import FIELDS, FLOW_FIELDS, PARTY_FIELDS, SOURCE_FIELDS

SCHEMA_ID = "programs.schema.json"

#: One line per field, for editors' hover text and `exchange new`.
FIELD_DOCS: dict[str, str] = {
    "id": "Unique lowercase slug, e.g. saudi-korea-technology-exchange.",
    "title": "Short name of the program.",
    "kind": "What sort of program this is.",
    "sectors": "One or more sectors the program touches, no repeats.",
    "parties": "The sides taking part.",
    "flows": "What one party gives or teaches another; one entry per direction.",
    "benefits": "Short statements of what the program brings, in our own words.",
    "evidence": "How the source document presents the program.",
    "recurrence": "How often it happens, or null when the source does not say.",
    "summary": "One or two sentences in the catalogue's own words.",
    "source": "The seed document's title and section heading, verbatim.",
    "name": "The party's name as the document gives it.",
    "type": "country, organization or group.",
    "country": "ISO 3166-1 alpha-2 code (quoted), or null for groups without one.",
    "from": "Name of the giving party (one of this program's parties).",
    "to": "Name of the receiving party (one of this program's parties).",
    "what": "What flows, in a short phrase.",
    "document": "The document's title (its first heading), verbatim.",
    "section": "The section heading the record comes from, verbatim.",
}

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": "\\S"}


def _choice(vocabulary: vocab.Vocabulary, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "type": "string",
        "oneOf": [{"const": t.value, "description": t.description} for t in vocabulary.terms],
    }


def _object(
    fields: tuple[str, ...], properties: dict[str, Any], description: str
) -> dict[str, Any]:
    assert set(properties) == set(fields), "schema and model disagree"
    return {
        "description": description,
        "type": "object",
        "required": list(fields),
        "additionalProperties": False,
        "properties": {f: {"description": FIELD_DOCS[f], **properties[f]} for f in fields},
    }


def catalogue_schema() -> dict[str, Any]:
    """The schema as a JSON-ready dict."""
    party = _object(
        PARTY_FIELDS,
        {
            "name": _TEXT,
            "type": _choice(vocab.PARTY_TYPES, FIELD_DOCS["type"]),
            "country": {
                "oneOf": [
                    {"type": "null"},
                    {"type": "string", "enum": list(vocab.countries().values)},
                ]
            },
        },
        "One side of a program.",
    )
    flow = _object(
        FLOW_FIELDS, {"from": _TEXT, "to": _TEXT, "what": _TEXT}, "What one party gives another."
    )
    source = _object(SOURCE_FIELDS, {"document": _TEXT, "section": _TEXT}, "Provenance.")
    program = _object(
        FIELDS,
        {
            "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
            "title": _TEXT,
            "kind": _choice(vocab.KINDS, FIELD_DOCS["kind"]),
            "sectors": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": _choice(vocab.SECTORS, "A sector."),
            },
            "parties": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/party"}},
            "flows": {"type": "array", "items": {"$ref": "#/$defs/flow"}},
            "benefits": {"type": "array", "items": _TEXT},
            "evidence": _choice(vocab.EVIDENCE, FIELD_DOCS["evidence"]),
            "recurrence": {
                "oneOf": [{"type": "null"}, _choice(vocab.RECURRENCE, "How often it happens.")]
            },
            "summary": _TEXT,
            "source": {"$ref": "#/$defs/source"},
        },
        "One documented cooperation or exchange program.",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "exchange catalogue",
        "description": "A catalogue of international cooperation and exchange programs "
        "for the `exchange` command-line tool.",
        "type": "object",
        "required": ["programs"],
        "additionalProperties": False,
        "properties": {
            "programs": {
                "description": "The programs, in the order they are listed.",
                "type": "array",
                "items": {"$ref": "#/$defs/program"},
            }
        },
        "$defs": {"program": program, "party": party, "flow": flow, "source": source},
    }


def record_skeleton() -> str:
    """A commented YAML record with every field and the allowed values in comments."""

    def values(vocabulary: vocab.Vocabulary) -> str:
        return " | ".join(vocabulary.values)

    lines = [
        "  # A new program: paste under `programs:`, fill in, then run `exchange validate`.",
        f"  # kind: {FIELD_DOCS['kind']}",
        *(f"  #   {t.value}: {t.description}" for t in vocab.KINDS.terms),
        "  # sectors:",
        *(f"  #   {t.value}: {t.description}" for t in vocab.SECTORS.terms),
        "  # evidence:",
        *(f"  #   {t.value}: {t.description}" for t in vocab.EVIDENCE.terms),
        "  - id: new-program-id  # " + FIELD_DOCS["id"],
        '    title: ""  # ' + FIELD_DOCS["title"],
        f"    kind: {vocab.KINDS.values[0]}  # one of the kinds above",
        f"    sectors: [{vocab.SECTORS.values[0]}]  # one or more of the sectors above",
        "    parties:",
        '      - name: ""',
        f"        type: country  # {values(vocab.PARTY_TYPES)}",
        '        country: null  # ISO 3166-1 alpha-2 code in quotes, e.g. "SA", or null',
        '      - name: ""',
        "        type: group",
        "        country: null",
        "    flows:  # one entry per direction; from/to are party names above",
        '      - from: ""',
        '        to: ""',
        '        what: ""',
        "    benefits: []  # short strings, in your own words",
        f"    evidence: reported  # {values(vocab.EVIDENCE)}",
        f"    recurrence: null  # {values(vocab.RECURRENCE)} | null",
        '    summary: ""  # ' + FIELD_DOCS["summary"],
        "    source:",
        '      document: ""  # ' + FIELD_DOCS["document"],
        '      section: ""  # ' + FIELD_DOCS["section"],
    ]
    return "\n".join(lines) + "\n"
