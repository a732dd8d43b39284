"""Opening a catalogue: bytes (a file or stdin) → strict YAML/JSON → validated records,
every problem located and bounded (`loader`, `reading`, `safeyaml`, `safejson`,
`validation`, `fastcheck`), and `catalogue.open_catalogue`, the one entry point that
answers from the store when it holds the file, and otherwise streams the file into it
(`streaming`: a piece of the file and a batch of programs in memory at a time).

May import: `exchange_cli.store`, `exchange_cli.query`, `exchange_cli.model`,
`exchange_cli.errors`. It prints nothing.
"""
