"""A JSON catalogue of 60,000 programs, read uncached, against jq on the same file.

    python bench/json_vs_jq.py                  # 60,000 programs, 7 rounds
    python bench/json_vs_jq.py --count 500 --rounds 1   # CI smoke run

Writes the catalogue as a JSON document (`make_catalogue.py --json`) and as JSON Lines
(`--jsonl`), then times, interleaved, each printing the defense programs as JSON:

- `jq`: `jq -c '[.programs[] | select(.sectors | index("defense"))]'` on the document;
- `json`: `exchange list --sector defense --json --no-cache --data programs.json`: read,
  parse, validate every record, filter, print, nothing cached (the target: ≤ 2× jq);
- `jsonl`: the same on the JSON Lines file;
- `json-first`: the same with the cache on and empty, so the run also compiles and
  writes the SQLite store (what a user's first run of a file costs);
- `yaml`: the same records as YAML, uncached, for scale.

Checks first that exchange and jq print the same records, then reports medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import Command, machine, measure, with_party_ids

HERE = Path(__file__).resolve().parent
JQ_FILTER = '[.programs[] | select(.sectors | index("defense"))]'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    jq = shutil.which("jq")
    if jq is None:
        raise SystemExit("jq is not installed (Debian package jq)")
    exchange = str(Path(sys.executable).parent / "exchange")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXCHANGE_", "NO_COLOR"))}
    env["EXCHANGE_MAX_BYTES"] = str(2**31)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        paths = {}
        for shape, flag in (("json", "--json"), ("jsonl", "--jsonl"), ("yaml", None)):
            paths[shape] = work / f"programs.{shape}"
            maker = [sys.executable, str(HERE / "make_catalogue.py"), str(args.count)]
            with paths[shape].open("wb") as out:
                subprocess.run([*maker, *([flag] if flag else [])], stdout=out, check=True)

        def query(shape: str, *more: str) -> list[str]:
            return [exchange, "list", "--sector", "defense", "--json", *more, "--data",
                    str(paths[shape])]  # fmt: skip

        first_cache = work / "first-cache"
        commands = [
            Command("jq", [jq, "-c", JQ_FILTER, str(paths["json"])]),
            Command("json", query("json", "--no-cache")),
            Command("jsonl", query("jsonl", "--no-cache")),
            Command(
                "json-first",
                ["sh", "-c", f'rm -rf "{first_cache}" && exec "$@"', "first", *query("json")],
                {"XDG_CACHE_HOME": str(first_cache)},
            ),
            Command("yaml", query("yaml", "--no-cache")),
        ]
        answers = [
            with_party_ids(
                json.loads(subprocess.run(c.argv, capture_output=True, check=True, env=env).stdout)
            )
            for c in commands[:3]
        ]
        if not answers[0] == answers[1] == answers[2]:
            raise SystemExit("exchange and jq disagree")
        runs = measure(commands, args.rounds, env, warmup=1)
        size = paths["json"].stat().st_size / 1e6
    jq_ms = runs["jq"].wall_ms
    print(f"Machine: {machine()}\n")
    print(
        f"{args.count:,} programs, {size:.1f} MB of JSON, {len(answers[0]):,} defense "
        f"programs printed; medians of {args.rounds} interleaved rounds.\n"
    )
    print("| command | wall s | cpu s | × jq (wall) | peak MiB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for command in commands:
        run = runs[command.name]
        print(
            f"| {command.name} | {run.wall_ms / 1000:.2f} | {run.cpu_ms / 1000:.2f} | "
            f"{run.wall_ms / jq_ms:.2f} | {run.peak_mib:.0f} |"
        )


if __name__ == "__main__":
    main()
