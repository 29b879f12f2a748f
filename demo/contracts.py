"""A year of technology contracts (技术合同) for the demo: registered ones spread over the
twelve months before today (more in the fourth quarter, fewer around the Spring Festival),
over the sub-markets, the fields and the 四技 types; and a few in every other registration
state (未申请, 已申请, 退回补正, 已受理, 不予登记), with the registry clerk's notes.

Every contract is made the way the product makes it: a broker's lead walked through
`deal_advance`, its documents through `deal_document_add`, the contract and its income
assessment form through `contract_create`, the filing through `contract_apply`, the
registry's steps through `contract_accept` / `contract_return` / `contract_register` /
`contract_refuse`, the buyer's service fee through `payment_start` and the dummy provider's
confirmation (which books the fee's ledger lines), and the signing's ledger lines through
`commission_book_signing` with the signing's time. The other services stamp now();
afterwards each deal's records are back-dated to its planned history with bulk updates, and
the registration numbers are drawn again in the order of the back-dated registration dates.
The one write past a guard is a fee line's booking time (`Stamps.write`): the ledger's
manager refuses every change, and the payment handler has no time to be given.

`demo_contracts(seed=13)` needs the demo's market, listings, brokers, clerks and the
commission rules (`demo_commissions`) to exist; `demo_back_date(deals)` aligns the records
of deals whose history was back-dated elsewhere (the brokers' boards). Both are
deterministic and safe to run again."""

from __future__ import annotations

import math
import random
import uuid
from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from payments import PaymentStatus

from brokers.choices import (
    CommissionLineKind,
    ContractType,
    DealStage,
    DocumentKind,
    NonTechnicalCost,
    PaymentPurpose,
    RefusalGround,
    RegistrationStatus,
)
from brokers.models import (
    Broker,
    CommissionLine,
    Contract,
    Deal,
    DealBroker,
    DealDocument,
    Payment,
)
from brokers.selectors.contracts import DECISION_DAYS, REQUIRED_DOCUMENTS
from brokers.services import (
    commission_book_signing,
    contract_accept,
    contract_apply,
    contract_create,
    contract_refuse,
    contract_register,
    contract_return,
    contract_update,
    deal_advance,
    deal_document_add,
    deal_open_lead,
    payment_start,
)
from demo.commissions import _editor, _rate
from listings.choices import ListingStatus
from listings.models import Achievement, Demand
from market.choices import Role
from market.fragments import fragments_bump
from market.models import Market, Membership, Notification, TransitionLog, User
from market.permissions import operated_market_ids
from targets.selectors import FIGURES_FRAGMENTS

NAMESPACE = uuid.UUID("0b6f4a0e-13c1-4d7e-8f2a-6c1d5e9a4b13")
REGISTERED_COUNT = 100
# The share of registered deals whose buyer pays the service fee through the market.
FEE_SHARE = 0.75
# The share of development and transfer contracts that are major projects (千万元级), and
# how many more are drawn among them whatever the seed.
MAJOR_SHARE = 0.08
MAJOR_PROJECTS = 3
# Contracts registered per calendar month, relative: the half-year and year-end pushes, and
# the lull around the Spring Festival.
MONTH_WEIGHTS = {1: 0.7, 2: 0.4, 3: 0.8, 4: 0.85, 5: 0.9, 6: 1.2, 7: 0.8, 8: 0.7, 9: 1.0,
                 10: 1.1, 11: 1.5, 12: 2.0}  # fmt: skip
# Where the sellers register, relative: Wuhan is most of the province's technology market.
MARKET_WEIGHTS = {"wuhan": 4.2, "xiangyang": 1.4, "yichang": 1.3, "huangshi": 1.0,
                  "jingzhou": 1.0, "shiyan": 1.0}  # fmt: skip
