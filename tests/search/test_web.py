"""The search page, autocomplete and the JSON API, through the Django test client."""

import pytest

pytestmark = pytest.mark.django_db

BAD_PARAMS = [
    {"q": "x" * 4_000},  # cut to MAX_QUERY_CHARS with a notice; longer is refused with 414
    {"q": '"*:()[]{}\\/'},
    {"q": "title:foo AND (bar OR"},
    {"q": "'; DROP TABLE x; --"},
    {"q": "电池", "field": "nonsense", "mode": "x", "market": "abc", "trl_min": "99"},
    {"q": "电池", "page": str(10**9)},
    {"q": "电池", "page": "-5", "page_size": "abc"},
    {"type": "nonsense", "sort": "nonsense"},
]


@pytest.fixture
def setup(settings, catalogue):
    return catalogue


def test_search_page_shows_highlighted_hits_and_facets(client, catalogue):
    response = client.get("/search/", {"q": "锂电池 正极材料"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>正极</mark>" in html
    assert "共 1 条结果" in html
    assert "新材料" in html  # the field facet's label
    assert f"/listings/achievement/{catalogue['battery'].pk}/" in html


def test_search_page_filters_by_facet_link(client, catalogue):
    response = client.get("/search/", {"q": "", "field": "electronic_information"})
    html = response.content.decode()
    assert "LED芯片封装工艺" in html
    assert "智能产线控制系统" not in html


@pytest.mark.parametrize("params", BAD_PARAMS)
def test_search_page_bad_input_never_500(client, catalogue, params):
    assert client.get("/search/", params).status_code == 200


def test_search_page_reports_unknown_filter(client, catalogue):
    html = client.get("/search/", {"q": "", "field": "nonsense"}).content.decode()
    assert "以下筛选条件无效" in html


def test_suggest_returns_titles_by_prefix(client, catalogue):
    response = client.get("/search/suggest", {"q": "智能产"})
    assert response.status_code == 200
    assert response.json() == {"suggestions": ["智能产线控制系统"]}
    assert client.get("/search/suggest", {"q": "芯片封"}).json()["suggestions"] == [
        "LED芯片封装工艺"
    ]
    assert client.get("/search/suggest", {"q": ""}).json() == {"suggestions": []}
    assert client.get("/search/suggest", {"q": '"*:('}).status_code == 200


def test_api_search_json_shape(client, catalogue):
    response = client.get("/api/v1/search", {"q": "芯片", "type": "achievement"})
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 1
    assert data["type"] == "achievement"
    hit = data["hits"][0]
    assert hit["title"] == "LED芯片封装工艺"
    assert hit["id"] == catalogue["led"].pk
    assert "<mark>芯片</mark>" in hit["title_html"]
    assert hit["url"].endswith(f"/{catalogue['led'].pk}/")
    assert {"field", "market", "mode", "price", "holder", "trl_min"} <= set(data["facets"])
    assert data["facets"]["field"] == [
        {"value": "electronic_information", "label": "电子信息", "count": 1}
    ]


@pytest.mark.parametrize("params", BAD_PARAMS)
def test_api_search_bad_input_never_500(client, catalogue, params):
    response = client.get("/api/v1/search", params)
    assert response.status_code == 200
    assert response.json()["page"] >= 1


def test_api_openapi_lists_search(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/search" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"q", "type", "field", "mode", "price", "page"} <= params
