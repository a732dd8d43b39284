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


def render_json(listing: Listing, env: Environment) -> None:
    """Indented for a person at a terminal; one record a line when piped.

    Both are the same JSON. The piped layout is what `grep` and `diff` handle well, and
    Python's C encoder writes it: `indent` falls back to the pure-Python encoder, about
    ten times slower on a large catalogue.
    """
    data = _data(listing)
    ascii_only = not env.unicode
    if env.is_terminal or not isinstance(data, list):
        text = json.dumps(data, ensure_ascii=ascii_only, indent=2 if env.is_terminal else None)
    elif data:
        encode = json.JSONEncoder(ensure_ascii=ascii_only).encode
        text = "[\n" + ",\n".join(encode(row) for row in data) + "\n]"
    else:
        text = "[]"
    env.stdout.write(text + "\n")


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
