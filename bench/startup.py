"""Start-up benchmark: `exchange` against a minimal Typer app and `python -c pass`.

    python bench/startup.py              # 40 interleaved rounds, markdown on stdout
    python bench/startup.py --quick      # CI smoke run: proves it works, measures little

Run it with the Python of the venv `exchange` is installed in: the minimal app runs on
the same interpreter and the same typer, so the ratios show what our own code costs.
The table paths run under a pseudo-terminal (a pipe would time the plain path).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from harness import Command, Runs, count_instructions, machine, measure, run_once

HERE = Path(__file__).resolve().parent

#: (name, numerator, denominator, target ratio) — the targets of issues 8 and 22.
TARGETS = [
    ("json path vs minimal Typer app", "exchange-json", "typer-app", 1.15),
    ("json path vs python -c pass", "exchange-json", "python", 7.0),
    (
        "table path vs a minimal Typer app's three-row Rich table, both on a terminal",
        "exchange-table",
        "typer-table-tty",
        1.15,
    ),
    ("completion vs minimal Typer app's completion", "exchange-complete", "typer-complete", 1.15),
]


def commands() -> list[Command]:
    python = sys.executable
    exchange = str(Path(python).parent / "exchange")
    app = str(HERE / "minimal_app.py")
    return [
        Command("python", [python, "-c", "pass"]),
        Command("typer-app", [python, app, "hello"]),
        Command("typer-app-tty", [python, app, "hello"], terminal=True),
        Command("typer-table-tty", [python, app, "table"], terminal=True),
        Command(
            "typer-complete",
            [python, app],
            {
                "COMP_CWORD": "3",
                "_MINIMAL_COMPLETE": "complete_bash",
                "COMP_WORDS": "minimal hello --name ",
            },
        ),
        Command("exchange-json", [exchange, "list", "--sector", "defense", "--format", "json"]),
        Command(
            "exchange-json-no-cache",
            [exchange, "list", "--sector", "defense", "--format", "json", "--no-cache"],
        ),
        Command("exchange-table", [exchange, "list", "--sector", "defense"], terminal=True),
        Command(  # what our bash script runs on `exchange list --sector <Tab>`
            "exchange-complete",
            [exchange, "list", "--sector", ""],
            {"_EXCHANGE_COMPLETE": "bash"},
        ),
        Command("pip-list", [python, "-m", "pip", "list", "--format", "json"]),
    ]


def report(results: dict[str, Runs], rounds: int, instructions: dict[str, int]) -> str:
    lines = [
        f"Machine: {machine()}",
        "",
        f"Medians of {rounds} interleaved rounds (after one warm-up round).",
        "",
        "| command | wall ms | cpu ms | × python | × typer app |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    base, floor = results["typer-app"].wall_ms, results["python"].wall_ms
    for name, runs in results.items():
        lines.append(
            f"| {name} | {runs.wall_ms:.1f} | {runs.cpu_ms:.1f} | "
            f"{runs.wall_ms / floor:.2f} | {runs.wall_ms / base:.2f} |"
        )
    lines += [
        "",
        "| target | measured (wall) | measured (cpu) | limit | met |",
        "| --- | ---: | ---: | ---: | :---: |",
    ]
    for label, top, bottom, limit in TARGETS:
        wall = results[top].wall_ms / results[bottom].wall_ms
        cpu = results[top].cpu_ms / results[bottom].cpu_ms
        met = "yes" if wall <= limit else "NO"
        lines.append(f"| {label} | {wall:.2f}× | {cpu:.2f}× | {limit}× | {met} |")
    if instructions:
        lines += [
            "",
            "Instructions executed (valgrind callgrind, one run each): a count that load "
            "from other work barely moves.",
            "",
            "| command | instructions (M) | × python | × typer app |",
            "| --- | ---: | ---: | ---: |",
        ]
        pairs = {"exchange-table": "typer-table-tty", "exchange-complete": "typer-complete"}
        for name, count in instructions.items():
            base = instructions[pairs.get(name, "typer-app")]
            lines.append(
                f"| {name} | {count / 1e6:.1f} | {count / instructions['python']:.2f} | "
                f"{count / base:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="3 rounds, for CI")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions with valgrind"
    )
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    with tempfile.TemporaryDirectory() as cache:
        # A private cache: the first exchange run fills it, as a user's first run would.
        env = {**os.environ, "XDG_CACHE_HOME": cache, "COLUMNS": "100", "TERM": "xterm-256color"}
        for name in ("EXCHANGE_DATA", "EXCHANGE_NO_CACHE", "NO_COLOR", "FORCE_COLOR"):
            env.pop(name, None)
        cmds = commands()
        run_once(next(c for c in cmds if c.name == "exchange-json"), env)  # fill the cache
        results = measure(cmds, rounds, env)
        instructions = {}
        if args.instructions and shutil.which("valgrind"):
            wanted = [c for c in cmds if c.name != "pip-list"]
            instructions = {c.name: count_instructions(c, env) for c in wanted}
    print(report(results, rounds, instructions))


if __name__ == "__main__":
    main()