TYPE_WEIGHTS = {
    ContractType.DEVELOPMENT_COMMISSIONED: 22,
    ContractType.DEVELOPMENT_COOPERATIVE: 8,
    ContractType.TRANSFER_PATENT: 9,
    ContractType.TRANSFER_PATENT_APPLICATION: 3,
    ContractType.TRANSFER_PATENT_LICENCE: 7,
    ContractType.TRANSFER_KNOW_HOW: 5,
    ContractType.CONSULTING: 10,
    ContractType.SERVICE: 26,
    ContractType.SERVICE_TRAINING: 4,
    ContractType.SERVICE_INTERMEDIARY: 6,
}
# The contract amount (万元) of each type: a log-normal median, its spread, and bounds.
AMOUNTS = {
    ContractType.DEVELOPMENT_COMMISSIONED: (90, 1.0, 8, 4800),
    ContractType.DEVELOPMENT_COOPERATIVE: (150, 1.0, 15, 4500),
    ContractType.TRANSFER_PATENT: (45, 1.0, 3, 2600),
    ContractType.TRANSFER_PATENT_APPLICATION: (25, 0.8, 2, 600),
    ContractType.TRANSFER_PATENT_LICENCE: (60, 1.0, 5, 3000),
    ContractType.TRANSFER_KNOW_HOW: (80, 1.0, 5, 2000),
    ContractType.CONSULTING: (12, 0.8, 1.5, 260),
    ContractType.SERVICE: (35, 1.1, 2, 1800),
    ContractType.SERVICE_TRAINING: (6, 0.7, 1, 60),
    ContractType.SERVICE_INTERMEDIARY: (10, 0.8, 1, 200),
}
TITLE_SUFFIX = {
    ContractType.DEVELOPMENT_COMMISSIONED: "技术开发（委托）合同",
    ContractType.DEVELOPMENT_COOPERATIVE: "技术开发（合作）合同",
    ContractType.TRANSFER_PATENT: "专利权转让合同",
    ContractType.TRANSFER_PATENT_APPLICATION: "专利申请权转让合同",
    ContractType.TRANSFER_PATENT_LICENCE: "专利实施许可合同",
    ContractType.TRANSFER_KNOW_HOW: "技术秘密转让合同",
    ContractType.CONSULTING: "技术咨询合同",
    ContractType.SERVICE: "技术服务合同",
    ContractType.SERVICE_TRAINING: "技术培训合同",
    ContractType.SERVICE_INTERMEDIARY: "技术中介合同",
}
# The non-technical parts a type's income assessment form commonly takes off: the chance
# of one, its kind, what it is, and its share of the amount.
DEDUCTIONS = {
    "dev": (0.5, NonTechnicalCost.EQUIPMENT, "样机试制及中试所需设备、仪器购置", (0.08, 0.35)),
    "service": (0.35, NonTechnicalCost.MATERIALS, "检测分析用原材料、试剂及耗材", (0.05, 0.25)),
    "transfer": (0.15, NonTechnicalCost.GOODS, "随技术交付的样品及配套零部件", (0.03, 0.12)),
    "consulting": (0.1, NonTechnicalCost.OTHER, "专家差旅及现场调研费用", (0.05, 0.15)),
}
RETURN_NOTES = (
    "技术性收入核定表中的设备购置费用未附采购清单，请补充设备明细及报价单后重新提交。",
    "合同第七条约定的价款支付方式与核定表填报不一致，请双方核对后修改；另缺专利证书复印件。",
    "乙方盖章页的单位名称与营业执照不一致，请重新加盖与登记名称一致的合同专用章后提交。",
    "合同未写明技术服务的验收标准和验收方式，请补充附件后重新申请。",
)
REFUSALS = (
    (
        RefusalGround.NOT_TECHNOLOGY,
        "合同主要内容为设备买卖及安装调试，技术内容占比很小，属于一般货物买卖合同，"
        "不属于技术合同，不予登记。",
    ),
    (
        RefusalGround.NAME_MISMATCH,
        "合同名为技术开发合同，约定的却是对现有生产线的日常运维，权利义务与合同名称不符；"
        "如需登记，请按技术服务合同重新签订后申请。",
    ),
    (
        RefusalGround.UNCLEAR,
        "合同未约定技术成果的归属和验收标准，价款写作“按实际工作量另行结算”，标的和价款均不明确。",
    ),
)
# The contracts not (yet) registered: their final state and how many days ago each one's
# last step was taken.
PENDING: tuple[tuple[str, str, int], ...] = (
    (RegistrationStatus.DRAFT, "wuhan", 1),
    (RegistrationStatus.DRAFT, "yichang", 3),
    (RegistrationStatus.DRAFT, "wuhan", 5),
    (RegistrationStatus.APPLIED, "wuhan", 0),
    (RegistrationStatus.APPLIED, "wuhan", 1),
    (RegistrationStatus.APPLIED, "wuhan", 3),
    (RegistrationStatus.APPLIED, "xiangyang", 2),
    (RegistrationStatus.RETURNED, "wuhan", 2),
    (RegistrationStatus.RETURNED, "wuhan", 6),
    (RegistrationStatus.RETURNED, "huangshi", 4),
    (RegistrationStatus.ACCEPTED, "wuhan", 3),
    (RegistrationStatus.ACCEPTED, "wuhan", 12),
    (RegistrationStatus.ACCEPTED, "wuhan", 27),  # due within days
    (RegistrationStatus.ACCEPTED, "jingzhou", 34),  # overdue
    (RegistrationStatus.REFUSED, "wuhan", 21),
    (RegistrationStatus.REFUSED, "xiangyang", 64),
    (RegistrationStatus.REFUSED, "shiyan", 130),
)
# Of the registered contracts, every this-many-th was first returned and corrected.
CORRECTED_EVERY = 25
# How many of the registered contracts are the demo logins' own.
BROKER_LOGIN_SHARE = 12
UNIVERSITY_LOGIN_SHARE = 8
ENTERPRISE_LOGIN_SHARE = 6


@dataclass
class Plan:
    index: int
    status: str  # the final registration status
    market_code: str
    contract_type: str
    amount: Decimal
    deduction: tuple[str, str, Decimal] | None
    # When each step happened: the deal's transitions, then the contract's.
    times: dict[str, datetime] = field(default_factory=dict)
    corrected: bool = False
    note: str = ""
    ground: str = ""

    @property
    def token(self) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"deal:{self.index}")


def _pdf(title: str) -> bytes:
    # A one-page PDF whose only text is ASCII: enough for a viewer and for the type check.
    text = title.encode("ascii", "ignore") or b"Deal document"
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"% " + text + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


# ── Planning (no database) ───────────────────────────────────────────────────────────────


