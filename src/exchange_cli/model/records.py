"""The catalogue's records, declared once: each field's type, rule, one-line doc and example.

Everything that knows a field reads it from here (through `fields` and `declaration`):
loading and validation, JSON in and out, the JSON Schema, `exchange new`, csv/tsv cells,
the store's tables and format stamp, the SQLite export, the web page and the README's
field list. Adding a field means adding one line below and running
`python scripts/generate.py`; a view that leaves a field out says so where it is
declared (tests/test_declaration.py holds every edge to it).

Records are NamedTuples rather than dataclasses: as immutable and typed, but defined in
a tenth of the time on every run, each Tab press included (BENCHMARKS.md). No PEP 563
here: the annotations must be real objects for the declaration to be read at run time.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Annotated, Any, NamedTuple

from exchange_cli.model import vocab
from exchange_cli.model.fields import Country, ListOf, Nested, Slug, Term, Text, keys_of
from exchange_cli.model.outputs import keys as output_keys


class Source(NamedTuple):
    """Where a record comes from: a seed document's title and section heading, verbatim."""

    document: Annotated[
        str,
        Text(
            "The document's title (its first heading), verbatim.",
            example="Technology Exchange Programs: A Catalyst for Islamic Nations' Innovation",
        ),
    ]
    section: Annotated[
        str,
        Text(
            "The section heading the record comes from, verbatim.",
            example="The Reality: Technology Exchange in Islamic Nations",
        ),
    ]

    @staticmethod
    def flat(data: Mapping[str, Any]) -> str:
        return f"{data['document']} / {data['section']}"


class Party(NamedTuple):
    """One side of a program: a country, an organization, or an unnamed group. Parties
    with the same `id` are one actor across the catalogue; without one, the name (NFC)
    says who it is (`identity.actor_key`)."""

    name: Annotated[
        str,
        Text(
            "The party's name as the document gives it (its display name: the same for "
            "every party sharing an id).",
            example="Alibaba",
        ),
    ]
    type: Annotated[
        str, Term(vocab.PARTY_TYPES, "country, organization or group.", example="organization")
    ]
    country: Annotated[
        str | None,
        Country(
            "ISO 3166-1 alpha-2 code (quoted), or null for groups without one.",
            nullable=True,
            example="CN",
        ),
    ]
    id: Annotated[
        str | None,
        Slug(
            "Optional slug naming this actor across the catalogue: parties with the same id "
            "are one actor (one node in the graph) and must agree on type and country; "
            "null when absent.",
            required=False,
            example="alibaba",
        ),
    ] = None

    @staticmethod
    def flat(data: Mapping[str, Any]) -> str:
        return f"{data['name']} ({data['country']})" if data["country"] else str(data["name"])


class Flow(NamedTuple):
    """What one party gives or teaches another (`from`/`to` are Python keywords)."""

    giver: Annotated[
        str,
        Text(
            "Name of the giving party (one of this program's parties).",
            key="from",
            example="Saudi Arabia",
        ),
    ]
    receiver: Annotated[
        str,
        Text(
            "Name of the receiving party (one of this program's parties).",
            key="to",
            example="South Korea",
        ),
    ]
    what: Annotated[
        str, Text("What flows, in a short phrase.", example="petroleum production methods")
    ]

    @staticmethod
    def flat(data: Mapping[str, Any]) -> str:
        return f"{data['from']} -> {data['to']}: {data['what']}"


#: A program's parties are joined pairwise in the graph, so their number bounds its size:
#: at most 66 partnership edges a program (a 4 MiB catalogue's graph stays in 320 MiB).
MAX_PARTIES = 12


