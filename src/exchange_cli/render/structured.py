"""json, jsonl and yaml: the exact data, written straight to stdout (never through Rich,
which would hard-wrap long lines when piped).

Escaping: none beyond each format's own. JSON escapes control characters itself (and
everything non-ASCII when the output cannot take it); YAML is written by PyYAML's safe
dumper, which quotes anything that would read back as another type.
"""

from typing import Any

from exchange_cli.model.records import JsonRecord
from exchange_cli.render.results import Listing, as_data
from exchange_cli.render.terminal import Environment


def json_text(data: Any, env: Environment) -> str:
    """Indented for a person at a terminal; one item a line when piped (the items of a
    list, or of each list in a mapping of lists, such as the graph's nodes and edges).

    Both are the same JSON. The piped layout is what `grep` and `diff` handle well, and
    Python's C encoder writes it: `indent` falls back to the pure-Python encoder, about
    ten times slower on a large catalogue.
    """
    import json

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


#: Characters of records written at once: few writes, little held.
_WRITE = 1 << 16


def _write_stored_texts(listing: Listing, env: Environment) -> bool:
    """Write the records' own JSON text, when they are stored records printed whole in
    the piped layout: exactly what encoding them again would write, without the work.
    Record by record, as a store reads a large listing (a batch at a time), so it is
    never held whole; a record of another kind is encoded, which writes what
    `json_text` would. False, and nothing written, when this is not the case."""
    records = listing.records
    if env.is_terminal or not env.unicode or not records:
        return False
    kind = type(records[0])
    if not issubclass(kind, JsonRecord) or tuple(listing.fields) != kind.fields:
        return False
    parts: list[str] = []
    size, before = 0, "[\n"
    for record in records:
        if type(record) is kind:
            text = record.text
        else:  # never in practice: `json` is imported for it alone (start-up)
            import json

            data = {field: record.get(field) for field in listing.fields}
            text = json.JSONEncoder(ensure_ascii=False).encode(data)
        parts += (before, text)
        size += len(text)
        before = ",\n"
        if size >= _WRITE:
            env.stdout.write("".join(parts))
            parts, size = [], 0
    parts.append("\n]\n")
    env.stdout.write("".join(parts))
    return True


def render_json(result: Any, env: Environment) -> None:
    if isinstance(result, Listing) and _write_stored_texts(result, env):
        return
    env.stdout.write(json_text(as_data(result), env) + "\n")


def render_jsonl(listing: Listing, env: Environment) -> None:
    import json

    encode = json.JSONEncoder(ensure_ascii=not env.unicode, separators=(",", ":")).encode
    # Every line is made before the first is written (see delimited.py).
    lines = [
        encode({field: record.get(field) for field in listing.fields})
        for record in listing.records
    ]
    env.stdout.write("".join(line + "\n" for line in lines))


def render_yaml(data: Any, env: Environment) -> None:
    import yaml

    dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    yaml.dump(
        data,
        env.stdout,
        Dumper=dumper,
        allow_unicode=env.unicode,
        sort_keys=False,
        default_flow_style=False,
        width=2**31 - 1,
    )
