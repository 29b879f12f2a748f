"""Writes for service cases (服务事项办理): opening a case to the checklist of the standard in
force, completing its items with their evidence, the requester's own confirmation, the
one-time notification of everything missing (一次性告知), closing or withdrawing it, and the
requester's rating (好差评) with the follow-up (整改, 回访) a bad one calls for.

Deadlines (限时办结) come from the window's market's working calendar: a limit in working
days ends at the window's closing time on the n-th working day after the start; a limit in
hours counts only the window's hours on working days. An item counted from the previous one
starts from that item's deadline when the case opens, and from its actual completion once it
is done.

Who does an item is the item's role: clerk items the window's clerks (窗口工作人员 of its
market); operator items the market's operators; broker items any active broker serving the
market (or of an institution of the market), or an operator standing in for them;
requester items only the requester, through the one-time confirmation code. Every step is
recorded on the case in the audit log (`market.TransitionLog`)."""

from __future__ import annotations

import datetime
import secrets
import uuid
import warnings

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brokers.services.documents import EXTENSIONS, document_max_bytes
from brokers.services.documents import _content_type as document_content_type
from market.choices import Role
from market.models import User
from market.permissions import is_market_operator
from market.services import market_operators, notify, transition_apply, transition_record
from windows.calendar import UnknownCalendarYear, WorkingCalendar
from windows.choices import (
    FOLLOW_UP_AT_OR_BELOW,
    AppointmentStatus,
    CaseState,
    CountedFrom,
    EvidenceKind,
    ItemRole,
    RatingLevel,
    WindowService,
)
from windows.deadlines import item_deadline
from windows.models import (
    Appointment,
    CaseItem,
    CaseNotice,
    CaseRating,
    FollowUp,
    ServiceCase,
    ServiceStandard,
    ServiceWindow,
)
from windows.models.cases import EVIDENCE_MISSING, may_work_case

# The steps of a case as the audit log names them, in the person's words.
CASE_STEP_LABELS = {
    "open": gettext_lazy("受理"),
    "complete_item": gettext_lazy("完成事项"),
    "attach_evidence": gettext_lazy("补交材料"),
    "request_confirmation": gettext_lazy("生成确认码"),
    "confirm": gettext_lazy("服务对象确认"),
    "notify_missing": gettext_lazy("一次性告知"),
    "close": gettext_lazy("办结"),
    "withdraw": gettext_lazy("撤回"),
    "rate": gettext_lazy("服务评价"),
    "follow_up_open": gettext_lazy("启动整改"),
    "follow_up_rectify": gettext_lazy("整改"),
    "follow_up_visit": gettext_lazy("回访"),
}

# Working days a follow-up of a bad rating has, to the window's closing time.
FOLLOW_UP_WORKING_DAYS = 5
# A one-time notification sent again with the same content this soon is the same click.
NOTICE_REPEAT_SECONDS = 60


def format_duration(delta: datetime.timedelta) -> str:
    """A time over in words: 2 天 3 小时, 45 分钟."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%d 天") % days)
    if hours:
        parts.append(_("%d 小时") % hours)
    if minutes and not days:
        parts.append(_("%d 分钟") % minutes)
    return " ".join(parts) or _("不到 1 分钟")


def _when(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# --- who may ---------------------------------------------------------------------------


def is_window_clerk(user, market_id: int) -> bool:
    if not user or not user.is_authenticated:
        return False
    return user.memberships.filter(role=Role.WINDOW_CLERK, market_id=market_id).exists()


def is_market_broker(user, market_id: int) -> bool:
    """An active broker serving the market, or working for an institution of it."""
    from brokers.models import Broker

    if not user or not user.is_authenticated:
        return False
    return (
        Broker.objects.filter(user=user, active=True)
        .filter(Q(markets_served__id=market_id) | Q(institution__market_id=market_id))
        .exists()
    )


def item_roles_of(user, market_id: int) -> set[str]:
    """The item roles `user` may do at the market's window: clerk items for its window
    clerks, operator items for its operators, broker items for its brokers and, standing
    in, its operators. The requester's own items are done by their confirmation only."""
    roles = set()
    if is_window_clerk(user, market_id):
        roles.add(ItemRole.CLERK)
    if is_market_operator(user, market_id):
        roles |= {ItemRole.OPERATOR, ItemRole.BROKER}
    elif is_market_broker(user, market_id):
        roles.add(ItemRole.BROKER)
    return roles


