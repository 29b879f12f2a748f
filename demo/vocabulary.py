"""The words the demo market is written in: places, organizations, people's names, technology
themes and the sentence templates the builder fills.

The words themselves are JSON files in `data/`, read once at import; this module gives them
the shapes the builder works with (frozen dataclasses and tuples, so nothing can change them
half way through a build).

Technology is grouped into themes. A theme keeps together what must agree inside one listing
(a subject, the methods that make sense for it, where it is used, the numbers it improves),
so a generated listing reads as one technology rather than a bag of words. A subject may
narrow the theme's methods and applications when they would not fit it.

Numbers keep their JSON type: the builder draws a whole number between two ints and a
rounded decimal between two floats, so `30` and `30.0` are different data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

# -- building blocks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Gain:
    """A quantified improvement over existing technology: 能耗降低23%."""

    name: str
    verb: str
    lo: float
    hi: float
    unit: str = "%"


@dataclass(frozen=True)
class Target:
    """An absolute indicator with today's typical value and a good value: 良品率 92% → 99%."""

    name: str
    unit: str
    now: tuple[float, float]
    goal: tuple[float, float]

    @property
    def higher_is_better(self) -> bool:
        return self.goal[0] > self.now[0]


@dataclass(frozen=True)
class Subject:
    """What one achievement is about; empty methods, applications or features fall back to
    the theme's."""

    name: str
    methods: tuple[str, ...] = ()
    applications: tuple[str, ...] = ()
    features: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """An enterprise's problem as it would tell it: its product, what it needs, and the pain."""

    product: str
    need: str
    pain: str


@dataclass(frozen=True)
class Theme:
    key: str
    field: str  # a listings.choices.TechField value
    industry: str  # a listings.choices.Industry value
    kind: str  # picks title, stage and economics templates
    subjects: tuple[Subject, ...]
    methods: tuple[str, ...]
    features: tuple[str, ...]
    applications: tuple[str, ...]
    weaknesses: tuple[str, ...]
    gains: tuple[Gain, ...]
    targets: tuple[Target, ...]
    scenarios: tuple[Scenario, ...]
    keywords: tuple[str, ...]
    unit: str  # what capacity or sales are counted in
    scale: tuple[int, int]  # a plausible range of capacity or sales in `unit`
    suffixes: tuple[str, ...] = ()  # completes an activity subject into a thing: 检测 + 系统

    def methods_for(self, subject: Subject) -> tuple[str, ...]:
        return subject.methods or self.methods

    def applications_for(self, subject: Subject) -> tuple[str, ...]:
        return subject.applications or self.applications

    def features_for(self, subject: Subject) -> tuple[str, ...]:
        return subject.features or self.features


@dataclass(frozen=True)
class City:
    name: str
    code: str
    area_code: str
    districts: tuple[tuple[str, str], ...]  # (region code, name), in the order drawn from
    roads: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """An industry an enterprise is in. It posts the demands of every scenario whose
    product is one of `products`, and the service demands (testing, IP, simulation) any
    company of its kind has."""

    key: str
    business: tuple[str, ...]  # goes into company names: 武汉华创{光电科技}有限公司
    main: str  # what the company says it makes: 我司主营{光通信器件和显示模组}
    short: str  # the product named in its service demands
    products: tuple[str, ...]
    services: tuple[str, ...]  # keys of the high-tech-service themes it may ask for


def S(
    name: str, m: tuple[str, ...] = (), a: tuple[str, ...] = (), f: tuple[str, ...] = ()
) -> Subject:
    return Subject(name, m, a, f)


def G(name: str, verb: str, lo: float, hi: float, unit: str = "%") -> Gain:
    return Gain(name, verb, lo, hi, unit)


def T(name: str, unit: str, now_lo: float, now_hi: float, goal_lo: float, goal_hi: float) -> Target:
    return Target(name, unit, (now_lo, now_hi), (goal_lo, goal_hi))


def Sc(product: str, need: str, pain: str) -> Scenario:
    return Scenario(product, need, pain)


# -- reading the data files ----------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text("utf-8"))