def _months(now: datetime) -> list[tuple[int, int, float]]:
    """The twelve months before this one and this one so far, each with its weight (this
    month's by the share of it that has passed)."""
    today = timezone.localdate(now)
    months = []
    year, month = today.year, today.month
    for back in range(12, -1, -1):
        y, m = year, month - back
        while m <= 0:
            y, m = y - 1, m + 12
        weight = MONTH_WEIGHTS[m]
        if back == 0:
            weight *= max(0, today.day - 2) / monthrange(y, m)[1]
        months.append((y, m, weight))
    return months


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _round_amount(value: float) -> Decimal:
    """As such amounts are written: 8.6, 37.5, 125, 1,250 万元."""
    step = 0.1 if value < 10 else 0.5 if value < 100 else 5 if value < 1000 else 50
    return Decimal(str(round(round(value / step) * step, 2))).quantize(Decimal("0.01"))


def _family(contract_type: str) -> str:
    if contract_type.startswith("dev"):
        return "dev"
    if contract_type.startswith("transfer"):
        return "transfer"
    return "consulting" if contract_type == ContractType.CONSULTING else "service"


def _amounts(rng: random.Random, contract_type: str):
    median, sigma, low, high = AMOUNTS[contract_type]
    value = rng.lognormvariate(math.log(median), sigma)
    if _family(contract_type) in ("dev", "transfer") and rng.random() < MAJOR_SHARE:
        # A major project: a pilot line developed, a patent family transferred.
        value *= rng.uniform(6, 20)
    amount = _round_amount(min(high, max(low, value)))
    chance, kind, text, (lo, hi) = DEDUCTIONS[_family(contract_type)]
    deduction = None
    if rng.random() < chance:
        part = (amount * Decimal(str(round(rng.uniform(lo, hi), 2)))).quantize(Decimal("0.01"))
        if part > 0:
            deduction = (kind, text, part)
    return amount, deduction


def _workday(moment: datetime, rng: random.Random) -> datetime:
    """The same day during office hours, moved off the weekend to the Friday before."""
    moment = timezone.localtime(moment)
    while moment.weekday() >= 5:
        moment -= timedelta(days=1)
    return moment.replace(hour=rng.randint(9, 16), minute=rng.choice((0, 10, 20, 30, 40, 50)))


def _days(rng: random.Random, lo: int, hi: int) -> timedelta:
    return timedelta(days=rng.randint(lo, hi))


def _backwards(rng: random.Random, signed: datetime) -> dict[str, datetime]:
    """The weeks of a deal before its signing."""
    negotiated = _workday(signed - _days(rng, 8, 40), rng)
    contacted = _workday(negotiated - _days(rng, 4, 18), rng)
    opened = _workday(contacted - _days(rng, 2, 12), rng)
    return {"open": opened, "contact": contacted, "negotiate": negotiated, "sign": signed}


def _registered_times(rng: random.Random, registered: datetime, now: datetime, corrected: bool):
    accepted = _workday(registered - _days(rng, 2, 12), rng)
    applied = _workday(accepted - _days(rng, 1, 4), rng)
    times = {}
    if corrected:
        times["reapply"] = applied
        times["update"] = _workday(applied - _days(rng, 1, 3), rng)
        times["return_for_correction"] = _workday(times["update"] - _days(rng, 1, 4), rng)
        applied = _workday(times["return_for_correction"] - _days(rng, 1, 3), rng)
    created = _workday(applied - _days(rng, 1, 6), rng)
    signed = _workday(created - _days(rng, 0, 3), rng)
    times.update(_backwards(rng, signed))
    times.update({"create": created, "apply": applied, "accept": accepted, "register": registered})
    fee = registered + _days(rng, 3, 20)
    # Most buyers pay the brokers' service fee through the market; some pay it outside.
    if fee < now - timedelta(days=1) and rng.random() < FEE_SHARE:
        times["fee"] = _workday(fee, rng)
    performed = registered + _days(rng, 25, 150)
    if performed < now - timedelta(days=2) and rng.random() < 0.8:
        times["perform"] = _workday(performed, rng)
        closed = performed + _days(rng, 5, 40)
        if closed < now - timedelta(days=1) and rng.random() < 0.75:
            times["close"] = _workday(closed, rng)
    return times


def _pending_times(rng: random.Random, status: str, last: datetime) -> dict[str, datetime]:
    times: dict[str, datetime] = {}
    if status == RegistrationStatus.DRAFT:
        times["create"] = last
    elif status == RegistrationStatus.APPLIED:
        times["apply"] = last
    elif status == RegistrationStatus.RETURNED:
        times["return_for_correction"] = last
        times["apply"] = _workday(last - _days(rng, 2, 6), rng)
    else:  # accepted, refused
        accepted = last if status == RegistrationStatus.ACCEPTED else last - _days(rng, 6, 20)
        times["accept"] = _workday(accepted, rng)
        times["apply"] = _workday(times["accept"] - _days(rng, 1, 4), rng)
        if status == RegistrationStatus.REFUSED:
            times["refuse"] = last
    first = times.get("apply", last)
    times.setdefault("create", _workday(first - _days(rng, 1, 5), rng))
    signed = _workday(times["create"] - _days(rng, 0, 3), rng)
    times.update(_backwards(rng, signed))
    if status == RegistrationStatus.REFUSED:
        times["lose"] = times["refuse"]
    return times