def may_do_item(item: CaseItem, user) -> bool:
    """Whether `user` may complete `item` by the role its standard names."""
    return item.standard_item.role in item_roles_of(user, item.case.window.market_id)


def may_see_case(case: ServiceCase, user) -> bool:
    """The case's clerks and operators, and the brokers of the market when the case has an
    item for a broker."""
    if may_work_case(case, user):
        return True
    if case.items.filter(standard_item__role=ItemRole.BROKER).exists():
        return is_market_broker(user, case.window.market_id)
    return False


def _require_worker(case: ServiceCase, by) -> None:
    if not may_work_case(case, by):
        raise PermissionDenied(
            _("只有该窗口所属市场的窗口工作人员和市场运营人员可以办理服务事项。")
        )


def _require_open(case: ServiceCase) -> None:
    if case.state != CaseState.OPEN:
        raise ValidationError(
            _("服务事项 %(number)s %(state)s，不能再办理。")
            % {"number": case.number, "state": case.get_state_display()},
            code="case_not_open",
        )


# --- deadlines -------------------------------------------------------------------------


def compute_deadlines(case: ServiceCase, items: list[CaseItem]) -> None:
    """Set the deadline of every undone item, in order: from the case's opening, or from
    the previous item (its completion when done, else its deadline). A year the official
    calendar does not know yet only makes the deadline provisional (shown as such)."""
    calendar = WorkingCalendar(case.window.market_id)
    previous_end = case.opened_at
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownCalendarYear)
        for item in items:
            if item.done_at is None:
                start = (
                    case.opened_at
                    if item.standard_item.counted_from == CountedFrom.OPENING
                    else previous_end
                )
                item.due_at = item_deadline(
                    calendar,
                    item.standard_item,
                    start,
                    opens=case.window.opens_at,
                    closes=case.window.closes_at,
                )
            previous_end = item.done_at or item.due_at


def _recompute_following(case: ServiceCase) -> None:
    # The caller holds the case's row lock, so no one else moves its items meanwhile.
    items = list(case.items.select_related("standard_item").order_by("position"))
    before = {item.pk: item.due_at for item in items}
    compute_deadlines(case, items)
    changed = [item for item in items if item.due_at != before[item.pk]]
    if changed:
        CaseItem.objects.bulk_update(changed, ["due_at"])
    due = max(item.due_at for item in items)
    if case.due_at != due:
        case.due_at = due
        ServiceCase.objects.filter(pk=case.pk).update(due_at=due)


