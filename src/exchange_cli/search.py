"""Ranked full-text search over programs. Pure: no I/O.

Rules: case- and accent-insensitive; every term must match (AND); a word matches any
word that starts with it (`petro` finds petroleum); a phrase matches consecutive words.
A match in the title or a flow weighs more than one in the summary.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from exchange_cli import vocab
from exchange_cli.model import Program
from exchange_cli.vocab import words

#: How much a match in each part of a record counts.
WEIGHTS: dict[str, float] = {
    "title": 5.0,
    "flows": 4.0,
    "parties": 3.0,
    "kind": 2.0,
    "sectors": 2.0,
    "benefits": 2.0,
    "summary": 1.0,
}
_EXACT_BONUS = 0.5  # a whole-word match outranks a prefix match in the same field


@dataclass(frozen=True, slots=True)
class Term:
    """One query term: a word (matched as a prefix) or a phrase (consecutive words)."""

    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


def parse_query(parts: Iterable[str]) -> list[Term]:
    """Terms from the command line: an argument with spaces, or a quoted part, is a phrase."""
    terms: list[Term] = []
    for part in parts:
        if '"' in part or "'" in part:
            try:
                pieces = shlex.split(part)
            except ValueError:
                pieces = [part.replace('"', " ").replace("'", " ")]
        else:
            pieces = [part]
        # Each piece is one term; a piece of several words ("digital technology",
        # "e-commerce") is a phrase.
        terms.extend(Term(tuple(words(piece))) for piece in pieces if words(piece))
    return terms


def _field_texts(program: Program) -> dict[str, list[list[str]]]:
    """Each field's words, in separate segments (one per name, flow part, benefit, alias)
    so that a phrase never matches across two of them."""
    kind_words = [
        w for t in vocab.KINDS.terms if t.value == program.kind for w in (t.value, *t.aliases)
    ]
    sector_words = [
        w for t in vocab.SECTORS.terms if t.value in program.sectors for w in (t.value, *t.aliases)
    ]
    flow_parts = [part for f in program.flows for part in (f.giver, f.what, f.receiver)]
    return {
        "title": [words(program.title)],
        "flows": [words(part) for part in flow_parts],
        "parties": [words(p.name) for p in program.parties],
        "kind": [words(w) for w in kind_words],
        "sectors": [words(w) for w in sector_words],
        "benefits": [words(b) for b in program.benefits],
        "summary": [words(program.summary)],
    }


def search_index(programs: Iterable[Program]) -> dict[str, Any]:
    """What a client needs to rank exactly like `search_programs`: the field weights, the
    whole-word bonus, and each program's normalized words per field, in segments (by id).

    The exported web page searches with this, so its rules cannot drift from this module's.
    """
    return {
        "weights": dict(WEIGHTS),
        "exact_bonus": _EXACT_BONUS,
        "words": {program.id: _field_texts(program) for program in programs},
    }


def _match(term: Term, segments: Sequence[Sequence[str]]) -> float:
    """0 for no match, 1 for a prefix match, 1 + bonus for a whole-word match."""
    n = len(term.words)
    best = 0.0
    for tokens in segments:
        for i in range(len(tokens) - n + 1):
            if any(tokens[i + j] != term.words[j] for j in range(n - 1)):
                continue
            last = tokens[i + n - 1]
            if last == term.words[-1]:
                return 1.0 + _EXACT_BONUS
            if last.startswith(term.words[-1]):
                best = 1.0
    return best


def score_program(program: Program, terms: Sequence[Term]) -> float:
    """The program's score for the query, 0 when any term matches nowhere."""
    fields = _field_texts(program)
    total = 0.0
    for term in terms:
        term_score = sum(WEIGHTS[name] * _match(term, tokens) for name, tokens in fields.items())
        if term_score == 0:
            return 0.0
        total += term_score
    return round(total, 2)


def search_programs(
    programs: Iterable[Program], terms: Sequence[Term]
) -> list[tuple[Program, float]]:
    """Matching programs with their scores, best first; ties keep catalogue order."""
    scored = [(p, score_program(p, terms)) for p in programs] if terms else []
    hits = [(p, s) for p, s in scored if s > 0]
    hits.sort(key=lambda hit: -hit[1])
    return hits


def closest_words(programs: Iterable[Program], terms: Sequence[Term], limit: int = 5) -> list[str]:
    """Words the catalogue has that look like the query's, for a 'did you mean' hint."""
    vocabulary: set[str] = set()
    for program in programs:
        for segments in _field_texts(program).values():
            vocabulary.update(t for tokens in segments for t in tokens if len(t) > 2)
    found: list[str] = []
    for term in terms:
        for word in term.words:
            found.extend(difflib.get_close_matches(word, sorted(vocabulary), n=3, cutoff=0.7))
    return list(dict.fromkeys(found))[:limit]