# The order of a deal's and its contract's steps.
ORDER = ("open", "contact", "negotiate", "sign", "create", "apply", "return_for_correction",
         "update", "reapply", "accept", "register", "refuse", "fee", "perform",
         "close")  # fmt: skip


def _in_order(times: dict[str, datetime], rng: random.Random) -> dict[str, datetime]:
    """Two steps drawn on the same day may come out of order: walking back from the last,
    each step is put before the next one."""
    keys = [k for k in ORDER if k in times]
    for later, earlier in zip(reversed(keys), list(reversed(keys))[1:], strict=False):
        if times[earlier] > times[later] - timedelta(minutes=20):
            times[earlier] = times[later] - timedelta(minutes=rng.randint(30, 180))
    if "refuse" in times:
        times["lose"] = times["refuse"]
    return times


def contract_plans(*, seed: int = 13, now: datetime | None = None) -> list[Plan]:
    """What the demo's contracts will be, from the seed and today only."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}:contracts")
    months = _months(now)
    counts = _allocate(REGISTERED_COUNT, [w for _y, _m, w in months])
    # Every type at least once, the rest by the weights.
    types = list(TYPE_WEIGHTS)
    rng.shuffle(types)
    types += rng.choices(
        list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()), k=REGISTERED_COUNT - len(types)
    )
    rng.shuffle(types)
    codes, weights = list(MARKET_WEIGHTS), list(MARKET_WEIGHTS.values())
    plans: list[Plan] = []
    today = timezone.localdate(now)
    for (year, month, _w), count in zip(months, counts, strict=True):
        last_day = monthrange(year, month)[1]
        if (year, month) == (today.year, today.month):
            last_day = max(1, today.day - 2)
        for _ in range(count):
            index = len(plans)
            contract_type = types[index]
            amount, deduction = _amounts(rng, contract_type)
            day = rng.randint(1, last_day)
            # Year-end filings bunch up in the month's last weeks.
            if month == 12 and last_day > 20:
                day = max(day, rng.randint(10, last_day))
            moment = timezone.make_aware(datetime.combine(date(year, month, day), time(10)))
            registered = _workday(moment, rng)
            if registered.month != month:  # the 1st fell on a weekend
                registered = _workday(registered + timedelta(days=3), rng)
            registered = min(registered, now - timedelta(hours=30))
            corrected = index % CORRECTED_EVERY == CORRECTED_EVERY - 1
            plan = Plan(
                index=index,
                status=RegistrationStatus.REGISTERED,
                market_code=rng.choices(codes, weights=weights)[0],
                contract_type=contract_type,
                amount=amount,
                deduction=deduction,
                corrected=corrected,
            )
            plan.times = _in_order(_registered_times(rng, registered, now, corrected), rng)
            if corrected:
                plan.note = RETURN_NOTES[index // CORRECTED_EVERY % len(RETURN_NOTES)]
            plans.append(plan)
    # A few major projects (千万元级) among the development and transfer contracts.
    majors = random.Random(f"{seed}:majors")
    large = [p for p in plans if _family(p.contract_type) in ("dev", "transfer")]
    for plan in majors.sample(large, min(MAJOR_PROJECTS, len(large))):
        plan.amount = _round_amount(majors.uniform(1200, 4800))
        if plan.deduction is not None:
            kind, text, _part = plan.deduction
            share = Decimal(str(round(majors.uniform(0.05, 0.3), 2)))
            plan.deduction = (kind, text, (plan.amount * share).quantize(Decimal("0.01")))
    refusals = iter(REFUSALS)
    returns = iter(RETURN_NOTES)
    for status, market_code, days_ago in PENDING:
        index = len(plans)
        contract_type = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
        amount, deduction = _amounts(rng, contract_type)
        plan = Plan(index, status, market_code, contract_type, amount, deduction)
        last = now - timedelta(days=days_ago, hours=rng.randint(1, 3))
        if days_ago:
            last = _workday(last, rng)
        plan.times = _in_order(_pending_times(rng, status, last), rng)
        if status == RegistrationStatus.RETURNED:
            plan.note = next(returns)
        if status == RegistrationStatus.REFUSED:
            plan.ground, plan.note = next(refusals)
        plans.append(plan)
    return plans


# ── Making them, through the services ────────────────────────────────────────────────────


class Cast:
    """Who the demo's contracts are between, and who takes their steps."""

    def __init__(self, rng: random.Random):
        achievements = list(
            Achievement.objects.filter(status=ListingStatus.PUBLISHED)
            .select_related("owner__market")
            .order_by("pk")
        )
        self.achievements: dict[str, list[Achievement]] = defaultdict(list)
        for achievement in achievements:
            self.achievements[achievement.owner.market.code].append(achievement)
        for items in self.achievements.values():
            rng.shuffle(items)
        self.demands = list(
            Demand.objects.filter(status=ListingStatus.PUBLISHED)
            .select_related("owner")
            .order_by("pk")
        )
        self.demands_by_field: dict[str, list[Demand]] = defaultdict(list)
        for demand in self.demands:
            self.demands_by_field[demand.field].append(demand)
        brokers = list(
            Broker.objects.filter(active=True).select_related("user", "institution").order_by("pk")
        )
        self.login_broker = next((b for b in brokers if b.user.username == "broker"), None)
        self.brokers = rng.sample(brokers, min(30, len(brokers)))
        self.university = _org_of("university")
        self.enterprise = _org_of("enterprise")
        self.markets = {m.code: m for m in Market.objects.all()}
        self.clerks: dict[int, list[User]] = defaultdict(list)
        for m in (
            Membership.objects.filter(role=Role.WINDOW_CLERK, market__isnull=False)
            .select_related("user")
            .order_by("user__username")
        ):
            self.clerks[m.market_id].append(m.user)
        self.operators = list(
            User.objects.filter(memberships__role=Role.OPERATOR).distinct().order_by("pk")
        )
        self.used: dict[str, int] = defaultdict(int)

    def pair(self, rng: random.Random, plan: Plan) -> tuple[Achievement, Demand, Broker] | None:
        broker = rng.choice(self.brokers)
        seller_pool = self.achievements.get(plan.market_code) or next(
            iter(self.achievements.values()), []
        )
        if plan.status == RegistrationStatus.REGISTERED:
            if plan.index % 10 == 3 and self.login_broker is not None:
                broker = self.login_broker
            if plan.index % 15 == 7 and self.university is not None:
                own = [a for a in seller_pool if a.owner_id == self.university.pk]
                seller_pool = own or seller_pool
        if not seller_pool:
            return None
        achievement = seller_pool[self.used[plan.market_code] % len(seller_pool)]
        self.used[plan.market_code] += 1
        demands = self.demands_by_field.get(achievement.field) or self.demands
        if plan.index % 20 == 11 and self.enterprise is not None:
            demands = [d for d in self.demands if d.owner_id == self.enterprise.pk] or demands
        for _ in range(20):
            demand = rng.choice(demands)
            if demand.owner_id != achievement.owner_id:
                return achievement, demand, broker
        return None

    def registry(self, rng: random.Random, market_id: int) -> User | None:
        clerks = self.clerks.get(market_id)
        if clerks:
            # The first clerk (the demo's 刘晓燕 in Wuhan) takes most of the window's cases.
            return clerks[0] if len(clerks) == 1 or rng.random() < 0.7 else rng.choice(clerks)
        return next((u for u in self.operators if market_id in operated_market_ids(u)), None)