# --- opening ---------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    window: ServiceWindow,
    service: str = "",
    requester_name: str = "",
    requester_phone: str = "",
    organization=None,
    appointment: Appointment | None = None,
    contract=None,
    summary: str = "",
    by: User,
    token: uuid.UUID | None = None,
    opened_at: datetime.datetime | None = None,
) -> ServiceCase:
    """Open a case at `window` for a walk-in requester, or for an appointment (which is then
    served, its requester copied). The case follows the standard in force for its service,
    with one item per checklist item and its deadline. The same form sent twice (same
    `token`), or a second open of the same appointment, returns the case the first made.
    `opened_at` is when the requester came, for a case recorded after the fact (default:
    now)."""
    if token is not None:
        existing = ServiceCase.objects.filter(open_token=token).first()
        if existing is not None:
            return existing
    _require_worker(ServiceCase(window=window), by)
    if appointment is not None:
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot")
            .get(pk=appointment.pk)
        )
        existing = ServiceCase.objects.filter(appointment=appointment).first()
        if existing is not None:
            return existing
        if appointment.slot.window_id != window.pk:
            raise ValidationError(_("该预约不是本窗口的预约。"), code="other_window")
        if appointment.status != AppointmentStatus.BOOKED:
            raise ValidationError(
                _("该预约%(status)s，不能受理。") % {"status": appointment.get_status_display()},
                code="appointment_not_booked",
            )
        service = appointment.service
        requester_name = appointment.requester_name
        requester_phone = appointment.requester_phone
        organization = appointment.organization
        summary = summary or appointment.note
    if service not in WindowService.values:
        raise ValidationError({"service": _("请选择办理事项。")}, code="service_required")
    service_label = WindowService(service).label
    standard = ServiceStandard.objects.for_service(service).first()
    if standard is None:
        raise ValidationError(
            _(
                "“%(service)s”目前没有现行有效的服务标准，不能受理。请联系市场运营人员发布该服务的标准。"
            )
            % {"service": service_label},
            code="no_standard",
        )
    standard_items = list(standard.items.order_by("sort_order", "pk"))
    if not standard_items:
        raise ValidationError(
            _("服务标准“%(standard)s”没有清单事项，不能受理。") % {"standard": standard},
            code="empty_standard",
        )
    if contract is not None:
        if service != WindowService.CONTRACT_REGISTRATION:
            raise ValidationError(
                {"contract": _("只有技术合同认定登记事项可以关联合同。")}, code="contract_service"
            )
        if contract.market_id != window.market_id:
            raise ValidationError(
                {"contract": _("该合同不在本窗口所属市场登记。")}, code="contract_market"
            )
    case = ServiceCase(
        window=window,
        standard=standard,
        service=service,
        requester_name=(requester_name or "").strip(),
        requester_phone=(requester_phone or "").strip(),
        organization=organization,
        appointment=appointment,
        contract=contract,
        summary=summary,
        opened_by=by,
        opened_at=opened_at or timezone.now(),
        requester_key=secrets.token_urlsafe(32),
        open_token=token,
    )
    case.full_clean(exclude=["appointment"])
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        existing = ServiceCase.objects.filter(open_token=token).first() if token else None
        if existing is None:
            raise
        return existing
    items = [
        CaseItem(case=case, standard_item=standard_item, position=number)
        for number, standard_item in enumerate(standard_items, start=1)
    ]
    compute_deadlines(case, items)
    CaseItem.objects.bulk_create(items)
    case.due_at = max(item.due_at for item in items)
    case.save(update_fields=["due_at"])
    if appointment is not None:
        appointment.status = AppointmentStatus.SERVED
        appointment.save(update_fields=["status"])
    transition_record(
        case,
        transition="open",
        by=by,
        reason=_("按“%(standard)s”受理%(service)s，服务对象：%(who)s%(from)s")
        % {
            "standard": standard,
            "service": service_label,
            "who": case.requester_name,
            "from": _("（来自预约）") if appointment is not None else "",
        },
        to_state=case.state,
    )
    return case


# --- items -----------------------------------------------------------------------------


def _check_evidence_file(upload: UploadedFile) -> None:
    limit = document_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            {
                "evidence_file": _("文件“%(name)s”大小为 %(size).1f MB，超过上限 %(limit).0f MB。")
                % {"name": upload.name, "size": upload.size / 2**20, "limit": limit / 2**20}
            },
            code="too_large",
        )
    mime = document_content_type(upload)
    claimed = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if mime is None or claimed not in EXTENSIONS[mime]:
        raise ValidationError(
            {
                "evidence_file": _(
                    "文件“%(name)s”不是 PDF、图片、Word（.docx）或 Excel（.xlsx），"
                    "或扩展名与内容不符，已拒收。"
                )
                % {"name": upload.name}
            },
            code="bad_type",
        )


