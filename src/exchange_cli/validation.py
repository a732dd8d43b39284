"""Field-by-field validation of parsed catalogue data against the model and the
vocabularies, collecting every problem (with its field path) rather than stopping at the
first. Only imported when a catalogue is actually parsed (not when served from the cache).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from exchange_cli import vocab
from exchange_cli.model import (
    FIELDS,
    FLOW_FIELDS,
    PARTY_FIELDS,
    SOURCE_FIELDS,
    Flow,
    Party,
    Program,
    Source,
)
from exchange_cli.yamltypes import Unquoted, excerpt

PathTuple = tuple[str | int, ...]
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


@dataclass(frozen=True, slots=True)
class Issue:
    path: PathTuple
    message: str
    severity: str = "error"
    at_key: bool = False


def _kind_of(value: Any) -> str:
    if isinstance(value, Unquoted):
        return f"an unquoted {value.type} `{excerpt(value.text)}`"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the string {excerpt(value)!r}"


class Validator:
    """Walks parsed data, collecting every problem rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Issue] = []
        self._ids: dict[str, int] = {}

    def error(self, path: PathTuple, message: str, *, at_key: bool = False) -> None:
        self.problems.append(Issue(path, message, "error", at_key))

    def warn(self, path: PathTuple, message: str) -> None:
        self.problems.append(Issue(path, message, "warning"))

    # -- shapes -------------------------------------------------------------------------

    def document(self, data: Any) -> list[Program]:
        if not isinstance(data, dict):
            self.error(
                (), f"the top level must be a mapping with a 'programs' list, not {_kind_of(data)}"
            )
            return []
        for key in data:
            if key != "programs":
                self.error(
                    (key,),
                    f"unknown top-level key '{excerpt(key)}' (expected only 'programs')",
                    at_key=True,
                )
        if "programs" not in data:
            self.error((), "missing the top-level 'programs' list")
            return []
        records = data["programs"]
        if not isinstance(records, list):
            self.error(("programs",), f"expected a list of programs, got {_kind_of(records)}")
            return []
        programs = []
        for index, record in enumerate(records):
            program = self.program(("programs", index), record)
            if program is not None:
                programs.append(program)
        return programs

    def mapping(self, path: PathTuple, value: Any, fields: tuple[str, ...], what: str) -> bool:
        if not isinstance(value, dict):
            self.error(path, f"expected {what} (a mapping), got {_kind_of(value)}")
            return False
        ok = True
        for key in value:
            if key not in fields:
                import difflib

                close = difflib.get_close_matches(key, fields, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.error(
                    (*path, key),
                    f"unknown field '{excerpt(key)}'{hint}; "
                    f"the fields of {what} are: {', '.join(fields)}",
                    at_key=True,
                )
                ok = False
        for name in fields:
            if name not in value:
                self.error(path, f"missing required field '{name}'")
                ok = False
        return ok

    def string(self, path: PathTuple, value: Any) -> str | None:
        if isinstance(value, str):
            if value.strip():
                return value
            self.error(path, "must not be empty")
            return None
        hint = "; quote it if you mean the text" if isinstance(value, Unquoted) else ""
        self.error(path, f"expected a string, got {_kind_of(value)}{hint}")
        return None

    def term(self, path: PathTuple, value: Any, vocabulary: vocab.Vocabulary) -> str | None:
        text = self.string(path, value)
        if text is None:
            return None
        if text in vocabulary:
            return text
        canonical = vocabulary.resolve(text)
        if canonical is not None:
            self.error(
                path, f"write the {vocabulary.name} as '{canonical}', not '{excerpt(text)}'"
            )
            return None
        close = vocabulary.suggest(text, limit=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        self.error(
            path,
            f"unknown {vocabulary.name} '{excerpt(text)}'{hint}; "
            f"allowed: {', '.join(vocabulary.values)}",
        )
        return None

    def strings(self, path: PathTuple, value: Any, *, allow_empty: bool) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.error(path, f"expected a list of strings, got {_kind_of(value)}")
            return None
        if not value and not allow_empty:
            self.error(path, "must list at least one value")
            return None
        items = [self.string((*path, i), item) for i, item in enumerate(value)]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)

    # -- records ------------------------------------------------------------------------

    def program(self, path: PathTuple, record: Any) -> Program | None:
        before = len(self.problems)
        if not self.mapping(path, record, FIELDS, "a program") and not isinstance(record, dict):
            return None
        get = record.get
        program_id = self.identifier((*path, "id"), get("id")) if "id" in record else None
        title = self.string((*path, "title"), get("title")) if "title" in record else None
        kind = self.term((*path, "kind"), get("kind"), vocab.KINDS) if "kind" in record else None
        sectors = self.sectors((*path, "sectors"), get("sectors")) if "sectors" in record else None
        parties = self.parties((*path, "parties"), get("parties")) if "parties" in record else None
        flows: tuple[Flow, ...] | None = None
        if "flows" in record:
            flows = self.flows((*path, "flows"), get("flows"), parties)
        benefits = None
        if "benefits" in record:
            benefits = self.strings((*path, "benefits"), get("benefits"), allow_empty=True)
        evidence = None
        if "evidence" in record:
            evidence = self.term((*path, "evidence"), get("evidence"), vocab.EVIDENCE)
        recurrence = None
        if "recurrence" in record and get("recurrence") is not None:
            recurrence = self.term((*path, "recurrence"), get("recurrence"), vocab.RECURRENCE)
        summary = self.string((*path, "summary"), get("summary")) if "summary" in record else None
        source = self.source((*path, "source"), get("source")) if "source" in record else None

        if len(self.problems) != before and any(
            p.severity == "error" for p in self.problems[before:]
        ):
            return None
        assert program_id and title and kind and sectors and parties is not None
        assert flows is not None and benefits is not None and evidence and summary and source
        self.lint(path, title, summary, parties, flows)
        return Program(
            id=program_id,
            title=title,
            kind=kind,
            sectors=sectors,
            parties=parties,
            flows=flows,
            benefits=benefits,
            evidence=evidence,
            recurrence=recurrence,
            summary=summary,
            source=source,
        )

    def identifier(self, path: PathTuple, value: Any) -> str | None:
        text = self.string(path, value)
        if text is None:
            return None
        if not _SLUG.match(text):
            self.error(
                path, f"id '{excerpt(text)}' must be a lowercase slug like 'saudi-korea-exchange'"
            )
            return None
        index = path[1]
        assert isinstance(index, int)
        if text in self._ids:
            self.error(
                path, f"duplicate id '{text}' (already used by programs[{self._ids[text]}])"
            )
            return None
        self._ids[text] = index
        return text

    def sectors(self, path: PathTuple, value: Any) -> tuple[str, ...] | None:
        if not isinstance(value, list) or not value:
            self.error(path, f"expected a list of one or more sectors, got {_kind_of(value)}")
            return None
        found = [self.term((*path, i), item, vocab.SECTORS) for i, item in enumerate(value)]
        if any(item is None for item in found):
            return None
        result = tuple(item for item in found if item is not None)
        for i, item in enumerate(result):
            if item in result[:i]:
                self.error((*path, i), f"sector '{item}' is listed twice")
                return None
        return result

    def parties(self, path: PathTuple, value: Any) -> tuple[Party, ...] | None:
        if not isinstance(value, list) or not value:
            self.error(path, f"expected a list of one or more parties, got {_kind_of(value)}")
            return None
        parties: list[Party] = []
        ok = True
        for i, item in enumerate(value):
            party = self.party((*path, i), item)
            if party is None:
                ok = False
            elif any(p.name == party.name for p in parties):
                self.error((*path, i, "name"), f"party '{party.name}' is listed twice")
                ok = False
            else:
                parties.append(party)
        return tuple(parties) if ok else None

    def party(self, path: PathTuple, value: Any) -> Party | None:
        if not self.mapping(path, value, PARTY_FIELDS, "a party"):
            return None
        name = self.string((*path, "name"), value["name"])
        kind = self.term((*path, "type"), value["type"], vocab.PARTY_TYPES)
        country = self.country((*path, "country"), value["country"])
        if name is None or kind is None or country is False:
            return None
        assert country is not True
        return Party(name=name, type=kind, country=country)

    def country(self, path: PathTuple, value: Any) -> str | None | bool:
        """The ISO code, None for null, or False after reporting a problem."""
        if value is None:
            return None
        if isinstance(value, Unquoted) and value.type == "boolean":
            self.error(
                path,
                f"`{value.text}` reads as a boolean in YAML; "
                f'quote the country code: "{value.text}"',
            )
            return False
        text = self.string(path, value)
        if text is None:
            return False
        if text in vocab.countries():
            return text
        canonical = vocab.countries().resolve(text)
        if canonical is not None:
            self.error(
                path, f"write the ISO 3166-1 alpha-2 code '{canonical}', not '{excerpt(text)}'"
            )
        else:
            self.error(
                path,
                f"unknown country code '{excerpt(text)}'; use an ISO 3166-1 alpha-2 code or null",
            )
        return False

    def flows(
        self, path: PathTuple, value: Any, parties: tuple[Party, ...] | None
    ) -> tuple[Flow, ...] | None:
        if not isinstance(value, list):
            self.error(path, f"expected a list of flows, got {_kind_of(value)}")
            return None
        names = {p.name for p in parties} if parties is not None else None
        flows: list[Flow] = []
        ok = True
        for i, item in enumerate(value):
            where = (*path, i)
            if not self.mapping(where, item, FLOW_FIELDS, "a flow"):
                ok = False
                continue
            giver = self.string((*where, "from"), item["from"])
            receiver = self.string((*where, "to"), item["to"])
            what = self.string((*where, "what"), item["what"])
            for end, name in (("from", giver), ("to", receiver)):
                if name is not None and names is not None and name not in names:
                    self.error(
                        (*where, end),
                        f"'{excerpt(name)}' is not a party of this program "
                        f"(parties: {', '.join(sorted(names))})",
                    )
                    ok = False
            if giver is not None and giver == receiver:
                self.error((*where, "to"), "a flow must go from one party to another")
                ok = False
            if giver is None or receiver is None or what is None:
                ok = False
            elif ok:
                flows.append(Flow(giver=giver, receiver=receiver, what=what))
        return tuple(flows) if ok else None

    def source(self, path: PathTuple, value: Any) -> Source | None:
        if not self.mapping(path, value, SOURCE_FIELDS, "a source"):
            return None
        document = self.string((*path, "document"), value["document"])
        section = self.string((*path, "section"), value["section"])
        if document is None or section is None:
            return None
        return Source(document=document, section=section)

    def lint(
        self,
        path: PathTuple,
        title: str,
        summary: str,
        parties: tuple[Party, ...],
        flows: tuple[Flow, ...],
    ) -> None:
        """Warnings: legal but probably a mistake."""
        if not flows:
            self.warn((*path, "flows"), "no flows: say what each party gives or teaches the other")
        for i, party in enumerate(parties):
            if party.type == "country" and party.country is None:
                self.warn(
                    (*path, "parties", i, "country"),
                    f"country party '{party.name}' has no ISO code",
                )
        if vocab.normalize(summary).strip(".") == vocab.normalize(title).strip("."):
            self.warn((*path, "summary"), "the summary only repeats the title")