def _org_of(username: str):
    membership = (
        Membership.objects.filter(user__username=username, role=Role.ORG_ADMIN)
        .select_related("organization")
        .first()
    )
    return membership.organization if membership else None


def _document(deal: Deal, by: User, stage: str, kind: str, name: str) -> None:
    deal_document_add(
        deal=deal,
        actor=by,
        upload=SimpleUploadedFile(name, _pdf(f"Deal {deal.pk} {kind}")),
        stage=stage,
        kind=kind,
        token=uuid.uuid5(NAMESPACE, f"doc:{deal.pk}:{stage}:{kind}"),
    )


def contract_documents(deal: Deal, by: User, contract_type: str) -> None:
    """What the filing needs for the type, uploaded at the signing: the contract text, and
    the proof of the right (or of the intermediary's service)."""
    suffix = TITLE_SUFFIX[contract_type]
    for kind, _label in REQUIRED_DOCUMENTS[contract_type]:
        name = {
            DocumentKind.CONTRACT: f"{suffix}（双方签字盖章）.pdf",
            DocumentKind.PROOF: (
                "促成交易的中介服务协议.pdf"
                if contract_type == ContractType.SERVICE_INTERMEDIARY
                else "专利证书及权属证明.pdf"
            ),
        }[kind]
        _document(deal, by, DealStage.SIGNED, kind, name)


def contract_fill(
    *,
    deal: Deal,
    by: User,
    contract_type: str,
    amount: Decimal,
    signed_on: date,
    deduction: tuple[str, str, Decimal] | None = None,
    rng: random.Random,
) -> Contract:
    months = {"dev": (6, 24), "transfer": (12, 60), "consulting": (2, 6), "service": (3, 24)}
    lo, hi = months[_family(contract_type)]
    title = (deal.achievement.title if deal.achievement_id else deal.title)[:120]
    return contract_create(
        deal=deal,
        by=by,
        contract_type=contract_type,
        title=f"{title}{TITLE_SUFFIX[contract_type]}",
        signed_on=signed_on,
        term_start=signed_on,
        term_end=signed_on + timedelta(days=30 * rng.randint(lo, hi)),
        amount=amount,
        deductions=(
            [{"kind": deduction[0], "description": deduction[1], "amount": deduction[2]}]
            if deduction
            else []
        ),
        token=uuid.uuid5(NAMESPACE, f"contract:{deal.pk}"),
    )


def contract_register_now(
    *, deal: Deal, by: User, registry: User, contract_type: str, rng: random.Random
) -> Contract:
    """A signed deal's contract filled in, filed and registered at once, through the
    services (the brokers' boards; their history is back-dated afterwards)."""
    contract_documents(deal, by, contract_type)
    contract = contract_fill(
        deal=deal,
        by=by,
        contract_type=contract_type,
        amount=deal.expected_amount or Decimal("50"),
        signed_on=timezone.localdate(),
        rng=rng,
    )
    contract = contract_apply(contract=contract, by=by)
    contract = contract_accept(contract=contract, by=registry)
    return contract_register(contract=contract, by=registry)