def _locked_item(items) -> CaseItem | None:
    """The item, read after taking its case's row lock: everything that changes a case's
    items (completing one, confirming one, recomputing deadlines, closing) takes that one
    lock first, so two people working one case are served one after the other, and never
    deadlock on each other's items."""
    case_id = items.values_list("case_id", flat=True).first()
    if case_id is None:
        return None
    case = (
        ServiceCase.objects.select_for_update(of=("self",)).select_related("window").get(pk=case_id)
    )
    item = items.select_for_update(of=("self",)).select_related("standard_item", "done_by").get()
    item.case = case
    return item


def _already_done(item: CaseItem) -> ValidationError:
    who = str(item.done_by) if item.done_by else _("服务对象本人")
    return ValidationError(
        _("该事项已由%(who)s于%(when)s完成。") % {"who": who, "when": _when(item.done_at)},
        code="already_done",
    )


def _item_reason(item: CaseItem, detail: str = "") -> str:
    reason = f"#{item.position} {item.standard_item.action}"
    if detail:
        reason += f"：{detail}"
    if item.is_late:
        reason += _("（超时 %s）") % format_duration(item.time_over)
    return reason


@transaction.atomic
def case_complete_item(
    *,
    item: CaseItem,
    by: User,
    evidence_text: str = "",
    evidence_file: UploadedFile | None = None,
    evidence_later: bool = False,
) -> CaseItem:
    """Mark one item done, once, with the evidence its standard asks for; items counted
    from it get their deadlines from now. Two people completing it at once: one succeeds,
    the other is told who did it and when.

    `evidence_later` is 容缺受理: a document the item asks for is not at hand, the work
    goes ahead, and `evidence_text` says what is to follow. The case cannot close until it
    is supplied (`item_attach_evidence`); the compliance dashboard counts it as missing."""
    item = _locked_item(CaseItem.objects.filter(pk=item.pk))
    case = item.case
    if not may_do_item(item, by):
        if item.standard_item.role == ItemRole.REQUESTER:
            raise PermissionDenied(
                _("“%(action)s”须由服务对象本人确认：请生成确认码交给服务对象。")
                % {"action": item.standard_item.action}
            )
        raise PermissionDenied(
            _("“%(action)s”由%(role)s办理，您不能办理。")
            % {
                "action": item.standard_item.action,
                "role": item.standard_item.get_role_display(),
            }
        )
    if item.done_at is not None:
        raise _already_done(item)
    _require_open(case)
    evidence_text = (evidence_text or "").strip()
    kind = item.standard_item.evidence
    if kind == EvidenceKind.CONFIRMATION:
        raise ValidationError(
            _("该事项须由服务对象本人确认：请生成确认码交给服务对象。"), code="needs_confirmation"
        )
    if kind == EvidenceKind.FILE:
        if evidence_file:
            _check_evidence_file(evidence_file)
        elif not evidence_later:
            raise ValidationError(
                {
                    "evidence_file": _(
                        "该事项须上传佐证文件。材料暂缺的，可勾选“容缺后补”并写明后补的材料。"
                    )
                },
                code="file_required",
            )
        elif not evidence_text:
            raise ValidationError(
                {"evidence_text": _("容缺受理须在文字记录中写明后补的材料。")},
                code="later_needs_text",
            )
    if kind == EvidenceKind.TEXT and not evidence_text:
        raise ValidationError({"evidence_text": _("该事项须填写文字记录。")}, code="text_required")
    item.done_at = timezone.now()
    item.done_by = by
    item.evidence_text = evidence_text
    if evidence_file:
        item.evidence_file.save(evidence_file.name, evidence_file, save=False)
    item.full_clean(exclude=["evidence_file", "confirmation_code"])
    item.save()
    _recompute_following(case)
    detail = evidence_text
    if evidence_file:
        detail = "；".join(filter(None, [detail, _("佐证文件：%s") % evidence_file.name]))
    elif item.evidence_pending:
        detail = _("容缺受理，待补交：%s") % evidence_text
    transition_record(
        case,
        transition="complete_item",
        by=by,
        reason=_item_reason(item, detail),
        from_state=case.state,
        to_state=case.state,
    )
    return item


