"""The demo's words, read from demo/data/*.json: what the builder draws on is there and fits
together, so a mistake in a data file fails here rather than half way through a load."""

import json
import re

import pytest

from demo import vocabulary as v
from listings.choices import Industry, MaturityStage, TechField

REGION_CODE = re.compile(r"\d{6}")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
ALL_STAGES = {str(stage) for stage in MaturityStage}
# A service is offered once it runs (see builder._stage): it has no lab or small-pilot stage.
SERVICE_STAGES = {str(MaturityStage.PILOT), str(MaturityStage.INDUSTRIAL)}


@pytest.mark.parametrize("path", sorted(v.DATA.glob("*.json")), ids=lambda p: p.name)
def test_data_files_are_readable_utf8_json(path):
    text = path.read_text("utf-8")
    assert isinstance(json.loads(text), dict)
    # Written with ensure_ascii=False: the Chinese is there to read and edit, not \u escapes.
    assert "\\u" not in text
    assert re.search(r"[\u4e00-\u9fff]", text)


def test_cities_and_districts_have_six_digit_region_codes():
    assert REGION_CODE.fullmatch(v.PROVINCE_CODE) and v.PROVINCE_CODE.endswith("0000")
    assert v.MAIN_MARKET["region_code"] == v.PROVINCE_CODE
    for code, city in v.CITIES.items():
        assert code == city.code and REGION_CODE.fullmatch(code) and code.endswith("00")
        assert code[:2] == v.PROVINCE_CODE[:2]
        assert city.area_code.startswith("0") and city.districts and city.roads
        for district, name in city.districts:
            assert REGION_CODE.fullmatch(district) and district[:4] == code[:4]
            assert v.city_of(district) is city and v.district_name(district) == name


def test_every_city_has_one_sub_market_and_its_enterprises():
    market_cities = [city for _code, _name, city, _industries in v.SUB_MARKETS]
    assert sorted(market_cities) == sorted(v.CITIES)
    assert list(v.CITY_ENTERPRISES) == list(v.CITIES)
    for count, profiles in v.CITY_ENTERPRISES.values():
        assert count >= len(profiles) > 0
        assert set(profiles) <= set(v.PROFILES_BY_KEY)
    enterprises = sum(count for count, _profiles in v.CITY_ENTERPRISES.values())
    # Each enterprise takes a brand of its own.
    assert len(set(v.ENTERPRISE_BRANDS)) == len(v.ENTERPRISE_BRANDS) >= enterprises


def test_organizations_sit_in_known_districts_and_known_themes():
    districts = {code for city in v.CITIES.values() for code, _name in city.districts}
    for name, district, themes, weight in (*v.UNIVERSITIES, *v.INSTITUTES):
        assert name and district in districts and weight > 0
        assert themes and set(themes) <= set(v.THEMES_BY_KEY), name
    for name, district, prefix, fields in v.TRANSFER_INSTITUTIONS:
        assert district in districts and prefix in ("12", "91"), name
        assert fields and set(fields) <= set(TechField.values), name
    assert v.OPERATOR_ORGANIZATION[1] in districts


def test_profiles_ask_for_service_themes_and_meet_their_own_scenarios():
    service_themes = {t.key for t in v.THEMES if t.field == TechField.HIGH_TECH_SERVICES}
    products = {s.product for t in v.THEMES for s in t.scenarios}
    for profile in v.PROFILES:
        assert profile.business and profile.main and profile.short
        assert set(profile.services) <= service_themes, profile.key
        # An industry none of whose products has a scenario would post no demands of its own.
        assert set(profile.products) & products, profile.key


def test_every_theme_has_what_an_achievement_and_a_demand_draw_on():
    assert len(v.THEMES_BY_KEY) == len(v.THEMES)
    for theme in v.THEMES:
        assert theme.field in TechField.values and theme.industry in Industry.values, theme.key
        assert theme.subjects and theme.weaknesses and theme.scenarios, theme.key
        assert theme.targets and theme.keywords and theme.methods, theme.key
        # The builder samples three gains for one text, and two features for every subject.
        assert len(theme.gains) >= 3, theme.key
        for subject in theme.subjects:
            assert len(theme.features_for(subject)) >= 2, (theme.key, subject.name)
            assert theme.applications_for(subject), (theme.key, subject.name)
        for gain in theme.gains:
            assert 0 < gain.lo <= gain.hi, (theme.key, gain.name)
        for target in theme.targets:
            assert target.now[0] <= target.now[1] and target.goal[0] <= target.goal[1]
            assert target.now != target.goal, (theme.key, target.name)
        lo, hi = theme.scale
        assert isinstance(lo, int) and isinstance(hi, int) and 0 < lo < hi, theme.key


def test_every_theme_kind_has_its_templates():
    for theme in v.THEMES:
        kind = theme.kind
        assert v.TITLE_TEMPLATES[kind] and v.ADJECTIVES[kind] and v.ECONOMICS[kind], theme.key
        stages = SERVICE_STAGES if kind == "service" else ALL_STAGES
        assert stages <= set(v.STAGE_SENTENCES[kind]), theme.key
        assert all(v.STAGE_SENTENCES[kind][stage] for stage in stages), theme.key
    assert set(v.STAGE_DONE) == ALL_STAGES


def test_scenario_focus_names_its_own_themes_measures():
    scenarios = {s.need: t for t in v.THEMES for s in t.scenarios}
    assert set(v.SCENARIO_FOCUS) <= set(scenarios)
    assert set(v.SCENARIO_METHODS) <= set(scenarios)
    for need, measures in v.SCENARIO_FOCUS.items():
        theme = scenarios[need]
        names = {m.name for m in (*theme.targets, *theme.gains)}
        for measure in measures:
            if isinstance(measure, str):
                # A name the theme does not have would quietly measure nothing.
                assert measure in names, (need, measure)
            else:
                assert isinstance(measure, (v.Target, v.Gain)), (need, measure)


def test_templates_are_strings_with_placeholders_the_builder_fills():
    # A misspelt placeholder would surface only when that one template is drawn.
    known = {"object", "thing", "suffix", "method", "feature", "feature2", "application"}
    known |= {"app1", "app2", "adj", "weakness", "team", "team_short", "claim", "years"}
    known |= {"tester", "gain1", "gain2", "gain3", "target", "stage_done", "modes", "city"}
    known |= {"cap", "n", "m", "hours", "pct", "rev", "inv", "profit", "payback", "ratio"}
    known |= {"save", "unit_cost", "price", "margin", "om", "per_mu", "price_lo"}
    templates = [
        *(t for kind in v.TITLE_TEMPLATES.values() for t in kind),
        *v.BACKGROUNDS, *v.APPROACHES, *v.RESULTS, *v.APPLICATION_SENTENCES,
        *v.COOPERATION_SENTENCES, *v.SUMMARIES, *v.ADVANTAGES,
        *(t for stages in v.STAGE_SENTENCES.values() for ts in stages.values() for t in ts),
        *(t for kind in v.ECONOMICS.values() for t in kind),
    ]  # fmt: skip
    assert all(isinstance(t, str) and t for t in templates)
    used = {name for t in templates for name in PLACEHOLDER.findall(t)}
    assert used <= known, used - known


def test_names_draw_one_character_at_a_time():
    assert isinstance(v.SURNAMES, str) and isinstance(v.GIVEN_CHARS, str)
    assert len(set(v.SURNAMES)) == len(v.SURNAMES) >= 50
    assert all(re.fullmatch(r"1\d\d", prefix) for prefix in v.MOBILE_PREFIXES)
