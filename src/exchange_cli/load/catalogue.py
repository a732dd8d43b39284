"""Open a catalogue for querying: the store's copy when it holds this exact file, else
the file read, checked and compiled (`loader` → `store`). The one module that knows both.

A first load streams: the file is read a piece at a time and each program is written to
the store as it is checked (`streaming`), so its memory does not grow with the catalogue;
the database is put in place only once the whole file has been read and found valid.

A catalogue read for this run only (standard input, `--no-cache`, no trusted cache
directory) is not compiled up front: filters, counts and one program's related programs
are answered from memory, and the in-memory store is built only when a question needs
its indexes (search, and related programs for many programs at once). Compiling 60,000
programs costs more than reading them (BENCHMARKS.md).
"""

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exchange_cli.errors import STDIN, display_name
from exchange_cli.load.loader import (
    catalogue_from_bytes,
    default_catalogue_path,
    load_catalogue,
    max_bytes_from_env,
    open_regular,
    read_all,
    read_catalogue_bytes,
)

if TYPE_CHECKING:
    from exchange_cli.model.records import Catalogue, Party, Program
    from exchange_cli.query.records import Criteria, Records


def open_catalogue(path: Path | None = None, *, cache: bool = True) -> "Records":
    """The catalogue at `path` (the shipped one by default; `-` for standard input),
    ready for questions. `CatalogueError` when it cannot be read or does not validate."""
    try:
        from exchange_cli.store import files as store
    except ImportError:  # a Python built without sqlite3: plain Python answers
        return _in_memory(path)
    path = path or default_catalogue_path()
    name = display_name(path)
    limit = max_bytes_from_env()
    if str(path) == STDIN:
        return _uncached(catalogue_from_bytes(read_catalogue_bytes(path, limit), name))
    directory = store.trusted_directory() if cache and store.enabled() else None
    fd, info = open_regular(path, limit)
    try:
        if directory is not None:
            found = store.lookup(directory, path, fd, info)
            if found is not None:
                found.name = name
                return found
            from exchange_cli.load.streaming import CatalogueFile

            source = CatalogueFile(fd, info, path, name, limit)
            built = store.compile_stream(source, source.path, directory)
            if built is not None:
                return built
            os.lseek(fd, 0, os.SEEK_SET)  # the cache could not be written: read it again
        data = read_all(fd, name, limit, info.st_size)
    finally:
        os.close(fd)
    return _uncached(catalogue_from_bytes(data, name))


#: A catalogue this small is read afresh within a Tab press (about 300 programs: a
#: tenth of a second); a larger one is answered from its store only.
QUICK_BYTES = 256 * 1024


def open_if_quick(path: Path | None, *, cache: bool) -> "Records | None":
    """The catalogue for a Tab press, when it can be had at once: a small file as any
    command reads it, a larger one from the store that holds it; else None (a shell
    must never wait for a first load). `CatalogueError` as `open_catalogue`."""
    from exchange_cli.store import files as store

    path = path or default_catalogue_path()
    fd, info = open_regular(path, max_bytes_from_env())
    try:
        if info.st_size > QUICK_BYTES:
            directory = store.trusted_directory() if cache and store.enabled() else None
            found = None if directory is None else store.lookup(directory, path, fd, info)
            if found is not None:
                found.name = display_name(path)
            return found
    finally:
        os.close(fd)
    return open_catalogue(path, cache=cache)


def _in_memory(path: Path | None) -> "Records":
    from exchange_cli.query.memory import MemoryRecords

    return MemoryRecords(load_catalogue(path))


def _uncached(catalogue: "Catalogue") -> "Records":
    return OneRunRecords(catalogue)


class OneRunRecords:
    """The `Records` of a catalogue read for this run only: memory answers what it
    answers fast, an in-memory store (compiled on first need) what needs an index."""

    def __init__(self, catalogue: "Catalogue") -> None:
        from exchange_cli.query.memory import MemoryRecords

        self.catalogue = catalogue
        self.name = catalogue.name
        self._memory = MemoryRecords(catalogue)
        self._store: Records | None = None

    def _compiled(self) -> "Records":
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

    def aliases(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        return self._memory.aliases(prefix, limit)

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
