"""`StoreSource`: the `RecordSource` protocol answered from a compiled catalogue, with
SQL for filters, counts and related programs, and the full-text index for search."""

import contextlib
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from exchange_cli import vocab
from exchange_cli.errors import CatalogueError, Problem
from exchange_cli.fields import from_json
from exchange_cli.model import Catalogue, JsonRecord, Party, Program
from exchange_cli.source import Criteria


class StoreSource:
    """A `RecordSource` over a compiled catalogue."""

    def __init__(
        self, connection: sqlite3.Connection, name: str, database: str | None = None
    ) -> None:
        self.connection = connection
        self.name = name
        self.database = database  # the file read, removed when it turns out damaged
        self._count: int | None = None
        self._ids: list[str] | None = None

    def close(self) -> None:
        self.connection.close()

    def _rows(self, sql: str, *parameters: Any) -> list[Any]:
        try:
            return self.connection.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:  # a damaged file ("database disk image is malformed")
            raise self._damaged(exc) from None

    def _damaged(self, exc: Exception) -> CatalogueError:
        """One line (exit 3) for a database that fails as it is read; the file goes, so
        the next run builds it afresh."""
        message = f"the cached copy is damaged ({exc})"
        if self.database is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.database)
            message += "; run the command again"
        return CatalogueError([Problem(self.name, None, None, "", message)])

    def __len__(self) -> int:
        if self._count is None:
            self._count = int(self._rows("SELECT count(*) FROM programs")[0][0])
        return self._count

    def ids(self) -> Sequence[str]:
        if self._ids is None:
            self._ids = [r[0] for r in self._rows("SELECT id FROM programs ORDER BY position")]
        return self._ids

    def position(self, program_id: str) -> int | None:
        rows = self._rows("SELECT position FROM programs WHERE id = ?", program_id.strip().lower())
        return int(rows[0][0]) if rows else None

    def select(self, criteria: Criteria) -> list[int]:
        where, parameters = _where(criteria)
        sql = f"SELECT position FROM programs {where} ORDER BY position"
        return [row[0] for row in self._rows(sql, *parameters)]

    def records(self, positions: Iterable[int]) -> list[Mapping[str, Any]]:
        return [JsonRecord(text, self._check) for text in self._texts(positions)]

    def _check(self, data: Any) -> None:
        """A stored record, read back, is a program again or the store is damaged (a
        listing that prints the stored text as it is skips this: it decodes nothing)."""
        try:
            from_json(Program, data)
        except (ValueError, TypeError, KeyError) as exc:
            raise self._damaged(exc) from None

    def programs(self, positions: Iterable[int]) -> list[Program]:
        try:
            import json

            return [from_json(Program, json.loads(text)) for text in self._texts(positions)]
        except (ValueError, TypeError) as exc:  # only a file someone else wrote
            raise self._damaged(exc) from None

    def _texts(self, positions: Iterable[int]) -> list[str]:
        wanted = list(positions)
        if not wanted:
            return []
        rows = self._rows(
            "SELECT position, record FROM programs WHERE position IN "
            "(SELECT value FROM json_each(?))",
            _json_list(wanted),
        )
        by_position = dict(rows)
        return [by_position[i] for i in wanted]

    def count(self, facet: str, positions: Sequence[int]) -> Counter[str]:
        table, column, key = {
            "sector": ("program_sectors", "sector", "program"),
            "country": ("program_countries", "country", "program"),
            "kind": ("programs", "kind", "position"),
            "evidence": ("programs", "evidence", "position"),
        }[facet]
        sql = f"SELECT {column}, count(*) FROM {table}"
        parameters: tuple[Any, ...] = ()
        if len(positions) != len(self):
            sql += f" WHERE {key} IN (SELECT value FROM json_each(?))"
            parameters = (_json_list(positions),)
        rows = self._rows(sql + f" GROUP BY {column}", *parameters)
        return Counter({value: count for value, count in rows})

    def countries(self) -> list[str]:
        return [
            r[0] for r in self._rows("SELECT DISTINCT country FROM program_countries ORDER BY 1")
        ]

    def parties(self) -> list[Party]:
        rows = self._rows(
            "SELECT DISTINCT name, type, country, id FROM parties "
            "ORDER BY name, type, coalesce(country, ''), coalesce(id, '')"
        )
        return [Party(name, kind, country, id) for name, kind, country, id in rows]

    # -- related programs ------------------------------------------------------------------

    def related(self, position: int, limit: int) -> list[int]:
        return self.related_many([position], limit)[position]

    def related_many(
        self, positions: Sequence[int], limit: int, within: Sequence[int] | None = None
    ) -> dict[int, list[int]]:
        """Each program's most related, among `within` (default: all). Programs sharing
        a party come from an indexed join, with exact scores; programs sharing only
        sectors from groups of programs with the same sectors, best level first and in
        catalogue order, so that the work per program does not grow with the catalogue."""
        allowed = None if within is None or len(within) == len(self) else set(within)
        masks: dict[int, int] = dict(self._rows("SELECT position, sectors FROM programs"))
        groups: dict[int, list[int]] = {}
        for program, mask in sorted(masks.items()):
            if allowed is None or program in allowed:
                groups.setdefault(mask, []).append(program)
        levels = _Levels(groups)
        result = {}
        for position in positions:
            mine = masks[position]
            scores = {
                program: shared + (mine & masks[program]).bit_count()
                for program, shared in self._party_sharers(position)
                if program != position and (allowed is None or program in allowed)
            }
            result[position] = _best(scores, mine, position, levels, limit)
        return result

    def _party_sharers(self, position: int) -> list[tuple[int, int]]:
        """(program, parties shared) for every program sharing a party key with this one."""
        return self._rows(
            "SELECT other.program, count(*) FROM party_keys AS mine "
            "JOIN party_keys AS other ON other.key = mine.key "
            "WHERE mine.program = ? GROUP BY other.program",
            position,
        )

    # -- search ------------------------------------------------------------------------------

    def search(self, terms: Sequence[Any]) -> list[tuple[int, float]]:
        from exchange_cli import search

        if not self._has_words():
            catalogue = Catalogue(self.programs(range(len(self))), self.name)
            from exchange_cli.source import MemorySource

            return MemorySource(catalogue).search(terms)
        totals: dict[int, float] | None = None
        for term in terms:
            levels = self._term_levels(term)
            scores = {p: search.score_levels(by_field) for p, by_field in levels.items()}
            if totals is None:
                totals = {p: s for p, s in scores.items() if s > 0}
            else:
                totals = {p: totals[p] + s for p, s in scores.items() if s > 0 and p in totals}
        hits = [(p, round(score, 2)) for p, score in (totals or {}).items()]
        hits.sort(key=lambda hit: (-hit[1], hit[0]))
        return hits

    def _has_words(self) -> bool:
        rows = self._rows("SELECT 1 FROM sqlite_master WHERE name = 'words'")
        return bool(rows)

    def _term_levels(self, term: Any) -> dict[int, dict[str, float]]:
        from exchange_cli import search
        from exchange_cli.store.build import token

        levels: dict[int, dict[str, float]] = {}
        phrase = " ".join(token(word) for word in term.words)
        for field in search.TEXT_FIELDS:
            for query, level in (
                (f'{field} : "{phrase}"*', search.PREFIX),
                (f'{field} : "{phrase}"', search.EXACT),
            ):
                for (position,) in self._rows(
                    "SELECT rowid FROM words WHERE words MATCH ?", query
                ):
                    levels.setdefault(position, {})[field] = level
        kinds = search.vocabulary_levels(term, vocab.KINDS)
        if kinds:
            marks = ",".join("?" * len(kinds))
            for position, kind in self._rows(
                f"SELECT position, kind FROM programs WHERE kind IN ({marks})", *kinds
            ):
                levels.setdefault(position, {})["kind"] = kinds[kind]
        sectors = search.vocabulary_levels(term, vocab.SECTORS)
        if sectors:
            marks = ",".join("?" * len(sectors))
            for sector, position in self._rows(
                f"SELECT sector, program FROM program_sectors WHERE sector IN ({marks})",
                *sectors,
            ):
                by_field = levels.setdefault(position, {})
                by_field["sectors"] = max(by_field.get("sectors", 0.0), sectors[sector])
        return levels

    def words(self) -> set[str]:
        from exchange_cli.search import term_words

        found: set[str] = set()
        if self._has_words():
            for (token,) in self._rows("SELECT term FROM word_list"):
                if token != "x":
                    with contextlib.suppress(ValueError):
                        found.add(bytes.fromhex(token).decode("utf-8"))
        else:
            from exchange_cli.search import field_words

            for program in self.programs(range(len(self))):
                for segments in field_words(program).values():
                    found.update(w for words in segments for w in words)
            return found
        kinds = [r[0] for r in self._rows("SELECT DISTINCT kind FROM programs")]
        sectors = [r[0] for r in self._rows("SELECT DISTINCT sector FROM program_sectors")]
        for segments in (term_words(vocab.KINDS, kinds), term_words(vocab.SECTORS, sectors)):
            found.update(w for words in segments for w in words)
        return found