@transaction.atomic
def item_attach_evidence(*, item: CaseItem, by: User, evidence_file: UploadedFile) -> CaseItem:
    """The document an item done under 容缺受理 was waiting for, supplied. Once: an item
    that has its file is told so."""
    item = _locked_item(CaseItem.objects.filter(pk=item.pk))
    case = item.case
    _require_worker(case, by)
    _require_open(case)
    if not item.evidence_pending:
        raise ValidationError(_("该事项没有待补交的材料。"), code="nothing_pending")
    if not evidence_file:
        raise ValidationError({"evidence_file": _("请选择要补交的文件。")}, code="file_required")
    _check_evidence_file(evidence_file)
    item.evidence_file.save(evidence_file.name, evidence_file, save=False)
    item.save(update_fields=["evidence_file"])
    transition_record(
        case,
        transition="attach_evidence",
        by=by,
        reason=_item_reason(item, _("补交材料：%s") % evidence_file.name),
        from_state=case.state,
        to_state=case.state,
    )
    return item


@transaction.atomic
def item_request_confirmation(*, item: CaseItem, by: User) -> CaseItem:
    """Make the one-time code with which the requester confirms `item` themselves (from the
    link /windows/confirm/<code>/). Asked again, it gives the same code."""
    item = _locked_item(CaseItem.objects.filter(pk=item.pk))
    case = item.case
    _require_worker(case, by)
    if item.standard_item.evidence != EvidenceKind.CONFIRMATION:
        raise ValidationError(
            _("“%(action)s”不需要服务对象确认。") % {"action": item.standard_item.action},
            code="not_confirmation",
        )
    if item.done_at is not None:
        raise _already_done(item)
    _require_open(case)
    if item.confirmation_code:
        return item
    item.confirmation_code = secrets.token_urlsafe(16)
    item.save(update_fields=["confirmation_code"])
    transition_record(
        case,
        transition="request_confirmation",
        by=by,
        reason=f"#{item.position} {item.standard_item.action}",
        from_state=case.state,
        to_state=case.state,
    )
    return item


def item_for_code(code: str) -> CaseItem | None:
    if not code:
        return None
    return (
        CaseItem.objects.select_related("standard_item", "case__window")
        .filter(confirmation_code=code)
        .first()
    )


@transaction.atomic
def item_confirm(*, code: str) -> CaseItem:
    """The requester confirms an item with its one-time code; the item is done."""
    # An empty code must not match the items that have none (a filter on None is IS NULL).
    item = _locked_item(CaseItem.objects.filter(confirmation_code=code)) if code else None
    if item is None:
        raise ValidationError(
            _("确认码无效。请核对窗口工作人员提供的确认码或链接。"), code="unknown_code"
        )
    if item.confirmed_at is not None:
        raise ValidationError(
            _("该确认码已于%(when)s使用，无需再次确认。") % {"when": _when(item.confirmed_at)},
            code="code_used",
        )
    if item.done_at is not None:
        raise _already_done(item)
    case = item.case
    _require_open(case)
    now = timezone.now()
    item.confirmed_at = now
    item.done_at = now
    item.done_by = None
    item.evidence_text = _("服务对象本人于 %(when)s 确认") % {"when": _when(now)}
    item.save(update_fields=["confirmed_at", "done_at", "done_by", "evidence_text"])
    _recompute_following(case)
    transition_record(
        case,
        transition="confirm",
        by=None,
        reason=_item_reason(item, _("服务对象%(who)s本人确认") % {"who": case.requester_name}),
        from_state=case.state,
        to_state=case.state,
    )
    return item


