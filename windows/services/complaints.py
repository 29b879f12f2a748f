"""Complaints (投诉): filing one about a window, a broker or a listing; its handling (处置)
and answer (回应) by the operators of the market it concerns; the complainant's rating of
the answer.

The complainant follows their complaint with its code alone: 16 characters of base32 (80
random bits), shown in groups of four for reading aloud. An anonymous complaint keeps no
name, contact or account. Deadlines come from the complaint-handling standard in force,
counted on the working calendar of the handling market.
"""

from __future__ import annotations

import base64
import datetime
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from listings.choices import ListingStatus
from market.models import Market
from market.services import market_operators, notify, transition_apply, transition_record
from windows.calendar import WorkingCalendar
from windows.choices import (
    ComplaintState,
    ComplaintSubject,
    CountedFrom,
    RatingLevel,
    WindowService,
)
from windows.deadlines import item_deadline
from windows.models import Complaint, ServiceStandard

CODE_BYTES = 10  # 80 bits: 16 base32 characters
# A second send of the same complaint within this time is the same complaint.
RESEND_WINDOW = datetime.timedelta(minutes=10)
BODY_MIN_LENGTH = 10
# Listings the public has seen, and so may complain about.
PUBLIC_LISTING_STATES = (ListingStatus.PUBLISHED, ListingStatus.CLOSED, ListingStatus.EXPIRED)


def complaint_code_new() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").rstrip("=")


def normalize_code(code: str) -> str:
    """What the person typed, as stored: groups and case do not matter, and the digits 0 and
    1 (not in the alphabet) are read as the letters O and I."""
    code = re.sub(r"[^0-9A-Za-z]", "", code or "").upper()
    return code.replace("0", "O").replace("1", "I")


