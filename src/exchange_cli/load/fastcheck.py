"""The declaration's checks as one compiled function per record type, for records that
have no problem: the common case, and most of a large catalogue's loading time.

`fast_checker(Program)` returns a function that builds the record from parsed data when
every value is exactly what the declaration asks for, and returns None at the first
doubt; the loader then runs the full walk (`validation.check_record`), which finds,
words and places every problem. It must never accept what the walk refuses
(tests/test_json_catalogue.py holds it to that on generated and mutated records), nor
refuse what the walk accepts. Each scalar spec's check is its own `Spec.fast`, written
beside its `check` in model/fields.py; this module composes them into records and lists,
with the rules across fields.
"""

import sys
from collections.abc import Callable
from typing import Any

from exchange_cli.model.fields import Fallback, ListOf, Nested, Spec, fields_of

Check = Callable[[Any], Any]


class _Strict:
    """A report for the rules across fields: any problem means "ask the full walk"."""

    errors = 0

    def error(self, *args: object, **kwargs: object) -> None:
        raise Fallback

    warn = error


_STRICT: Any = _Strict()
_CHECKERS: dict[type, Callable[[Any], Any]] = {}


def fast_checker(record: type) -> Callable[[Any], Any]:
    """The record built from `data`, or None when the full walk must look at it."""
    found = _CHECKERS.get(record)
    if found is None:
        check = _record(record)

        def found(data: Any) -> Any:
            try:
                return check(data)
            except (Fallback, KeyError, TypeError):
                return None

        _CHECKERS[record] = found
    return found


def _record(record: type) -> Check:
    from exchange_cli.load.validation import RULES

    declared = fields_of(record)
    keys = frozenset(f.key for f in declared)
    required = [f.key for f in declared if f.spec.required]
    plan = [(f.attribute, f.key, _value(f.spec), f.spec.required) for f in declared]
    rules = RULES.get(record, ())
    everything = len(required) == len(declared)

    def check(data: Any) -> Any:
        if type(data) is not dict or not data.keys() <= keys:
            raise Fallback
        if everything:
            if len(data) != len(keys):
                raise Fallback
            built = record(*[check(data[key]) for _, key, check, _ in plan])
        else:
            values = {}
            for attribute, key, check, needed in plan:
                if key in data:
                    values[attribute] = check(data[key])
                elif needed:
                    raise Fallback
            built = record(**values)
        for rule in rules:
            rule(data, (), _STRICT)
        return built

    return check


def _value(spec: Spec) -> Check:
    if isinstance(spec, ListOf):
        return _list(spec)
    if isinstance(spec, Nested):
        return _record(spec.record)
    return spec.fast()  # a scalar's own fast check, written beside its `check`


def _list(spec: ListOf) -> Check:
    item, least, unique_by = _value(spec.item), spec.min_items, spec.unique_by
    most = sys.maxsize if spec.max_items is None else spec.max_items

    nullable = spec.nullable

    def items(value: Any) -> Any:
        if value is None and nullable:
            return ()
        if type(value) is not list or not least <= len(value) <= most:
            raise Fallback
        built = tuple([item(one) for one in value])
        if unique_by is not None:
            keys = built if unique_by == "" else [one[unique_by] for one in value]
            if len(set(keys)) != len(keys):
                raise Fallback
        return built

    return items
