"""Builds the demo market: markets and their windows, organizations, people and roles,
brokers, and a thousand-odd technology achievements and demands written in Chinese.

Everything is drawn from seeded random generators, one per section, so every run produces
the same market and a change to one section does not reshuffle the others. Every object is
keyed by what identifies it in real life (a market's code, a credit code, a username, a
certificate number, a listing's owner and ref), so running the load again adds nothing
twice and restores only what was deleted.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone
from stdnum.cn import uscc
from tqdm import tqdm

from brokers.choices import BrokerGrade
from brokers.models import Broker
from demo import vocabulary as v
from listings.choices import (
    CooperationMode,
    IPKind,
    IPStatus,
    ListingStatus,
    MaturityStage,
    TechField,
)
from listings.models import Achievement, Demand, IntellectualProperty, Mode
from listings.validators import patent_check_char
from market.choices import MarketKind, OrganizationKind, Role
from market.models import Market, Membership, Organization, TransitionLog, User
from market.services import membership_grant
from windows.models import ServiceWindow

SEED = "hubei-tech-market-demo"
DEMO_PASSWORD = "demo12345"
ACHIEVEMENT_COUNT = 650
DEMAND_COUNT = 450
ACHIEVEMENT_REF = "DEMO-A-{:04d}"
DEMAND_REF = "DEMO-D-{:04d}"
# Achievements offered by enterprises themselves rather than by universities and institutes.
ENTERPRISE_SUPPLIERS = 20
ACHIEVEMENTS_PER_ENTERPRISE = 4
BATCH = 250


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    name: str


DEMO_LOGINS = (
    DemoLogin("系统管理员（超级用户）", "admin", "系统管理员"),
    DemoLogin("主市场运营人员", "operator", "周明远"),
    DemoLogin("分市场运营人员（武汉）", "submarket_operator", "陈思琪"),
    DemoLogin("窗口工作人员（武汉）", "clerk", "刘晓燕"),
    DemoLogin("高校机构管理员", "university", "王建华"),
    DemoLogin("企业机构管理员", "enterprise", "张志强"),
    DemoLogin("技术经纪人", "broker", "李文博"),
)
LOGIN_NAMES = {login.username: login.name for login in DEMO_LOGINS}


class DemoConflict(Exception):
    """The database holds a market network the demo cannot join."""


@dataclass
class DemoReport:
    already_loaded: bool
    created: Counter = field(default_factory=Counter)
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_is_loaded() -> bool:
    """The whole demo is there: the main market, every demo login and every listing."""
    return (
        Market.objects.filter(code=v.MAIN_MARKET["code"], kind=MarketKind.MAIN).exists()
        and User.objects.filter(username__in=LOGIN_NAMES).count() == len(LOGIN_NAMES)
        and Achievement.objects.filter(ref__startswith="DEMO-A-").count() >= ACHIEVEMENT_COUNT
        and Demand.objects.filter(ref__startswith="DEMO-D-").count() >= DEMAND_COUNT
    )


def demo_totals() -> dict[str, int]:
    totals = {
        "技术市场": Market.objects.count(),
        "服务窗口": ServiceWindow.objects.count(),
    }
    for kind in OrganizationKind:
        totals[str(kind.label)] = Organization.objects.filter(kind=kind).count()
    totals["用户"] = User.objects.count()
    totals["成员角色"] = Membership.objects.count()
    totals["技术经纪人"] = Broker.objects.count()
    totals["科技成果"] = Achievement.objects.count()
    totals["技术需求"] = Demand.objects.count()
    totals["知识产权"] = IntellectualProperty.objects.count()
    return totals


def load_demo(*, progress: bool = False) -> DemoReport:
    """Load the demo market unless it is already complete. Safe to run any number of times."""
    started = time.perf_counter()
    if demo_is_loaded():
        return DemoReport(already_loaded=True, totals=demo_totals())
    builder = DemoBuilder(progress=progress)
    with transaction.atomic():
        builder.build()
    return DemoReport(
        already_loaded=False,
        created=builder.created,
        totals=demo_totals(),
        seconds=time.perf_counter() - started,
    )


# -- small helpers -----------------------------------------------------------------------


def _rng(section: str) -> random.Random:
    return random.Random(f"{SEED}:{section}")


def _number(rng: random.Random, lo: float, hi: float) -> float | int:
    """A value between lo and hi, rounded the way people write such numbers."""
    if isinstance(lo, int) and isinstance(hi, int):
        step = 100 if hi >= 2000 else 10 if hi >= 300 else 1
        return rng.randint(-(-lo // step), hi // step) * step
    return round(rng.uniform(lo, hi), 2 if hi < 1 else 1)


def _fmt(value: float | int) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _quantity(value: int, unit: str) -> str:
    if value >= 10000 and not unit.startswith("万"):
        return f"{_fmt(round(value / 10000, 2))}万{unit}"
    return f"{value}{unit}"


def _round(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _pick_template(rng: random.Random, templates: Iterable[str], **available: Any) -> str:
    """A template whose placeholders are all available (a subject with one application
    cannot fill a sentence that names two)."""
    missing = [f"{{{name}}}" for name, value in available.items() if value is None]
    return rng.choice([t for t in templates if not any(m in t for m in missing)])


def _fill(template: str, values: dict[str, Any]) -> str:
    return template.format(**values)


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), so counts are exact."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _gb11714_code(rng: random.Random, *, letters: bool) -> str:
    """A 9-character organization code (组织机构代码, GB 11714) with its check character;
    newer registrations start with MA."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = (
        "MA" + "".join(rng.choice(alphabet) for _ in range(6))
        if letters
        else (str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(7)))
    )
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True)
    )
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(rng: random.Random, *, prefix: str, region_code: str) -> str:
    """A unified social credit code (统一社会信用代码): registration authority and kind,
    the 6-digit region, the organization code, and the check character of GB 32100."""
    first17 = (
        prefix + region_code + _gb11714_code(rng, letters=prefix == "91" and rng.random() < 0.6)
    )
    return first17 + uscc.calc_check_digit(first17)


def patent_number(rng: random.Random, *, year: int, kind_digit: str, granted: bool) -> str:
    """A Chinese application number (申请号): year, patent kind, 7-digit serial, check char.
    Granted patents are written with the ZL prefix."""
    digits = f"{year}{kind_digit}{rng.randint(10000, 1599999):07d}"
    number = f"{digits}.{patent_check_char(digits)}"
    return f"ZL{number}" if granted else number


# -- specifications (no database) --------------------------------------------------------


@dataclass
class OrgSpec:
    kind: str
    name: str
    region_code: str
    credit_prefix: str
    themes: tuple[str, ...] = ()
    weight: float = 1.0
    fields: tuple[str, ...] = ()
    profile: v.Profile | None = None
    facts: dict = field(default_factory=dict)
    market_code: str = ""
    credit_code: str = ""
    address: str = ""
    phone: str = ""
    description: str = ""
    obj: Organization | None = None  # the saved organization, once it exists
    editors: list[User] = field(default_factory=list)