def code_grouped(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def standard_deadlines(
    standard: ServiceStandard, start: datetime.datetime, market_id: int | None
) -> dict[int, datetime.datetime]:
    """Each item's deadline, by item id: from `start` (受理) or from the previous item's
    deadline; working days end at closing time (17:00) on the market's calendar, working
    hours count only 09:00-17:00 on working days."""
    calendar = WorkingCalendar(market_id)
    deadlines: dict[int, datetime.datetime] = {}
    previous = start
    for item in standard.items.order_by("sort_order", "id"):
        base = start if item.counted_from == CountedFrom.OPENING else previous
        deadlines[item.pk] = previous = item_deadline(calendar, item, base)
    return deadlines


def complaint_deadlines(
    standard: ServiceStandard, received_at: datetime.datetime, market_id: int
) -> tuple[datetime.datetime, datetime.datetime]:
    """(start handling by, answer by): the deadlines of the standard's items marked as those
    steps."""
    deadlines = standard_deadlines(standard, received_at, market_id)
    steps = {}
    for item in standard.items.exclude(complaint_step=""):
        steps[item.complaint_step] = deadlines[item.pk]
    answer = steps.get(ComplaintState.ANSWERED)
    if answer is None:
        raise ValidationError(
            _(
                "投诉处理标准“%(standard)s”没有标明答复时限的事项，暂不能受理投诉，请联系市场运营人员。"
            )
            % {"standard": standard}
        )
    return steps.get(ComplaintState.HANDLING, answer), answer


def _subject(*, window, broker, achievement, demand):
    given = [x for x in (window, broker, achievement, demand) if x is not None]
    if len(given) != 1:
        raise ValidationError(_("请选择一个投诉对象：服务窗口、技术经纪人或一条成果/需求信息。"))
    if window is not None:
        return ComplaintSubject.WINDOW, window.market_id
    if broker is not None:
        # A broker belongs to the market of their transfer institution.
        return ComplaintSubject.BROKER, broker.institution.market_id
    listing = achievement or demand
    if listing.status not in PUBLIC_LISTING_STATES:
        raise ValidationError(_("找不到这条公开的成果或需求信息，请核对编号。"))
    return ComplaintSubject.LISTING, listing.market_id


@transaction.atomic
def complaint_file(
    *,
    subject: str | None = None,
    window=None,
    broker=None,
    achievement=None,
    demand=None,
    body: str,
    anonymous: bool,
    name: str = "",
    contact: str = "",
    by=None,
    received_at: datetime.datetime | None = None,
    email: bool = True,
) -> Complaint:
    """File a complaint; anyone may, signed in or not. The market it concerns handles it and
    its operators are told. The same complaint sent twice within a few minutes (a double
    click) is filed once: the second send gets the first back. `received_at` is when it
    came in, for a complaint recorded after the fact (default: now); its deadlines and the
    operators' notification count from it."""
    kind, market_id = _subject(window=window, broker=broker, achievement=achievement, demand=demand)
    if subject is not None and subject != kind:
        raise ValidationError(_("投诉对象与所选类别不一致，请重新选择。"))
    body = (body or "").strip()
    if len(body) < BODY_MIN_LENGTH:
        raise ValidationError(
            {"body": _("请把投诉的事情写清楚（至少 %(n)s 个字）。") % {"n": BODY_MIN_LENGTH}}
        )
    user = by if by is not None and by.is_authenticated else None
    if anonymous:
        name, contact, user = "", "", None
    else:
        name = (name or "").strip() or (user.name if user is not None else "")
        contact = (contact or "").strip()
        if not name or not contact:
            raise ValidationError(
                _("实名投诉请填写姓名和联系方式；不愿留下个人信息的，请选择匿名投诉。")
            )
    standard = ServiceStandard.objects.for_service(WindowService.COMPLAINT).first()
    if standard is None:
        raise ValidationError(_("当前没有现行有效的投诉处理标准，暂不能受理投诉，请致电窗口。"))
    # One filing at a time per market: the check for a second send below cannot race.
    market = Market.objects.select_for_update().get(pk=market_id)
    now = received_at or timezone.now()
    resent = Complaint.objects.filter(
        market=market,
        subject=kind,
        window=window,
        broker=broker,
        achievement=achievement,
        demand=demand,
        body=body,
        anonymous=anonymous,
        name=name,
        contact=contact,
        filed_by=user,
        received_at__gte=now - RESEND_WINDOW,
    ).first()
    if resent is not None:
        return resent
    handling_due, answer_due = complaint_deadlines(standard, now, market.pk)
    complaint = Complaint(
        code=complaint_code_new(),
        subject=kind,
        market=market,
        window=window,
        broker=broker,
        achievement=achievement,
        demand=demand,
        standard=standard,
        body=body,
        anonymous=anonymous,
        name=name,
        contact=contact,
        filed_by=user,
        received_at=now,
        handling_due_at=handling_due,
        answer_due_at=answer_due,
    )
    complaint.full_clean()
    complaint.save()
    transition_record(
        complaint, transition="file", by=user, to_state=ComplaintState.RECEIVED, reason=""
    )
    url = reverse("windows:complaint_detail", args=[complaint.pk])
    due = f"{timezone.localtime(answer_due):%Y-%m-%d %H:%M}"
    for operator in market_operators(market):
        notify(
            recipient=operator,
            verb="complaint.filed",
            title=_("收到新的投诉（%(subject)s）") % {"subject": complaint.get_subject_display()},
            body=_("请在 %(due)s 前答复。") % {"due": due},
            url=url,
            email=email,
            at=received_at,
        )
    return complaint


@transaction.atomic
def complaint_start_handling(*, complaint: Complaint, by) -> Complaint:
    complaint = transition_apply(complaint, transition="start_handling", by=by, state_field="state")
    complaint.handler = by
    complaint.save(update_fields=["handler"])
    return complaint


@transaction.atomic
def complaint_answer(*, complaint: Complaint, by, answer: str) -> Complaint:
    """The written answer (书面答复) the complainant reads with their code."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复内容：调查结果和处理措施。")})
    complaint = transition_apply(
        complaint, transition="give_answer", by=by, reason=answer, state_field="state"
    )
    complaint.answer = answer
    if complaint.handler_id is None:
        complaint.handler = by
    complaint.save(update_fields=["answer", "handler"])
    if complaint.filed_by_id:
        notify(
            recipient=complaint.filed_by,
            verb="complaint.answered",
            title=_("您的投诉已答复"),
            body=_("请凭查询码查看答复并评价。"),
            url=reverse("windows:complaint_track"),
        )
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, by, reason: str = "") -> Complaint:
    return transition_apply(
        complaint, transition="close", by=by, reason=reason, state_field="state"
    )


@transaction.atomic
def complaint_rate_answer(*, code: str, level: int) -> Complaint:
    """The complainant rates the answer, once, with their code."""
    complaint = Complaint.objects.select_for_update().filter(code=normalize_code(code)).first()
    if complaint is None:
        raise ValidationError(_("查询码不正确，请核对后重新输入。"))
    if complaint.answered_at is None:
        raise ValidationError(_("投诉尚未答复，答复后才能评价。"))
    if complaint.satisfaction is not None:
        raise ValidationError(_("您已经评价过这次答复，不能重复评价。"))
    try:
        level = RatingLevel(int(level))
    except (TypeError, ValueError):
        raise ValidationError(_("请选择一项评价。")) from None
    complaint.satisfaction = level
    complaint.save(update_fields=["satisfaction"])
    transition_record(complaint, transition="rate_answer", by=None, reason=str(level.label))
    return complaint
