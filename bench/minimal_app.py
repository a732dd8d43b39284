"""The baseline for start-up benchmarks: the smallest useful Typer app, same venv.

It parses one option and prints a line, like `exchange list` minus our own work.
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


if __name__ == "__main__":
    app(prog_name="minimal")
