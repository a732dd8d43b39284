"""The baseline for start-up benchmarks: the smallest useful Typer app, same venv.

It parses one option and prints a line, like `exchange list` minus our own work; its
`table` command prints a three-row Rich table, the baseline of the table path.
`prog_name="minimal"` makes its completion variable `_MINIMAL_COMPLETE`, so a
completion request can be timed the same way as exchange's.
"""

import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    print(f"hello {name}")


@app.command()
def other() -> None:
    """A second command, so Typer builds a group as it does for exchange."""


@app.command()
def table() -> None:
    """Three rows in a Rich table: the baseline of `exchange list` on a terminal."""
    from rich.console import Console
    from rich.table import Table

    shown = Table("id", "title", "evidence", box=None)
    shown.add_row("joint-defense", "Joint Development of Defense Systems", "reported")
    shown.add_row("military-education", "Military Education Exchange", "reported")
    shown.add_row("defense-symposium", "Islamic Nation-USA Defense Symposium", "hypothetical")
    Console().print(shown)


if __name__ == "__main__":
    app(prog_name="minimal")
