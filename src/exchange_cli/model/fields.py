"""Field specs: how a record's shape is declared once, and how each value is checked.

A record is a `NamedTuple` whose fields are annotated `Annotated[type, Spec(...)]`
(see `records.py`). From that one declaration come the checks of parsed catalogue data
(`load.validation` walks the specs; `Spec.fast` is each spec's quick path), reading
records back from JSON, the JSON Schema, the `exchange new` skeleton, the one-line
text of csv/tsv/markdown cells, and what `declaration.py` derives. A spec says *what*
a value is; the walker says *where* a problem is.
"""

import re
from collections.abc import Callable
from typing import Any

from exchange_cli.model.vocab import Vocabulary, excerpt


class Unquoted:
    """A plain YAML scalar that YAML 1.1 reads as a non-string (`NO`, `017`, `1:20`):
    kept as its text, never converted, so a check can say "quote it"."""

    __slots__ = ("type", "text")

    def __init__(self, type: str, text: str) -> None:
        self.type = type
        self.text = text

    def __repr__(self) -> str:
        return f"Unquoted({self.type!r}, {self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unquoted) and (self.type, self.text) == (other.type, other.text)

    def __hash__(self) -> int:
        return hash((self.type, self.text))


Path = tuple[str | int, ...]


class Invalid:
    """What a check returns instead of a value: the problem, its message made only when
    it is shown (a hostile file can hold millions of bad values; a "did you mean" for
    each would cost seconds)."""

    __slots__ = ("_message",)

    def __init__(self, message: str | Callable[[], str]) -> None:
        self._message = message

    @property
    def message(self) -> str:
        return self._message if isinstance(self._message, str) else self._message()


#: A record whose problems were reported already.
INVALID: Any = Invalid("invalid")


class Fallback(Exception):
    """Raised by a fast check (`Spec.fast`): not certainly valid, the full walk decides."""


#: A fast check: the value when it is valid, else `Fallback` (never a message).
FastCheck = Callable[[Any], Any]


def describe(value: Any) -> str:
    """What a parsed value is, for messages: `an unquoted integer `017``, `a list`."""
    if isinstance(value, Unquoted):
        return f"an unquoted {value.type} `{excerpt(value.text)}`"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {excerpt(str(value))}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the string {excerpt(str(value))!r}"


