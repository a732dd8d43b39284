"""Questions asked of an open catalogue, as pure functions: `records` (the `Records`
protocol every opened catalogue answers, and its in-memory form), `filters` (criteria,
facets, ordering), `search`, `related`, `network` (parties, flows and the graph),
`changes` (what differs between two catalogues).

May import: `exchange_cli.model` and `exchange_cli.errors`. No I/O: no file, terminal
or database is touched here.
"""
