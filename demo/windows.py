"""A year of window work in the demo: cases at every window worked to the shipped
standards (mostly on time, some late, the last weeks' still open, a few overdue), ratings
with the follow-ups of the bad ones, complaints in every state, and the coming two weeks'
appointment slots with bookings, so that the desks and the compliance dashboard have
something to show.

Cases are opened through the service, which counts their deadlines on the working
calendar; their history is then played forward in memory (each item done some time before
or after its deadline, the deadlines that count from it following) and written in bulk,
with the audit log dated as it happened.
"""

from __future__ import annotations

import datetime
import random
import warnings

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from brokers.models import Broker
from demo.builder import NameBook
from demo.contracts import Stamps
from listings.choices import ListingStatus
from listings.models import Achievement, Demand, private_storage
from market.choices import Role
from market.models import Membership, Notification, Organization, TransitionLog, User
from windows.calendar import UnknownCalendarYear, WorkingCalendar
from windows.choices import (
    FOLLOW_UP_AT_OR_BELOW,
    CaseState,
    ComplaintState,
    ComplaintSubject,
    CountedFrom,
    EvidenceKind,
    ItemRole,
    LimitUnit,
    WindowService,
)
from windows.models import (
    AppointmentSlot,
    CaseItem,
    CaseRating,
    Complaint,
    FollowUp,
    ServiceCase,
    ServiceWindow,
)
from windows.services.appointments import appointment_book, slot_create, slots_generate
from windows.services.cases import (
    FOLLOW_UP_WORKING_DAYS,
    case_open,
    compute_deadlines,
    format_duration,
)
from windows.services.complaints import complaint_file

MONTHS = 12
CASES_PER_MONTH = (3, 6)
SERVICES = {
    WindowService.CONTRACT_REGISTRATION: 5,
    WindowService.RECEPTION: 4,
    WindowService.TRADING: 2,
    WindowService.EVALUATION: 1,
}
LATE_SHARE = 0.12
WORKDAY_HOURS = 8
STALLS_WITHIN_DAYS = 30
STALL_SHARE = 0.6
LATER_SHARE = 0.15
LATER_NOTES = ["合同原件后补", "单位公章页三日内补交", "专利证书复印件后补"]
OPTIONAL_SKIPPED_SHARE = 0.3
RATED_SHARE = 0.8
# 非常满意 … 非常不满意
RATING_WEIGHTS = {5: 62, 4: 24, 3: 8, 2: 4, 1: 2}
RATING_COMMENTS = {
    5: ["工作人员一次性讲清了所需材料，很快办完。", "预约后到窗口不用排队，效率很高。", ""],
    4: ["办理顺利，希望能提供更多线上办理。", ""],
    3: ["等候时间稍长。", ""],
    2: ["材料要求前后说法不一致，跑了两趟。", "超过承诺时限才办结。"],
    1: ["多次电话无人接听，办理拖延。"],
}
TEXT_EVIDENCE = {
    ItemRole.CLERK: "已核对并登记，材料齐全。",
    ItemRole.OPERATOR: "已按规范办理，意见见附件。",
    ItemRole.BROKER: "已与双方沟通，形成洽谈纪要。",
}
COMPLAINT_BODIES = {
    ComplaintSubject.WINDOW: [
        "窗口工作人员未一次性告知所需材料，我前后跑了三次。",
        "预约了上午十点，到窗口后等候超过一小时。",
        "合同登记超过承诺的时限仍未办结，也没有说明原因。",
        "窗口电话长期无人接听。",
    ],
    ComplaintSubject.BROKER: [
        "技术经纪人承诺的对接会一直没有安排。",
        "经纪人收取服务费后未按约定提供服务。",
    ],
    ComplaintSubject.LISTING: [
        "该成果信息与实际情况不符，专利已失效。",
        "需求信息中的联系人电话是空号。",
    ],
}
ANSWERS = [
    "经调查核实，情况属实。已对相关工作人员进行批评教育，并完善一次性告知清单。",
    "经核实，因材料补正导致时限延长，已向您说明情况，今后将及时告知进度。",
    "已约谈相关技术经纪人，督促其按约定履行服务，并记入信用档案。",
    "已通知信息发布单位更正信息，逾期未更正将下架处理。",
]
TRANSITION = "complete_item"

