"""`StoreRecords`: the `Records` protocol answered from a compiled catalogue, with
SQL for filters, counts and related programs, and the full-text index for search."""

import contextlib
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

from exchange_cli.errors import CatalogueError, Problem
from exchange_cli.model import vocab
from exchange_cli.model.fields import from_json
from exchange_cli.model.records import Catalogue, JsonRecord, Party, Program
from exchange_cli.query.records import Criteria


class StoreRecords:
    """A `Records` over a compiled catalogue."""

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
        from exchange_cli.store.build import NAMED

        wanted = program_id.strip().lower()
        if not _encodable(wanted):  # a byte of the command line that is not UTF-8
            return None
        rows = self._rows(NAMED, wanted, wanted)
        return int(rows[0][0]) if rows else None

    def aliases(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        """From the index, in order: a Tab press reads the few it offers, not them all."""
        if not _encodable(prefix):
            return []
        rows = self._rows(
            "SELECT alias, program FROM program_aliases WHERE alias >= ? AND alias < ? "
            "ORDER BY alias LIMIT ?",
            prefix,
            prefix + "\U0010ffff",  # (aliases are ASCII slugs: after any that start so)
            limit,
        )
        return [(alias, int(position)) for alias, position in rows]

    def select(self, criteria: Criteria) -> list[int]:
        """Positions from the indexes alone: the programs table holds each record's
        text, so a query that reads its rows reads the whole catalogue's pages."""
        sets, parameters = _position_sets(criteria)
        if not sets:  # every program: positions are 0 to n - 1 in a database we built
            return list(range(len(self)))
        if len(sets) == 1:
            sql = f"SELECT DISTINCT {sets[0][0]} FROM {sets[0][1]} ORDER BY 1"
        else:
            sql = " INTERSECT ".join(f"SELECT {column} FROM {rest}" for column, rest in sets)
            sql += " ORDER BY 1"
        return [row[0] for row in self._rows(sql, *parameters)]

    def records(self, positions: Iterable[int]) -> Sequence[Mapping[str, Any]]:
        """The records as JSON text; many of them are read a batch at a time as they
        are iterated (`BatchedRecords`), so printing a large listing holds one batch."""
        wanted = list(positions)
        if len(wanted) > BATCH:
            return BatchedRecords(self, wanted)
        return self._records(wanted)

    def _records(self, positions: list[int]) -> list[Mapping[str, Any]]:
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
        try:
            return [by_position[i] for i in wanted]
        except KeyError as exc:  # a position the database lost
            raise self._damaged(LookupError(f"no program at position {exc}")) from None

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
        """Each program's most related (`related.best_related`), among `within` (default:
        all). A few programs ask SQL for each party key's first sharers; many read every
        key's at once."""
        from exchange_cli.query.related import PARTY_CANDIDATES, Levels, best_related

        allowed = None if within is None or len(within) == len(self) else set(within)
        masks: dict[int, int] = dict(self._rows("SELECT position, sectors FROM programs"))
        levels = Levels(
            (p, m) for p, m in sorted(masks.items()) if allowed is None or p in allowed
        )
        wanted = PARTY_CANDIDATES + 1
        if allowed is None and len(positions) <= 10:
            keys = {p: self._keys(p) for p in positions}
            sharers: dict[str, list[int]] = {
                key: self._sharers(key, wanted) for ks in keys.values() for key in ks
            }
        else:
            keys, sharers = {}, {}
            for key, program in self._rows(
                "SELECT key, program FROM party_keys ORDER BY key, program"
            ):
                keys.setdefault(program, []).append(key)
                if allowed is None or program in allowed:
                    found = sharers.setdefault(key, [])
                    if len(found) < wanted:
                        found.append(program)
        return {
            p: best_related(p, [sharers.get(k, []) for k in keys.get(p, ())], masks, levels, limit)
            for p in positions
        }

    def _keys(self, position: int) -> list[str]:
        from exchange_cli.query.records import party_keys

        [program] = self.programs([position])
        return list(party_keys(program))

    def _sharers(self, key: str, limit: int) -> list[int]:
        """The first programs with a party key, in catalogue order (the primary key's
        index answers this without reading the rest)."""
        rows = self._rows(
            "SELECT program FROM party_keys WHERE key = ? ORDER BY program LIMIT ?", key, limit
        )
        return [row[0] for row in rows]

    # -- search ------------------------------------------------------------------------------

    def search(self, terms: Sequence[Any]) -> list[tuple[int, float]]:
        from exchange_cli.query import search

        if not self._has_words():
            catalogue = Catalogue(self.programs(range(len(self))), self.name)
            from exchange_cli.query.memory import MemoryRecords

            return MemoryRecords(catalogue).search(terms)
        totals: dict[int, float] | None = None
        for term in terms:
            levels = self._term_levels(term)
            # Most hits match in the same fields at the same levels (a sector's every
            # program, say): each such combination is scored once.
            scored: dict[tuple[tuple[str, float], ...], float] = {}
            scores = {}
            for p, by_field in levels.items():
                key = tuple(by_field.items())
                score = scored.get(key)
                if score is None:
                    score = scored[key] = search.score_levels(by_field)
                scores[p] = score
            if totals is None:
                totals = {p: s for p, s in scores.items() if s > 0}
            else:
                totals = {p: totals[p] + s for p, s in scores.items() if s > 0 and p in totals}
            if not totals:
                break  # every term must match: once nothing is left, nothing will be
        hits = [(p, round(score, 2)) for p, score in (totals or {}).items()]
        hits.sort(key=lambda hit: (-hit[1], hit[0]))
        return hits

    def _has_words(self) -> bool:
        rows = self._rows("SELECT 1 FROM sqlite_master WHERE name = 'words'")
        return bool(rows)

    def _term_levels(self, term: Any) -> dict[int, dict[str, float]]:
        from exchange_cli.query import search
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
        from exchange_cli.query.search import term_words

        found: set[str] = set()
        if self._has_words():
            for (token,) in self._rows("SELECT term FROM word_list"):
                if token != "x":
                    with contextlib.suppress(ValueError):
                        found.add(bytes.fromhex(token).decode("utf-8"))
        else:
            from exchange_cli.query.search import field_words

            for program in self.programs(range(len(self))):
                for segments in field_words(program).values():
                    found.update(w for words in segments for w in words)
            return found
        kinds = [r[0] for r in self._rows("SELECT DISTINCT kind FROM programs")]
        sectors = [r[0] for r in self._rows("SELECT DISTINCT sector FROM program_sectors")]
        for segments in (term_words(vocab.KINDS, kinds), term_words(vocab.SECTORS, sectors)):
            found.update(w for words in segments for w in words)
        return found


#: Records read at once when a listing is iterated.
BATCH = 1000


class BatchedRecords(Sequence[Mapping[str, Any]]):
    """The records at many positions, read from the database `BATCH` at a time while
    they are iterated: a listing of any size is printed holding one batch of texts.
    Each pass reads them again (renderers make one)."""

    def __init__(self, store: StoreRecords, positions: list[int]) -> None:
        self.store, self.positions = store, positions

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self.store._records(self.positions[index])
        return self.store._records([self.positions[index]])[0]

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        positions = self.positions
        for start in range(0, len(positions), BATCH):
            yield from self.store._records(positions[start : start + BATCH])


def _json_list(positions: Iterable[int]) -> str:
    """Positions as the JSON array SQLite's json_each reads (without loading `json`)."""
    return "[" + ",".join(str(int(p)) for p in positions) + "]"


def _position_sets(criteria: Criteria) -> tuple[list[tuple[str, str]], list[Any]]:
    """One set of positions per criterion, as (column, what follows FROM), each read
    from an index alone (programs_by_kind and programs_by_evidence hold the position
    too), and their parameters in order: the selection is their intersection."""
    sets: list[tuple[str, str]] = []
    parameters: list[Any] = []

    def among(values: Sequence[str]) -> str:
        parameters.extend(values)
        return ",".join("?" * len(values))

    if criteria.sectors:
        sets.append(("program", f"program_sectors WHERE sector IN ({among(criteria.sectors)})"))
    if criteria.kinds:
        sets.append(("position", f"programs WHERE kind IN ({among(criteria.kinds)})"))
    if criteria.evidence:
        sets.append(("position", f"programs WHERE evidence IN ({among(criteria.evidence)})"))
    if criteria.countries:
        sets.append(
            ("program", f"program_countries WHERE country IN ({among(criteria.countries)})")
        )
    if criteria.parties:  # a part of any name (or the id) of a party's actor
        import json

        # one parameter, not one OR per value: hundreds of --party values made an
        # expression deeper than SQLite allows (taken for a damaged cache, and deleted)
        parameters.append(json.dumps(list(criteria.parties)))
        sets.append(
            (
                "program",
                "parties WHERE actor IN (SELECT actor FROM actor_names WHERE EXISTS "
                "(SELECT 1 FROM json_each(?) WHERE instr(folded, json_each.value) > 0))",
            )
        )
    return sets, parameters


def _encodable(text: str) -> bool:
    """Whether SQLite can take `text`: a lone surrogate (a byte of the command line that
    is not UTF-8, as Python decodes it) cannot be encoded, and names nothing here."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
