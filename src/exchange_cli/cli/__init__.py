"""The command line: `main` (the entry point: the Environment, exit codes), `commands`
(each Typer command: options → load → query → render), `options` (shared options,
declared once), `output` (what a command prints and how it is chosen), `completion`,
`pager`, `export` and `checking` (the work of `export` and `validate`), and
`internals` (every workaround on Typer's and Click's private parts, each tested).

May import every other layer; nothing imports it.
"""