# The demo's evidence file: one small PDF all demo items point to.
EVIDENCE_NAME = "windows/evidence/demo/登记材料.pdf"
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _evidence_file() -> str:
    storage = private_storage()
    if not storage.exists(EVIDENCE_NAME):
        storage.save(EVIDENCE_NAME, ContentFile(EVIDENCE_PDF))
    return EVIDENCE_NAME


class _World:
    """Who works at each market's window: its clerks, operators and brokers."""

    def __init__(self, windows: list[ServiceWindow]):
        self.clerks: dict[int, list[User]] = {}
        self.operators: dict[int, list[User]] = {}
        self.brokers: dict[int, list[User]] = {}
        self.orgs: dict[int, list[Organization]] = {}
        for window in windows:
            market = window.market
            ids = [market.pk] + ([market.parent_id] if market.parent_id else [])
            self.clerks[market.pk] = _users(Role.WINDOW_CLERK, [market.pk])
            self.operators[market.pk] = _users(Role.OPERATOR, ids)
            self.brokers[market.pk] = list(
                User.objects.filter(
                    broker_profile__active=True, broker_profile__markets_served=market
                ).order_by("pk")[:5]
            ) or list(User.objects.filter(broker_profile__active=True).order_by("pk")[:3])
            self.orgs[market.pk] = list(Organization.objects.filter(market=market)[:40])

    def worker(self, rng: random.Random, window: ServiceWindow, role: str) -> User | None:
        pool = {
            ItemRole.CLERK: self.clerks,
            ItemRole.OPERATOR: self.operators,
            ItemRole.BROKER: self.brokers,
        }.get(role)
        if pool is None:
            return None
        people = pool[window.market_id] or self.clerks[window.market_id]
        return rng.choice(people) if people else None


def _users(role: str, market_ids: list[int]) -> list[User]:
    ids = (
        Membership.objects.filter(role=role, market_id__in=market_ids)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=list(ids)).order_by("pk"))


