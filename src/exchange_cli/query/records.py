"""Where queries read programs from: the `RecordSource` protocol, and its in-memory
implementation.

`query`, `search` and `network` ask a source for positions, programs, records, counts
and related programs; they never open a file or a database. A source is either a
`MemorySource` over a loaded `Catalogue` (this module: plain Python, the reference the
store is tested against) or a `store.StoreSource` over a compiled SQLite database.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from exchange_cli.model import vocab
from exchange_cli.model.records import Catalogue, Party, Program

#: Facets `summarize` counts.
FACETS: tuple[str, ...] = ("sector", "kind", "evidence", "country")


class Criteria:
    """What `list` and friends filter by, already canonical (`query.resolve_criteria`).
    Values within a field OR; fields AND. `parties` holds folded name fragments, and
    `typed` each fragment as it was typed (for messages; not part of equality)."""

    __slots__ = ("sectors", "kinds", "countries", "parties", "evidence", "typed")

    def __init__(
        self,
        sectors: tuple[str, ...] = (),
        kinds: tuple[str, ...] = (),
        countries: tuple[str, ...] = (),
        parties: tuple[str, ...] = (),
        evidence: tuple[str, ...] = (),
        typed: Mapping[str, str] | None = None,
    ) -> None:
        self.sectors, self.kinds, self.countries = sectors, kinds, countries
        self.parties, self.evidence = parties, evidence
        self.typed: Mapping[str, str] = typed or {}

    def _values(self) -> tuple[tuple[str, ...], ...]:
        return (self.sectors, self.kinds, self.countries, self.parties, self.evidence)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Criteria) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"Criteria{self._values()!r}"

    def is_empty(self) -> bool:
        return not any(self._values())


if TYPE_CHECKING:  # a typing-only protocol: nothing to define on every run

    class RecordSource(Protocol):
        """Programs by position (0-based, in catalogue order), and the questions queries ask
        of them. Implementations answer identically (tests/test_source.py)."""

        name: str  # the catalogue, as messages name it

        def __len__(self) -> int: ...

        def ids(self) -> Sequence[str]: ...

        def position(self, program_id: str) -> int | None:
            """The position of the program with this id (case ignored), or None."""
            ...

        def select(self, criteria: Criteria) -> list[int]:
            """Positions of the matching programs, in catalogue order."""
            ...

        def programs(self, positions: Iterable[int]) -> list[Program]: ...

        def records(self, positions: Iterable[int]) -> list[Mapping[str, Any]]:
            """The programs as JSON-ready data (`Program.to_dict()`), read-only."""
            ...

        def count(self, facet: str, positions: Sequence[int]) -> Counter[str]:
            """How many of these programs have each value of `facet` (a program with two
            sectors counts once for each)."""
            ...

        def related(self, position: int, limit: int) -> list[int]:
            """Positions of the programs sharing most parties and sectors with this one (a
            shared party key, `party_keys`, or sector counts one each), best first, then in
            catalogue order; at most `limit`."""
            ...

        def related_many(
            self, positions: Sequence[int], limit: int, within: Sequence[int] | None = None
        ) -> dict[int, list[int]]:
            """`related` for each of `positions`, counting only programs among `within`."""
            ...

        def search(self, terms: Sequence[Any]) -> list[tuple[int, float]]:
            """(position, score) of the programs matching every term (`search.Term`), best
            first, then in catalogue order."""
            ...

        def countries(self) -> list[str]:
            """The country codes the catalogue's parties have, sorted."""
            ...

        def parties(self) -> list[Party]:
            """Every distinct party (name, type, country) in the catalogue, sorted."""
            ...

        def words(self) -> set[str]:
            """Every searchable word (normalized), for "did you mean" hints."""
            ...


def party_keys(program: Program) -> dict[str, str]:
    """What makes two programs' parties the same party, for related programs: the
    country code (an organization shares its country's), else the party's id, else its
    folded name. Key → this program's name for it (the first party with the key)."""
    keys: dict[str, str] = {}
    for party in program.parties:
        key = party.country or (f"#{party.id}" if party.id else vocab.normalize(party.name))
        keys.setdefault(key, party.name)
    return keys


def facet_values(program: Program, facet: str) -> tuple[str, ...]:
    if facet == "sector":
        return program.sectors
    if facet == "kind":
        return (program.kind,)
    if facet == "evidence":
        return (program.evidence,)
    if facet == "country":
        return program.countries()
    raise ValueError(facet)


