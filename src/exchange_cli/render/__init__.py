"""Output: `results` (what commands hand over), `registry` (every format, as typed
renderer objects), and one module per output family, each with its escaping rule
written at its top: `table` (Rich, terminals), `structured` (json, jsonl, yaml),
`delimited` (csv, tsv), `markdown`, `graph` (mermaid, dot, the terminal tree),
`problems` (compiler-style lines, GitHub annotations), `html` (the exported page).

Renderers are dumb: they print the records and fields they are given, in the order
given. Which records and which fields is decided before they are called. `terminal`
holds the facts about where output goes (the `Environment`), made once by the entry
point and passed to every renderer.

May import: `exchange_cli.query`, `exchange_cli.model`, `exchange_cli.errors`.
"""
