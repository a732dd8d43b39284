"""Write a valid synthetic catalogue of N programs, for benchmarks.

    python bench/make_catalogue.py 100000 > /tmp/programs-100k.yaml
    python bench/make_catalogue.py 60000 --json > /tmp/programs-60k.json
    python bench/make_catalogue.py 60000 --jsonl > /tmp/programs-60k.jsonl

Records have the shape and field sizes of the shipped catalogue (two or three parties,
one or two flows, two to four benefits, a two-sentence summary) and only vocabulary
values, so the file passes `exchange validate`. The same N and --seed give the same bytes.
`--json` writes the same catalogue as a JSON document (`{"programs": [...]}`, one program
a line), which both `exchange` and jq read; `--jsonl` as JSON Lines.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from typing import Any

from exchange_cli.model import vocab
from exchange_cli.model.fields import fields_of
from exchange_cli.model.records import FIELDS, Program

#: The fields every record must have (optional ones are left out).
REQUIRED = [field.key for field in fields_of(Program) if field.spec.required]

WORDS = (
    "advanced",
    "applied",
    "capacity",
    "clinical",
    "coastal",
    "cross-border",
    "data",
    "design",
    "digital",
    "efficient",
    "exchange",
    "expertise",
    "farming",
    "field",
    "forces",
    "grid",
    "health",
    "industrial",
    "joint",
    "knowledge",
    "learning",
    "maritime",
    "medical",
    "methods",
    "modern",
    "networks",
    "officers",
    "planning",
    "practice",
    "production",
    "public",
    "renewable",
    "research",
    "rural",
    "safety",
    "security",
    "shared",
    "skills",
    "standards",
    "supply",
    "systems",
    "tactical",
    "teaching",
    "techniques",
    "training",
    "urban",
    "water",
    "workforce",
)
PARTY_NAMES = ("Ministry", "University", "Institute", "Agency", "Council", "Hospital", "Academy")
SECTIONS = ("Overview", "Examples", "Significance", "Conclusion")


def _phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def _party(rng: random.Random, countries: list[str], used: set[str]) -> dict[str, Any]:
    while True:
        roll = rng.random()
        if roll < 0.6:
            code = rng.choice(countries)
            party = {"name": vocab.country_name(code), "type": "country", "country": code}
        elif roll < 0.9:
            code = rng.choice(countries)
            name = f"{vocab.country_name(code)} {rng.choice(PARTY_NAMES)}"
            party = {"name": name, "type": "organization", "country": code}
        else:
            party = {
                "name": f"{_phrase(rng, 1, 2).title()} Group",
                "type": "group",
                "country": None,
            }
        if party["name"] not in used:
            used.add(party["name"])
            return party


def make_program(index: int, rng: random.Random, countries: list[str]) -> dict[str, Any]:
    """One record as JSON-ready data with exactly the catalogue's fields."""
    used: set[str] = set()
    parties = [_party(rng, countries, used) for _ in range(rng.randint(2, 3))]
    first, second = parties[0]["name"], parties[1]["name"]
    flows = [{"from": first, "to": second, "what": _phrase(rng, 3, 9)}]
    if rng.random() < 0.7:
        flows.append({"from": second, "to": first, "what": _phrase(rng, 3, 9)})
    title = f"{_phrase(rng, 2, 4).title()} Programme {index}"
    record = {
        "id": f"program-{index:06d}",
        "title": title,
        "kind": rng.choice(vocab.KINDS.values),
        "sectors": rng.sample(vocab.SECTORS.values, rng.randint(1, 3)),
        "parties": parties,
        "flows": flows,
        "benefits": [_phrase(rng, 5, 10).capitalize() for _ in range(rng.randint(2, 4))],
        "evidence": rng.choice(vocab.EVIDENCE.values),
        "recurrence": rng.choice([*vocab.RECURRENCE.values, None]),
        "summary": f"{_phrase(rng, 12, 20).capitalize()}. {_phrase(rng, 8, 14).capitalize()}.",
        "source": {
            "document": f"Synthetic Document {index % 50}",
            "section": rng.choice(SECTIONS),
        },
    }
    assert list(record) == REQUIRED and set(record) <= set(FIELDS)
    return record


def _scalar(value: Any) -> str:
    # JSON strings and null are valid YAML flow scalars, and always quoted strings.
    return json.dumps(value, ensure_ascii=False)


def write_yaml(records: list[dict[str, Any]], out: Any) -> None:
    """Block style, as a maintainer writes it (parties on one line each, like the shipped file)."""
    out.write("programs:\n")
    for r in records:
        out.write(f"  - id: {r['id']}\n    title: {_scalar(r['title'])}\n")
        out.write(f"    kind: {r['kind']}\n    sectors: [{', '.join(r['sectors'])}]\n")
        out.write("    parties:\n")
        for p in r["parties"]:
            out.write(
                f"      - {{name: {_scalar(p['name'])}, type: {p['type']}, "
                f"country: {_scalar(p['country'])}}}\n"
            )
        out.write("    flows:\n")
        for f in r["flows"]:
            out.write(f"      - from: {_scalar(f['from'])}\n        to: {_scalar(f['to'])}\n")
            out.write(f"        what: {_scalar(f['what'])}\n")
        out.write("    benefits:\n")
        out.writelines(f"      - {_scalar(b)}\n" for b in r["benefits"])
        out.write(f"    evidence: {r['evidence']}\n")
        out.write(f"    recurrence: {_scalar(r['recurrence'])}\n")
        out.write(f"    summary: {_scalar(r['summary'])}\n")
        out.write("    source:\n")
        out.write(f"      document: {_scalar(r['source']['document'])}\n")
        out.write(f"      section: {_scalar(r['source']['section'])}\n")


def make_records(count: int, seed: int = 2026) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    countries = sorted(vocab.countries().values)
    return [make_program(i, rng, countries) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of programs")
    parser.add_argument("--seed", type=int, default=2026)
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="a JSON catalogue instead")
    shape.add_argument("--jsonl", action="store_true", help="JSON Lines, one program a line")
    args = parser.parse_args()
    records = make_records(args.count, args.seed)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    if args.json:
        sys.stdout.write('{"programs": [\n' + ",\n".join(map(encode, records)) + "\n]}\n")
    elif args.jsonl:
        sys.stdout.writelines(encode(record) + "\n" for record in records)
    else:
        write_yaml(records, sys.stdout)


if __name__ == "__main__":
    main()