def pay_service_fee(deal: Deal) -> Payment | None:
    """The buyer pays the brokers' service fee (the signing's commission), confirmed by the
    dummy provider as its callback would; the confirmation books the fee's ledger lines."""
    payer = _editor(deal.buyer_id) if deal.buyer_id else None
    signing = deal.commission_lines.filter(kind=CommissionLineKind.SIGNING).first()
    if payer is None or signing is None:
        return None
    payment = payment_start(
        purpose=PaymentPurpose.SERVICE_FEE,
        total=signing.commission,
        payer=deal.buyer,
        actor=payer,
        return_url=deal.get_absolute_url(),
        description=f"技术经纪服务费：{deal.title}",
        deal=deal,
        token=uuid.uuid5(NAMESPACE, f"fee:{deal.pk}"),
    )
    payment.change_status(PaymentStatus.CONFIRMED)
    return payment


def _make(plan: Plan, cast: Cast, rng: random.Random) -> Deal | None:
    picked = cast.pair(rng, plan)
    if picked is None:
        return None
    achievement, demand, broker = picked
    user = broker.user
    deal = deal_open_lead(
        actor=user,
        title=f"{achievement.title[:80]} → {demand.owner.name}",
        achievement=achievement,
        demand=demand,
        expected_amount=plan.amount,
        token=plan.token,
    )
    for step in ("contact", "negotiate"):
        deal = deal_advance(deal=deal, transition=step, by=user, expected_stage=deal.stage)
    _document(deal, user, DealStage.NEGOTIATION, DocumentKind.MINUTES, "洽谈会议纪要.pdf")
    # The signing's ledger lines, booked at the signing's time (`at`, for a history loaded
    # afterwards); the signing itself then finds them and books nothing twice.
    commission_book_signing(deal=deal, at=plan.times["sign"])
    deal = deal_advance(deal=deal, transition="sign", by=user, expected_stage=deal.stage)
    contract_documents(deal, user, plan.contract_type)
    contract = contract_fill(
        deal=deal,
        by=user,
        contract_type=plan.contract_type,
        amount=plan.amount,
        signed_on=timezone.localdate(plan.times["sign"]),
        deduction=plan.deduction,
        rng=rng,
    )
    if plan.status == RegistrationStatus.DRAFT:
        return deal
    seller_editor = _editor(deal.seller_id)
    applicant = seller_editor if seller_editor is not None and rng.random() < 0.4 else user
    registry = cast.registry(rng, contract.market_id)
    if registry is None:
        return deal
    contract = contract_apply(contract=contract, by=applicant)
    if plan.status == RegistrationStatus.RETURNED or plan.corrected:
        contract = contract_return(contract=contract, by=registry, note=plan.note)
        if plan.status == RegistrationStatus.RETURNED:
            return deal
        contract = contract_update(
            contract=contract,
            by=user,
            contract_type=contract.contract_type,
            title=contract.title,
            signed_on=contract.signed_on,
            term_start=contract.term_start,
            term_end=contract.term_end,
            amount=contract.amount,
            deductions=[
                {"kind": d.kind, "description": d.description, "amount": d.amount}
                for d in contract.deductions.all()
            ],
        )
        contract = contract_apply(contract=contract, by=applicant)
    if plan.status == RegistrationStatus.APPLIED:
        return deal
    contract = contract_accept(contract=contract, by=registry)
    if plan.status == RegistrationStatus.ACCEPTED:
        return deal
    if plan.status == RegistrationStatus.REFUSED:
        contract_refuse(contract=contract, by=registry, ground=plan.ground, note=plan.note)
        return deal
    contract_register(contract=contract, by=registry)
    deal.refresh_from_db()
    if "fee" in plan.times:
        pay_service_fee(deal)
    if "perform" in plan.times:
        deal = deal_advance(deal=deal, transition="perform", by=user, expected_stage=deal.stage)
        _document(deal, user, DealStage.PERFORMED, DocumentKind.INVOICE, "技术服务费发票.pdf")
    if "close" in plan.times:
        deal = deal_advance(deal=deal, transition="close", by=user, expected_stage=deal.stage)
        _rate(deal, rng)
    return deal


# ── Back-dating ──────────────────────────────────────────────────────────────────────────


class Stamps:
    """The back-dated timestamps of many deals, written at the end in one bulk update per
    model."""

    def __init__(self):
        self.rows: dict[type, dict[int, tuple[object, set[str]]]] = defaultdict(dict)

    def set(self, obj, **values) -> None:
        model = type(obj)
        row, fields = self.rows[model].setdefault(obj.pk, (obj, set()))
        for name, value in values.items():
            setattr(row, name, value)
            fields.add(name)

    def write(self) -> None:
        for model, rows in self.rows.items():
            fields = sorted({f for _obj, names in rows.values() for f in names})
            if not fields:
                continue
            # The ledger refuses every change to a line through its own manager (a correction
            # is a reversal). Its booking time alone is written here, through the base
            # manager, for lines the demo booked moments ago in this same transaction and
            # whose events it dates in the past: nothing else of a line is ever touched.
            manager = model._base_manager if model is CommissionLine else model.objects
            manager.bulk_update([obj for obj, _ in rows.values()], fields, 200)
        self.rows.clear()


def _logs(model, ids: Iterable[int]) -> dict[int, list[TransitionLog]]:
    content_type = ContentType.objects.get_for_model(model)
    out: dict[int, list[TransitionLog]] = defaultdict(list)
    for log in TransitionLog.objects.filter(content_type=content_type, object_id__in=list(ids)):
        out[log.object_id].append(log)
    for logs in out.values():
        logs.sort(key=lambda log: log.pk)
    return out


