"""What `exchange export` puts on its page, gathered from a record source: the records,
each one's related programs (among those exported, so every link leads somewhere), the
counts, the filter index, the search index and the graph."""

from typing import TYPE_CHECKING

from exchange_cli import network, query, search
from exchange_cli.render.html import Page
from exchange_cli.source import Criteria

if TYPE_CHECKING:
    from exchange_cli.source import RecordSource


def build_page(source: "RecordSource", criteria: Criteria, version: str) -> Page:
    positions = query.select(source, criteria)
    programs = source.programs(positions)
    by_position = dict(zip(positions, programs, strict=True))
    related = source.related_many(positions, query.RELATED_LIMIT, within=positions)
    return Page(
        records=[p.to_dict() for p in programs],
        related={
            by_position[i].id: [query.related_entry(by_position[i], by_position[j]) for j in js]
            for i, js in related.items()
        },
        facets=query.facet_counts(source, positions),
        facet_index=query.facet_index(programs),
        search_index=search.search_index(programs),
        graph=network.build_graph(programs).to_dict(),
        criteria=criteria,
        version=version,
    )
