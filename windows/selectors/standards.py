"""Reads of the window service standards: the ones in force, a code's versions, and what
changed from one version to another (修订对照)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from windows.choices import StandardStatus
from windows.models import ServiceStandard, StandardItem

# Public pages show what was or is in force; drafts are the province's work in progress.
PUBLIC_STATUSES = (StandardStatus.IN_FORCE, StandardStatus.RETIRED)

HEADER_FIELDS = ("title", "effective_date", "scope", "basis")

ITEM_FIELD_LABELS = {
    "action": _("工作事项"),
    "guidance": _("要求说明"),
    "role": _("责任人"),
    "limit": _("时限"),
    "evidence": _("佐证材料"),
    "mandatory": _("必办事项"),
}

# Two items at the same place whose action texts are at least this alike are one item
# reworded, not one removed and another added.
SAME_ITEM_RATIO = 0.5


def _ordered_items() -> Prefetch:
    return Prefetch("items", queryset=StandardItem.objects.order_by("sort_order", "pk"))


def standards_in_force() -> QuerySet[ServiceStandard]:
    """The standards in force, one per code, with their ordered items."""
    return ServiceStandard.objects.in_force().order_by("code").prefetch_related(_ordered_items())


def standard_versions(code: str, *, public: bool = True) -> QuerySet[ServiceStandard]:
    """A code's versions, newest first; on public pages without drafts."""
    versions = ServiceStandard.objects.filter(code=code).order_by("-version")
    if public:
        versions = versions.filter(status__in=PUBLIC_STATUSES)
    return versions


def standard_current(code: str) -> ServiceStandard | None:
    """The version of `code` to show first: the one in force, or, for a code retired
    without a successor, its last version that was in force. Items prefetched."""
    return (
        standard_versions(code)
        .order_by("status", "-version")  # "in_force" sorts before "retired"
        .prefetch_related(_ordered_items())
        .first()
    )


def standard_with_items(pk: int, *, public: bool = True) -> ServiceStandard | None:
    standards = ServiceStandard.objects.filter(pk=pk).prefetch_related(_ordered_items())
    if public:
        standards = standards.filter(status__in=PUBLIC_STATUSES)
    return standards.first()


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: Any
    new: Any


@dataclass
class ItemChange:
    """One checklist item across two versions: `kind` is "added", "removed", "changed" or
    "same"; positions count from 1 (None where the item is absent)."""

    kind: str
    old: StandardItem | None
    new: StandardItem | None
    old_position: int | None = None
    new_position: int | None = None
    fields: list[FieldChange] = field(default_factory=list)
    # Taken out of its place and put elsewhere (not merely shifted by items added before it).
    moved: bool = False

    @property
    def action(self) -> str:
        return (self.new or self.old).action


@dataclass
class StandardDiff:
    old: ServiceStandard
    new: ServiceStandard
    header: list[FieldChange]
    items: list[ItemChange]

    @property
    def added(self) -> list[ItemChange]:
        return [c for c in self.items if c.kind == "added"]

    @property
    def removed(self) -> list[ItemChange]:
        return [c for c in self.items if c.kind == "removed"]

    @property
    def changed(self) -> list[ItemChange]:
        return [c for c in self.items if c.kind == "changed"]

    @property
    def has_changes(self) -> bool:
        return bool(self.header) or any(c.kind != "same" or c.moved for c in self.items)


def _header_changes(old: ServiceStandard, new: ServiceStandard) -> list[FieldChange]:
    changes = []
    for name in HEADER_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            label = str(ServiceStandard._meta.get_field(name).verbose_name)
            changes.append(FieldChange(name, label, before, after))
    return changes


def _item_change(old: StandardItem, new: StandardItem, old_pos: int, new_pos: int) -> ItemChange:
    before, after = old.comparable(), new.comparable()
    fields = [
        FieldChange(name, str(ITEM_FIELD_LABELS.get(name, name)), before[name], after[name])
        for name in before
        if str(before[name]) != str(after.get(name))
    ]
    return ItemChange("changed" if fields else "same", old, new, old_pos, new_pos, fields)


def _alike(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b).ratio() >= SAME_ITEM_RATIO


def standard_diff(old: ServiceStandard, new: ServiceStandard) -> StandardDiff:
    """What changed from `old` to `new`: the header fields, and the checklist item by item.

    Items are matched by their action text (difflib over the two lists): an item whose text
    is unchanged is the same item, wherever it moved; within a stretch that was rewritten,
    items at the same place with similar text are one item reworded; the rest were removed
    or added. Each matched item lists the fields that changed, old → new."""
    old_items = list(old.items.all())
    new_items = list(new.items.all())
    old_actions = [i.action for i in old_items]
    new_actions = [i.action for i in new_items]
    # (old index, new index) pairs, None where the item is absent, in reading order
    pairs: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, old_actions, new_actions, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        while olds and news and _alike(old_actions[olds[0]], new_actions[news[0]]):
            pairs.append((olds.pop(0), news.pop(0)))
        pairs.extend((i, None) for i in olds)
        pairs.extend((None, j) for j in news)

    # An item moved elsewhere shows as removed here and added there: one item, moved.
    removed = {old_actions[i]: i for i, j in pairs if j is None}
    moved = {}
    for i, j in pairs:
        if i is None and new_actions[j] in removed:
            moved[j] = removed.pop(new_actions[j])
    moved_old = set(moved.values())

    changes: list[ItemChange] = []
    for i, j in pairs:
        if j is None:
            if i in moved_old:
                continue
            changes.append(ItemChange("removed", old_items[i], None, i + 1, None))
        elif i is None and j in moved:
            k = moved[j]
            change = _item_change(old_items[k], new_items[j], k + 1, j + 1)
            change.moved = True
            changes.append(change)
        elif i is None:
            changes.append(ItemChange("added", None, new_items[j], None, j + 1))
        else:
            changes.append(_item_change(old_items[i], new_items[j], i + 1, j + 1))
    return StandardDiff(old=old, new=new, header=_header_changes(old, new), items=changes)
