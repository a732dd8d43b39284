"""Large-catalogue benchmark: the store against jq, and how each command grows with N.

    python bench/scale.py                          # 1k, 4k, 25k, 100k, 250k programs
    python bench/scale.py --sizes 50000,250000     # issue 24's bounds
    python bench/scale.py --sizes 1000000          # a million (pyyaml, fresh, export skipped)
    python bench/scale.py --sizes 200 --rounds 1   # CI smoke run

For each size N it writes a synthetic catalogue (`make_catalogue.py`) as YAML and the
same records as JSON, then times, interleaved (medians; peak memory is the child's own):

- `pyyaml`: `yaml.load(..., Loader=CSafeLoader)` of the YAML file, nothing else;
- `first`: `exchange list --sector defense --json` with an empty cache: read, parse,
  validate, compile the store, filter, print (a user's first run);
- `fresh`: the same with `--no-cache`: the file read for this run only, held in memory;
- `list`: the same command again, answered from the store;
- `jq`: `jq -c '[.[] | select(.sectors | index("defense"))]'` on the JSON file;
- `search`: `exchange search petroleum --json` from the store;
- `jq-search`: a jq regex scan of title, summary and flows for the same word;
- `show`: `exchange show program-000000 --json` (its related programs included);
- `export`: `exchange export` of the whole catalogue (the web page), from the store.

It checks that `list`, `fresh` and jq print the same records, and reports the ratios the
issue tracker sets targets for: list ÷ jq, search ÷ jq-search, each command's growth
between sizes (time, and the first load's peak memory), and every command's peak memory.
Commands that hold a whole catalogue in memory (`HEAVIEST`) are skipped past the size
given there, and shown as "-": at a million programs each would hold several GB.
"""

from __future__ import annotations

import argparse
import itertools
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
WORD = "petroleum"
JQ_SEARCH = (
    '[.programs[] | select((.title + " " + .summary + " " + ([.flows[].what] | join(" ")))'
    f' | test("{WORD}"; "i"))]'
)
PYYAML = "import sys, yaml; yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)"
NAMES = ["pyyaml", "first", "fresh", "list", "jq", "search", "jq-search", "show", "export"]
#: The largest catalogue each command that holds one whole is run on (PyYAML's data,
#: --no-cache's programs, export's page: 2.2 GB, 1.3 GB and 2.2 GB at 250,000).
HEAVIEST = {"pyyaml": 250_000, "fresh": 250_000, "export": 250_000}


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
    data = ["--data", str(yaml_path)]
    query = [exchange, "list", "--sector", "defense", "--json", *data]
    warm = {"XDG_CACHE_HOME": str(cache / "warm")}
    # `first` gets a cache directory of its own that is emptied before every run.
    first_cache = cache / "first"
    return [
        Command("pyyaml", [python, "-c", PYYAML, str(yaml_path)]),
        Command(
            "first",
            ["sh", "-c", f'rm -rf "{first_cache}" && exec "$@"', "first", *query],
            {"XDG_CACHE_HOME": str(first_cache)},
        ),
        Command("fresh", [*query, "--no-cache"]),
        Command("list", query, warm),
        Command("jq", [jq, "-c", JQ_FILTER, str(json_path)]),
        Command("search", [exchange, "search", WORD, "--json", *data], warm),
        Command("jq-search", [jq, "-c", JQ_SEARCH, str(json_path)]),
        Command("show", [exchange, "show", "program-000000", "--json", *data], warm),
        Command("export", [exchange, "export", *data], warm),
    ]


def same_answer(
    yaml_path: Path, json_path: Path, cache: Path, jq: str, env: dict[str, str], fresh: bool
) -> int:
    """The number of records all three print, after checking they print the same ones
    (the store's first answer, which builds it; `--no-cache`'s, when `fresh`; jq's)."""
    exchange = str(Path(sys.executable).parent / "exchange")
    query = [exchange, "list", "--sector", "defense", "--json", "--data", str(yaml_path)]
    ours = subprocess.run(
        query, capture_output=True, check=True, env={**env, "XDG_CACHE_HOME": str(cache / "warm")}
    )
    theirs = subprocess.run([jq, "-c", JQ_FILTER, str(json_path)], capture_output=True, check=True)
    if ours.stdout != theirs_as_ours(theirs.stdout):
        raise SystemExit(f"{yaml_path.name}: exchange and jq disagree")
    if fresh:
        again = subprocess.run([*query, "--no-cache"], capture_output=True, check=True, env=env)
        if again.stdout != ours.stdout:
            raise SystemExit(f"{yaml_path.name}: the store and --no-cache disagree")
    return ours.stdout.count(b"\n") - 1


def theirs_as_ours(printed: bytes) -> bytes:
    """jq's records as `exchange` prints them (one a line, every party with its id), to
    compare bytes rather than decoded data: a million records decoded twice would not fit
    beside each other on a small machine."""
    records = with_party_ids(json.loads(printed))
    encode = json.JSONEncoder(ensure_ascii=False).encode
    return ("[\n" + ",\n".join(map(encode, records)) + "\n]\n" if records else "[]\n").encode()