def _contract_logs_named(logs: list[TransitionLog]) -> list[str]:
    """The plan's key of each of a contract's log lines: the second apply is the re-apply."""
    names, applied = [], 0
    for log in logs:
        name = log.transition
        if name == "apply":
            applied += 1
            name = "apply" if applied == 1 else "reapply"
        names.append(name)
    return names


def _stamp_contract(stamps: Stamps, contract: Contract, logs, at: dict[str, datetime]) -> None:
    values: dict[str, object] = {}
    for log, name in zip(logs, _contract_logs_named(logs), strict=True):
        if name in at:
            stamps.set(log, at=at[name])
    if "create" in at:
        values["created_at"] = at["create"]
    applied = at.get("reapply") or at.get("apply")
    if contract.applied_at and applied:
        values["applied_at"] = applied
    if contract.accepted_at and "accept" in at:
        values["accepted_at"] = at["accept"]
        values["decision_due_at"] = at["accept"] + timedelta(days=DECISION_DAYS)
    decided = at.get("register") or at.get("refuse")
    if contract.decided_at and decided:
        values["decided_at"] = decided
    if contract.registered_on and "register" in at:
        values["registered_on"] = timezone.localdate(at["register"])
    if values:
        stamps.set(contract, **values)


def _stamp_records(stamps: Stamps, deal: Deal, stage_at: dict[str, datetime], now) -> None:
    """A deal's documents, brokers, ledger lines, fee payments and notifications, at the
    times of the stages they belong to (the deal's own log is already stamped)."""
    opened = stage_at.get(DealStage.LEAD)
    if opened is None:
        return
    last = max(stage_at.values())
    stamps.set(deal, created_at=opened, updated_at=last, stage_changed_at=last)
    for role in DealBroker.objects.filter(deal=deal):
        stamps.set(role, added_at=opened)
    for i, doc in enumerate(DealDocument.objects.filter(deal=deal).order_by("pk")):
        at = stage_at.get(doc.stage, opened) + timedelta(hours=2, minutes=7 * i)
        stamps.set(doc, uploaded_at=min(at, now))
    signed = stage_at.get(DealStage.SIGNED)
    registered = stage_at.get(DealStage.REGISTERED)
    fee_at = None
    if registered is not None:
        after = [t for t in stage_at.values() if t > registered]
        fee_at = registered + timedelta(days=5)
        fee_at = min([fee_at, now - timedelta(hours=2), *after])
        fee_at = max(fee_at, registered + timedelta(hours=3)) if fee_at < now else now
    for line in CommissionLine.objects.filter(deal=deal):
        # A signing's lines are booked at the signing's time by the service itself (`at`);
        # a fee's line is booked when the payment settles, which the handler stamps now.
        if line.kind == CommissionLineKind.PAYMENT and fee_at is not None:
            stamps.set(line, booked_at=fee_at)
        elif line.kind == CommissionLineKind.SIGNING and signed and line.booked_at != signed:
            stamps.set(line, booked_at=signed)
    for payment in Payment.objects.filter(deal=deal, purpose=PaymentPurpose.SERVICE_FEE):
        if fee_at is not None:
            stamps.set(
                payment,
                created=fee_at - timedelta(minutes=20),
                modified=fee_at,
                settled_at=fee_at if payment.settled_at else None,
            )


def _stamp_notifications(urls_at: dict[str, datetime], now) -> None:
    """The notifications the steps sent, at the steps' times; those of past weeks read."""
    if not urls_at:
        return
    for n in Notification.objects.filter(url__in=list(urls_at)).only("pk", "url"):
        at = urls_at[n.url]
        read = at + timedelta(hours=5) if at < now - timedelta(days=14) else None
        Notification.objects.filter(pk=n.pk).update(created_at=at, read_at=read)


def _stage_times(logs: list[TransitionLog], planned: dict[str, datetime]) -> dict[str, datetime]:
    """Stamp a deal's log lines with the plan's times of their transitions; returns when it
    entered each stage."""
    stage_at = {}
    for log in logs:
        at = planned.get(log.transition)
        if at is not None:
            log.at = at
        stage_at[log.to_state] = log.at
    return stage_at


def renumber_registrations() -> int:
    """Draw every registration number (登记编号) again in the order of the registration
    dates: year, the registry's region code and the serial within the year, as
    `registration_number` draws them; a later registration then continues the series."""
    rows = list(
        Contract.objects.filter(registration_status=RegistrationStatus.REGISTERED)
        .select_related("market")
        .order_by("registered_on", "decided_at", "pk")
    )
    serials: dict[str, int] = defaultdict(int)
    changed = []
    for contract in rows:
        prefix = f"{contract.registered_on.year}{contract.market.region_code}"
        serials[prefix] += 1
        number = f"{prefix}{serials[prefix]:06d}"
        if contract.registration_no != number:
            contract.registration_no = number
            changed.append(contract)
    if changed:
        # Two passes, so that no number is held twice in between (it is unique).
        final = {c.pk: c.registration_no for c in changed}
        for contract in changed:
            contract.registration_no = f"renumber-{contract.pk}"
        Contract.objects.bulk_update(changed, ["registration_no"], 200)
        for contract in changed:
            contract.registration_no = final[contract.pk]
        Contract.objects.bulk_update(changed, ["registration_no"], 200)
        # The deal's log, and the notification of the registration, name its number: both
        # read in two queries and written in one bulk update each.
        numbers = {c.deal_id: f"登记编号 {c.registration_no}" for c in changed}
        logs = list(
            TransitionLog.objects.filter(
                content_type=ContentType.objects.get_for_model(Deal),
                object_id__in=list(numbers),
                transition="register",
            )
        )
        for log in logs:
            log.reason = numbers[log.object_id]
        TransitionLog.objects.bulk_update(logs, ["reason"], 200)
        bodies = {c.get_absolute_url(): numbers[c.deal_id] for c in changed}
        notes = list(Notification.objects.filter(url__in=list(bodies), body__startswith="登记编号"))
        for note in notes:
            note.body = bodies[note.url]
        Notification.objects.bulk_update(notes, ["body"], 200)
    return len(changed)


