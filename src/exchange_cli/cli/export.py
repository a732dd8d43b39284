"""What `exchange export` puts on its page, gathered from a record source: the records,
each one's related programs (among those exported, so every link leads somewhere), the
counts, the filter index, the search index and the graph."""

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exchange_cli.errors import STDIN, UsageError
from exchange_cli.model.records import Program
from exchange_cli.query import filters as query
from exchange_cli.query import network, search
from exchange_cli.query.records import Criteria
from exchange_cli.render.html import Page
from exchange_cli.render.results import Export

if TYPE_CHECKING:
    from exchange_cli.cli.options import CatalogueOptions
    from exchange_cli.query.records import Records


def not_for_a_terminal(form: str) -> str:
    """What `export` says when it would write a page or a database onto a terminal."""
    what, flag, suffix = {
        "html": ("a web page", "", "html"),
        "sqlite": ("a database", " -f sqlite", "db"),
    }[form]
    return (
        f"export writes {what}; send it to a file: exchange export{flag} > "
        f"catalogue.{suffix} (or --output catalogue.{suffix})"
    )


def build_export(
    catalogue: "CatalogueOptions", criteria: Criteria, form: str, to: str | None, version: str
) -> Export:
    """What `export` writes in `form` ("html" or "sqlite"), to `to` (None: stdout; for
    sqlite, a directory when it is one or ends in `/`). An `--output` that is the
    catalogue read is refused before the catalogue is even opened (README: "Security")."""
    from exchange_cli.render.target import refuse_if_read

    if to is not None and not to.strip():
        raise UsageError("--output needs a file name")
    target = None if to is None else Path(to)
    # os.path.isdir, not Path.is_dir: Python 3.11's raises on EACCES and ENAMETOOLONG;
    # a path that cannot be looked at is a file to write, which then fails in one line
    directory = to is not None and (os.path.isdir(to) or to.endswith(("/", os.sep)))
    if directory and form != "sqlite":
        raise UsageError(f"--output {to} is a directory; name the page's file")
    keep = catalogue_read(catalogue)
    if target is not None:
        names = ("catalogue.db", "metadata.json") if directory else ("",)
        for name in names:
            refuse_if_read(target / name if name else target, keep)
    source = catalogue.open()
    if form == "sqlite":
        programs = query.select_programs(source, criteria)
        return Export(programs=programs, target=target, directory=directory, keep=keep,
                      actors=network.actor_nodes(programs))  # fmt: skip
    return Export(build_page(source, criteria, version), target=target, keep=keep)


def catalogue_read(catalogue: "CatalogueOptions") -> frozenset[tuple[int, int]]:
    """The (device, inode) of the catalogue file the command reads (`--data`,
    EXCHANGE_DATA, the shipped one, or standard input when it is a file): what `--output`
    must never replace. Empty when it is no regular file or cannot be looked at (then it
    cannot be read either, and the command fails on that)."""
    import stat

    from exchange_cli.load.loader import default_catalogue_path

    path = catalogue.path or default_catalogue_path()
    try:
        info = os.fstat(0) if str(path) == STDIN else os.stat(path)
    except (OSError, ValueError):
        return frozenset()
    return frozenset([(info.st_dev, info.st_ino)]) if stat.S_ISREG(info.st_mode) else frozenset()


def build_page(source: "Records", criteria: Criteria, version: str) -> Page:
    """The page's content. What is large (each program's related entries and search words)
    is made as the page is written, one program at a time, not held all at once."""
    positions = query.select(source, criteria)
    programs = source.programs(positions)
    by_position = dict(zip(positions, programs, strict=True))
    related = source.related_many(positions, query.RELATED_LIMIT, within=positions)
    return Page(
        records=[p.to_dict() for p in programs],
        related=RelatedEntries(by_position, related),
        facets=query.facet_counts(source, positions),
        facet_index=query.facet_index(programs),
        search_index=search.search_index(programs, lazy=True),
        graph=network.build_graph(programs).to_dict(),
        criteria=criteria,
        version=version,
    )


class RelatedEntries(Mapping[str, list[dict[str, Any]]]):
    """Program id → its related entries (`query.related_entry`), made when asked for."""

    def __init__(self, programs: Mapping[int, Program], related: Mapping[int, list[int]]):
        self._programs = programs
        self._related = related
        self._positions = {program.id: i for i, program in programs.items()}

    def __getitem__(self, program_id: str) -> list[dict[str, Any]]:
        position = self._positions[program_id]
        program = self._programs[position]
        return [query.related_entry(program, self._programs[j]) for j in self._related[position]]

    def __iter__(self) -> Iterator[str]:
        return (self._programs[i].id for i in self._related)

    def __len__(self) -> int:
        return len(self._related)
