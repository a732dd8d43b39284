"""The catalogue's records as immutable typed records; `FIELDS` is the JSON contract.

No I/O, no YAML, no terminal: the loader builds these, the query layer reads them,
and `Program.to_dict` is the one place a record becomes JSON-ready data.

Records are `NamedTuple`s rather than frozen slotted dataclasses: just as immutable and
typed, but a class costs about 0.1 ms to define instead of about 1 ms (dataclasses
compile each generated method), and every run, each Tab press included, defines the
start-up path's eleven record classes before doing anything (BENCHMARKS.md).
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

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


class Party(NamedTuple):
    """One side of a program: a country, an organization, or an unnamed group."""

    name: str
    type: str
    country: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "country": self.country}


class Flow(NamedTuple):
    """What one party gives or teaches another (`from`/`to` are Python keywords)."""

    giver: str
    receiver: str
    what: str

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.giver, "to": self.receiver, "what": self.what}


class Source(NamedTuple):
    """Where a record comes from: a seed document's title and section heading, verbatim."""

    document: str
    section: str

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "section": self.section}


class Program(NamedTuple):
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


class Facets(NamedTuple):
    """What filters and counts read off a program, without its text.

    Small enough to keep for every record: a cached catalogue answers `list --sector`
    and `summarize` from these alone and parses only the records it prints. A named
    tuple rather than a frozen dataclass: a large catalogue builds one per record on
    every run, and a tuple is several times cheaper to make.
    """

    id: str
    kind: str
    evidence: str
    sectors: tuple[str, ...]
    countries: tuple[str, ...]
    party_names: tuple[str, ...]  # as written; --party folds them when it is used

    @classmethod
    def of(cls, program: Program) -> "Facets":
        return cls(
            id=program.id,
            kind=program.kind,
            evidence=program.evidence,
            sectors=program.sectors,
            countries=program.countries(),
            party_names=tuple(party.name for party in program.parties),
        )


Fetch = Callable[[int], tuple[Program, Mapping[str, Any]]]


class FacetColumns:
    """The facets of every program, one column per `Facets` field.

    Columns may be stored encoded (a cached catalogue joins a record's sectors into one
    string) with a function that decodes one value; a column is decoded whole only when a
    query reads it, so `list --sector` never decodes the party names.
    """

    __slots__ = ("count", "_raw", "_decode", "_made")

    def __init__(
        self,
        raw: Mapping[str, Sequence[Any]],
        decode: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> None:
        self._raw = dict(raw)
        self.count = len(self._raw["id"])
        if any(len(column) != self.count for column in self._raw.values()):
            raise ValueError("facet columns of different lengths")
        self._decode = dict(decode or {})
        self._made: dict[str, Sequence[Any]] = {}

    @classmethod
    def of(cls, rows: Sequence[Facets]) -> "FacetColumns":
        return cls({name: [getattr(row, name) for row in rows] for name in Facets._fields})

    def __getitem__(self, name: str) -> Sequence[Any]:
        """A whole column, decoded."""
        column = self._made.get(name)
        if column is None:
            decode = self._decode.get(name)
            raw = self._raw[name]
            column = self._made[name] = raw if decode is None else [decode(v) for v in raw]
        return column

    def row(self, index: int) -> Facets:
        """One program's facets, decoding only its own values."""
        values = []
        for name in Facets._fields:
            made = self._made.get(name)
            if made is not None:
                values.append(made[index])
            else:
                decode = self._decode.get(name)
                raw = self._raw[name][index]
                values.append(raw if decode is None else decode(raw))
        return Facets._make(values)


class Catalogue:
    """The loaded programs, in file order, with lookup by id.

    Programs are either all at hand, or fetched one by one on first use (`indexed`), so
    a query over a large cached catalogue builds only the records it needs.
    """

    __slots__ = ("path", "_columns", "_fetch", "_programs", "_records", "_by_id")

    def __init__(self, programs: Iterable[Program] = (), path: str = "<memory>") -> None:
        ready = tuple(programs)
        self.path = path
        self._programs: list[Program | None] = list(ready)
        self._columns: FacetColumns | None = None
        self._fetch: Fetch | None = None
        self._records: list[Mapping[str, Any] | None] = [None] * len(ready)
        self._by_id: dict[str, int] = {p.id: i for i, p in enumerate(ready)}

    @classmethod
    def indexed(cls, columns: FacetColumns, fetch: Fetch, path: str) -> "Catalogue":
        """A catalogue whose programs come from `fetch(index)` when first asked for.

        `fetch` returns the program and its record (exactly `program.to_dict()`), so a
        listing can print what it read without converting it back and forth.
        """
        catalogue = cls((), path)
        catalogue._columns = columns
        catalogue._fetch = fetch
        catalogue._programs = [None] * columns.count
        catalogue._records = [None] * columns.count
        catalogue._by_id = {program_id: i for i, program_id in enumerate(columns["id"])}
        return catalogue

    @property
    def columns(self) -> FacetColumns:
        """Every program's facets, by column: what filters read."""
        if self._columns is None:
            self._columns = FacetColumns.of([Facets.of(p) for p in self])
        return self._columns

    @property
    def facets(self) -> tuple[Facets, ...]:
        """Every program's facets, by row: what `summarize` counts."""
        return tuple(self.columns.row(i) for i in range(len(self)))

    @property
    def programs(self) -> tuple[Program, ...]:
        return tuple(self.program(i) for i in range(len(self)))

    def program(self, index: int) -> Program:
        program = self._programs[index]
        if program is None:
            assert self._fetch is not None
            program, self._records[index] = self._fetch(index)
            self._programs[index] = program
        return program

    def record(self, index: int) -> Mapping[str, Any]:
        """The program as JSON-ready data, `Program.to_dict()`; read-only, may be shared."""
        program = self.program(index)
        record = self._records[index]
        return record if record is not None else program.to_dict()

    def __iter__(self) -> Iterator[Program]:
        return (self.program(i) for i in range(len(self)))

    def __len__(self) -> int:
        return len(self._programs)

    def get(self, program_id: str) -> Program | None:
        """The program with this id (ids are lowercase slugs, so case is ignored)."""
        index = self._by_id.get(program_id.strip().lower())
        return None if index is None else self.program(index)

    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)


