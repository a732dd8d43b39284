"""Open a catalogue for querying: the store's copy when it holds this exact file, else
the file read, checked and compiled (`loader` → `store`). The one module that knows both.

A catalogue read for this run only (standard input, `--no-cache`, no trusted cache
directory) is not compiled up front: filters, counts and one program's related programs
are answered from memory, and the in-memory store is built only when a question needs
its indexes (search, and related programs for many programs at once). Compiling 60,000
programs costs more than reading them (BENCHMARKS.md).
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING

from exchange_cli.load.loader import (
    STDIN,
    catalogue_from_bytes,
    default_catalogue_path,
    display_name,
    load_catalogue,
    max_bytes_from_env,
    open_regular,
    read_all,
    read_catalogue_bytes,
)

if TYPE_CHECKING:
    from exchange_cli.model.records import Catalogue
    from exchange_cli.query.records import RecordSource


def open_catalogue(path: Path | None = None, *, cache: bool = True) -> "RecordSource":
    """The catalogue at `path` (the shipped one by default; `-` for standard input) as a
    record source. `CatalogueError` when it cannot be read or does not validate."""
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
        data = read_all(fd, name, limit, info.st_size)
    finally:
        os.close(fd)
    whole = directory is not None and len(data) == info.st_size  # not changed as we read
    key = store.SourceKey.of(path, info, store.checksum(data)) if whole else None
    catalogue = catalogue_from_bytes(data, name)
    del data
    if key is None or directory is None:
        return _uncached(catalogue)
    return store.compile_catalogue(catalogue, key, directory)


def _in_memory(path: Path | None) -> "RecordSource":
    from exchange_cli.query.records import MemorySource

    return MemorySource(load_catalogue(path))


def _uncached(catalogue: "Catalogue") -> "RecordSource":
    from exchange_cli.load.uncached import Uncached

    return Uncached(catalogue)
