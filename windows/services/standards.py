"""Writes to the window service standards: a new version to edit (修订), publishing it into
force in place of the version before it (发布实施), and retiring one (废止).

A version in force is never edited in place: a case keeps the checklist it opened under, so
a change is a new draft version, published when it is ready. Only the province's operators
do any of this (`market.permissions.operates_province`)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market.models import User
from market.permissions import operates_province
from market.services import transition_apply, transition_record
from windows.choices import StandardStatus, WindowService
from windows.models import ServiceStandard, StandardItem

# The fields a revision copies from the item it revises (all but its identity and parent).
ITEM_FIELDS = [
    "sort_order",
    "action",
    "guidance",
    "role",
    "limit_amount",
    "limit_unit",
    "counted_from",
    "evidence",
    "mandatory",
    "complaint_step",
]


class DraftExists(ValidationError):
    """A code already has a draft being edited: the revision to continue is `draft`."""

    def __init__(self, draft: ServiceStandard):
        super().__init__(
            _("%(code)s 已有未发布的修订稿（第 %(version)s 版），请继续编辑该修订稿。")
            % {"code": draft.code, "version": draft.version},
            code="draft_exists",
        )
        self.draft = draft


def _require_province_operator(user: User | None) -> None:
    if not operates_province(user):
        raise PermissionDenied(_("只有省级市场的运营人员可以修订、发布或废止服务标准。"))


def standard_items_validate(
    *, standard: ServiceStandard, items, require_items: bool = True
) -> None:
    """What a checklist must hold to be worked to: at least one item (a draft being written
    may have none yet: `require_items=False`), each with a time limit of at least 1;
    complaint steps only in the complaint standard, each step once."""
    items = list(items)
    errors = []
    if require_items and not items:
        errors.append(_("清单至少要有一项工作事项。"))
    steps = []
    for position, item in enumerate(items, start=1):
        if item.limit_amount is None or item.limit_amount < 1:
            errors.append(_("第 %(n)s 项“%(action)s”的时限至少为 1。") % _item_ref(position, item))
        if not (item.action or "").strip():
            errors.append(_("第 %(n)s 项没有填写工作事项。") % {"n": position})
        if item.complaint_step:
            if standard.service != WindowService.COMPLAINT:
                errors.append(
                    _("第 %(n)s 项“%(action)s”填写了投诉环节，只有投诉处理标准可以填写。")
                    % _item_ref(position, item)
                )
            steps.append(item.complaint_step)
    for step in sorted({s for s in steps if steps.count(s) > 1}):
        label = dict(StandardItem._meta.get_field("complaint_step").choices)[step]
        errors.append(_("投诉环节“%s”只能对应一项工作事项。") % label)
    if errors:
        raise ValidationError(errors)


def _item_ref(position: int, item) -> dict:
    return {"n": position, "action": item.action}


@transaction.atomic
def standard_revise(*, standard: ServiceStandard, by: User | None) -> ServiceStandard:
    """A new draft version of `standard`'s code (version = the code's highest + 1), with a
    copy of `standard`'s header and items, to edit and publish later. The version revised
    and every case worked to it stay as they are.

    A code has at most one draft at a time: when one exists, DraftExists says so and
    carries it (`exc.draft`), so the caller can send the person on to it."""
    _require_province_operator(by)
    # Lock every version of the code: two revisions at once would both take max + 1. Then
    # read them again: a statement that waited for the lock does not see a row inserted
    # meanwhile (the other revision's draft), a new statement does.
    list(ServiceStandard.objects.select_for_update().filter(code=standard.code))
    versions = list(ServiceStandard.objects.filter(code=standard.code))
    draft = next((v for v in versions if v.status == StandardStatus.DRAFT), None)
    if draft is not None:
        raise DraftExists(draft)
    source = next(v for v in versions if v.pk == standard.pk)
    revision = ServiceStandard(
        code=source.code,
        title=source.title,
        version=max(v.version for v in versions) + 1,
        service=source.service,
        effective_date=timezone.localdate(),
        status=StandardStatus.DRAFT,
        scope=source.scope,
        basis=source.basis,
        change_note="",
        previous=source,
    )
    revision.full_clean()
    try:
        with transaction.atomic():
            revision.save()
    except IntegrityError:
        raise ValidationError(
            _("%(code)s 刚被其他人修订，请刷新后继续编辑新的修订稿。") % {"code": source.code},
            code="concurrent_revision",
        ) from None
    StandardItem.objects.bulk_create(
        StandardItem(standard=revision, **{name: getattr(item, name) for name in ITEM_FIELDS})
        for item in source.items.order_by("sort_order", "pk")
    )
    transition_record(
        revision,
        transition="revise",
        by=by,
        reason=_("由第 %(version)s 版修订") % {"version": source.version},
        to_state=StandardStatus.DRAFT,
    )
    return revision


@transaction.atomic
def standard_publish(
    *,
    standard: ServiceStandard,
    by: User | None,
    effective_date: datetime.date | None = None,
) -> ServiceStandard:
    """Bring a draft into force (发布实施) from `effective_date` (today by default), and in
    the same transaction retire the version of its code in force until now. New cases for
    its service are worked to it; open cases keep the version they opened under."""
    _require_province_operator(by)
    today = timezone.localdate()
    effective_date = effective_date or today
    if effective_date > today:
        raise ValidationError(
            {"effective_date": _("发布即实施，实施日期不能晚于今天（%s）。") % today},
            code="effective_in_future",
        )
    draft = ServiceStandard.objects.select_for_update().get(pk=standard.pk)
    if draft.status != StandardStatus.DRAFT:
        # transition_apply says this too; checked first so a stale page is not retiring
        # anything on the way to being refused.
        transition_apply(draft, transition="publish", by=by)
    standard_items_validate(standard=draft, items=draft.items.all())

    current = (
        ServiceStandard.objects.select_for_update()
        .filter(status=StandardStatus.IN_FORCE)
        .filter(code=draft.code)
        .first()
    )
    other = (
        ServiceStandard.objects.in_force()
        .filter(service=draft.service)
        .exclude(code=draft.code)
        .first()
    )
    if other is not None:
        raise ValidationError(
            _(
                "“%(service)s”已有现行有效的标准 %(other)s；每项服务只能有一个现行标准。"
                "请先废止它，或在它的基础上修订。"
            )
            % {"service": draft.get_service_display(), "other": other},
            code="service_has_standard",
        )
    if current is not None and effective_date < current.effective_date:
        raise ValidationError(
            {
                "effective_date": _("实施日期不能早于现行第 %(version)s 版的实施日期 %(date)s。")
                % {"version": current.version, "date": current.effective_date}
            },
            code="effective_before_current",
        )
    reason = draft.change_note
    if current is not None:
        transition_apply(
            current,
            transition="retire",
            by=by,
            reason=_("由第 %(version)s 版替代") % {"version": draft.version},
        )
    if draft.effective_date != effective_date:
        draft.effective_date = effective_date
        draft.save(update_fields=["effective_date"])
    try:
        with transaction.atomic():
            return transition_apply(draft, transition="publish", by=by, reason=reason)
    except IntegrityError:  # another code came into force for the service meanwhile
        raise ValidationError(
            _("“%(service)s”刚有其他标准发布实施，请刷新后再试。")
            % {"service": draft.get_service_display()},
            code="service_has_standard",
        ) from None


@transaction.atomic
def standard_retire(
    *, standard: ServiceStandard, by: User | None, reason: str = ""
) -> ServiceStandard:
    """Take a standard out of force (废止) without a successor: no new case can be opened
    for its service until another standard is published for it. Open cases keep it."""
    _require_province_operator(by)
    return transition_apply(standard, transition="retire", by=by, reason=reason)