def _working_moment(
    rng: random.Random, calendar: WorkingCalendar, window: ServiceWindow, day: datetime.date
) -> datetime.datetime | None:
    """A time within the window's hours on `day`, or the next working day's."""
    for _step in range(10):
        if calendar.is_working_day(day):
            opens = datetime.datetime.combine(day, window.opens_at)
            closes = datetime.datetime.combine(day, window.closes_at)
            span = int((closes - opens).total_seconds() // 60) - 60
            naive = opens + datetime.timedelta(minutes=rng.randint(0, max(span, 1)))
            return timezone.make_aware(naive)
        day += datetime.timedelta(days=1)
    return None


class _Log:
    """Audit-log lines of the played history, created in bulk and then dated."""

    def __init__(self):
        self.content_type = ContentType.objects.get_for_model(ServiceCase)
        self.rows: list[tuple[TransitionLog, datetime.datetime]] = []

    def add(self, case, transition, at, by=None, reason="", state=CaseState.OPEN, to=None):
        log = TransitionLog(
            content_type=ContentType.objects.get_for_model(type(case)),
            object_id=case.pk,
            transition=transition,
            from_state=state,
            to_state=to or state,
            by=by,
            reason=reason,
        )
        self.rows.append((log, at))

    def write(self) -> None:
        logs = TransitionLog.objects.bulk_create([log for log, _at in self.rows], 500)
        for log, (_log, at) in zip(logs, self.rows, strict=True):
            log.at = at
        TransitionLog.objects.bulk_update(logs, ["at"], 500)


def _play(rng, world, case: ServiceCase, now, log: _Log, stamps: Stamps, evidence: str):
    """Work `case` forward from its opening until now: each item done before or after its
    deadline, the optional ones sometimes skipped, then closed (and maybe rated) once every
    mandatory item is done."""
    window = case.window
    calendar = WorkingCalendar(window.market_id)
    items = list(case.items.select_related("standard_item").order_by("position"))
    previous_end = case.opened_at
    # Recent cases often wait on the requester (a missing document, a confirmation): their
    # work stops at some item, so the desks hold open cases, some of them overdue.
    recent = case.opened_at > now - datetime.timedelta(days=STALLS_WITHIN_DAYS)
    stall_at = rng.randrange(len(items)) if recent and rng.random() < STALL_SHARE else None
    for index, item in enumerate(items):
        if index == stall_at:
            break
        compute_deadlines(case, items)
        spec = item.standard_item
        start = case.opened_at if spec.counted_from == CountedFrom.OPENING else previous_end
        if not spec.mandatory and rng.random() < OPTIONAL_SKIPPED_SHARE:
            continue
        # Work happens in the window's hours: a share of the item's limit in working hours
        # after its start, or some working hours past its deadline.
        limit = spec.limit_amount * (1 if spec.limit_unit == LimitUnit.HOURS else WORKDAY_HOURS)
        if rng.random() < LATE_SHARE:
            done = calendar.add_working_hours(
                item.due_at, rng.uniform(0.5, 24), opens=window.opens_at, closes=window.closes_at
            )
        else:
            done = calendar.add_working_hours(
                start, limit * rng.uniform(0.1, 0.8), opens=window.opens_at, closes=window.closes_at
            )
            done = min(done, item.due_at)
        if done >= now:
            break
        item.done_at = done
        if spec.evidence == EvidenceKind.CONFIRMATION:
            item.confirmed_at = done
        else:
            item.done_by = world.worker(rng, window, spec.role)
        if spec.evidence == EvidenceKind.FILE:
            if recent and rng.random() < LATER_SHARE:
                # 容缺受理: the work went ahead, the document is still to come.
                item.evidence_text = rng.choice(LATER_NOTES)
            else:
                item.evidence_file.name = evidence
        if spec.evidence == EvidenceKind.TEXT:
            item.evidence_text = TEXT_EVIDENCE.get(spec.role, "已办理。")
        previous_end = done
        late = f"（超时 {format_duration(item.time_over)}）" if item.is_late else ""
        log.add(case, TRANSITION, done, item.done_by, f"#{item.position} {spec.action}{late}")
    compute_deadlines(case, items)
    CaseItem.objects.bulk_update(
        items, ["due_at", "done_at", "done_by", "confirmed_at", "evidence_file", "evidence_text"]
    )
    values = {"due_at": max(item.due_at for item in items)}
    mandatory_done = all(
        i.done_at and not i.evidence_pending for i in items if i.standard_item.mandatory
    )
    last = max((i.done_at for i in items if i.done_at), default=case.opened_at)
    closed_at = last + datetime.timedelta(minutes=rng.randint(5, 90))
    if mandatory_done and closed_at < now:
        values |= {"state": CaseState.CLOSED, "closed_at": closed_at}
        log.add(case, "close", closed_at, case.opened_by, to=CaseState.CLOSED)
    stamps.set(case, **values)
    if values.get("state") == CaseState.CLOSED and rng.random() < RATED_SHARE:
        rated_at = closed_at + datetime.timedelta(hours=rng.randint(1, 48))
        if rated_at < now:
            _rate(rng, world, case, rated_at, now, log)


def _rate(rng, world, case, rated_at, now, log: _Log) -> None:
    level = rng.choices(list(RATING_WEIGHTS), weights=list(RATING_WEIGHTS.values()))[0]
    comment = rng.choice(RATING_COMMENTS[level])
    rating = CaseRating.objects.create(case=case, level=level, comment=comment, rated_at=rated_at)
    log.add(case, "rate", rated_at, None, rating.get_level_display(), CaseState.CLOSED)
    if level > FOLLOW_UP_AT_OR_BELOW:
        return
    calendar = WorkingCalendar(case.window.market_id)
    day = calendar.add_working_days(timezone.localdate(rated_at), FOLLOW_UP_WORKING_DAYS)
    due = timezone.make_aware(datetime.datetime.combine(day, case.window.closes_at))
    follow_up = FollowUp(rating=rating, due_at=due)
    log.add(case, "follow_up_open", rated_at, None, rating.get_level_display(), CaseState.CLOSED)
    operator = world.worker(rng, case.window, ItemRole.OPERATOR)
    rectified = rated_at + datetime.timedelta(days=rng.randint(1, 6))
    if rectified < now - datetime.timedelta(days=2):
        follow_up.rectification = "已约谈当事工作人员，重新梳理材料清单并在窗口公示。"
        follow_up.rectified_at, follow_up.rectified_by = rectified, operator
        visited = rectified + datetime.timedelta(days=1)
        follow_up.visited_at, follow_up.visited_by = visited, operator
        follow_up.visit_note = "已电话回访，服务对象认可整改措施。"
        log.add(case, "follow_up_rectify", rectified, operator, "", CaseState.CLOSED)
        log.add(case, "follow_up_visit", visited, operator, "", CaseState.CLOSED)
    follow_up.save()


def _cases(rng, world, windows, now) -> int:
    names = NameBook(rng, User.objects.values_list("name", flat=True))
    log, stamps, evidence = _Log(), Stamps(), _evidence_file()
    services, weights = list(SERVICES), list(SERVICES.values())
    opened = 0
    today = timezone.localdate(now)
    for window in windows:
        clerks = world.clerks[window.market_id]
        if not clerks:
            continue
        calendar = WorkingCalendar(window.market_id)
        for back in range(MONTHS * 30, 0, -1):
            # About CASES_PER_MONTH a month, on working days, up to today.
            if rng.random() > rng.uniform(*CASES_PER_MONTH) / 21:
                continue
            day = today - datetime.timedelta(days=back)
            moment = _working_moment(rng, calendar, window, day)
            if moment is None or moment >= now:
                continue
            org = rng.choice(world.orgs[window.market_id] or [None])
            case = case_open(
                window=window,
                service=rng.choices(services, weights=weights)[0],
                requester_name=names.name(),
                requester_phone=names.mobile(),
                organization=org,
                by=rng.choice(clerks),
                opened_at=moment,
            )
            opened += 1
            _play(rng, world, case, now, log, stamps, evidence)
    stamps.write()
    # The service dated its own "open" lines now; they happened when each case opened.
    opens = TransitionLog.objects.filter(
        content_type=log.content_type, transition="open", object_id__in=ServiceCase.objects.all()
    )
    at = dict(ServiceCase.objects.values_list("pk", "opened_at"))
    rows = list(opens)
    for row in rows:
        row.at = at[row.object_id]
    TransitionLog.objects.bulk_update(rows, ["at"], 500)
    log.write()
    return opened


def _complaints(rng, world, windows, now) -> int:
    filed = 0
    log = _Log()
    brokers = list(Broker.objects.filter(active=True).select_related("institution")[:20])
    listings = list(Achievement.objects.filter(status=ListingStatus.PUBLISHED)[:10]) + list(
        Demand.objects.filter(status=ListingStatus.PUBLISHED)[:10]
    )
    stamps = Stamps()
    for window in windows:
        for _n in range(rng.randint(4, 8)):
            subject = rng.choices(
                [ComplaintSubject.WINDOW, ComplaintSubject.BROKER, ComplaintSubject.LISTING],
                weights=[5, 3, 2],
            )[0]
            target: dict = {"window": window}
            if subject == ComplaintSubject.BROKER and brokers:
                target = {"broker": rng.choice(brokers)}
            elif subject == ComplaintSubject.LISTING and listings:
                listing = rng.choice(listings)
                target = {"achievement" if isinstance(listing, Achievement) else "demand": listing}
            else:
                subject = ComplaintSubject.WINDOW
            anonymous = rng.random() < 0.4
            # A few recent ones are still being handled, some of them past their deadline.
            recent = rng.random() < 0.2
            days = rng.randint(1, 12) if recent else rng.randint(13, MONTHS * 30)
            received = now - datetime.timedelta(days=days, hours=3)
            complaint = complaint_file(
                subject=subject,
                body=f"{rng.choice(COMPLAINT_BODIES[subject])}（{filed + 1}）",
                anonymous=anonymous,
                name="" if anonymous else "王先生",
                contact="" if anonymous else "138****0000",
                received_at=received,
                email=False,
                **target,
            )
            filed += 1
            handling_due, answer_due = complaint.handling_due_at, complaint.answer_due_at
            values = {}
            age = (now - received).days
            if age > 12 or rng.random() < 0.5:
                started = received + (handling_due - received) * rng.uniform(0.2, 1.3)
                values |= {"state": ComplaintState.HANDLING, "handling_started_at": started}
                answered = received + (answer_due - received) * rng.uniform(0.4, 1.25)
                if answered < now:
                    values |= {
                        "state": ComplaintState.ANSWERED,
                        "answer": rng.choice(ANSWERS),
                        "answered_at": answered,
                    }
                    if age > 30:
                        values |= {
                            "state": ComplaintState.CLOSED,
                            "closed_at": answered + datetime.timedelta(days=3),
                            "satisfaction": rng.choices([5, 4, 3, 2, 1], [40, 30, 15, 10, 5])[0],
                        }
            operator = rng.choice(world.operators.get(complaint.market_id) or [None])
            steps = [
                ("start_handling", "handling_started_at", ComplaintState.RECEIVED, "handling"),
                ("give_answer", "answered_at", ComplaintState.HANDLING, "answered"),
                ("close", "closed_at", ComplaintState.ANSWERED, "closed"),
            ]
            for transition, field, source, target_state in steps:
                if values.get(field):
                    log.add(
                        complaint, transition, values[field], operator, "", source, target_state
                    )
            if operator is not None and values.get("answered_at"):
                values["handler"] = operator
            if values:
                stamps.set(complaint, **values)
            if values.get("answered_at"):
                # The operators read what they answered.
                Notification.objects.filter(
                    verb="complaint.filed",
                    url=reverse("windows:complaint_detail", args=[complaint.pk]),
                ).update(read_at=values["answered_at"])
    stamps.write()
    # The service dated its own "file" lines now; each came in at its received time.
    received_at = dict(Complaint.objects.values_list("pk", "received_at"))
    filed_logs = list(
        TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Complaint), transition="file"
        )
    )
    for row in filed_logs:
        row.at = received_at[row.object_id]
    TransitionLog.objects.bulk_update(filed_logs, ["at"], 500)
    log.write()
    return filed