def _json_list(positions: Iterable[int]) -> str:
    """Positions as the JSON array SQLite's json_each reads (without loading `json`)."""
    return "[" + ",".join(str(int(p)) for p in positions) + "]"


def _where(criteria: Criteria) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    parameters: list[Any] = []

    def among(values: Sequence[str]) -> str:
        parameters.extend(values)
        return ",".join("?" * len(values))

    if criteria.sectors:
        clauses.append(
            "position IN (SELECT program FROM program_sectors "
            f"WHERE sector IN ({among(criteria.sectors)}))"
        )
    if criteria.kinds:
        clauses.append(f"kind IN ({among(criteria.kinds)})")
    if criteria.evidence:
        clauses.append(f"evidence IN ({among(criteria.evidence)})")
    if criteria.countries:
        clauses.append(
            "position IN (SELECT program FROM program_countries "
            f"WHERE country IN ({among(criteria.countries)}))"
        )
    if criteria.parties:  # a part of any name (or the id) of a party's actor
        found = " OR ".join("instr(folded, ?) > 0" for _ in criteria.parties)
        parameters.extend(criteria.parties)
        clauses.append(
            "position IN (SELECT program FROM parties WHERE actor IN "
            f"(SELECT actor FROM actor_names WHERE {found}))"
        )
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), parameters


