"""Output: `results` (what commands hand over), `registry` (every format, as typed
renderer objects), and one module per output family, each with its escaping rule
written at its top: `table` (Rich, terminals), `structured` (json, jsonl, yaml),
`delimited` (csv, tsv), `markdown`, `graph` (mermaid, dot, the terminal tree),
`problems` (compiler-style lines, GitHub annotations), `html` (the exported page).

Renderers are dumb: they print the records and fields they are given, in the order
given. Which records and which fields is decided before they are called.
"""
