"""json, jsonl and yaml: the exact data, written straight to stdout (never through Rich,
which would hard-wrap long lines when piped)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from exchange_cli.render import Listing
from exchange_cli.terminal import Environment


def _data(listing: Listing) -> Any:
    rows = [{field: record.get(field) for field in listing.fields} for record in listing.records]
    if listing.single:
        return rows[0] if rows else {}
    return rows


def json_text(data: Any, env: Environment) -> str:
    """Indented for a person at a terminal; one item a line when piped (the items of a
    list, or of each list in a mapping of lists, such as the graph's nodes and edges).

    Both are the same JSON. The piped layout is what `grep` and `diff` handle well, and
    Python's C encoder writes it: `indent` falls back to the pure-Python encoder, about
    ten times slower on a large catalogue.
    """
    ascii_only = not env.unicode
    if env.is_terminal:
        return json.dumps(data, ensure_ascii=ascii_only, indent=2)
    encode = json.JSONEncoder(ensure_ascii=ascii_only).encode

    def one_a_line(items: list[Any]) -> str:
        return "[\n" + ",\n".join(map(encode, items)) + "\n]" if items else "[]"

    if isinstance(data, list):
        return one_a_line(data)
    if isinstance(data, dict) and data and all(isinstance(v, list) for v in data.values()):
        return "{" + ",\n".join(f"{encode(k)}: {one_a_line(v)}" for k, v in data.items()) + "}"
    return encode(data)


def render_json(listing: Listing, env: Environment) -> None:
    env.stdout.write(json_text(_data(listing), env) + "\n")


def render_jsonl(listing: Listing, env: Environment) -> None:
    encode = json.JSONEncoder(ensure_ascii=not env.unicode, separators=(",", ":")).encode
    write = env.stdout.write
    for record in listing.records:
        row: Mapping[str, Any] = {field: record.get(field) for field in listing.fields}
        write(encode(row) + "\n")


def render_yaml(listing: Listing, env: Environment) -> None:
    import yaml

    dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    yaml.dump(
        _data(listing),
        env.stdout,
        Dumper=dumper,
        allow_unicode=env.unicode,
        sort_keys=False,
        default_flow_style=False,
        width=2**31 - 1,
    )