_FIELD_LIST, _PARTY_LIST = list(FIELDS), list(PARTY_FIELDS)
_FLOW_LIST, _SOURCE_LIST = list(FLOW_FIELDS), list(SOURCE_FIELDS)


def _damaged(what: str) -> ValueError:
    return ValueError(f"not a record this program wrote: {what}")


def _strings(*values: Any) -> bool:
    return all(type(value) is str for value in values)


def program_from_dict(data: Any) -> Program:
    """Rebuild a program from `Program.to_dict` output, checking every key and type.

    For data this program wrote itself (the cache); anything unexpected raises
    ValueError, so a damaged or foreign file is never trusted. When it returns, `data`
    equals `program.to_dict()` exactly. Written out longhand: a large query rebuilds
    thousands of records, and this is most of its time.
    """
    if type(data) is not dict or list(data) != _FIELD_LIST:
        raise _damaged("fields")
    parties, flows, source = data["parties"], data["flows"], data["source"]
    sectors, benefits = data["sectors"], data["benefits"]
    if not all(type(value) is list for value in (parties, flows, sectors, benefits)):
        raise _damaged("lists")
    if not _strings(*sectors, *benefits):
        raise _damaged("sectors or benefits")
    built_parties = []
    for party in parties:
        if type(party) is not dict or list(party) != _PARTY_LIST:
            raise _damaged("party")
        name, kind, country = party["name"], party["type"], party["country"]
        if not _strings(name, kind) or not (country is None or type(country) is str):
            raise _damaged("party")
        built_parties.append(Party(name, kind, country))
    built_flows = []
    for flow in flows:
        if type(flow) is not dict or list(flow) != _FLOW_LIST:
            raise _damaged("flow")
        giver, receiver, what = flow["from"], flow["to"], flow["what"]
        if not _strings(giver, receiver, what):
            raise _damaged("flow")
        built_flows.append(Flow(giver, receiver, what))
    if type(source) is not dict or list(source) != _SOURCE_LIST:
        raise _damaged("source")
    document, section = source["document"], source["section"]
    program_id, title, kind, evidence = data["id"], data["title"], data["kind"], data["evidence"]
    recurrence, summary = data["recurrence"], data["summary"]
    if not _strings(document, section, program_id, title, kind, evidence, summary):
        raise _damaged("text")
    if not (recurrence is None or type(recurrence) is str):
        raise _damaged("recurrence")
    return Program(
        program_id,
        title,
        kind,
        tuple(sectors),
        tuple(built_parties),
        tuple(built_flows),
        tuple(benefits),
        evidence,
        recurrence,
        summary,
        Source(document, section),
    )
