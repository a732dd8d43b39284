"""`MemoryRecords`: the `Records` of a loaded catalogue, answered in plain Python. The
reference the store is tested against (tests/test_query.py, test_search.py)."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from exchange_cli.model.records import Catalogue, Party, Program
from exchange_cli.query.records import Criteria, facet_values, matches, party_keys


class MemoryRecords:
    """A `Records` over programs held in memory: every answer computed in Python."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.name = catalogue.name
        self._positions = {
            name: i for i, p in enumerate(catalogue.programs) for name in (*p.aliases, p.id)
        }
        self._actors: dict[str, tuple[str, ...]] | None = None  # made for --party only

    def __len__(self) -> int:
        return len(self.catalogue)

    def ids(self) -> Sequence[str]:
        return [p.id for p in self.catalogue]

    def position(self, program_id: str) -> int | None:
        return self._positions.get(program_id.strip().lower())

    def aliases(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        import heapq

        found = (
            (a, i)
            for i, p in enumerate(self.catalogue.programs)
            for a in p.aliases
            if a.startswith(prefix)
        )
        return heapq.nsmallest(limit, found)

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
