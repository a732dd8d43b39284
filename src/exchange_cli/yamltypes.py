"""Values the strict YAML reader hands the loader, kept apart from PyYAML itself so the
loader (and a run served from the cache) need not import YAML at all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Unquoted:
    """A plain scalar that YAML 1.1 reads as a non-string (kept as its text, never converted)."""

    type: str
    text: str


class YamlError(Exception):
    """The text is not YAML we accept; `line`/`column` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def excerpt(text: str, limit: int = 40) -> str:
    """Keep messages one readable line however long the offending value is."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"
