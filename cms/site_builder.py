"""Builds the public site's page tree: the home page, the listing indexes, one page per
sub-market, policies and news, in Chinese, and its English translation (Wagtail's
copy_for_translation, so each English page shares its Chinese page's translation key).
Idempotent: pages are found by slug, and translations by locale, before being made."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

from cms.models import (
    AchievementIndexPage,
    DemandIndexPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
    SubMarketIndexPage,
    SubMarketPage,
)
from market.models import Market

ENGLISH_SITE_NAME = "Provincial Technology Market"


def _child(parent: Page, model, slug: str, **fields) -> Page:
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _translate(page: Page, locale: Locale, **fields) -> Page:
    """The page's translation into the locale, made with Wagtail's copy_for_translation
    (under the translated parent) and published with the given English fields."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    translation = page.specific.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


def _paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


@transaction.atomic
def site_build(*, site_name: str = "省技术市场") -> HomePage:
    # A flushed database (transactional tests) has lost the tree root Wagtail's migration made.
    locales = {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES
    }
    chinese, english = locales[settings.LANGUAGE_CODE], locales["en"]
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = HomePage.objects.filter(locale=chinese).first()
    # Wagtail's migrations leave a plain welcome page at slug "home"; ours replaces it.
    welcome = Page.objects.filter(depth=2, slug="home").exclude(
        pk__in=HomePage.objects.values("pk")
    )
    welcome_ids = list(welcome.values_list("pk", flat=True))
    welcome.update(slug="wagtail-welcome")
    if home is None:
        home = HomePage(
            locale=chinese,
            title=site_name,
            slug="home",
            hero_title="让科技成果找到市场，让企业需求找到答案",
            hero_text=(
                "汇聚高校院所科技成果与企业技术需求，技术经纪人全程服务，"
                "每一条需求48小时内必有回复。"
            ),
            body=[
                {"type": "heading", "value": {"text": "我们怎样服务", "size": "h2"}},
                _paragraph(
                    "高校、科研院所发布科技成果，企业发布技术需求，平台自动匹配并由技术经纪人跟进对接，"
                    "直至技术合同认定登记。各分市场一站式合作窗口提供线下服务。"
                ),
            ],
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    # The default site created by Wagtail's migrations points at its welcome page.
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"root_page": home, "hostname": "localhost", "port": 80, "site_name": site_name},
    )
    for page in Page.objects.filter(pk__in=welcome_ids):
        page.delete()

    achievements = _child(
        home,
        AchievementIndexPage,
        "achievements",
        title="科技成果",
        intro="<p>高校、科研院所和企业发布的可转化科技成果。</p>",
    )
    demands = _child(
        home,
        DemandIndexPage,
        "demands",
        title="技术需求",
        intro="<p>企业提出的技术难题与合作需求。</p>",
    )
    markets_index = _child(
        home,
        SubMarketIndexPage,
        "markets",
        title="分市场",
        intro="<p>“1+N”技术市场网络，就近办理。</p>",
        show_in_menus=True,
    )
    sub_markets = []
    for market in Market.objects.filter(kind="sub").order_by("code"):
        page = SubMarketPage.objects.filter(market=market, locale=chinese).first()
        if page is None:
            page = _child(
                markets_index,
                SubMarketPage,
                market.code,
                title=market.name,
                market=market,
                intro=f"<p>{market.description or market.name}</p>",
            )
        sub_markets.append(page)
    policies = _child(
        home,
        StandardPage,
        "policies",
        title="政策法规",
        intro="技术交易相关政策与办事指南。",
        show_in_menus=True,
        body=[
            {"type": "heading", "value": {"text": "技术合同认定登记", "size": "h2"}},
            _paragraph(
                "依据《技术合同认定登记管理办法》，卖方在合同签订后向所在地技术合同登记机构申请认定登记，"
                "登记机构在30日内完成认定。申请时需提交合同文本、技术性收入核定表及相关证明。"
            ),
            {
                "type": "quote",
                "value": {
                    "text": "每一条提交的技术需求，都应在48小时内得到进展答复。",
                    "source": "市场服务承诺",
                },
            },
        ],
    )
    news_index = _child(
        home,
        NewsIndexPage,
        "news",
        title="通知公告",
        intro="<p>活动通知与市场动态。</p>",
        show_in_menus=True,
    )
    news = []
    for slug, title, day, intro in NEWS:
        news.append(
            _child(
                news_index,
                NewsPage,
                slug,
                title=title,
                date=day,
                intro=intro,
                body=[_paragraph(intro)],
            )
        )

    _translate(
        home,
        english,
        title=ENGLISH_SITE_NAME,
        hero_title="Technology achievements find their market, business demands find answers",
        hero_text=(
            "Achievements from universities and institutes meet the technology demands of "
            "businesses, technology brokers serve every step, and every demand gets a reply "
            "within 48 hours."
        ),
        body=[
            {"type": "heading", "value": {"text": "How we serve", "size": "h2"}},
            _paragraph(
                "Universities and research institutes publish technology achievements, businesses "
                "publish technology demands; the platform matches them and a technology broker "
                "follows each match through to the registration of the technology contract. "
                "Every sub-market's one-stop cooperation window serves clients in person."
            ),
        ],
    )
    _translate(
        achievements,
        english,
        title="Technology achievements",
        intro="<p>Achievements ready for transfer, published by universities, research "
        "institutes and businesses.</p>",
    )
    _translate(
        demands,
        english,
        title="Technology demands",
        intro="<p>Technical problems businesses need solved and the cooperation they seek.</p>",
    )
    _translate(
        markets_index,
        english,
        title="Sub-markets",
        intro="<p>The “1+N” technology market network: served close to where you are.</p>",
    )
    for page in sub_markets:
        name = f"{page.market.code.replace('-', ' ').title()} Sub-market"
        _translate(
            page,
            english,
            title=name,
            intro=(
                f"<p>The {name} of the provincial technology market network. Its one-stop "
                "cooperation window registers achievements and demands and advises on "
                "technology contract registration, close to where you are.</p>"
            ),
        )
    _translate(
        policies,
        english,
        title="Policies",
        intro="Policies on technology transactions and guides to the procedures.",
        body=[
            {
                "type": "heading",
                "value": {"text": "Registering a technology contract", "size": "h2"},
            },
            _paragraph(
                "Under the Measures for the Recognition and Registration of Technology Contracts, "
                "the seller applies to the local technology contract registry once the contract "
                "is signed, and the registry decides within 30 days. The application includes "
                "the contract, the assessment form for technology income and supporting "
                "documents."
            ),
            {
                "type": "quote",
                "value": {
                    "text": "Every technology demand submitted gets a reply on its progress within "
                    "48 hours.",
                    "source": "The market's service pledge",
                },
            },
        ],
    )
    _translate(
        news_index,
        english,
        title="News",
        intro="<p>Event notices and news from the market.</p>",
    )
    for page, (title, intro) in zip(news, NEWS_ENGLISH, strict=True):
        _translate(page, english, title=title, intro=intro, body=[_paragraph(intro)])
    # The English home page is a new site root path, which Wagtail keeps in its cache.
    Site.clear_site_root_paths_cache()
    return home


NEWS = [
    (
        "lianbaixiao-2026",
        "“联百校 转千果”2026年度对接活动启动",
        date(2026, 3, 18),
        "全年将举办6场专场对接会，覆盖新材料、生物医药、先进制造等领域。",
    ),
    (
        "window-standard",
        "各分市场一站式合作窗口执行统一服务标准",
        date(2026, 5, 6),
        "首问负责、一次性告知、限时办结和好差评制度在各窗口全面实施。",
    ),
]
NEWS_ENGLISH = [
    (
        "“A Hundred Universities, a Thousand Achievements”: the 2026 matchmaking season opens",
        "Six matchmaking sessions this year cover new materials, biomedicine, advanced "
        "manufacturing and more.",
    ),
    (
        "Every sub-market's one-stop window now follows one service standard",
        "First-contact responsibility, all requirements told at once, time-limited handling and "
        "client ratings now apply at every window.",
    ),
]