# --- one-time notification -------------------------------------------------------------


# Done under 容缺受理: the item went ahead, the document its standard asks for is to follow.
EVIDENCE_PENDING = Q(done_at__isnull=False) & EVIDENCE_MISSING


def missing_items(case: ServiceCase) -> list[CaseItem]:
    """The mandatory items still undone, and those done with their document to follow, in
    order: what stands between the case and its closing."""
    return list(
        case.items.filter(standard_item__mandatory=True)
        .filter(Q(done_at=None) | EVIDENCE_PENDING)
        .select_related("standard_item")
        .order_by("position")
    )


def notice_text(case: ServiceCase, items: list[CaseItem], message: str = "") -> str:
    """The one-time notification's text: every mandatory item still undone, what the
    requester must bring or do, and the deadlines."""
    lines = [
        _(
            "%(who)s：您好！您在%(window)s办理的“%(service)s”（编号 %(number)s）尚需完成以下事项，"
            "现一次性告知："
        )
        % {
            "who": case.requester_name,
            "window": case.window.name,
            "service": case.get_service_display(),
            "number": case.number,
        }
    ]
    yours = []
    for n, item in enumerate(items, start=1):
        standard_item = item.standard_item
        line = f"{n}. {standard_item.action}"
        if standard_item.guidance:
            line += f"（{standard_item.guidance}）"
        if item.evidence_pending:
            lines.append(
                line
                + _("：已容缺受理，请补交材料（%(what)s）")
                % {"what": item.evidence_text or _("佐证文件")}
            )
            yours.append(standard_item.action)
            continue
        line += _("，时限 %(due)s") % {"due": _when(item.due_at)}
        if standard_item.role == ItemRole.REQUESTER:
            line += _("，须您本人确认")
            yours.append(standard_item.action)
        elif standard_item.evidence == EvidenceKind.FILE:
            line += _("，须提交书面材料")
            yours.append(standard_item.action)
        lines.append(line)
    if yours:
        lines.append(_("需要您提供或确认的：%s。") % "；".join(yours))
    if message.strip():
        lines.append(message.strip())
    if case.window.phone:
        lines.append(_("如有疑问，请致电 %(phone)s。") % {"phone": case.window.phone})
    return "\n".join(lines)


@transaction.atomic
def case_notify_missing(*, case: ServiceCase, by: User, message: str = "") -> CaseNotice:
    """一次性告知: one notice listing every mandatory item still undone, recorded on the
    case. The same notice sent again within a minute (a double click) is the first one."""
    case = (
        ServiceCase.objects.select_for_update(of=("self",)).select_related("window").get(pk=case.pk)
    )
    _require_worker(case, by)
    _require_open(case)
    items = missing_items(case)
    if not items:
        raise ValidationError(_("所有必办事项均已完成，无需一次性告知。"), code="nothing_missing")
    text = notice_text(case, items, message)
    recent = (
        case.notices.filter(
            message=text,
            sent_at__gte=timezone.now() - datetime.timedelta(seconds=NOTICE_REPEAT_SECONDS),
        )
        .order_by("-sent_at")
        .first()
    )
    if recent is not None:
        return recent
    notice = CaseNotice(case=case, message=text, sent_by=by)
    notice.full_clean()
    notice.save()
    notice.items.set(items)
    transition_record(
        case,
        transition="notify_missing",
        by=by,
        reason=_("告知 %(n)d 项：%(items)s")
        % {"n": len(items), "items": "；".join(i.standard_item.action for i in items)},
        from_state=case.state,
        to_state=case.state,
    )
    return notice


# --- closing ---------------------------------------------------------------------------


