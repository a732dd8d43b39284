"""Open a catalogue for querying: from the store when it holds this exact file, else
read, check and compile it (`loader` → `store`). The one module that knows both."""

import os
from pathlib import Path

from exchange_cli.loader import (
    STDIN,
    catalogue_from_bytes,
    default_catalogue_path,
    display_name,
    max_bytes_from_env,
    open_regular,
    read_all,
    read_catalogue_bytes,
)
from exchange_cli.source import RecordSource


def open_catalogue(path: Path | None = None, *, cache: bool = True) -> RecordSource:
    """The catalogue at `path` (the shipped one by default; `-` for standard input) as a
    record source. `CatalogueError` when it cannot be read or does not validate."""
    try:
        from exchange_cli import store
    except ImportError:  # a Python built without sqlite3: plain Python answers
        return _in_memory(path)
    path = path or default_catalogue_path()
    name = display_name(path)
    limit = max_bytes_from_env()
    if str(path) == STDIN:
        catalogue = catalogue_from_bytes(read_catalogue_bytes(path, limit), name)
        return store.compile_catalogue(catalogue, None, None)
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
    key = store.SourceKey.of(path, info, store.content_hash(data)) if directory else None
    catalogue = catalogue_from_bytes(data, name)
    del data
    return store.compile_catalogue(catalogue, key, directory)


def _in_memory(path: Path | None) -> RecordSource:
    from exchange_cli.loader import load_catalogue
    from exchange_cli.source import MemorySource

    return MemorySource(load_catalogue(path))
