"""The order of rows: `--sort`, `--reverse`, `--limit`, for every command that lists.

A field of a controlled vocabulary (kind, evidence, recurrence) sorts in its
vocabulary's declared order (reported, illustrative, hypothetical), not alphabetically;
numbers before text; lists and mappings by their text; nulls last.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from exchange_cli.model import vocab


def vocabulary_orders() -> dict[str, dict[str, int]]:
    """Each field of a single vocabulary value (from the declaration), its values' places."""
    from exchange_cli.model.fields import Term, fields_of
    from exchange_cli.model.records import Program

    return {
        field.key: {value: i for i, value in enumerate(field.spec.vocabulary.values)}
        for field in fields_of(Program)
        if isinstance(field.spec, Term)
    }


def sort_key(value: Any, places: Mapping[str, int] | None = None) -> tuple[int, Any]:
    """Order mixed values: a vocabulary's values by their place (`places`), numbers, then
    text (case-folded), lists by their text; nulls last."""
    if value is None:
        return (3, "")
    if places is not None and isinstance(value, str) and value in places:
        return (0, places[value])
    if isinstance(value, bool | int | float):
        return (1, value)
    if isinstance(value, list):
        return (2, "; ".join(vocab.normalize(str(v)) for v in value))
    if isinstance(value, dict):
        return (2, vocab.normalize(" ".join(str(v) for v in value.values())))
    return (2, vocab.normalize(str(value)))


def order_records(
    records: Sequence[Mapping[str, Any]],
    *,
    sort: str | None = None,
    reverse: bool = False,
    limit: int | None = None,
) -> list[Mapping[str, Any]]:
    """Sort by one field (stable, nulls last), optionally reversed, then cut to `limit`."""
    result = list(records)
    if sort is not None:
        places = vocabulary_orders().get(sort)
        result.sort(key=lambda record: sort_key(record.get(sort), places))
    if reverse:
        result.reverse()
    if limit is not None:
        result = result[:limit]
    return result
