"""A catalogue read for this run only (standard input, `--no-cache`, no trusted cache
directory): plain questions answered from memory, the in-memory store compiled only when
a question needs its indexes (`catalogue.open_catalogue` decides when)."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exchange_cli.model.records import Catalogue, Party, Program
    from exchange_cli.query.records import Criteria, RecordSource


class Uncached:
    """A `RecordSource` for a catalogue read for this run only: memory answers what it
    answers fast, an in-memory store (compiled on first need) what needs an index."""

    def __init__(self, catalogue: "Catalogue") -> None:
        from exchange_cli.query.records import MemorySource

        self.catalogue = catalogue
        self.name = catalogue.name
        self._memory = MemorySource(catalogue)
        self._store: RecordSource | None = None

    def _compiled(self) -> "RecordSource":
        if self._store is None:
            from exchange_cli.store.files import compile_catalogue

            self._store = compile_catalogue(self.catalogue, None, None)
        return self._store

    def __len__(self) -> int:
        return len(self._memory)

    def ids(self) -> Sequence[str]:
        return self._memory.ids()

    def position(self, program_id: str) -> int | None:
        return self._memory.position(program_id)

    def select(self, criteria: "Criteria") -> list[int]:
        return self._memory.select(criteria)

    def programs(self, positions: Iterable[int]) -> "list[Program]":
        return self._memory.programs(positions)

    def records(self, positions: Iterable[int]) -> list[Mapping[str, Any]]:
        return self._memory.records(positions)

    def count(self, facet: str, positions: Sequence[int]) -> Counter[str]:
        return self._memory.count(facet, positions)

    def countries(self) -> list[str]:
        return self._memory.countries()

    def parties(self) -> "list[Party]":
        return self._memory.parties()

    def related(self, position: int, limit: int) -> list[int]:
        return self._memory.related(position, limit)

    def related_many(
        self, positions: Sequence[int], limit: int, within: Sequence[int] | None = None
    ) -> dict[int, list[int]]:
        return self._compiled().related_many(positions, limit, within)

    def search(self, terms: Sequence[Any]) -> list[tuple[int, float]]:
        return self._compiled().search(terms)

    def words(self) -> set[str]:
        return self._compiled().words()