class Spec:
    """One field's rule. Subclasses say how a value is checked, shown and described."""

    __slots__ = ("doc", "example", "required", "nullable", "key")

    def __init__(
        self,
        doc: str,
        *,
        example: Any = None,
        required: bool = True,
        nullable: bool = False,
        key: str | None = None,
    ) -> None:
        self.doc = doc
        self.example = example
        self.required = required  # the key must be present (else it takes its default)
        self.nullable = nullable or not required  # null is legal (for an optional field too)
        self.key = key  # the key in files and JSON, when it is not the attribute's name

    def check(self, value: Any) -> Any:
        """The checked value, or an `Invalid`. Scalars only: `ListOf` and `Nested` are
        walked by `validation`, which knows paths and the rules across fields."""
        raise NotImplementedError

    def fast(self) -> FastCheck:
        """`check` for the loader's fast path (`load.fastcheck`), made once per spec:
        exactly as strict, but raising `Fallback` instead of wording a problem. This one
        is `check` itself; a subclass writes a quicker one beside its `check` for the
        values a valid catalogue holds (tests/test_json_catalogue.py holds every spec to
        accepting exactly what `check` accepts)."""
        check = self.check

        def checked(value: Any) -> Any:
            result = check(value)
            if isinstance(result, Invalid):
                raise Fallback
            return result

        return checked

    def from_json(self, value: Any) -> Any:
        """A value this program wrote itself (the store), every type checked again."""
        if value is None and self.nullable:
            return None
        if type(value) is not str:
            raise ValueError(f"expected a string, got {type(value).__name__}")
        return value

    def flat(self, value: Any) -> str:
        """The value as one line of text (csv, tsv, markdown cells)."""
        return "" if value is None else str(value)

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def with_null(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {"oneOf": [{"type": "null"}, schema]} if self.nullable else schema

    def vocabulary_text(self) -> str:
        """The values (and their aliases, in order) this spec checks against, as text
        for `fingerprint`; empty when it checks against none."""
        return ""


class Text(Spec):
    """A non-blank string."""

    __slots__ = ()

    def check(self, value: Any) -> Any:
        if type(value) is str:
            return value if value.strip() else Invalid("must not be empty")
        if value is None and self.nullable:
            return None
        hint = "; quote it if you mean the text" if isinstance(value, Unquoted) else ""
        return Invalid(f"expected a string, got {describe(value)}{hint}")

    def schema(self) -> dict[str, Any]:
        return self.with_null({"type": "string", "minLength": 1, "pattern": "\\S"})

    def fast(self) -> FastCheck:
        if type(self) is not Text:
            return super().fast()
        nullable = self.nullable

        def text(value: Any) -> Any:
            if type(value) is str and value and not value.isspace():
                return value
            if value is None and nullable:
                return None
            raise Fallback

        return text


class _Slug:
    """The slug pattern, compiled on first use (most runs never check an id)."""

    pattern: "re.Pattern[str] | None" = None

    def match(self, text: str) -> "re.Match[str] | None":
        if self.pattern is None:
            self.pattern = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
        return self.pattern.match(text)


SLUG = _Slug()


class Slug(Text):
    """A lowercase slug: what ids are made of (safe in URLs, file names and shells)."""

    __slots__ = ()

    def check(self, value: Any) -> Any:
        text = super().check(value)
        if type(text) is not str or SLUG.match(text):
            return text
        return Invalid(
            f"id '{excerpt(text)}' must be a lowercase slug like 'saudi-korea-exchange'"
        )

    def schema(self) -> dict[str, Any]:
        return self.with_null({"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"})

    def fast(self) -> FastCheck:
        nullable = self.nullable

        def slug(value: Any) -> Any:
            if type(value) is str and SLUG.match(value):
                return value
            if value is None and nullable:
                return None
            raise Fallback

        return slug


class Term(Text):
    """One value of a controlled vocabulary, written canonically."""

    __slots__ = ("vocabulary",)

    def __init__(self, vocabulary: Vocabulary, doc: str, **options: Any) -> None:
        super().__init__(doc, **options)
        self.vocabulary = vocabulary

    def check(self, value: Any) -> Any:
        text = super().check(value)
        if type(text) is not str or text in self.vocabulary:
            return text
        return Invalid(lambda: self._unknown(text))

    def _unknown(self, text: str) -> str:
        name = self.vocabulary.name
        canonical = self.vocabulary.resolve(text)
        if canonical is not None:
            return f"write the {name} as '{canonical}', not '{excerpt(text)}'"
        close = self.vocabulary.suggest(text, limit=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        allowed = ", ".join(self.vocabulary.values)
        return f"unknown {name} '{excerpt(text)}'{hint}; allowed: {allowed}"

    def schema(self) -> dict[str, Any]:
        choices = [{"const": t.value, "description": t.description} for t in self.vocabulary.terms]
        return self.with_null({"type": "string", "oneOf": choices})

    def vocabulary_text(self) -> str:
        return self.vocabulary.fingerprint()

    def fast(self) -> FastCheck:
        return _one_of(frozenset(self.vocabulary.values), self.nullable)


def _one_of(allowed: frozenset[str], nullable: bool) -> FastCheck:
    """The fast check of a closed set of strings (a vocabulary, the country codes):
    anything else goes to the full check, which says what is wrong."""

    def member(value: Any) -> Any:
        if type(value) is str and value in allowed:
            return value
        if value is None and nullable:
            return None
        raise Fallback

    return member


class Country(Text):
    """An ISO 3166-1 alpha-2 code, or null for a party without one."""

    __slots__ = ()

    def check(self, value: Any) -> Any:
        from exchange_cli.model.vocab import countries

        if isinstance(value, Unquoted) and value.type == "boolean":
            text = value.text
            return Invalid(
                f'`{text}` reads as a boolean in YAML; quote the country code: "{text}"'
            )
        text = super().check(value)
        if type(text) is not str or text in countries():
            return text
        canonical = countries().resolve(text)
        if canonical is not None:
            return Invalid(
                f"write the ISO 3166-1 alpha-2 code '{canonical}', not '{excerpt(text)}'"
            )
        return Invalid(
            f"unknown country code '{excerpt(text)}'; use an ISO 3166-1 alpha-2 code or null"
        )

    def schema(self) -> dict[str, Any]:
        from exchange_cli.model.vocab import countries

        return self.with_null({"type": "string", "enum": list(countries().values)})

    def vocabulary_text(self) -> str:
        from exchange_cli.model.countries import COUNTRIES

        return repr(COUNTRIES)

    def fast(self) -> FastCheck:
        from exchange_cli.model.vocab import countries

        return _one_of(frozenset(countries().values), self.nullable)


class Year(Spec):
    """A year of the common era, written as a plain number."""

    __slots__ = ()
    LOW, HIGH = 1800, 2200

    def check(self, value: Any) -> Any:
        if value is None and self.nullable:
            return None
        if isinstance(value, Unquoted) and value.type == "integer" and value.text.isdecimal():
            number = int(value.text) if len(value.text) <= 4 else self.HIGH + 1
        elif type(value) is int:
            number = value
        else:
            return Invalid(
                f"expected a year such as {self.example or 2020}, got {describe(value)}"
            )
        if not self.LOW <= number <= self.HIGH:
            return Invalid(f"year {excerpt(str(number))} is outside {self.LOW}-{self.HIGH}")
        return number

    def from_json(self, value: Any) -> Any:
        if value is None and self.nullable:
            return None
        if type(value) is not int:
            raise ValueError("expected a year")
        return value

    def schema(self) -> dict[str, Any]:
        return self.with_null({"type": "integer", "minimum": self.LOW, "maximum": self.HIGH})

    def fast(self) -> FastCheck:
        low, high, nullable, check = self.LOW, self.HIGH, self.nullable, super().fast()

        def year(value: Any) -> Any:
            if type(value) is int and low <= value <= high:
                return value
            if value is None and nullable:
                return None
            return check(value)  # a YAML plain scalar, say: as `check` decides

        return year


class ListOf(Spec):
    """A list of `item`s (a tuple in the record)."""

    __slots__ = ("item", "noun", "min_items", "max_items", "unique_by")

    def __init__(
        self,
        item: Spec,
        doc: str,
        *,
        noun: tuple[str, str],
        min_items: int = 0,
        max_items: int | None = None,
        unique_by: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(doc, **options)
        self.item = item
        self.noun = noun  # ("party", "parties"): for messages
        self.min_items = min_items
        self.max_items = max_items  # None: as many as the file holds
        self.unique_by = unique_by  # "" for the items themselves, or a field of theirs

    def from_json(self, value: Any) -> Any:
        if type(value) is not list:
            raise ValueError(f"expected a list of {self.noun[1]}")
        return tuple(self.item.from_json(item) for item in value)

    def flat(self, value: Any) -> str:
        return "; ".join(self.item.flat(item) for item in value or ())

    def schema(self) -> dict[str, Any]:
        items = self.item.schema()
        if not isinstance(self.item, Nested):
            items = {"description": self.item.doc, **items}
        schema: dict[str, Any] = {"type": "array", "items": items}
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.max_items is not None:
            schema["maxItems"] = self.max_items
        if self.unique_by == "":
            schema["uniqueItems"] = True
        return self.with_null(schema)


class Nested(Spec):
    """A mapping with the fields of another declared record."""

    __slots__ = ("record", "noun")

    def __init__(self, record: type, doc: str, *, noun: str, **options: Any) -> None:
        super().__init__(doc, **options)
        self.record = record
        self.noun = noun  # "a party": for messages

    def from_json(self, value: Any) -> Any:
        return from_json(self.record, value)

    def flat(self, value: Any) -> str:
        flat = getattr(self.record, "flat", None)
        if flat is not None:
            return str(flat(value))
        return ", ".join(f"{k}={v}" for k, v in value.items())

    def schema(self) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{self.record.__name__.lower()}"}


# -- reading a declaration -----------------------------------------------------------------


class Field:
    """One declared field: its attribute, its key in catalogue files and JSON, its spec."""

    __slots__ = ("attribute", "key", "spec", "default")

    def __init__(self, attribute: str, key: str, spec: Spec, default: Any) -> None:
        self.attribute, self.key, self.spec, self.default = attribute, key, spec, default


def fields_of(record: type) -> tuple[Field, ...]:
    """The declared fields of a record class, in order (read once, then remembered)."""
    found = _FIELDS.get(record)
    if found is None:
        found = _FIELDS[record] = _declared(record)
    return found


_FIELDS: dict[type, tuple[Field, ...]] = {}


def _declared(record: type) -> tuple[Field, ...]:
    defaults = getattr(record, "_field_defaults", {})
    found = []
    for attribute, annotation in record.__annotations__.items():
        spec = next(m for m in annotation.__metadata__ if isinstance(m, Spec))
        key = spec.key or attribute
        found.append(Field(attribute, key, spec, defaults.get(attribute, INVALID)))
    return tuple(found)


def keys_of(record: type) -> tuple[str, ...]:
    """The keys of a record in files and JSON, in order (the JSON contract)."""
    return tuple(field.key for field in fields_of(record))


def optional_keys(record: type) -> frozenset[str]:
    """The keys a record may lack (they read as null)."""
    return frozenset(f.key for f in fields_of(record) if not f.spec.required)


def from_json(record: type, data: Any) -> Any:
    """Rebuild a record from `to_json` output, checking every key and type (ValueError)."""
    declared = fields_of(record)
    known = _KEY_SETS.get(record) or _KEY_SETS.setdefault(record, frozenset(keys_of(record)))
    if type(data) is not dict or any(key not in known for key in data):
        raise ValueError(f"not a {record.__name__} this program wrote")
    values = {}
    for field in declared:
        if field.key in data:
            values[field.attribute] = field.spec.from_json(data[field.key])
        elif field.spec.required:
            raise ValueError(f"{record.__name__} without {field.key}")
    return record(**values)


_KEY_SETS: dict[type, frozenset[str]] = {}
