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
    json.dump(_data(listing), env.stdout, ensure_ascii=not env.unicode, indent=2)
    env.stdout.write("\n")


def render_jsonl(listing: Listing, env: Environment) -> None:
    write = env.stdout.write
    for record in listing.records:
        row: Mapping[str, Any] = {field: record.get(field) for field in listing.fields}
        write(json.dumps(row, ensure_ascii=not env.unicode, separators=(",", ":")))
        write("\n")


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
