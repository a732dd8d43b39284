"""What queries read programs from: the `Records` protocol, the `Criteria` of a filter,
and the facts of one program that filters and counts use.

`filters`, `search` and `network` ask an opened catalogue (its `Records`) for
positions, programs, records, counts and related programs; they never open a file or a
database. `Records` are either `memory.MemoryRecords` over a loaded `Catalogue` (plain
Python, the reference the store is tested against) or `store.records.StoreRecords`
over a compiled SQLite database.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from exchange_cli.model import vocab
from exchange_cli.model.records import Party, Program

#: Facets `summarize` counts, and the page's chips filter by.
FACETS: tuple[str, ...] = ("sector", "kind", "evidence", "country")
#: What `summarize --by` can count: the facets, and the actors (`party`).
SUMMARY_FACETS: tuple[str, ...] = (*FACETS, "party")


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

    class Records(Protocol):
        """Programs by position (0-based, in catalogue order), and the questions queries ask
        of them. Implementations answer identically (tests/test_source.py)."""

        name: str  # the catalogue, as messages name it

        def __len__(self) -> int: ...

        def ids(self) -> Sequence[str]: ...

        def position(self, program_id: str) -> int | None:
            """The position of the program with this id or alias (case ignored), or None."""
            ...

        def aliases(self, prefix: str, limit: int) -> list[tuple[str, int]]:
            """The first `limit` earlier ids (`aliases`) that start with `prefix`, in
            order, each with the position of the program it names."""
            ...

        def select(self, criteria: Criteria) -> list[int]:
            """Positions of the matching programs, in catalogue order."""
            ...

        def programs(self, positions: Iterable[int]) -> list[Program]: ...

        def records(self, positions: Iterable[int]) -> Sequence[Mapping[str, Any]]:
            """The programs as JSON-ready data (`Program.to_dict()`), read-only; a
            source may read them as they are iterated (a store's large listings)."""
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
