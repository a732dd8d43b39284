"""Opening a catalogue: bytes (a file or stdin) → strict YAML/JSON → validated records,
every problem located and bounded (`loader`, `reading`, `safeyaml`, `safejson`,
`validation`, `fastcheck`), and `catalogue.open_catalogue`, the one entry point that
answers from the store when it holds the file.

May import: `exchange_cli.store`, `exchange_cli.query`, `exchange_cli.model`,
`exchange_cli.errors`. It prints nothing.
"""