def _best(
    scores: dict[int, int], mine: int, position: int, levels: "_Levels", limit: int
) -> list[int]:
    """The `limit` most related: the party sharers (`scores`, exact) and the programs
    sharing only sectors. A program sharing only `level` sectors scores `level`, so only
    the `limit` earliest of each level can make the cut, and once `limit` programs score
    more than a level, no program of that level or below can."""
    candidates = dict(scores)
    for level in range(mine.bit_count(), 0, -1):
        if sum(1 for score in candidates.values() if score > level) >= limit:
            break
        taken = 0
        for program in levels.positions(mine, level):
            if program == position or program in scores:
                continue
            candidates[program] = level
            taken += 1
            if taken >= limit:
                break
    import heapq

    best = heapq.nsmallest(limit, candidates.items(), key=lambda item: (-item[1], item[0]))
    return [program for program, _ in best]


class _Levels:
    """Programs grouped by their sectors, merged per (sectors, level) on first use and
    extended only as far as anyone reads."""

    def __init__(self, groups: Mapping[int, list[int]]) -> None:
        self.groups = groups
        self.merged: dict[tuple[int, int], tuple[Iterator[int], list[int]]] = {}

    def positions(self, mine: int, level: int) -> Iterator[int]:
        """The programs sharing exactly `level` sectors with `mine`, in catalogue order."""
        key = (mine, level)
        if key not in self.merged:
            lists = [g for mask, g in self.groups.items() if (mask & mine).bit_count() == level]
            import heapq

            self.merged[key] = (heapq.merge(*lists), [])
        merged, seen = self.merged[key]
        index = 0
        while True:
            if index == len(seen):
                following = next(merged, None)
                if following is None:
                    return
                seen.append(following)
            yield seen[index]
            index += 1
