"""What changed between two catalogues: programs added, removed and changed, by id, with
the fields that changed and their old and new values. Pure: catalogues in, data out."""

from collections.abc import Mapping
from typing import Any, NamedTuple

from exchange_cli.model.outputs import keys as output_keys
from exchange_cli.model.records import FIELDS, Catalogue

#: One row per change, in `jsonl` and the table: a whole program added or removed, or one
#: field of a program changed.
CHANGE_FIELDS = output_keys("diff.rows")


class Changes(NamedTuple):
    old: str  # the catalogues, as messages name them
    new: str
    added: list[dict[str, Any]]  # whole records, in the new catalogue's order
    removed: list[dict[str, Any]]  # whole records, in the old catalogue's order
    changed: list[dict[str, Any]]  # {"id", "title", "fields": [{"field", "old", "new"}]}
    unchanged: int

    @property
    def equal(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
        }

    def to_dict(self) -> dict[str, Any]:
        """What `--format json` prints."""
        return {
            "old": self.old,
            "new": self.new,
            "equal": self.equal,
            "summary": self.summary(),
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
        }

    def rows(self) -> list[dict[str, Any]]:
        """One row per change (`CHANGE_FIELDS`): added, removed, then changed fields."""
        rows = [_whole("added", record) for record in self.added]
        rows += [_whole("removed", record) for record in self.removed]
        rows += [
            {"change": "changed", "id": entry["id"], "title": entry["title"], **field}
            for entry in self.changed
            for field in entry["fields"]
        ]
        return rows


def _whole(change: str, record: Mapping[str, Any]) -> dict[str, Any]:
    return {"change": change, "id": record["id"], "title": record["title"],
            "field": None, "old": None, "new": None}  # fmt: skip


def compare_catalogues(old: Catalogue, new: Catalogue) -> Changes:
    """Programs matched by id, or by an earlier id the new catalogue declares (`aliases`:
    a renamed program is changed, not removed and added); a program changed when any
    field's JSON value differs."""
    before = {p.id: p.to_dict() for p in old}
    after = {p.id: p.to_dict() for p in new}
    was = {p.id: p.id for p in new}  # a new program's id → the id it had before
    for program in new:
        if program.id not in before:
            earlier = [a for a in program.aliases if a in before and a not in after]
            if earlier:
                was[program.id] = earlier[-1]  # (the latest rename is listed last)
    matched = {was[i] for i in after if was[i] in before}
    changed = []
    for program_id, record in after.items():
        previous = before.get(was[program_id])
        if previous is None or previous == record:
            continue
        fields = [
            {"field": key, "old": previous[key], "new": record[key]}
            for key in FIELDS
            if previous[key] != record[key]
        ]
        changed.append({"id": program_id, "title": record["title"], "fields": fields})
    return Changes(
        old=old.name,
        new=new.name,
        added=[r for i, r in after.items() if was[i] not in before],
        removed=[r for i, r in before.items() if i not in matched],
        changed=changed,
        unchanged=sum(1 for i, r in after.items() if before.get(was[i]) == r),
    )
