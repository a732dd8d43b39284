"""The catalogue's records as frozen dataclasses; `FIELDS` is the JSON contract.

No I/O, no YAML, no terminal: the loader builds these, the query layer reads them,
and `Program.to_dict` is the one place a record becomes JSON-ready data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Field names of a program record, in output order. Scripts rely on these names.
FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "kind",
    "sectors",
    "parties",
    "flows",
    "benefits",
    "evidence",
    "recurrence",
    "summary",
    "source",
)
PARTY_FIELDS: tuple[str, ...] = ("name", "type", "country")
FLOW_FIELDS: tuple[str, ...] = ("from", "to", "what")
SOURCE_FIELDS: tuple[str, ...] = ("document", "section")


@dataclass(frozen=True, slots=True)
class Party:
    """One side of a program: a country, an organization, or an unnamed group."""

    name: str
    type: str
    country: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "country": self.country}


@dataclass(frozen=True, slots=True)
class Flow:
    """What one party gives or teaches another (`from`/`to` are Python keywords)."""

    giver: str
    receiver: str
    what: str

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.giver, "to": self.receiver, "what": self.what}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record comes from: a seed document's title and section heading, verbatim."""

    document: str
    section: str

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "section": self.section}


@dataclass(frozen=True, slots=True)
class Program:
    """One documented cooperation or exchange program."""

    id: str
    title: str
    kind: str
    sectors: tuple[str, ...]
    parties: tuple[Party, ...]
    flows: tuple[Flow, ...]
    benefits: tuple[str, ...]
    evidence: str
    recurrence: str | None
    summary: str
    source: Source

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data with exactly `FIELDS`, in that order."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "sectors": list(self.sectors),
            "parties": [party.to_dict() for party in self.parties],
            "flows": [flow.to_dict() for flow in self.flows],
            "benefits": list(self.benefits),
            "evidence": self.evidence,
            "recurrence": self.recurrence,
            "summary": self.summary,
            "source": self.source.to_dict(),
        }

    def countries(self) -> tuple[str, ...]:
        """ISO codes of the parties that have one, in party order, without repeats."""
        return tuple(dict.fromkeys(p.country for p in self.parties if p.country))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The loaded programs, in file order, with lookup by id."""

    programs: tuple[Program, ...]
    path: str = "<memory>"
    _by_id: Mapping[str, Program] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {p.id: p for p in self.programs})

    def __iter__(self) -> Iterator[Program]:
        return iter(self.programs)

    def __len__(self) -> int:
        return len(self.programs)

    def get(self, program_id: str) -> Program | None:
        """The program with this id (ids are lowercase slugs, so case is ignored)."""
        return self._by_id.get(program_id.strip().lower())

    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if type(value) is not list:
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return tuple(_text(item) for item in value)


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def program_from_dict(data: Mapping[str, Any]) -> Program:
    """Rebuild a program from `Program.to_dict` output, checking every type on the way.

    For data this program wrote itself (the cache); anything unexpected raises
    KeyError, TypeError or ValueError, so a damaged or foreign file is never trusted.
    """
    if list(data) != list(FIELDS):
        raise ValueError("unexpected fields")
    parties = tuple(
        Party(name=_text(p["name"]), type=_text(p["type"]), country=_optional_text(p["country"]))
        for p in data["parties"]
    )
    flows = tuple(
        Flow(giver=_text(f["from"]), receiver=_text(f["to"]), what=_text(f["what"]))
        for f in data["flows"]
    )
    source = data["source"]
    return Program(
        id=_text(data["id"]),
        title=_text(data["title"]),
        kind=_text(data["kind"]),
        sectors=_texts(data["sectors"]),
        parties=parties,
        flows=flows,
        benefits=_texts(data["benefits"]),
        evidence=_text(data["evidence"]),
        recurrence=_optional_text(data["recurrence"]),
        summary=_text(data["summary"]),
        source=Source(document=_text(source["document"]), section=_text(source["section"])),
    )
