"""Ranked full-text search over programs: the rules, the weights, and the reference
scorer. Pure: no I/O.

Rules: case- and accent-insensitive; every term must match (AND); a word matches any
word that starts with it (`petro` finds petroleum); a phrase matches consecutive words
within one name, flow part, benefit or alias (never across two). A match in the title
or a flow weighs more than one in the summary; a whole word more than a prefix.

A source ranks by these rules (`Records.search`): `MemoryRecords` with
`score_program` below, the store with SQLite's full-text index and `score_levels`.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exchange_cli.model import vocab
from exchange_cli.model.records import Program
from exchange_cli.model.vocab import words

if TYPE_CHECKING:
    from exchange_cli.query.records import Records

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
#: Fields whose words come from the program's own text (a full-text index holds them);
#: kind and sectors match through their vocabulary values and aliases.
TEXT_FIELDS = ("title", "flows", "parties", "benefits", "summary")
PREFIX, EXACT = 1.0, 1.0 + _EXACT_BONUS
#: Limits on what a "did you mean" hint may cost and print.
HINT_WORDS, HINT_LENGTH = 5, 200


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


def field_words(program: Program) -> dict[str, list[list[str]]]:
    """Each field's words, in separate segments (one per name, flow part, benefit, alias)
    so that a phrase never matches across two of them."""
    flow_parts = [part for f in program.flows for part in (f.giver, f.what, f.receiver)]
    return {
        "title": [words(program.title)],
        "flows": [words(part) for part in flow_parts],
        "parties": [words(p.name) for p in program.parties],
        "kind": term_words(vocab.KINDS, (program.kind,)),
        "sectors": term_words(vocab.SECTORS, program.sectors),
        "benefits": [words(b) for b in program.benefits],
        "summary": [words(program.summary)],
    }


def term_words(vocabulary: vocab.Vocabulary, values: Iterable[str]) -> list[list[str]]:
    """The words of these vocabulary values and their aliases, one segment each, in the
    vocabulary's order (worked out once per value: every program repeats them)."""
    wanted = set(values)
    return [segment for t in vocabulary.terms if t.value in wanted for segment in _term(t)]


_TERM_WORDS: dict[int, list[list[str]]] = {}


def _term(term: vocab.Term) -> list[list[str]]:
    found = _TERM_WORDS.get(id(term))
    if found is None:
        found = _TERM_WORDS[id(term)] = [words(w) for w in (term.value, *term.aliases)]
    return found


def text_segments(program: Program) -> tuple[Iterable[str], ...]:
    """The `TEXT_FIELDS` of a program as the full-text index takes them: each field's
    segments, each segment its normalized words separated by single spaces. The lists
    are made as they are taken: a field of millions of segments is never held whole."""
    flow_parts = (part for f in program.flows for part in (f.giver, f.what, f.receiver))
    return (
        [" ".join(words(program.title))],
        (" ".join(words(part)) for part in flow_parts),
        (" ".join(words(p.name)) for p in program.parties),
        (" ".join(words(b)) for b in program.benefits),
        [" ".join(words(program.summary))],
    )


def vocabulary_levels(term: Term, vocabulary: vocab.Vocabulary) -> dict[str, float]:
    """How well `term` matches each value of a vocabulary (through its aliases too):
    value → `EXACT` or `PREFIX`, for the values it matches at all."""
    levels = {}
    for value in vocabulary.values:
        level = match_level(term, term_words(vocabulary, (value,)))
        if level:
            levels[value] = level
    return levels


def score_levels(levels: Mapping[str, float]) -> float:
    """One term's score from how well it matched each field (field → level)."""
    return sum(WEIGHTS[name] * levels.get(name, 0.0) for name in WEIGHTS)


def search_index(programs: Iterable[Program], *, lazy: bool = False) -> dict[str, Any]:
    """What a client needs to rank exactly like `search_programs`: the field weights, the
    whole-word bonus, and each program's normalized words per field, in segments (by id).
    `lazy` gives the words as (id, words) pairs made as they are read, for a writer that
    streams them.

    The exported web page searches with this, so its rules cannot drift from this module's.
    """
    words = ((program.id, field_words(program)) for program in programs)
    return {
        "weights": dict(WEIGHTS),
        "exact_bonus": _EXACT_BONUS,
        "words": words if lazy else dict(words),
    }


def match_level(term: Term, segments: Sequence[Sequence[str]]) -> float:
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
    fields = field_words(program)
    total = 0.0
    for term in terms:
        term_score = sum(
            WEIGHTS[name] * match_level(term, tokens) for name, tokens in fields.items()
        )
        if term_score == 0:
            return 0.0
        total += term_score
    return round(total, 2)


def search_programs(
    source: Records, terms: Sequence[Term], positions: Sequence[int] | None = None
) -> list[tuple[int, float]]:
    """(position, score) of the matching programs, best first, ties in catalogue order;
    only among `positions` when given (the filters' result)."""
    if not terms:
        return []
    hits = source.search(terms)
    if positions is not None:
        allowed = set(positions)
        hits = [hit for hit in hits if hit[0] in allowed]
    return hits


def closest_words(source: Records, terms: Sequence[Term], limit: int = 5) -> list[str]:
    """Words the catalogue has that look like the query's, for a 'did you mean' hint
    (the first few query words only: a hint must stay cheap and short)."""
    vocabulary = sorted(word for word in source.words() if len(word) > 2)
    found: list[str] = []
    asked = [word for term in terms for word in term.words][:HINT_WORDS]
    for word in asked:
        found.extend(difflib.get_close_matches(word[:64], vocabulary, n=3, cutoff=0.7))
    return list(dict.fromkeys(found))[:limit]


def no_match_hint(source: Records, terms: Sequence[Term]) -> str:
    """Why nothing matched: which words the catalogue lacks (and what it has that looks
    like them), that the filters left none of the matches, or that each word matches on
    its own but not all together."""
    from exchange_cli.model.vocab import excerpt

    asked = terms[:HINT_WORDS]
    wanted = " ".join(f'"{t.text}"' if len(t.words) > 1 else t.text for t in asked)
    wanted = excerpt(wanted + (" ..." if len(terms) > HINT_WORDS else ""), HINT_LENGTH)
    missing = [t for t in asked if not source.search([t])]
    if not missing:
        unfiltered = len(source.search(terms))
        if unfiltered:
            some = f"{unfiltered} program{'s' * (unfiltered != 1)}"
            return f"exchange: the filters leave none of the {some} matching '{wanted}'"
        return (
            f"exchange: no program matches all of '{wanted}' (each word matches some "
            "program on its own); try fewer words"
        )
    close = closest_words(source, missing)
    hint = f"; the catalogue has: {', '.join(close)}" if close else ""
    absent = excerpt(", ".join(t.text for t in missing), HINT_LENGTH)
    return f"exchange: no programs match '{wanted}': nothing contains '{absent}'{hint}"
