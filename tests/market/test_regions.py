"""Regions picked by name and stored as GB/T 2260 codes (market/regions.py, RegionField)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from listings.forms import DemandForm
from listings.importing import _CellError, listings_import, parse_region
from listings.models import Achievement
from market.forms import OrganizationForm, RegionField, SignupForm
from market.regions import region_full_name, region_path, region_tree, resolve_region
from tests.factories import AchievementFactory, OrganizationFactory
from tests.listings.test_import import achievement_row, fill


def test_the_vendored_list_has_provinces_cities_and_districts():
    tree = region_tree()
    provinces = {code: name for code, name, _cities in tree}
    assert len(provinces) == 34
    assert provinces["420000"] == "湖北省"
    hubei = next(cities for code, _name, cities in tree if code == "420000")
    wuhan = next(districts for code, name, districts in hubei if name == "武汉市")
    assert ["420111", "洪山区"] in wuhan
    assert len(wuhan) == 13
    assert [r.name for r in region_path("420111")] == ["湖北省", "武汉市", "洪山区"]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("420111", "湖北省武汉市洪山区"),
        ("420100", "湖北省武汉市"),
        ("420000", "湖北省"),
        # Municipalities: the placeholder level 市辖区 is left out.
        ("110105", "北京市朝阳区"),
        ("429004", "湖北省仙桃市"),
        # A code no longer in the list still names its province.
        ("420999", "湖北省"),
        ("990100", ""),
    ],
)
def test_full_name(code, name):
    assert region_full_name(code) == name


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("420111", ["420111"]),
        ("武汉市", ["420100"]),
        ("武汉", ["420100"]),
        ("湖北省武汉市", ["420100"]),
        ("湖北 武汉 洪山区", ["420111"]),
        ("湖北省武汉市洪山区", ["420111"]),
        ("北京市朝阳区", ["110105"]),
        ("朝阳区", ["110105", "220104"]),
        ("吉林", ["220000", "220200"]),
        ("武汉县", []),
        ("999999", []),
        ("", []),
    ],
)
def test_resolve_region(text, codes):
    assert resolve_region(text) == codes


def test_region_field_stores_the_code_of_a_name_or_a_code():
    field = RegionField()
    assert field.clean("湖北省武汉市洪山区") == "420111"
    assert field.clean("420100") == "420100"


def test_region_field_refuses_an_unknown_region_and_explains_a_shared_name():
    field = RegionField()
    with pytest.raises(ValidationError) as unknown:
        field.clean("武汉县")
    assert unknown.value.messages == [
        "找不到地区“武汉县”。请选择省、市、区县，或填写完整名称，如“湖北省武汉市”。"
    ]
    with pytest.raises(ValidationError) as shared:
        field.clean("朝阳区")
    assert shared.value.messages == [
        "有 2 个地区叫“朝阳区”：北京市朝阳区、吉林省长春市朝阳区。请写上所在的省市。"
    ]
    with pytest.raises(ValidationError) as digits:
        field.clean("999999")
    assert digits.value.messages[0].startswith("找不到地区“999999”")


def test_the_widget_shows_a_stored_code_by_name_and_gives_the_script_the_code():
    html = str(RegionField().widget.render("region_code", "420111", attrs={"id": "id_region"}))
    assert 'value="湖北省武汉市洪山区"' in html
    assert 'data-region-code="420111"' in html
    assert 'data-regions-url="/regions.json"' in html
    assert "data-region-picker" in html


@pytest.mark.django_db
def test_listing_organization_and_signup_forms_use_the_picker():
    for form in (DemandForm(), OrganizationForm(), SignupForm()):
        assert isinstance(form.fields["region_code"], RegionField)
        assert "/static/js/region-picker.js" in str(form.media)
    form = DemandForm(data={"region_code": "湖北省武汉市洪山区"})
    form.is_valid()
    assert form.cleaned_data["region_code"] == "420111"


def test_regions_json_serves_the_tree_for_the_script(client):
    response = client.get(reverse("regions_json"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=86400"
    data = response.json()
    assert data[0][:2] == ["110000", "北京市"]
    assert data == region_tree()


@pytest.mark.django_db
def test_listing_and_organization_show_the_full_region_name(main_market):
    org = OrganizationFactory(market=main_market, region_code="420111")
    assert org.region_name == "湖北省武汉市洪山区"
    listing = AchievementFactory(owner=org, region_code="420100")
    assert listing.region_name == "湖北省武汉市"


@pytest.mark.parametrize(
    ("cell", "code"),
    [("420111", "420111"), ("武汉市", "420100"), ("湖北省武汉市", "420100"), (420100.0, "420100")],
)
def test_import_reads_a_code_or_a_name(cell, code):
    assert parse_region(cell) == code


def test_import_explains_a_name_it_cannot_place():
    with pytest.raises(_CellError) as error:
        parse_region("朝阳区")
    assert error.value.messages == [
        "有 2 个地区叫“朝阳区”：北京市朝阳区、吉林省长春市朝阳区。请写上所在的省市。"
    ]


@pytest.mark.django_db
def test_an_imported_sheet_may_name_the_region(university, university_user):
    data = fill(
        "achievement",
        "csv",
        [
            achievement_row(编号="R-1", 地区代码="武汉市"),
            achievement_row(编号="R-2", 地区代码="湖北省武汉市洪山区"),
            achievement_row(编号="R-3", 地区代码="420600"),
        ],
    )
    result = listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )
    assert result.created == 3
    codes = dict(Achievement.objects.values_list("ref", "region_code"))
    assert codes == {"R-1": "420100", "R-2": "420111", "R-3": "420600"}