def _appointments(rng, windows, now) -> int:
    names = NameBook(rng, User.objects.values_list("name", flat=True))
    booked = 0
    today = timezone.localdate(now)
    for window in windows:
        if not window.appointment_available:
            continue
        slots_generate(window=window, start=today, days=14)
        calendar = WorkingCalendar(window.market_id)
        evening_day = calendar.add_working_days(today, 1)
        clerk = _users(Role.WINDOW_CLERK, [window.market_id])[:1]
        if clerk:
            evening = timezone.make_aware(datetime.datetime.combine(evening_day, window.closes_at))
            if not AppointmentSlot.objects.filter(window=window, starts_at=evening).exists():
                slot_create(
                    window=window,
                    starts_at=evening,
                    ends_at=evening + datetime.timedelta(hours=2),
                    capacity=3,
                    by=clerk[0],
                )
        slots = list(
            AppointmentSlot.objects.filter(window=window, starts_at__gt=now).order_by("starts_at")
        )
        for slot in rng.sample(slots, min(len(slots), rng.randint(4, 9))):
            appointment_book(
                slot=slot,
                service=rng.choices(list(SERVICES), weights=list(SERVICES.values()))[0],
                requester_name=names.name(),
                requester_phone=names.mobile(),
                note=rng.choice(["", "携带合同文本原件", "咨询成果评价流程"]),
            )
            booked += 1
    return booked


def demo_windows(*, seed: int = 17, now: datetime.datetime | None = None) -> dict | None:
    """Once: if any case exists, it returns None."""
    if ServiceCase.objects.exists():
        return None
    now = now or timezone.now()
    rng = random.Random(f"{seed}:windows")
    windows = list(ServiceWindow.objects.select_related("market").order_by("market__pk"))
    if not windows:
        return None
    world = _World(windows)
    with transaction.atomic(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownCalendarYear)
        cases = _cases(rng, world, windows, now)
        complaints = _complaints(rng, world, windows, now)
        appointments = _appointments(rng, windows, now)
    return {
        "cases": cases,
        "complaints": complaints,
        "appointments": appointments,
    }