@transaction.atomic
def case_close(*, case: ServiceCase, by: User) -> ServiceCase:
    """办结, once every mandatory item is done. Closing a closed case again (a double
    click) changes nothing."""
    locked = (
        ServiceCase.objects.select_for_update(of=("self",)).select_related("window").get(pk=case.pk)
    )
    _require_worker(locked, by)
    if locked.state == CaseState.CLOSED:
        return locked
    _require_open(locked)
    missing = missing_items(locked)
    if missing:
        raise ValidationError(
            _("还有 %(n)d 项必办事项未完成或待补交材料，不能办结：%(items)s")
            % {
                "n": len(missing),
                "items": "；".join(
                    f"{i.position}. {i.standard_item.action}"
                    + (_("（待补交材料）") if i.evidence_pending else "")
                    for i in missing
                ),
            },
            code="items_missing",
        )
    _require_contract_decided(locked)
    return transition_apply(locked, transition="close", by=by, state_field="state")


def _require_contract_decided(case: ServiceCase) -> None:
    """A contract-registration case that names its contract is done when the registry has
    decided it (登记 or 不予登记, in the contract registry of brokers): the standard drives
    the registration, the registration is the contract's own."""
    from brokers.choices import RegistrationStatus

    if case.service != WindowService.CONTRACT_REGISTRATION or case.contract_id is None:
        return
    contract = case.contract
    if contract.registration_status not in (
        RegistrationStatus.REGISTERED,
        RegistrationStatus.REFUSED,
    ):
        raise ValidationError(
            _(
                "合同“%(title)s”尚未作出登记决定（当前：%(status)s），不能办结：请先在合同登记页"
                "予以登记或不予登记。"
            )
            % {"title": contract.title, "status": contract.get_registration_status_display()},
            code="contract_undecided",
        )


@transaction.atomic
def case_withdraw(*, case: ServiceCase, by: User, reason: str = "") -> ServiceCase:
    """撤回: the requester gave up, or the case was opened by mistake."""
    locked = (
        ServiceCase.objects.select_for_update(of=("self",)).select_related("window").get(pk=case.pk)
    )
    _require_worker(locked, by)
    if locked.state == CaseState.WITHDRAWN:
        return locked
    _require_open(locked)
    return transition_apply(
        locked, transition="withdraw", by=by, reason=reason.strip(), state_field="state"
    )


# --- rating and follow-up --------------------------------------------------------------


def _closing_deadline(window: ServiceWindow, working_days: int) -> datetime.datetime:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownCalendarYear)
        day = WorkingCalendar(window.market_id).add_working_days(timezone.localdate(), working_days)
    return timezone.make_aware(datetime.datetime.combine(day, window.closes_at))


@transaction.atomic
def case_rate(
    *, case: ServiceCase, requester_key: str, level: int, comment: str = ""
) -> CaseRating:
    """好差评: the requester rates a closed case once. 不满意 or worse opens a follow-up
    (整改) due in five working days, and the market's operators are told."""
    case = (
        ServiceCase.objects.select_for_update(of=("self",)).select_related("window").get(pk=case.pk)
    )
    if not requester_key or not secrets.compare_digest(case.requester_key, requester_key):
        raise PermissionDenied(_("评价链接无效。"))
    if case.state != CaseState.CLOSED:
        raise ValidationError(_("服务事项办结后才能评价。"), code="not_closed")
    existing = CaseRating.objects.filter(case=case).first()
    if existing is not None:
        raise ValidationError(
            _("您已于%(when)s评价过本次服务，每个服务事项只能评价一次。")
            % {"when": _when(existing.rated_at)},
            code="already_rated",
        )
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in RatingLevel.values:
        raise ValidationError({"level": _("请选择评价等级。")}, code="level_required")
    rating = CaseRating(case=case, level=level, comment=(comment or "").strip())
    rating.full_clean()
    rating.save()
    transition_record(
        case,
        transition="rate",
        by=None,
        reason=f"{rating.get_level_display()}" + (f"：{rating.comment}" if rating.comment else ""),
        from_state=case.state,
        to_state=case.state,
    )
    if level <= FOLLOW_UP_AT_OR_BELOW:
        follow_up = FollowUp(
            rating=rating, due_at=_closing_deadline(case.window, FOLLOW_UP_WORKING_DAYS)
        )
        follow_up.full_clean()
        follow_up.save()
        transition_record(
            case,
            transition="follow_up_open",
            by=None,
            reason=_("评价为“%(level)s”，须于 %(due)s 前完成整改并回访")
            % {"level": rating.get_level_display(), "due": _when(follow_up.due_at)},
            from_state=case.state,
            to_state=case.state,
        )
        url = case.get_absolute_url()
        for operator in market_operators(case.window.market):
            notify(
                recipient=operator,
                verb="window_follow_up",
                title=_("服务评价“%(level)s”，须整改：%(number)s")
                % {"level": rating.get_level_display(), "number": case.number},
                body=_("%(window)s · %(service)s · %(who)s。%(comment)s整改时限 %(due)s。")
                % {
                    "window": case.window.name,
                    "service": case.get_service_display(),
                    "who": case.requester_name,
                    "comment": f"{rating.comment}。" if rating.comment else "",
                    "due": _when(follow_up.due_at),
                },
                url=url,
            )
    return rating