class NameBook:
    """Chinese personal names, never the same twice in the demo."""

    def __init__(self, rng: random.Random, reserved: Iterable[str]):
        self.rng = rng
        self.used = set(reserved)

    def name(self) -> str:
        while True:
            given = "".join(
                self.rng.choice(v.GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2)))
            )
            candidate = self.rng.choice(v.SURNAMES) + given
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate

    def mobile(self) -> str:
        return self.rng.choice(v.MOBILE_PREFIXES) + f"{self.rng.randint(0, 99999999):08d}"


def office_phone(rng: random.Random, region_code: str) -> str:
    city = v.city_of(region_code)
    digits = 8 if city.area_code == "027" else 7
    first = rng.randint(5, 8)
    return f"{city.area_code}-{first}{rng.randint(0, 10 ** (digits - 1) - 1):0{digits - 1}d}"


def street_address(rng: random.Random, region_code: str, building: str = "") -> str:
    city = v.city_of(region_code)
    return (
        f"{city.name}市{v.district_name(region_code)}{rng.choice(city.roads)}"
        f"{rng.randint(1, 399)}号{building}"
    )


def market_code_for(region_code: str) -> str:
    city_code = v.city_of(region_code).code
    return next(code for code, _name, city, _ind in v.SUB_MARKETS if city == city_code)


def field_labels(fields: Iterable[str]) -> str:
    return "、".join(str(TechField(f).label) for f in fields)


def theme_fields(theme_keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.THEMES_BY_KEY[k].field for k in theme_keys))


def organization_specs() -> list[OrgSpec]:
    """Every demo organization, with its credit code, address and description."""
    rng = _rng("organizations")
    specs: list[OrgSpec] = []
    for name, district, themes, weight in v.UNIVERSITIES:
        specs.append(OrgSpec(OrganizationKind.UNIVERSITY, name, district, "12", themes, weight))
    for name, district, themes, weight in v.INSTITUTES:
        specs.append(OrgSpec(OrganizationKind.INSTITUTE, name, district, "12", themes, weight))
    for name, district, prefix, fields in v.TRANSFER_INSTITUTIONS:
        specs.append(
            OrgSpec(OrganizationKind.TRANSFER_INSTITUTION, name, district, prefix, fields=fields)
        )
    specs.extend(enterprise_specs(rng))
    operator_name, operator_district = v.OPERATOR_ORGANIZATION
    specs.append(OrgSpec(OrganizationKind.OPERATOR, operator_name, operator_district, "12"))

    seen: set[str] = set()
    for spec in specs:
        if spec.themes and not spec.fields:
            spec.fields = theme_fields(spec.themes)
        spec.market_code = (
            v.MAIN_MARKET["code"]
            if spec.kind == OrganizationKind.OPERATOR
            else market_code_for(spec.region_code)
        )
        while not spec.credit_code or spec.credit_code in seen:
            spec.credit_code = credit_code(
                rng, prefix=spec.credit_prefix, region_code=spec.region_code
            )
        seen.add(spec.credit_code)
        spec.address = street_address(rng, spec.region_code)
        spec.phone = office_phone(rng, spec.region_code)
        spec.description = organization_description(rng, spec)
    return specs


def enterprise_specs(rng: random.Random) -> list[OrgSpec]:
    brands = list(v.ENTERPRISE_BRANDS)
    rng.shuffle(brands)
    specs = []
    for city_code, (count, profiles) in v.CITY_ENTERPRISES.items():
        city = v.CITIES[city_code]
        for i in range(count):
            profile = v.PROFILES_BY_KEY[profiles[i % len(profiles)]]
            business = rng.choice(profile.business)
            place = city.name if rng.random() < 0.8 else v.PROVINCE
            suffixes = ("有限公司", "股份有限公司")
            if not business.endswith("科技"):
                suffixes += ("科技有限公司",)
            suffix = rng.choice(suffixes)
            ent_type = rng.choice(v.ENTERPRISE_TYPES)
            founded = (
                rng.randint(1985, 2000) if ent_type == "国有控股企业" else rng.randint(2000, 2019)
            )
            staff = rng.choice((60, 80, 120, 200, 300, 500, 800, 1500))
            specs.append(
                OrgSpec(
                    OrganizationKind.ENTERPRISE,
                    f"{place}{brands.pop()}{business}{suffix}",
                    rng.choice(city.districts)[0],
                    "91",
                    profile_themes(profile),
                    rng.uniform(0.6, 1.4),
                    profile=profile,
                    # What the company says about itself, the same in every text it writes.
                    facts={
                        "main": profile.main,
                        "ent_type": ent_type,
                        "year": founded,
                        "staff": staff,
                        # Revenue in 亿元, in line with the headcount.
                        "value": _fmt(max(0.3, round(staff * rng.uniform(0.006, 0.025), 1))),
                        "n": rng.randint(20, 300),
                    },
                )
            )
    return specs


def profile_themes(profile: v.Profile) -> tuple[str, ...]:
    """The themes an industry's own problems fall in, most frequent first: what its
    enterprises develop themselves and offer as achievements."""
    counts = Counter(
        theme.key
        for theme in v.THEMES
        for scenario in theme.scenarios
        if scenario.product in profile.products
    )
    return tuple(key for key, _n in counts.most_common())


def profile_scenarios(profile: v.Profile) -> tuple[list, list]:
    """An industry's own problems, and the service problems any company of its kind has."""
    own = [
        (theme, scenario)
        for theme in v.THEMES
        if theme.field != TechField.HIGH_TECH_SERVICES
        for scenario in theme.scenarios
        if scenario.product in profile.products
    ]
    services = [
        (theme, scenario)
        for key in profile.services
        for theme in (v.THEMES_BY_KEY[key],)
        for scenario in theme.scenarios
    ]
    return own, services


def organization_description(rng: random.Random, spec: OrgSpec) -> str:
    values = {
        "name": spec.name,
        "fields": field_labels(spec.fields),
        "n": rng.randint(6, 40),
        "city": v.city_of(spec.region_code).name,
        "provinces": rng.randint(8, 31),
        **spec.facts,
    }
    templates = {
        OrganizationKind.UNIVERSITY: v.UNIVERSITY_DESCRIPTIONS,
        OrganizationKind.INSTITUTE: v.INSTITUTE_DESCRIPTIONS,
        OrganizationKind.ENTERPRISE: v.ENTERPRISE_DESCRIPTIONS,
        OrganizationKind.TRANSFER_INSTITUTION: v.TRANSFER_DESCRIPTIONS,
    }.get(spec.kind)
    if templates is None:
        return v.OPERATOR_DESCRIPTION
    return _fill(rng.choice(templates), values)


# -- listing texts -----------------------------------------------------------------------


def _mode_labels(codes: Iterable[str]) -> str:
    return "、".join(str(CooperationMode(code).label) for code in codes)