# ── The two entry points ─────────────────────────────────────────────────────────────────


@transaction.atomic
def demo_contracts(*, seed: int = 13, now: datetime | None = None) -> dict[str, int]:
    """Make the demo's contracts (see the module's doc); returns how many deals it made
    and how many contracts there are in each registration state."""
    now = now or timezone.now()
    plans = contract_plans(seed=seed, now=now)
    existing = set(
        Deal.objects.filter(token__in=[p.token for p in plans]).values_list("token", flat=True)
    )
    todo = [p for p in plans if p.token not in existing]
    made = []
    if todo:
        rng = random.Random(f"{seed}:cast")
        cast = Cast(rng)
        for plan in todo:
            deal = _make(plan, cast, random.Random(f"{seed}:contract:{plan.index}"))
            if deal is not None:
                made.append((plan, deal))
        _back_date_planned(made, now)
        renumber_registrations()
        # The dates were written in bulk, past the receivers that keep the home page's
        # figures fresh: tell them.
        transaction.on_commit(lambda: fragments_bump(FIGURES_FRAGMENTS))
        fragments_bump(FIGURES_FRAGMENTS)
    counts = {
        status: Contract.objects.filter(registration_status=status).count()
        for status in RegistrationStatus.values
    }
    return {"deals": len(made), **counts}


def _back_date_planned(made: list[tuple[Plan, Deal]], now: datetime) -> None:
    stamps = Stamps()
    deal_logs = _logs(Deal, [d.pk for _p, d in made])
    contracts = {c.deal_id: c for c in Contract.objects.filter(deal__in=[d for _p, d in made])}
    contract_logs = _logs(Contract, [c.pk for c in contracts.values()])
    urls_at: dict[str, datetime] = {}
    for plan, deal in made:
        logs = deal_logs.get(deal.pk, [])
        stage_at = _stage_times(logs, plan.times)
        for log in logs:
            stamps.set(log, at=log.at)
        contract = contracts.get(deal.pk)
        if contract is not None:
            _stamp_contract(stamps, contract, contract_logs.get(contract.pk, []), plan.times)
            decided = plan.times.get("register") or plan.times.get("refuse")
            decided = decided or plan.times.get("return_for_correction")
            if decided:
                urls_at[contract.get_absolute_url()] = decided
        _stamp_records(stamps, deal, stage_at, now)
    stamps.write()
    _stamp_notifications(urls_at, now)


@transaction.atomic
def demo_back_date(deals: Iterable[Deal], *, now: datetime | None = None) -> int:
    """Align the records of deals whose own history is already back-dated (the brokers'
    boards): their documents, ledger lines and fee payments at the times of their stages,
    and their contracts' registration steps between the signing and the registration.
    Returns how many deals it aligned. Running it again changes nothing."""
    now = now or timezone.now()
    deals = list(deals)
    stamps = Stamps()
    deal_logs = _logs(Deal, [d.pk for d in deals])
    contracts = {c.deal_id: c for c in Contract.objects.filter(deal__in=deals)}
    contract_logs = _logs(Contract, [c.pk for c in contracts.values()])
    urls_at: dict[str, datetime] = {}
    for deal in deals:
        logs = deal_logs.get(deal.pk, [])
        stage_at = {log.to_state: log.at for log in logs}
        contract = contracts.get(deal.pk)
        signed = stage_at.get(DealStage.SIGNED)
        if contract is not None and signed is not None:
            end = stage_at.get(DealStage.REGISTERED) or now - timedelta(hours=1)
            gap = end - signed
            at = {
                "create": signed + gap * 0.15,
                "apply": signed + gap * 0.35,
                "accept": signed + gap * 0.6,
                "register": end,
            }
            _stamp_contract(stamps, contract, contract_logs.get(contract.pk, []), at)
            signed_on = timezone.localdate(signed)
            stamps.set(
                contract,
                signed_on=signed_on,
                term_start=signed_on,
                term_end=signed_on + (contract.term_end - contract.term_start),
            )
            if "register" in at and contract.registered_on:
                urls_at[contract.get_absolute_url()] = end
        _stamp_records(stamps, deal, stage_at, now)
    stamps.write()
    _stamp_notifications(urls_at, now)
    renumber_registrations()
    transaction.on_commit(lambda: fragments_bump(FIGURES_FRAGMENTS))
    fragments_bump(FIGURES_FRAGMENTS)
    return len(deals)