class MemorySource:
    """A `RecordSource` over programs held in memory: every answer computed in Python."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.name = catalogue.name
        self._positions = {p.id: i for i, p in enumerate(catalogue.programs)}
        self._actors: dict[str, tuple[str, ...]] | None = None  # made for --party only

    def __len__(self) -> int:
        return len(self.catalogue)

    def ids(self) -> Sequence[str]:
        return [p.id for p in self.catalogue]

    def position(self, program_id: str) -> int | None:
        return self._positions.get(program_id.strip().lower())

    def select(self, criteria: Criteria) -> list[int]:
        if criteria.parties and self._actors is None:
            from exchange_cli.model.identity import actor_names

            self._actors = actor_names(p for program in self.catalogue for p in program.parties)
        actors = self._actors or {}
        return [i for i, p in enumerate(self.catalogue) if matches(p, criteria, actors)]

    def programs(self, positions: Iterable[int]) -> list[Program]:
        programs = self.catalogue.programs
        return [programs[i] for i in positions]

    def records(self, positions: Iterable[int]) -> list[Mapping[str, Any]]:
        return [p.to_dict() for p in self.programs(positions)]

    def count(self, facet: str, positions: Sequence[int]) -> Counter[str]:
        counter: Counter[str] = Counter()
        for program in self.programs(positions):
            counter.update(facet_values(program, facet))
        return counter

    def related(self, position: int, limit: int) -> list[int]:
        return self.related_many([position], limit)[position]

    def search(self, terms: Sequence[Any]) -> list[tuple[int, float]]:
        from exchange_cli.query.search import score_program

        scored = [(i, score_program(p, terms)) for i, p in enumerate(self.catalogue)]
        hits = [(i, score) for i, score in scored if score > 0]
        hits.sort(key=lambda hit: -hit[1])
        return hits

    def countries(self) -> list[str]:
        return sorted({code for p in self.catalogue for code in p.countries()})

    def parties(self) -> list[Party]:
        return sorted({party for p in self.catalogue for party in p.parties}, key=_party_order)

    def related_many(
        self, positions: Sequence[int], limit: int, within: Sequence[int] | None = None
    ) -> dict[int, list[int]]:
        """Each program's most related (`related.best_related`), among `within` (default:
        all)."""
        from exchange_cli.query.related import PARTY_CANDIDATES, Levels, best_related, sector_mask

        programs = self.catalogue.programs
        allowed = range(len(programs)) if within is None else sorted(set(within))
        masks = [sector_mask(p.sectors) for p in programs]
        sharers: dict[str, list[int]] = {}
        for i in allowed:
            for key in party_keys(programs[i]):
                found = sharers.setdefault(key, [])
                if len(found) <= PARTY_CANDIDATES:
                    found.append(i)
        levels = Levels((i, masks[i]) for i in allowed)
        return {
            p: best_related(
                p, [sharers.get(k, []) for k in party_keys(programs[p])], masks, levels, limit
            )
            for p in positions
        }

    def words(self) -> set[str]:
        from exchange_cli.query.search import field_words

        return {
            word
            for program in self.catalogue
            for segments in field_words(program).values()
            for words in segments
            for word in words
        }


def _party_order(party: Party) -> tuple[str, str, str, str]:
    return (party.name, party.type, party.country or "", party.id or "")


def matches(
    program: Program, criteria: Criteria, actors: Mapping[str, Sequence[str]] | None = None
) -> bool:
    """Whether a program satisfies every given field (by any of its values). A `--party`
    fragment matches a party through any name or the id of its actor (`actors`, from
    `identity.actor_names`; without it, through the party's own name)."""
    if criteria.sectors and not set(criteria.sectors) & set(program.sectors):
        return False
    if criteria.kinds and program.kind not in criteria.kinds:
        return False
    if criteria.evidence and program.evidence not in criteria.evidence:
        return False
    if criteria.countries and not set(criteria.countries) & set(program.countries()):
        return False
    if criteria.parties:
        from exchange_cli.model.identity import actor_key

        folded = [
            name
            for party in program.parties
            for name in (actors or {}).get(actor_key(party), (vocab.normalize(party.name),))
        ]
        return any(part in name for part in criteria.parties for name in folded)
    return True