def _gain_text(rng: random.Random, gain: v.Gain) -> str:
    return f"{gain.name}{gain.verb}{_fmt(_number(rng, gain.lo, gain.hi))}{gain.unit}"


def _target_values(rng: random.Random, target: v.Target) -> tuple[str, str]:
    return _fmt(_number(rng, *target.now)), _fmt(_number(rng, *target.goal))


def _overlaps(a: str, b: str) -> bool:
    """Whether two phrases share a two-character word."""
    return any(a[i : i + 2] in b for i in range(len(a) - 1))


def _keywords(rng: random.Random, text: str, candidates: Iterable[str]) -> list[str]:
    """Two to five keywords, each of which the listing's own text contains."""
    found = [k for k in dict.fromkeys(candidates) if k and len(k) <= 30 and k in text]
    return found[: max(2, rng.randint(3, 5))]


STAGES = (
    (MaturityStage.LAB, (1, 3), 0.18),
    (MaturityStage.SMALL_PILOT, (4, 5), 0.25),
    (MaturityStage.PILOT, (6, 7), 0.32),
    (MaturityStage.INDUSTRIAL, (8, 9), 0.25),
)
PRICE_RANGES = {
    MaturityStage.LAB: (10, 80),
    MaturityStage.SMALL_PILOT: (30, 200),
    MaturityStage.PILOT: (50, 500),
    MaturityStage.INDUSTRIAL: (100, 1500),
}
SERVICE_PRICE_RANGE = (5, 50)
INVESTMENT_RANGES = {
    MaturityStage.LAB: (200, 800),
    MaturityStage.SMALL_PILOT: (300, 1500),
    MaturityStage.PILOT: (500, 3000),
    MaturityStage.INDUSTRIAL: (1000, 8000),
}
BUDGET_RANGES = (
    ((10, 30), 3), ((20, 50), 4), ((30, 80), 4), ((50, 100), 4), ((50, 150), 3),
    ((100, 200), 3), ((100, 300), 2), ((200, 500), 2), ((300, 800), 1),
)  # fmt: skip


def _stage(rng: random.Random, theme: v.Theme) -> tuple[str, int]:
    if theme.kind == "service":
        # A service is offered once it runs: there is no lab-stage consulting.
        stage, trl_range, _weight = STAGES[2] if rng.random() < 0.3 else STAGES[3]
    else:
        stage, trl_range, _weight = rng.choices(STAGES, weights=[s[2] for s in STAGES])[0]
    return stage, rng.randint(*trl_range)


def _capacity(rng: random.Random, theme: v.Theme, stage: str) -> int:
    lo, hi = theme.scale
    third = lo + (hi - lo) // 3
    if stage == MaturityStage.INDUSTRIAL:
        return int(_number(rng, third, hi))
    return int(_number(rng, lo, max(lo + 1, third)))


def _economic_values(rng: random.Random, theme: v.Theme, stage: str, cap: int) -> dict:
    inv = _round(rng.uniform(*INVESTMENT_RANGES[stage]), 50)
    rev = _round(inv * rng.uniform(1.5, 4), 100)
    profit = _round(rev * rng.uniform(0.12, 0.3), 10)
    save = _round(inv * rng.uniform(0.25, 0.6), 10)
    unit_cost = round(rng.uniform(2, 60), 1)
    price = round(unit_cost * rng.uniform(1.5, 2.2), 1)
    software_price = rng.randint(10, 150)
    per_mu = _round(rng.uniform(80, 400), 10)
    price_lo = rng.randint(1, 5)
    service_price = price_lo * rng.randint(2, 6)
    values = {
        "inv": inv,
        "rev": rev,
        "profit": profit,
        "save": save,
        "payback": _fmt(min(8.0, max(1.5, round(inv / max(profit, save), 1)))),
        "ratio": rng.randint(40, 75),
        "unit_cost": _fmt(unit_cost),
        "price": _fmt(price),
        "margin": round((1 - unit_cost / price) * 100),
        "om": _fmt(round(software_price * rng.uniform(0.1, 0.2), 1)),
        "per_mu": per_mu,
        "price_lo": price_lo,
        "pct": rng.randint(15, 40),
        "n": rng.randint(5, 40),
    }
    if theme.kind == "software":
        values.update(price=software_price, save=_round(software_price * rng.uniform(0.5, 2), 5))
        values["rev"] = _round(software_price * values["n"], 10)
    elif theme.kind == "device":
        values["rev"] = _round(price * cap, 10)
    elif theme.kind in ("agri", "breeding"):
        values["rev"] = _round(cap * per_mu / 10000, 10)
    elif theme.kind == "service":
        values.update(price=service_price, rev=_round(cap * (price_lo + service_price) / 2, 10))
    elif theme.kind == "pharma":
        values["margin"] = rng.randint(60, 85)
    return values


