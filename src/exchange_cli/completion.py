"""What Tab offers: option values from the vocabularies and the catalogue in use.

Runs on every Tab press, so it loads the catalogue (from the store) only when a value
can only come from there, and never prints or fails: a broken catalogue completes
nothing.
"""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import typer

from exchange_cli import vocab

Completer = Callable[..., list[Any]]


def _terms(vocabulary: vocab.Vocabulary, incomplete: str) -> list[tuple[str, str]]:
    return list(vocabulary.complete(incomplete))


def complete_sector(incomplete: str) -> list[tuple[str, str]]:
    return _terms(vocab.SECTORS, incomplete)


def complete_kind(incomplete: str) -> list[tuple[str, str]]:
    return _terms(vocab.KINDS, incomplete)


def complete_evidence(incomplete: str) -> list[tuple[str, str]]:
    return _terms(vocab.EVIDENCE, incomplete)


def complete_country(incomplete: str) -> list[tuple[str, str]]:
    """ISO codes only (names have spaces, which shells split); the name is the help text."""
    return list(vocab.countries().complete(incomplete, aliases=False))


def complete_party(ctx: typer.Context, incomplete: str) -> list[str]:
    return []


def complete_party_or_country(incomplete: str) -> list[tuple[str, str]]:
    """What --from and --to complete: country codes (names have spaces)."""
    return list(vocab.countries().complete(incomplete, aliases=False))


def complete_formats(formats: Sequence[str]) -> Completer:
    def complete(incomplete: str) -> list[str]:
        return [f for f in formats if f.startswith(incomplete.lower())]

    return complete


def complete_fields(fields: Sequence[str], *, single: bool = False) -> Completer:
    """Field names; for --fields, continuing after the last comma."""

    def complete(incomplete: str) -> list[str]:
        if single:
            return [f for f in fields if f.startswith(incomplete)]
        done, _, current = incomplete.rpartition(",")
        prefix = f"{done}," if done else ""
        chosen = set(done.split(",")) if done else set()
        return [prefix + f for f in fields if f.startswith(current) and f not in chosen]

    return complete


def complete_facet(incomplete: str) -> list[str]:
    from exchange_cli.source import FACETS

    return [f for f in FACETS if f.startswith(incomplete.lower())]


def complete_program_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from exchange_cli.errors import ExchangeError

    try:
        source = _catalogue(ctx)
        wanted = incomplete.lower()
        ids = [i for i in source.ids() if i.startswith(wanted)]
        positions = [p for p in (source.position(i) for i in ids) if p is not None]
        return [(r["id"], r["title"]) for r in source.records(positions)]
    except ExchangeError:
        return []


def _catalogue(ctx: typer.Context) -> Any:
    from exchange_cli.catalogue import open_catalogue
    from exchange_cli.store.files import enabled

    data = ctx.params.get("data")  # may still be the raw string while completing
    return open_catalogue(
        Path(data) if data else None, cache=enabled(bool(ctx.params.get("no_cache")))
    )