class Program(NamedTuple):
    """One documented cooperation or exchange program."""

    id: Annotated[
        str,
        Slug(
            "Unique lowercase slug, short enough to type (the shipped ones are at most 28 "
            "characters), e.g. saudi-korea-tech-exchange.",
            example="example-tech-exchange",  # an id no shipped program has or had
        ),
    ]
    title: Annotated[
        str,
        Text("Short name of the program.", example="Saudi Arabia–South Korea Technology Exchange"),
    ]
    kind: Annotated[
        str, Term(vocab.KINDS, "What sort of program this is.", example="technology-exchange")
    ]
    sectors: Annotated[
        tuple[str, ...],
        ListOf(
            Term(vocab.SECTORS, "A sector.", example="energy"),
            "One or more sectors the program touches, no repeats.",
            noun=("sector", "sectors"),
            min_items=1,
            unique_by="",
            example=["energy", "digital-technology"],
        ),
    ]
    parties: Annotated[
        tuple[Party, ...],
        ListOf(
            Nested(Party, "One side of a program.", noun="a party"),
            "The sides taking part, at most 12 (the graph joins every pair of them); "
            "a larger group is one party of type group.",
            noun=("party", "parties"),
            min_items=1,
            max_items=MAX_PARTIES,
            unique_by="name",
            example=[
                {"name": "Saudi Arabia", "type": "country", "country": "SA"},
                {"name": "South Korea", "type": "country", "country": "KR"},
            ],
        ),
    ]
    flows: Annotated[
        tuple[Flow, ...],
        ListOf(
            Nested(Flow, "What one party gives another.", noun="a flow"),
            "What one party gives or teaches another; one entry per direction.",
            noun=("flow", "flows"),
            example=[
                {"from": "Saudi Arabia", "to": "South Korea", "what": "oil production know-how"},
                {"from": "South Korea", "to": "Saudi Arabia", "what": "electronics manufacturing"},
            ],
        ),
    ]
    benefits: Annotated[
        tuple[str, ...],
        ListOf(
            Text("One benefit, in a short sentence.", example="Shared engineering skills"),
            "Short statements of what the program brings, in our own words.",
            noun=("benefit", "benefits"),
        ),
    ]
    evidence: Annotated[str, Term(vocab.EVIDENCE, "How the source document presents the program.")]
    recurrence: Annotated[
        str | None,
        Term(
            vocab.RECURRENCE,
            "How often it happens, or null when the source does not say.",
            nullable=True,
        ),
    ]
    summary: Annotated[
        str,
        Text(
            "One or two sentences in the catalogue's own words.",
            example="Two countries trade what each does best: oil know-how for electronics.",
        ),
    ]
    source: Annotated[
        Source,
        Nested(
            Source, "The seed document's title and section heading, verbatim.", noun="a source"
        ),
    ]
    aliases: Annotated[
        tuple[str, ...],
        ListOf(
            Slug("An earlier id of this program.", example="saudi-korea-technology-exchange"),
            "Earlier ids of this program, which still name it wherever an id is taken (show, "
            "completion, diff): renaming a program keeps its old id working. Never another "
            "program's id or alias; none when absent.",
            noun=("alias", "aliases"),
            required=False,
            unique_by="",
            example=[],
        ),
    ] = ()

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data: exactly `FIELDS`, in that order."""
        from exchange_cli.model.declaration import to_json  # not needed by every run

        return to_json(self)

    def countries(self) -> tuple[str, ...]:
        """ISO codes of the parties that have one, in party order, without repeats."""
        return tuple(dict.fromkeys(p.country for p in self.parties if p.country))


#: A program's keys in catalogue files and JSON, in output order. Scripts rely on them.
FIELDS: tuple[str, ...] = keys_of(Program)
#: The rows `flows` prints, and the graph's edges: also a contract (`outputs`).
FLOW_ROW_FIELDS = output_keys("flows")
EDGE_FIELDS = output_keys("graph.edges")


class Catalogue:
    """Programs in file order, with lookup by id: what a loaded file holds."""

    __slots__ = ("programs", "name", "_by_id")

    def __init__(self, programs: Iterable[Program] = (), name: str = "<memory>") -> None:
        self.programs: tuple[Program, ...] = tuple(programs)
        self.name = name
        self._by_id = {p.id: i for i, p in enumerate(self.programs)}

    def __iter__(self) -> Iterator[Program]:
        return iter(self.programs)

    def __len__(self) -> int:
        return len(self.programs)

    def get(self, program_id: str) -> Program | None:
        """The program with this id (ids are lowercase slugs, so case is ignored)."""
        index = self._by_id.get(program_id.strip().lower())
        return None if index is None else self.programs[index]

    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)


class JsonRecord(Mapping[str, Any]):
    """A program's JSON-ready data held as its JSON text (as `json.dumps` writes it with
    its default separators), decoded on first use and then checked by `check` when one is
    given. Printing a whole record as JSON can use the text as it is, which is most of a
    large listing's time saved."""

    __slots__ = ("text", "_data", "_check")
    fields = FIELDS

    def __init__(self, text: str, check: Callable[[Any], None] | None = None) -> None:
        self.text = text
        self._data: dict[str, Any] | None = None
        self._check = check

    def _decoded(self) -> dict[str, Any]:
        if self._data is None:
            import json

            data = json.loads(self.text)
            if self._check is not None:
                self._check(data)
            self._data = data
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())


class ScoredRecord(JsonRecord):
    """A search hit: `score`, then a stored record's fields, still as the stored text with
    the score written in front (what `json.dumps` would write for the merged mapping)."""

    __slots__ = ()
    fields = ("score", *FIELDS)

    def __init__(self, score: float, record: JsonRecord) -> None:
        if type(score) is float and score - score == 0:  # finite: as json.dumps writes it
            number = float.__repr__(score)
        else:
            import json

            number = json.dumps(score)
        super().__init__('{"score": ' + number + ", " + record.text[1:], record._check)

    def _decoded(self) -> dict[str, Any]:
        if self._data is None:
            import json

            data = json.loads(self.text)
            score = data.pop("score")
            if self._check is not None:
                self._check(data)
            self._data = {"score": score, **data}
        return self._data


def scored(score: float, record: Mapping[str, Any]) -> Mapping[str, Any]:
    """A search hit's row: the score, then the record's fields."""
    if type(record) is JsonRecord:
        return ScoredRecord(score, record)
    return {"score": score, **record}


def program_text(key: str, value: Any) -> str:
    """One field of a program's JSON-ready data as one line of text (csv, tsv, markdown
    and table cells): `Saudi Arabia (SA); South Korea (KR)` for its parties."""
    from exchange_cli.model.declaration import flat_field

    return flat_field(Program, key, value)