def chart(rows: list[tuple[int, dict[str, Runs]]], names: list[str], width: int = 50) -> str:
    """Seconds per size, as bars on one scale (log-free, so linear growth looks linear)."""
    top = max(runs[name].wall_ms for _, runs in rows for name in names if runs[name].wall)
    lines = []
    for count, runs in rows:
        for name in names:
            if not runs[name].wall:
                continue
            ms = runs[name].wall_ms
            bar = "█" * max(1, round(ms / top * width))
            lines.append(f"{count:>7,} {name:<7} {bar} {ms / 1000:.2f} s")
        lines.append("")
    return "\n".join(lines).rstrip()


def report(rows: list[tuple[int, int, dict[str, Runs]]]) -> str:
    lines = [
        f"Machine: {machine()}",
        "",
        "Seconds of wall time, medians of interleaved rounds; ratios also in CPU time (user +"
        " system of the child); peak memory is the largest RSS of the runs; - not run.",
        "",
        "| programs | YAML MB | matches | rounds | " + " | ".join(NAMES) + " |",
        "| " + " | ".join(["---:"] * (4 + len(NAMES))) + " |",
    ]
    for count, matches, runs in rows:
        size = runs["_size"].wall[0] / 1e6  # stashed by main()
        cells = [f"{runs[n].wall_ms / 1000:.2f}" if ran(runs, n) else "-" for n in NAMES]
        lines.append(
            f"| {count:,} | {size:.1f} | {matches:,} | {len(runs['jq'].wall)} | "
            + " | ".join(cells)
            + " |"
        )
    lines += [
        "",
        "| programs | first ÷ pyyaml | list ÷ jq | search ÷ jq-search |",
        "| " + " | ".join(["---:"] * 4) + " |",
    ]
    for count, _, runs in rows:
        lines.append(
            f"| {count:,} | {ratio(runs, 'first', 'pyyaml')} | {ratio(runs, 'list', 'jq')}"
            f" | {ratio(runs, 'search', 'jq-search')} |"
        )
    lines += [
        "",
        "Peak memory, MiB (the child's own largest resident set):",
        "",
        "| programs | " + " | ".join(NAMES) + " |",
        "| " + " | ".join(["---:"] * (1 + len(NAMES))) + " |",
    ]
    for count, _, runs in rows:
        cells = [f"{runs[n].peak_mib:.0f}" if ran(runs, n) else "-" for n in NAMES]
        lines.append(f"| {count:,} | " + " | ".join(cells) + " |")
    pairs = list(itertools.pairwise(rows))
    if pairs:
        lines += [
            "",
            "Growth from each size to the next, wall time (CPU time); linear grows as the"
            " programs do. Last column: the first load's peak memory.",
            "",
            "| from → to | × programs | " + " | ".join(NAMES[1:]) + " | first peak |",
            "| --- | " + " | ".join(["---:"] * (len(NAMES) + 1)) + " |",
        ]
        for (small, _, before), (large, _, after) in pairs:
            cells = [
                f"{after[n].wall_ms / before[n].wall_ms:.1f}"
                f" ({after[n].cpu_ms / max(before[n].cpu_ms, 0.001):.1f})"
                if ran(before, n) and ran(after, n)
                else "-"
                for n in NAMES[1:]
            ]
            peak = after["first"].peak_mib / before["first"].peak_mib
            lines.append(
                f"| {small:,} → {large:,} | {large / small:.1f} | "
                + " | ".join(cells)
                + f" | {peak:.2f} |"
            )
    lines += ["", "```", chart([(c, r) for c, _, r in rows], ["first", "list", "export"])]
    lines.append("```")
    return "\n".join(lines)


def ran(runs: dict[str, Runs], name: str) -> bool:
    return bool(runs[name].wall)


def ratio(runs: dict[str, Runs], top: str, bottom: str) -> str:
    """Wall-time ratio, and CPU-time ratio in brackets (steadier on a busy machine)."""
    if not (ran(runs, top) and ran(runs, bottom)):
        return "-"
    wall = runs[top].wall_ms / runs[bottom].wall_ms
    cpu = runs[top].cpu_ms / max(runs[bottom].cpu_ms, 0.001)
    return f"{wall:.2f} ({cpu:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,4000,25000,100000,250000")
    parser.add_argument(
        "--rounds", type=int, default=0, help="default: 5; 3 at 100k and up; 1 at 1M and up"
    )
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
            cmds = [
                command
                for command in commands(yaml_path, json_path, cache, jq)
                if count <= HEAVIEST.get(command.name, count)
            ]
            fresh = any(command.name == "fresh" for command in cmds)
            matches = same_answer(yaml_path, json_path, cache, jq, env, fresh)  # warms the cache
            rounds = args.rounds or (1 if count >= 1_000_000 else 3 if count >= 100_000 else 5)
            runs = {name: Runs() for name in NAMES} | measure(cmds, rounds, env, warmup=0)
            runs["_size"] = Runs(wall=[yaml_path.stat().st_size])
            rows.append((count, matches, runs))
            print(f"{count:,} programs measured", file=sys.stderr)
    print(report(rows))


if __name__ == "__main__":
    main()