def _locked_follow_up(follow_up: FollowUp) -> FollowUp:
    return (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("rating__case__window", "rectified_by", "visited_by")
        .get(pk=follow_up.pk)
    )


@transaction.atomic
def follow_up_rectify(*, follow_up: FollowUp, by: User, rectification: str) -> FollowUp:
    """Record the rectification (整改措施) of a bad rating, once."""
    follow_up = _locked_follow_up(follow_up)
    case = follow_up.rating.case
    _require_worker(case, by)
    if follow_up.rectified_at is not None:
        raise ValidationError(
            _("整改已由%(who)s于%(when)s提交。")
            % {"who": follow_up.rectified_by or "—", "when": _when(follow_up.rectified_at)},
            code="already_rectified",
        )
    rectification = (rectification or "").strip()
    if not rectification:
        raise ValidationError({"rectification": _("请填写整改措施。")}, code="text_required")
    follow_up.rectification = rectification
    follow_up.rectified_at = timezone.now()
    follow_up.rectified_by = by
    follow_up.save(update_fields=["rectification", "rectified_at", "rectified_by"])
    late = ""
    if follow_up.rectified_at > follow_up.due_at:
        late = _("（超时 %s）") % format_duration(follow_up.rectified_at - follow_up.due_at)
    transition_record(
        case,
        transition="follow_up_rectify",
        by=by,
        reason=rectification + late,
        from_state=case.state,
        to_state=case.state,
    )
    return follow_up


@transaction.atomic
def follow_up_visit(*, follow_up: FollowUp, by: User, note: str) -> FollowUp:
    """Record the return visit (回访) to the requester, after the rectification, once."""
    follow_up = _locked_follow_up(follow_up)
    case = follow_up.rating.case
    _require_worker(case, by)
    if follow_up.rectified_at is None:
        raise ValidationError(_("请先提交整改措施，再回访服务对象。"), code="not_rectified")
    if follow_up.visited_at is not None:
        raise ValidationError(
            _("回访已由%(who)s于%(when)s完成。")
            % {"who": follow_up.visited_by or "—", "when": _when(follow_up.visited_at)},
            code="already_visited",
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"visit_note": _("请填写回访情况。")}, code="text_required")
    follow_up.visit_note = note
    follow_up.visited_at = timezone.now()
    follow_up.visited_by = by
    follow_up.save(update_fields=["visit_note", "visited_at", "visited_by"])
    transition_record(
        case,
        transition="follow_up_visit",
        by=by,
        reason=note,
        from_state=case.state,
        to_state=case.state,
    )
    return follow_up