@dataclass
class Planned:
    """One listing to be created, with what goes in other tables after it has an id."""

    ref: str
    owner: OrgSpec
    listing: Achievement | Demand
    modes: list[str]
    ip_items: list[dict] = field(default_factory=list)
    events: list[tuple[str, str, str, datetime, str, str]] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ListingWriter:
    """Writes listing texts for one owner at a time. Titles are kept distinct across the
    whole demo: a listing whose title was taken is simply written again."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self.titles: set[str] = set()
        self.patents: set[str] = set()

    def _unique(self, write: Callable[[], dict]) -> dict:
        for _attempt in range(40):
            text = write()
            if text["title"] not in self.titles:
                break
        self.titles.add(text["title"])
        return text

    # achievements

    def achievement(self, owner: OrgSpec, leader: str, theme: v.Theme) -> dict:
        stage, trl = _stage(self.rng, theme)
        modes = self._transfer_modes(theme, stage)
        text = self._unique(lambda: self._achievement_text(owner, leader, theme, stage, modes))
        text.update(stage=stage, trl=trl, modes=modes)
        text["ip_items"] = self._ip_items(theme, stage, text)
        return text

    def _transfer_modes(self, theme: v.Theme, stage: str) -> list[str]:
        M = CooperationMode
        if theme.kind == "service":
            pool = [M.SERVICE, M.JOINT_DEVELOPMENT]
        elif stage in (MaturityStage.LAB, MaturityStage.SMALL_PILOT):
            pool = [M.JOINT_DEVELOPMENT, M.LICENSE, M.TRANSFER, M.SERVICE]
        else:
            pool = [M.TRANSFER, M.LICENSE, M.EQUITY, M.JOINT_DEVELOPMENT, M.SERVICE]
        count = min(len(pool), self.rng.choice((1, 2, 2, 3)))
        return sorted(self.rng.sample(pool, count), key=list(M).index)

    def _achievement_text(
        self, owner: OrgSpec, leader: str, theme: v.Theme, stage: str, modes: list[str]
    ) -> dict:
        rng = self.rng
        subject = rng.choice(theme.subjects)
        apps = list(theme.applications_for(subject))
        rng.shuffle(apps)
        # An application that repeats the subject ("蛋鸡养殖用…蛋鸡饲料") goes last.
        apps.sort(key=lambda app: _overlaps(app, subject.name))
        app1, app2 = apps[0], (apps[1] if len(apps) > 1 else None)
        feature, feature2 = rng.sample(theme.features_for(subject), 2)
        # "激光熔覆再制造的激光熔覆工艺" says one thing twice.
        methods = [m for m in theme.methods_for(subject) if not _overlaps(m, subject.name)]
        suffix = rng.choice(theme.suffixes) if theme.suffixes else ""
        gains = [_gain_text(rng, g) for g in rng.sample(theme.gains, 3)]
        target = rng.choice(theme.targets)
        _now, goal = _target_values(rng, target)
        cap = _capacity(rng, theme, stage)
        if owner.kind == OrganizationKind.UNIVERSITY:
            team, team_short = f"{owner.name}{leader}教授团队", f"{leader}教授团队"
        elif owner.kind == OrganizationKind.INSTITUTE:
            team, team_short = f"{owner.name}{leader}研究员团队", f"{leader}研究员团队"
        else:
            team, team_short = f"{owner.name}研发中心", "企业研发中心"
        values = {
            "object": subject.name,
            "thing": subject.name + suffix,
            "suffix": suffix,
            "method": rng.choice(methods or theme.methods_for(subject)),
            "feature": feature,
            "feature2": feature2,
            "application": app1,
            "app1": app1,
            "app2": app2,
            "adj": rng.choice(
                [a for a in v.ADJECTIVES[theme.kind] if not _overlaps(a, subject.name)]
            ),
            "weakness": rng.choice(theme.weaknesses),
            "team": team,
            "team_short": team_short,
            "claim": rng.choice(v.CLAIMS),
            "years": rng.randint(3, 12),
            "tester": rng.choice(v.TESTERS),
            "gain1": gains[0],
            "gain2": gains[1],
            "gain3": gains[2],
            "target": (
                f"{target.name}达到{goal}{target.unit}"
                if target.higher_is_better
                else f"{target.name}降至{goal}{target.unit}"
            ),
            "stage_done": v.STAGE_DONE[stage],
            "modes": _mode_labels(modes),
            "city": v.city_of(owner.region_code).name,
            "cap": _quantity(cap, theme.unit),
            "n": rng.randint(3, 30),
            "m": rng.randint(3, 24),
            "hours": rng.choice((500, 1000, 2000, 3000)),
            "pct": rng.randint(60, 90),
        }
        economics = _economic_values(rng, theme, stage, cap)
        values["rev"] = economics["rev"]
        titles = v.TITLE_TEMPLATES[theme.kind]
        if _overlaps(app1, subject.name):
            titles = [t for t in titles if "{application}" not in t]
        title = _fill(rng.choice(titles), values)
        sentences = [
            _fill(rng.choice(v.BACKGROUNDS), values),
            _fill(rng.choice(v.APPROACHES), values),
            _fill(rng.choice(v.RESULTS), values),
            _fill(rng.choice(v.STAGE_SENTENCES[theme.kind][stage]), values),
        ]
        if rng.random() < 0.8:
            sentences.append(_fill(_pick_template(rng, v.APPLICATION_SENTENCES, app2=app2), values))
        sentences.append(_fill(rng.choice(v.COOPERATION_SENTENCES), values))
        return {
            "theme": theme,
            "subject": subject,
            "values": values,
            "title": title,
            "summary": _fill(_pick_template(rng, v.SUMMARIES, app2=app2), values),
            "description": "".join(sentences),
            "advantage": _fill(rng.choice(v.ADVANTAGES), values),
            "economics": _fill(rng.choice(v.ECONOMICS[theme.kind]), {**values, **economics}),
            "keywords_from": [
                *rng.sample(theme.keywords, len(theme.keywords)),
                values["method"],
                feature,
                app1,
                feature2,
            ],
        }

    def _ip_items(self, theme: v.Theme, stage: str, text: dict) -> list[dict]:
        rng = self.rng
        values = text["values"]
        early = stage in (MaturityStage.LAB, MaturityStage.SMALL_PILOT)
        items: list[dict] = []
        if theme.kind in ("software", "service"):
            if theme.kind == "software" or rng.random() < 0.4:
                name = (
                    values["thing"] if theme.kind == "software" else f"{values['object']}辅助分析"
                )
                year = self.now.year - rng.randint(2, 6)
                for version in range(1, rng.choice((2, 2, 3))):
                    # Later versions are registered later.
                    year += rng.randint(0, 2) if version > 1 else 0
                    items.append(self._software_copyright(f"{name}软件V{version}.0", year))
            if theme.kind == "software" and rng.random() < 0.5:
                title = f"一种基于{values['method']}的{values['object']}方法"
                items.append(self._patent(IPKind.INVENTION_PATENT, title, early))
        elif theme.kind == "breeding":
            # A plant variety right (植物新品种权); its numbers are not patent numbers.
            year = self.now.year - rng.randint(1, 6)
            items.append(
                {
                    "kind": IPKind.OTHER,
                    "number": f"CNA{year}{rng.randint(100000, 999999)}.{rng.randint(1, 9)}",
                    "title": f"{values['adj']}{values['object']}植物新品种权",
                    "status": IPStatus.PENDING if early else IPStatus.GRANTED,
                }
            )
            if rng.random() < 0.5:
                title = f"一种{values['object']}的{values['feature']}方法"
                items.append(self._patent(IPKind.INVENTION_PATENT, title, early))
        else:
            title = text["title"]
            if not (title.startswith("一种") or title.endswith("方法")):
                title = f"一种{values['object']}的{values['feature']}方法"
            items.append(self._patent(IPKind.INVENTION_PATENT, title, early))
            if theme.kind != "pharma" and rng.random() < 0.4:
                title = f"一种用于{values['object']}的{values['feature2']}装置"
                items.append(self._patent(IPKind.UTILITY_MODEL, title, early))
            if rng.random() < 0.3:
                title = f"一种{values['object']}的{values['feature2']}方法"
                items.append(self._patent(IPKind.INVENTION_PATENT, title, early))
        if theme.kind != "service" and rng.random() < 0.15:
            items.append(
                {
                    "kind": IPKind.KNOW_HOW,
                    "number": "",
                    "title": f"{values['feature']}关键工艺参数",
                    "status": IPStatus.NOT_APPLICABLE,
                }
            )
        if theme.kind == "service" and not items and rng.random() < 0.5:
            items.append(
                {
                    "kind": IPKind.KNOW_HOW,
                    "number": "",
                    "title": f"{values['object']}工作规程与评价模型",
                    "status": IPStatus.NOT_APPLICABLE,
                }
            )
        return items

    def _patent(self, kind: str, title: str, early: bool) -> dict:
        rng = self.rng
        pending = rng.random() < (0.6 if early else 0.2)
        if pending:
            year = self.now.year - rng.randint(0, 2)
        else:
            year = self.now.year - rng.randint(2, 9)
        lapsed = not pending and year < self.now.year - 6 and rng.random() < 0.1
        while True:
            digit = "1" if kind == IPKind.INVENTION_PATENT else "2"
            number = patent_number(rng, year=year, kind_digit=digit, granted=not pending)
            if number not in self.patents:
                self.patents.add(number)
                break
        status = IPStatus.PENDING if pending else IPStatus.LAPSED if lapsed else IPStatus.GRANTED
        return {"kind": kind, "number": number, "title": title, "status": status}

    def _software_copyright(self, title: str, year: int) -> dict:
        return {
            "kind": IPKind.SOFTWARE_COPYRIGHT,
            "number": f"{year}SR{self.rng.randint(100000, 1999999):07d}",
            "title": title,
            "status": IPStatus.REGISTERED,
        }

    # demands

    def demand(self, owner: OrgSpec, theme: v.Theme, scenario: v.Scenario) -> dict:
        rng = self.rng
        M = CooperationMode
        pool = [M.JOINT_DEVELOPMENT, M.SERVICE, M.TRANSFER, M.LICENSE]
        modes = sorted(rng.sample(pool, rng.choice((1, 2, 2, 3))), key=list(M).index)
        if rng.random() < 0.15:
            budget = (None, None)
        else:
            lo, hi = rng.choices([r for r, _w in BUDGET_RANGES], [w for _r, w in BUDGET_RANGES])[0]
            budget = (None if rng.random() < 0.2 else lo, hi)
        text = self._unique(lambda: self._demand_text(owner, theme, scenario, modes, budget))
        text.update(modes=modes, budget=budget)
        return text

    def _measures(self, theme: v.Theme, scenario: v.Scenario) -> tuple[list, list]:
        focus = v.SCENARIO_FOCUS.get(scenario.need)
        if not focus:
            return list(theme.targets), list(theme.gains)
        targets = [f for f in focus if isinstance(f, v.Target)]
        targets += [t for t in theme.targets if t.name in focus]
        gains = [f for f in focus if isinstance(f, v.Gain)]
        gains += [g for g in theme.gains if g.name in focus]
        return targets, gains

    def _demand_text(
        self,
        owner: OrgSpec,
        theme: v.Theme,
        scenario: v.Scenario,
        modes: list[str],
        budget: tuple[int | None, int | None],
    ) -> dict:
        rng = self.rng
        targets, gains = self._measures(theme, scenario)
        lines = []
        target_short = ""
        if targets:
            target = rng.choice(targets)
            now, goal = _target_values(rng, target)
            if target.higher_is_better:
                lines.append(
                    f"{target.name}由目前的{now}{target.unit}提高到{goal}{target.unit}以上"
                )
                target_short = f"将{target.name}提高到{goal}{target.unit}以上"
            else:
                lines.append(f"{target.name}由目前的{now}{target.unit}降到{goal}{target.unit}以下")
                target_short = f"将{target.name}降到{goal}{target.unit}以下"
            gains = [g for g in gains if g.name != target.name]
        if gains and (not lines or rng.random() < 0.7):
            gain_line = _gain_text(rng, rng.choice(gains)) + "以上"
            lines.append(gain_line)
            target_short = target_short or gain_line
        # A service need (testing, patents, simulation) is about the company's own products.
        is_service = theme.field == TechField.HIGH_TECH_SERVICES
        product = owner.profile.short if is_service else scenario.product
        methods = v.SCENARIO_METHODS.get(scenario.need, theme.methods)
        expertise = rng.sample(methods, min(2, len(methods)))
        lo, hi = budget
        budget_text = "面议" if hi is None else f"{lo}-{hi}万元" if lo else f"不超过{hi}万元"
        values = {
            **owner.facts,
            "product": product,
            "need": scenario.need,
            "target": target_short,
            "budget": budget_text,
            "city": v.city_of(owner.region_code).name,
            "loss": rng.choice((30, 50, 80, 100, 200, 300, 500)),
            "quote": rng.choice((80, 120, 150, 200, 300, 500)),
            "months": rng.choice((3, 6, 6, 9, 12)),
            "capex": rng.choice((50, 80, 100, 150, 200, 300)),
            "expertise": "、".join(expertise),
        }
        values["size"] = _fill(rng.choice(v.DEMAND_SIZES), values)
        values["modes"] = _fill(rng.choice(v.DEMAND_MODE_PHRASES), {"modes": _mode_labels(modes)})
        pain = rng.choice(v.PAIN_LEADS) + scenario.pain + rng.choice(v.PAIN_TAILS) + "。"
        sentences = [_fill(rng.choice(v.DEMAND_INTROS), values), pain]
        if rng.random() < 0.7:
            sentences.append(_fill(rng.choice(v.DEMAND_CONSEQUENCES), values))
        if rng.random() < 0.5:
            sentences.append(_fill(rng.choice(v.DEMAND_ATTEMPTS), values))
        sentences.append(_fill(rng.choice(v.DEMAND_EXPERTISE), values))
        sentences.append(_fill(rng.choice(v.DEMAND_ASKS), values))
        lines.append(_fill(rng.choice(v.DEMAND_DELIVERABLES), values))
        # "汽车空调热泵空调…" reads badly: leave the product out of titles that repeat it.
        repeats = any(part in scenario.need for part in (product, product[:2], product[-2:]))
        titles = [t for t in v.DEMAND_TITLES if not (repeats and "{product}" in t)]
        return {
            "title": _fill(rng.choice(titles), values),
            "summary": _fill(rng.choice(v.DEMAND_SUMMARIES), values),
            "description": "".join(sentences),
            "expected_outcome": "；".join(f"{i}. {line}" for i, line in enumerate(lines, 1)) + "。",
            "keywords_from": [
                scenario.need,
                *expertise,
                *rng.sample(theme.keywords, len(theme.keywords)),
                product,
            ],
        }


# -- the builder -------------------------------------------------------------------------


class DemoBuilder:
    def __init__(self, *, progress: bool = False):
        self.progress = progress
        self.created: Counter = Counter()
        self.now = _minute(timezone.now())
        self.lifetime = timedelta(days=settings.LISTING_LIFETIME_DAYS)
        # One hash for every demo login: hashing is deliberately slow, and they share a
        # password anyway.
        self.password = make_password(DEMO_PASSWORD)
        self.names = NameBook(_rng("people"), reserved=LOGIN_NAMES.values())
        self.markets: dict[str, Market] = {}
        self.operators: dict[str, User] = {}  # market code -> the operator who reviews there
        self.specs: list[OrgSpec] = []

    def build(self) -> None:
        self.build_markets()
        self.specs = organization_specs()
        self.build_organizations()
        self.build_people()
        self.build_brokers()
        self.build_listings()

    # generic get-or-create with validation

    def ensure(self, model: type[models.Model], lookup: dict, defaults: dict | None = None):
        obj = model.objects.filter(**lookup).first()
        if obj is not None:
            return obj
        obj = model(**lookup, **(defaults or {}))
        obj.full_clean()
        obj.save()
        self.created[str(model._meta.verbose_name)] += 1
        return obj

    def ensure_user(self, username: str, name: str, phone: str = "", **extra) -> User:
        return self.ensure(
            User,
            {"username": username},
            {
                "name": name,
                "phone": phone,
                "email": f"{username}@example.com",
                "password": self.password,
                **extra,
            },
        )

    def grant(self, user: User, organization: Organization, role: str, market=None) -> None:
        lookup = {"user": user, "organization": organization, "role": role}
        if Membership.objects.filter(**lookup).exists():
            return
        Membership(**lookup, market=market).full_clean()
        # The service also puts operators in the group that opens the back office.
        membership_grant(organization=organization, user=user, role=role, market=market)
        self.created[str(Membership._meta.verbose_name)] += 1

    # markets and windows

    def build_markets(self) -> None:
        rng = _rng("markets")
        spec = v.MAIN_MARKET
        other_main = Market.objects.filter(kind=MarketKind.MAIN).exclude(code=spec["code"]).first()
        if other_main is not None:
            raise DemoConflict(
                f"数据库里已有主市场“{other_main.name}”（代码 {other_main.code}），"
                f"演示数据需要代码为 {spec['code']} 的主市场。请在空数据库上加载演示数据。"
            )
        main = self.ensure(
            Market,
            {"code": spec["code"]},
            {
                "name": spec["name"],
                "kind": MarketKind.MAIN,
                "region_code": spec["region_code"],
                "description": spec["description"],
            },
        )
        self.markets[main.code] = main
        for code, name, city_code, industries in v.SUB_MARKETS:
            city = v.CITIES[city_code]
            self.markets[code] = self.ensure(
                Market,
                {"code": code},
                {
                    "name": name,
                    "kind": MarketKind.SUB,
                    "parent": main,
                    "region_code": city_code,
                    "description": (
                        f"{name}是{spec['name']}在{city.name}的分市场，立足{city.name}{industries}"
                        f"等产业，设有一站式合作窗口，就近提供成果登记、需求发布和技术合同登记咨询服务。"
                    ),
                },
            )
        for code, market in self.markets.items():
            region = (
                v.OPERATOR_ORGANIZATION[1]
                if code == spec["code"]
                else rng.choice(v.CITIES[market.region_code].districts)[0]
            )
            extras = rng.sample(v.WINDOW_SERVICES[5:], rng.randint(2, 4))
            services = [*v.WINDOW_SERVICES[:5], *sorted(extras, key=v.WINDOW_SERVICES.index)]
            self.ensure(
                ServiceWindow,
                {"market": market},
                {
                    "name": f"{market.name}一站式合作窗口",
                    "address": street_address(rng, region, rng.choice(v.WINDOW_BUILDINGS)),
                    "hours": rng.choice(v.WINDOW_HOURS),
                    "phone": office_phone(rng, region),
                    "services": "\n".join(services),
                    "appointment_available": True,
                },
            )

    # organizations and the people in them

    def build_organizations(self) -> None:
        for spec in self.specs:
            spec.obj = self.ensure(
                Organization,
                {"credit_code": spec.credit_code},
                {
                    "name": spec.name,
                    "kind": spec.kind,
                    "market": self.markets[spec.market_code],
                    "region_code": spec.region_code,
                    "address": spec.address,
                    "contact_phone": spec.phone,
                    "description": spec.description,
                },
            )

    def build_people(self) -> None:
        rng = _rng("memberships")
        counters: Counter = Counter()
        prefixes = {
            OrganizationKind.UNIVERSITY: "univ",
            OrganizationKind.INSTITUTE: "inst",
            OrganizationKind.ENTERPRISE: "ent",
            OrganizationKind.TRANSFER_INSTITUTION: "tti",
        }
        demo_admins = {
            OrganizationKind.UNIVERSITY: "university",
            OrganizationKind.ENTERPRISE: "enterprise",
        }
        for spec in self.specs:
            if spec.kind == OrganizationKind.OPERATOR:
                continue
            counters[spec.kind] += 1
            prefix = f"{prefixes[spec.kind]}{counters[spec.kind]:02d}"
            first = counters[spec.kind] == 1
            admin_username = demo_admins.get(spec.kind) if first else None
            admin_username = admin_username or f"{prefix}_admin"
            admin = self.ensure_user(
                admin_username,
                LOGIN_NAMES.get(admin_username) or self.names.name(),
                self.names.mobile(),
            )
            self.grant(admin, spec.obj, Role.ORG_ADMIN)
            spec.editors = [admin]
            if not spec.obj.contact_name:
                # Filled in after the fact: the contact is the admin created just now.
                spec.obj.contact_name = admin.name
                spec.obj.full_clean()
                spec.obj.save(update_fields=["contact_name"])
            if spec.kind == OrganizationKind.TRANSFER_INSTITUTION:
                continue
            for number in range(1, rng.choice((2, 2, 3)) + 1):
                member = self.ensure_user(
                    f"{prefix}_member{number}", self.names.name(), self.names.mobile()
                )
                self.grant(member, spec.obj, Role.MEMBER)
                spec.editors.append(member)

        operator_org = next(s.obj for s in self.specs if s.kind == OrganizationKind.OPERATOR)
        main_code = v.MAIN_MARKET["code"]
        operator = self.ensure_user(
            "operator", LOGIN_NAMES["operator"], self.names.mobile(), is_staff=True
        )
        if not operator_org.contact_name:
            operator_org.contact_name = operator.name
            operator_org.full_clean()
            operator_org.save(update_fields=["contact_name"])
        self.grant(operator, operator_org, Role.OPERATOR, self.markets[main_code])
        second = self.ensure_user(f"{main_code}_operator2", self.names.name(), self.names.mobile())
        self.grant(second, operator_org, Role.OPERATOR, self.markets[main_code])
        self.operators[main_code] = operator
        for code, *_rest in v.SUB_MARKETS:
            market = self.markets[code]
            username = "submarket_operator" if code == "wuhan" else f"{code}_operator"
            sub_operator = self.ensure_user(
                username, LOGIN_NAMES.get(username) or self.names.name(), self.names.mobile()
            )
            self.grant(sub_operator, operator_org, Role.OPERATOR, market)
            self.operators[code] = sub_operator
            clerks = (
                ("clerk", "wuhan_clerk2")
                if code == "wuhan"
                else (f"{code}_clerk1", f"{code}_clerk2")
            )
            for clerk_username in clerks:
                clerk = self.ensure_user(
                    clerk_username,
                    LOGIN_NAMES.get(clerk_username) or self.names.name(),
                    self.names.mobile(),
                )
                self.grant(clerk, operator_org, Role.WINDOW_CLERK, market)

        self.ensure_user("admin", LOGIN_NAMES["admin"], "", is_staff=True, is_superuser=True)

    def build_brokers(self) -> None:
        rng = _rng("brokers")
        institutions = [s for s in self.specs if s.kind == OrganizationKind.TRANSFER_INSTITUTION]
        counts = _allocate(100, [rng.uniform(0.7, 1.4) for _ in institutions])
        grades = [BrokerGrade.JUNIOR] * 45 + [BrokerGrade.INTERMEDIATE] * 35
        grades += [BrokerGrade.SENIOR] * 20
        rng.shuffle(grades)
        number = 0
        for spec, count in zip(institutions, counts, strict=True):
            for _ in range(count):
                number += 1
                username = "broker" if number == 1 else f"broker{number:03d}"
                user = self.ensure_user(
                    username, LOGIN_NAMES.get(username) or self.names.name(), self.names.mobile()
                )
                self.grant(user, spec.obj, Role.BROKER)
                fields = list(spec.fields[: rng.randint(1, len(spec.fields))])
                if rng.random() < 0.3:
                    fields.append(rng.choice([f for f in TechField.values if f not in fields]))
                # Not relative to today: the certificate number is the broker's key.
                year = rng.randint(2018, 2024)
                self.ensure(
                    Broker,
                    {"certificate_no": f"HB-JJR-{year}-{number:04d}"},
                    {
                        "user": user,
                        "institution": spec.obj,
                        "grade": grades[number - 1],
                        "fields": fields,
                    },
                )

    # listings

    def _listing_fields(self, owner, editor, text, theme) -> dict:
        """What an achievement and a demand of the demo share: owner, place, text, contact."""
        return {
            "owner": owner.obj,
            "market": self.markets[owner.market_code],
            "created_by": editor,
            "title": text["title"],
            "summary": text["summary"],
            "description": text["description"],
            "field": theme.field,
            "industry": theme.industry,
            "region_code": owner.region_code,
            "contact_name": editor.name,
            "contact_phone": editor.phone,
        }

    def plan_listings(self) -> list[Planned]:
        """Every demo listing, written out in memory; the same list on every run."""
        rng = _rng("listings")
        writer = ListingWriter(rng, self.now)
        leaders = NameBook(_rng("inventors"), reserved=self.names.used)
        plans: list[Planned] = []

        suppliers = [
            s
            for s in self.specs
            if s.kind in (OrganizationKind.UNIVERSITY, OrganizationKind.INSTITUTE)
        ]
        enterprises = [s for s in self.specs if s.kind == OrganizationKind.ENTERPRISE]
        enterprise_suppliers = _rng("suppliers").sample(enterprises, ENTERPRISE_SUPPLIERS)
        from_enterprises = ENTERPRISE_SUPPLIERS * ACHIEVEMENTS_PER_ENTERPRISE
        counts = _allocate(ACHIEVEMENT_COUNT - from_enterprises, [s.weight for s in suppliers])
        owners = [
            *((s, n) for s, n in zip(suppliers, counts, strict=True)),
            *((s, ACHIEVEMENTS_PER_ENTERPRISE) for s in enterprise_suppliers),
        ]
        number = 0
        for owner, count in owners:
            team_leaders = [leaders.name() for _ in range(rng.randint(2, 5))]
            for _ in range(count):
                number += 1
                theme = v.THEMES_BY_KEY[rng.choice(owner.themes)]
                leader = rng.choice(team_leaders)
                text = writer.achievement(owner, leader, theme)
                inventors = [leader, *(leaders.name() for _ in range(rng.randint(1, 4)))]
                # A service is priced per engagement, so it is mostly 面议 or a package fee.
                is_service = theme.kind == "service"
                price_negotiable = rng.random() < (0.6 if is_service else 0.35)
                price_range = SERVICE_PRICE_RANGE if is_service else PRICE_RANGES[text["stage"]]
                editor = rng.choice(owner.editors)
                listing = Achievement(
                    **self._listing_fields(owner, editor, text, theme),
                    ref=ACHIEVEMENT_REF.format(number),
                    trl=text["trl"],
                    maturity=text["stage"],
                    price_negotiable=price_negotiable,
                    asking_price=None
                    if price_negotiable
                    else Decimal(_round(rng.uniform(*price_range), 5)),
                    inventors="、".join(inventors),
                    advantage=text["advantage"],
                    economics=text["economics"],
                )
                listing.keywords = _keywords(
                    rng,
                    "".join(
                        (listing.title, listing.summary, listing.description, listing.advantage)
                    ),
                    text["keywords_from"],
                )
                plans.append(
                    self._lifecycle(
                        rng, Planned(listing.ref, owner, listing, text["modes"], text["ip_items"])
                    )
                )

        # An industry with more problems of its own posts more: the service needs (patents,
        # testing) fill in behind them rather than crowd them out.
        demand_weights = [s.weight * len(profile_scenarios(s.profile)[0]) for s in enterprises]
        demand_counts = _allocate(DEMAND_COUNT, demand_weights)
        number = 0
        for owner, count in zip(enterprises, demand_counts, strict=True):
            own, services = profile_scenarios(owner.profile)
            rng.shuffle(own)
            rng.shuffle(services)
            # Its own industry's problems first, then the service needs any company has.
            scenarios = own + services
            for index in range(count):
                number += 1
                theme, scenario = scenarios[index % len(scenarios)]
                text = writer.demand(owner, theme, scenario)
                lo, hi = text["budget"]
                editor = rng.choice(owner.editors)
                listing = Demand(
                    **self._listing_fields(owner, editor, text, theme),
                    ref=DEMAND_REF.format(number),
                    expected_outcome=text["expected_outcome"],
                    budget_negotiable=hi is None,
                    budget_min=None if lo is None else Decimal(lo),
                    budget_max=None if hi is None else Decimal(hi),
                    required_trl=rng.randint(4, 8) if rng.random() < 0.6 else None,
                )
                listing.keywords = _keywords(
                    rng,
                    "".join(
                        (
                            listing.title,
                            listing.summary,
                            listing.description,
                            listing.expected_outcome,
                        )
                    ),
                    text["keywords_from"],
                )
                planned = self._lifecycle(rng, Planned(listing.ref, owner, listing, text["modes"]))
                start = (listing.published_at or planned.created_at).date()
                listing.deadline = start + timedelta(days=rng.randint(60, 300))
                plans.append(planned)
        return plans

    def _lifecycle(self, rng: random.Random, planned: Planned) -> Planned:
        """Put a listing somewhere in draft → submitted → published → closed or expired,
        with the dates and the audit trail a real one would have."""
        listing = planned.listing
        is_achievement = isinstance(listing, Achievement)
        now, lifetime = self.now, self.lifetime

        def days(lo: float, hi: float) -> timedelta:
            return timedelta(days=rng.uniform(lo, hi))

        roll = rng.random()
        events = planned.events
        if roll < 0.04:
            listing.status = ListingStatus.DRAFT
            planned.created_at = _minute(now - days(0.5, 30))
        elif roll < 0.10:
            listing.status = ListingStatus.SUBMITTED
            # Some have waited longer than the 48 hours a reply is due in.
            listing.submitted_at = _minute(now - days(0.05, 4))
            events.append(
                (
                    "submit",
                    ListingStatus.DRAFT,
                    ListingStatus.SUBMITTED,
                    listing.submitted_at,
                    "owner",
                    "",
                )
            )
        elif roll < 0.13:
            listing.status = ListingStatus.REJECTED
            listing.submitted_at = _minute(now - days(3, 40))
            reviewed = _minute(listing.submitted_at + days(0.1, 2))
            reasons = v.ACHIEVEMENT_REJECTIONS if is_achievement else v.DEMAND_REJECTIONS
            listing.review_reason = rng.choice(reasons)
            events.append(
                (
                    "submit",
                    ListingStatus.DRAFT,
                    ListingStatus.SUBMITTED,
                    listing.submitted_at,
                    "owner",
                    "",
                )
            )
            events.append(
                (
                    "reject",
                    ListingStatus.SUBMITTED,
                    ListingStatus.REJECTED,
                    reviewed,
                    "operator",
                    listing.review_reason,
                )
            )
        else:
            max_age = max(20, min(150, lifetime.days - 15))
            if roll < 0.17:
                listing.status = ListingStatus.EXPIRED
                published = now - lifetime - days(1, 60)
            elif roll < 0.20:
                listing.status = ListingStatus.CLOSED
                published = now - days(20, max_age)
            else:
                listing.status = ListingStatus.PUBLISHED
                if rng.random() < 0.07:
                    # Due to expire within the reminder window, so reminders have work.
                    published = now - lifetime + days(0.5, 13.5)
                else:
                    published = now - days(0.3, max_age)
            listing.published_at = _minute(published)
            listing.expires_at = listing.published_at + lifetime
            listing.submitted_at = _minute(listing.published_at - days(0.1, 2))
            events.append(
                (
                    "submit",
                    ListingStatus.DRAFT,
                    ListingStatus.SUBMITTED,
                    listing.submitted_at,
                    "owner",
                    "",
                )
            )
            events.append(
                (
                    "approve",
                    ListingStatus.SUBMITTED,
                    ListingStatus.PUBLISHED,
                    listing.published_at,
                    "operator",
                    "",
                )
            )
            if listing.status == ListingStatus.EXPIRED:
                events.append(
                    (
                        "expire",
                        ListingStatus.PUBLISHED,
                        ListingStatus.EXPIRED,
                        listing.expires_at,
                        "system",
                        "发布期满",
                    )
                )
            elif listing.status == ListingStatus.CLOSED:
                open_days = (now - listing.published_at).days
                closed = _minute(listing.published_at + days(3, max(4, open_days - 1)))
                reasons = v.ACHIEVEMENT_CLOSINGS if is_achievement else v.DEMAND_CLOSINGS
                events.append(
                    (
                        "close",
                        ListingStatus.PUBLISHED,
                        ListingStatus.CLOSED,
                        closed,
                        "owner",
                        rng.choice(reasons),
                    )
                )
        if listing.submitted_at:
            planned.created_at = _minute(listing.submitted_at - days(0.1, 6))
        planned.updated_at = events[-1][3] if events else planned.created_at
        return planned

    def build_listings(self) -> None:
        plans = self.plan_listings()
        modes = {mode.code: mode for mode in Mode.objects.all()}
        for code in CooperationMode.values:
            if code not in modes:
                # Seeded by a migration; recreated only if someone emptied the table.
                modes[code] = self.ensure(Mode, {"code": code})
        for model in (Achievement, Demand):
            own = [p for p in plans if isinstance(p.listing, model)]
            existing = set(
                model.objects.filter(ref__startswith="DEMO-").values_list("owner_id", "ref")
            )
            new = [p for p in own if (p.owner.obj.pk, p.ref) not in existing]
            if new:
                self._write(model, new, modes)

    def _write(self, model: type[Achievement] | type[Demand], plans: list[Planned], modes) -> None:
        label = str(model._meta.verbose_name)
        bar = tqdm(total=len(plans), desc=f"生成{label}", unit="条", disable=not self.progress)
        with bar:
            for start in range(0, len(plans), BATCH):
                batch = plans[start : start + BATCH]
                for planned in batch:
                    _validate_planted(planned.listing)
                    bar.update()
                model.objects.bulk_create([p.listing for p in batch])
                self._after_insert(model, batch, modes)
        self.created[label] += len(plans)

    def _after_insert(self, model, batch: list[Planned], modes) -> None:
        ids = {
            (owner_id, ref): pk
            for owner_id, ref, pk in model.objects.filter(
                ref__in=[p.ref for p in batch]
            ).values_list("owner_id", "ref", "pk")
        }
        for planned in batch:
            listing = planned.listing
            listing.pk = ids[(listing.owner_id, listing.ref)]
            # auto_now_add and auto_now stamp the insert; a demo listing has a history.
            listing.created_at = planned.created_at
            listing.updated_at = planned.updated_at
        model.objects.bulk_update([p.listing for p in batch], ["created_at", "updated_at"])

        through = (
            model.transfer_modes.through
            if model is Achievement
            else model.cooperation_modes.through
        )
        column = "achievement_id" if model is Achievement else "demand_id"
        through.objects.bulk_create(
            [
                through(**{column: p.listing.pk, "mode_id": modes[code].pk})
                for p in batch
                for code in p.modes
            ]
        )

        if model is Achievement:
            ip_rows = []
            for planned in batch:
                for item in planned.ip_items:
                    row = IntellectualProperty(achievement=planned.listing, **item)
                    row.full_clean()
                    ip_rows.append(row)
            IntellectualProperty.objects.bulk_create(ip_rows)
            self.created[str(IntellectualProperty._meta.verbose_name)] += len(ip_rows)

        content_type = ContentType.objects.get_for_model(model)
        logs, times = [], []
        for planned in batch:
            for transition, source, target, at, actor, reason in planned.events:
                by = {
                    "owner": planned.listing.created_by,
                    "operator": self.operators[planned.owner.market_code],
                    "system": None,
                }[actor]
                log = TransitionLog(
                    content_type=content_type,
                    object_id=planned.listing.pk,
                    transition=transition,
                    from_state=source,
                    to_state=target,
                    by=by,
                    reason=reason,
                )
                logs.append(log)
                times.append(at)
        # `at` is auto_now_add, so the insert stamps today; the history is written after.
        if connection.features.can_return_rows_from_bulk_insert:
            TransitionLog.objects.bulk_create(logs)
        else:
            for log in logs:
                log.save()
        for log, at in zip(logs, times, strict=True):
            log.at = at
        TransitionLog.objects.bulk_update(logs, ["at"])


def _validate_planted(listing: Achievement | Demand) -> None:
    """Validate a demo listing as a person's entry would be, except that a planted history
    may have a deadline that has since passed (the rule "today or later" binds new entries)."""
    deadline = getattr(listing, "deadline", None)
    if deadline is not None and deadline < timezone.localdate():
        listing.deadline = None
        try:
            listing.full_clean()
        finally:
            listing.deadline = deadline
    else:
        listing.full_clean()