def _frozen(value: Any) -> Any:
    """JSON arrays as tuples, all the way down; objects stay dicts (the builder looks up
    templates by kind and stage)."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def _subject(data: dict) -> Subject:
    return S(
        data["name"],
        tuple(data.get("methods", ())),
        tuple(data.get("applications", ())),
        tuple(data.get("features", ())),
    )


def _gain(data: dict) -> Gain:
    return G(**data)


def _target(data: dict) -> Target:
    return T(data["name"], data["unit"], *data["now"], *data["goal"])


def _scenario(data: dict) -> Scenario:
    return Sc(**data)


def _measure(data: str | dict) -> str | Gain | Target:
    # A scenario's focus names one of its theme's gains or targets, or brings its own: a
    # target has today's and a good value, a gain a verb and a range.
    if isinstance(data, str):
        return data
    return _target(data) if "now" in data else _gain(data)


def _theme(data: dict) -> Theme:
    return Theme(
        key=data["key"],
        field=data["field"],
        industry=data["industry"],
        kind=data["kind"],
        subjects=tuple(_subject(s) for s in data["subjects"]),
        methods=tuple(data["methods"]),
        features=tuple(data["features"]),
        applications=tuple(data["applications"]),
        weaknesses=tuple(data["weaknesses"]),
        gains=tuple(_gain(g) for g in data["gains"]),
        targets=tuple(_target(t) for t in data["targets"]),
        scenarios=tuple(_scenario(s) for s in data["scenarios"]),
        keywords=tuple(data["keywords"]),
        unit=data["unit"],
        scale=tuple(data["scale"]),
        suffixes=tuple(data.get("suffixes", ())),
    )


_places = _load("places.json")
_markets = _load("markets.json")
_organizations = _load("organizations.json")
_people = _load("people.json")
_templates = _frozen(_load("templates.json"))
_themes = _load("themes.json")

# -- places ------------------------------------------------------------------------------

PROVINCE = _places["province"]
PROVINCE_CODE = _places["province_code"]

# Road names found in most Chinese cities: a real road would sit in the wrong district.
ROADS = tuple(_places["roads"])

# A city may name its own roads; none does yet.
CITIES = {
    city["code"]: City(
        city["name"],
        city["code"],
        city["area_code"],
        tuple(city["districts"].items()),
        tuple(city.get("roads", ROADS)),
    )
    for city in _places["cities"]
}


def city_of(region_code: str) -> City:
    return CITIES[region_code[:4] + "00"]


def district_name(region_code: str) -> str:
    return dict(city_of(region_code).districts)[region_code]


# -- the market network ------------------------------------------------------------------

MAIN_MARKET = _markets["main_market"]

# code, name, city, the city's leading industries
SUB_MARKETS = tuple(
    (m["code"], m["name"], m["city"], m["industries"]) for m in _markets["sub_markets"]
)

WINDOW_BUILDINGS = tuple(_markets["window_buildings"])
WINDOW_HOURS = tuple(_markets["window_hours"])
# Every window offers the first five; the rest vary by window.
WINDOW_SERVICES = tuple(_markets["window_services"])

# -- organizations -----------------------------------------------------------------------

# name, district, themes it works in, how much it publishes (a relative weight)
UNIVERSITIES = tuple(
    (u["name"], u["district"], tuple(u["themes"]), u["weight"])
    for u in _organizations["universities"]
)
INSTITUTES = tuple(
    (i["name"], i["district"], tuple(i["themes"]), i["weight"])
    for i in _organizations["institutes"]
)

# name, district, first two characters of its credit code, fields its brokers know best
TRANSFER_INSTITUTIONS = tuple(
    (t["name"], t["district"], t["credit_prefix"], tuple(t["fields"]))
    for t in _organizations["transfer_institutions"]
)

OPERATOR_ORGANIZATION = (
    _organizations["operator_organization"]["name"],
    _organizations["operator_organization"]["district"],
)

PROFILES = tuple(
    Profile(
        p["key"],
        tuple(p["business"]),
        p["main"],
        p["short"],
        tuple(p["products"]),
        tuple(p["services"]),
    )
    for p in _organizations["profiles"]
)
PROFILES_BY_KEY = {profile.key: profile for profile in PROFILES}

# How many enterprises each city has, and the industries they are in (used in turn).
CITY_ENTERPRISES = {
    code: (city["count"], tuple(city["profiles"]))
    for code, city in _organizations["city_enterprises"].items()
}

ENTERPRISE_BRANDS = tuple(_organizations["enterprise_brands"])
ENTERPRISE_TYPES = tuple(_organizations["enterprise_types"])

# -- people ------------------------------------------------------------------------------

# One character per entry in the file; a string here, drawn from one character at a time.
SURNAMES = "".join(_people["surnames"])
GIVEN_CHARS = "".join(_people["given_chars"])
MOBILE_PREFIXES = tuple(_people["mobile_prefixes"])

# -- listing texts: achievements ---------------------------------------------------------

TITLE_TEMPLATES = _templates["title_templates"]
ADJECTIVES = _templates["adjectives"]
BACKGROUNDS = _templates["backgrounds"]
APPROACHES = _templates["approaches"]
CLAIMS = _templates["claims"]
RESULTS = _templates["results"]
TESTERS = _templates["testers"]
APPLICATION_SENTENCES = _templates["application_sentences"]
COOPERATION_SENTENCES = _templates["cooperation_sentences"]
SUMMARIES = _templates["summaries"]
STAGE_DONE = _templates["stage_done"]
ADVANTAGES = _templates["advantages"]
STAGE_SENTENCES = _templates["stage_sentences"]
ECONOMICS = _templates["economics"]
# A new variety's stages and economics read like any other farming achievement's.
STAGE_SENTENCES["breeding"] = STAGE_SENTENCES["agri"]
ECONOMICS["breeding"] = ECONOMICS["agri"]

# -- listing texts: demands --------------------------------------------------------------

DEMAND_TITLES = _templates["demand_titles"]
DEMAND_SUMMARIES = _templates["demand_summaries"]
DEMAND_INTROS = _templates["demand_intros"]
# People put their problem in different words; these vary how a pain is told.
PAIN_LEADS = _templates["pain_leads"]
PAIN_TAILS = _templates["pain_tails"]
DEMAND_SIZES = _templates["demand_sizes"]
DEMAND_CONSEQUENCES = _templates["demand_consequences"]
DEMAND_ATTEMPTS = _templates["demand_attempts"]
DEMAND_EXPERTISE = _templates["demand_expertise"]
DEMAND_ASKS = _templates["demand_asks"]
DEMAND_MODE_PHRASES = _templates["demand_mode_phrases"]
DEMAND_DELIVERABLES = _templates["demand_deliverables"]

# -- review ------------------------------------------------------------------------------

ACHIEVEMENT_REJECTIONS = _templates["achievement_rejections"]
DEMAND_REJECTIONS = _templates["demand_rejections"]
ACHIEVEMENT_CLOSINGS = _templates["achievement_closings"]
DEMAND_CLOSINGS = _templates["demand_closings"]

# -- organization descriptions -----------------------------------------------------------

UNIVERSITY_DESCRIPTIONS = _templates["university_descriptions"]
INSTITUTE_DESCRIPTIONS = _templates["institute_descriptions"]
ENTERPRISE_DESCRIPTIONS = _templates["enterprise_descriptions"]
TRANSFER_DESCRIPTIONS = _templates["transfer_descriptions"]
OPERATOR_DESCRIPTION = _templates["operator_description"]

# -- technology themes -------------------------------------------------------------------

THEMES = tuple(_theme(theme) for theme in _themes["themes"])
THEMES_BY_KEY = {theme.key: theme for theme in THEMES}

# What a demand for a scenario's need is measured by: names of the theme's targets and gains,
# or indicators of its own. A demand whose scenario is missing here uses any of the theme's.
SCENARIO_FOCUS = {
    need: tuple(_measure(m) for m in measures)
    for need, measures in _themes["scenario_focus"].items()
}

# The technical routes an enterprise has heard of for a need, where the theme's own methods
# would not fit it (non-destructive testing is not done by shot peening).
SCENARIO_METHODS = {need: tuple(methods) for need, methods in _themes["scenario_methods"].items()}
