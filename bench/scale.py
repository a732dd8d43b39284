"""Large-catalogue benchmark: load + filter + JSON output at growing sizes, against
PyYAML's C loader and jq on the same records, measured side by side.

    python bench/scale.py                         # 1k, 10k, 100k programs
    python bench/scale.py --sizes 200 --rounds 1  # CI smoke run

For each size N it writes a synthetic catalogue (`make_catalogue.py`) as YAML and the
same records as JSON, then times, interleaved:

- `pyyaml`: `yaml.load(..., Loader=CSafeLoader)` of the YAML file, nothing else;
- `parse`: our strict YAML reader alone (no validation), to show what validation adds;
- `first`: `exchange list --sector defense --json` with an empty cache: read, parse,
  validate, filter, print, and write the cache (a user's first run);
- `repeat`: the same command again, served from the cache;
- `jq`: `jq -c '[.[] | select(.sectors | index("defense"))]'` on the JSON file.

It checks that `repeat`, `first` and jq print the same records, and reports medians,
ratios, peak memory and a text chart of how time grows with N.
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

from harness import Command, Runs, machine, measure, with_party_ids

HERE = Path(__file__).resolve().parent
JQ_FILTER = '[.programs[] | select(.sectors | index("defense"))]'
PARSE_ONLY = (
    "import sys; from exchange_cli.safeyaml import parse; "
    "parse(open(sys.argv[1], encoding='utf-8').read())"
)
PYYAML = "import sys, yaml; yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)"


def write_catalogues(count: int, directory: Path) -> tuple[Path, Path]:
    yaml_path, json_path = (
        directory / f"programs-{count}.yaml",
        directory / f"programs-{count}.json",
    )
    maker = [sys.executable, str(HERE / "make_catalogue.py"), str(count)]
    with yaml_path.open("wb") as out:
        subprocess.run(maker, stdout=out, check=True)
    with json_path.open("wb") as out:
        subprocess.run([*maker, "--json"], stdout=out, check=True)
    return yaml_path, json_path


def commands(yaml_path: Path, json_path: Path, cache: Path, jq: str) -> list[Command]:
    python = sys.executable
    exchange = str(Path(python).parent / "exchange")
    query = [exchange, "list", "--sector", "defense", "--json", "--data", str(yaml_path)]
    # `first` gets a cache directory of its own that is emptied before every run.
    first_cache = cache / "first"
    return [
        Command("pyyaml", [python, "-c", PYYAML, str(yaml_path)]),
        Command("parse", [python, "-c", PARSE_ONLY, str(yaml_path)]),
        Command(
            "first",
            ["sh", "-c", f'rm -rf "{first_cache}" && exec "$@"', "first", *query],
            {"XDG_CACHE_HOME": str(first_cache)},
        ),
        Command("repeat", query, {"XDG_CACHE_HOME": str(cache / "warm")}),
        Command("jq", [jq, "-c", JQ_FILTER, str(json_path)]),
    ]


def same_answer(
    yaml_path: Path, json_path: Path, cache: Path, jq: str, env: dict[str, str]
) -> int:
    """The number of records all three print, after checking they print the same ones."""
    exchange = str(Path(sys.executable).parent / "exchange")
    query = [exchange, "list", "--sector", "defense", "--json", "--data", str(yaml_path)]
    ours = subprocess.run(
        query, capture_output=True, check=True, env={**env, "XDG_CACHE_HOME": str(cache / "warm")}
    )
    fresh = subprocess.run([*query, "--no-cache"], capture_output=True, check=True, env=env)
    theirs = subprocess.run([jq, "-c", JQ_FILTER, str(json_path)], capture_output=True, check=True)
    records = json.loads(ours.stdout)
    if records != with_party_ids(json.loads(theirs.stdout)) or records != json.loads(fresh.stdout):
        raise SystemExit(f"{yaml_path.name}: exchange and jq disagree")
    return len(records)


def chart(rows: list[tuple[int, dict[str, Runs]]], names: list[str], width: int = 50) -> str:
    """Seconds per size, as bars on one scale (log-free, so linear growth looks linear)."""
    top = max(runs[name].wall_ms for _, runs in rows for name in names)
    lines = []
    for count, runs in rows:
        for name in names:
            ms = runs[name].wall_ms
            bar = "█" * max(1, round(ms / top * width))
            lines.append(f"{count:>7,} {name:<7} {bar} {ms / 1000:.2f} s")
        lines.append("")
    return "\n".join(lines).rstrip()


def report(rows: list[tuple[int, int, dict[str, Runs]]]) -> str:
    names = ["pyyaml", "parse", "first", "repeat", "jq"]
    lines = [
        f"Machine: {machine()}",
        "",
        "Medians of interleaved rounds (the rounds column); peak memory is the largest RSS of "
        "the runs.",
        "",
        "| programs | YAML MB | matches | rounds | "
        + " | ".join(f"{n} s" for n in names)
        + " | parse ÷ pyyaml | first ÷ pyyaml | repeat ÷ jq | first peak MiB | repeat peak MiB |",
        "| " + " | ".join(["---:"] * (4 + len(names) + 5)) + " |",
    ]
    for count, matches, runs in rows:
        size = runs["_size"].wall[0] / 1e6  # stashed by main()
        cells = [f"{runs[n].wall_ms / 1000:.2f}" for n in names]
        lines.append(
            f"| {count:,} | {size:.1f} | {matches:,} | {len(runs['jq'].wall)} | "
            + " | ".join(cells)
            + f" | {runs['parse'].wall_ms / runs['pyyaml'].wall_ms:.2f}"
            + f" | {runs['first'].wall_ms / runs['pyyaml'].wall_ms:.2f}"
            + f" | {runs['repeat'].wall_ms / runs['jq'].wall_ms:.2f}"
            + f" | {runs['first'].peak_mib:.0f} | {runs['repeat'].peak_mib:.0f} |"
        )
    lines += [
        "",
        "Growth: each command's time per program, in microseconds (flat means linear; the "
        "smallest size is dominated by start-up).",
        "",
        "| programs | " + " | ".join(f"{n} µs" for n in names) + " |",
        "| " + " | ".join(["---:"] * (1 + len(names))) + " |",
    ]
    for count, _, runs in rows:
        per = [f"{runs[n].wall_ms * 1000 / count:.0f}" for n in names]
        lines.append(f"| {count:,} | " + " | ".join(per) + " |")
    lines += ["", "```", chart([(c, r) for c, _, r in rows], ["pyyaml", "first", "repeat", "jq"])]
    lines.append("```")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=0, help="default: 5, or 3 at 100k and up")
    parser.add_argument("--workdir", type=Path, help="keep the generated catalogues here")
    args = parser.parse_args()
    jq = shutil.which("jq")
    if jq is None:
        raise SystemExit("jq is not installed (Debian package jq)")
    sizes = [int(s) for s in args.sizes.split(",")]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXCHANGE_", "NO_COLOR"))}
    env["EXCHANGE_MAX_BYTES"] = str(2**31)  # 100k realistic records are over the 64 MiB default
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        for count in sizes:
            yaml_path, json_path = write_catalogues(count, workdir)
            cache = Path(scratch) / f"cache-{count}"
            cmds = commands(yaml_path, json_path, cache, jq)
            matches = same_answer(yaml_path, json_path, cache, jq, env)  # also warms the cache
            rounds = args.rounds or (3 if count >= 100_000 else 5)
            runs = measure(cmds, rounds, env, warmup=0)
            runs["_size"] = Runs(wall=[yaml_path.stat().st_size])
            rows.append((count, matches, runs))
            print(f"{count:,} programs measured", file=sys.stderr)
    print(report(rows))


if __name__ == "__main__":
    main()
