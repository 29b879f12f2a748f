"""The public site's pages (Wagtail). Listings themselves are Django models, not pages:
the index pages list them and route their detail pages."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from listings import selectors as listing_selectors
from listings.filters import AchievementFilter, DemandFilter
from listings.kinds import ACHIEVEMENT, DEMAND, ListingKind
from listings.models import Achievement, Demand
from listings.views import render_listing_detail
from market import pagecache

PAGE_SIZE = 20
LISTING_KINDS_TAGS = (pagecache.kind_tag(ACHIEVEMENT.key), pagecache.kind_tag(DEMAND.key))


class CachedPageMixin:
    """A page whose anonymous copy is cached whole (see market.pagecache) and stays until
    what it shows changes: `page_cache_tags`, besides the CMS pages themselves. A page
    behind a view restriction (a password, a group) is never cached."""

    page_cache_tags: tuple[str, ...] = ()

    def cache_for_anonymous(self, request, *tags: str) -> None:
        if self.get_view_restrictions().exists():
            pagecache.exclude_from_cache(request)
        else:
            pagecache.depends_on(request, *self.page_cache_tags, *tags)

    def serve(self, request, *args, **kwargs):
        self.cache_for_anonymous(request)
        return super().serve(request, *args, **kwargs)


class HomePage(CachedPageMixin, Page):
    """The market's front page: a hero, live figures against the "十百千" targets, and body."""

    page_cache_tags = (*LISTING_KINDS_TAGS, "figures")

    hero_title = models.CharField(_("主标题"), max_length=120)
    hero_text = models.TextField(_("导语"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("正文"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("hero_title"),
        FieldPanel("hero_text"),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.AchievementIndexPage",
        "cms.DemandIndexPage",
        "cms.SubMarketIndexPage",
        "cms.StandardPage",
        "cms.NewsIndexPage",
    ]
    # One home page per content language: the English one is the Chinese one's translation.
    max_count = len(settings.WAGTAIL_CONTENT_LANGUAGES)

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_achievements"] = listing_selectors.listings_latest(Achievement)
        context["latest_demands"] = listing_selectors.listings_latest(Demand)
        context["sub_markets"] = (
            SubMarketPage.objects.live().filter(locale=self.locale).select_related("market")
        )
        return context


class IndexPage(CachedPageMixin, Page):
    """What the section pages under the home page share: an intro, one of each."""

    intro = RichTextField(_("简介"), blank=True)
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    # One of each under each language's home page.
    max_count_per_parent = 1

    class Meta:
        abstract = True


class ListingIndexPage(RoutablePageMixin, IndexPage):
    """Shared behaviour of the achievement and demand indexes: filter, sort, paginate, and
    route each listing's detail page under the index."""

    subpage_types: list[str] = []

    listing_kind: ListingKind
    filterset_class: type

    class Meta:
        abstract = True

    @property
    def model(self):
        return self.listing_kind.model

    @property
    def kind(self) -> str:
        return self.listing_kind.key

    def filtered(self, request):
        queryset = listing_selectors.listing_cards(self.model)
        filterset = self.filterset_class(request.GET or None, queryset=queryset)
        return filterset, filterset.qs if filterset.is_bound else queryset

    @path("")
    def index(self, request):
        self.cache_for_anonymous(request, pagecache.kind_tag(self.kind))
        filterset, queryset = self.filtered(request)
        paginator = Paginator(queryset, PAGE_SIZE)
        # The count is a fragment: computed once per change of the listings, not per request.
        paginator.count = listing_selectors.listings_count(self.model, queryset, request.GET)
        page_number = request.GET.get("page") or 1
        try:
            page_obj = paginator.page(page_number)
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        query = request.GET.copy()
        query.pop("page", None)
        template = (
            "cms/includes/listing_results.html" if request.htmx else self.get_template(request)
        )
        return self.render(
            request,
            context_overrides={
                "filterset": filterset,
                "page_obj": page_obj,
                "listings": page_obj.object_list,
                "query": query.urlencode(),
                "kind": self.kind,
            },
            template=template,
        )

    @path("<int:pk>/")
    def detail(self, request, pk):
        # render_listing_detail names the listing the page depends on.
        self.cache_for_anonymous(request)
        return render_listing_detail(request, self.kind, pk, page=self)


class AchievementIndexPage(ListingIndexPage):
    """The public list of published technology achievements (科技成果)."""

    listing_kind = ACHIEVEMENT
    filterset_class = AchievementFilter
    template = "cms/listing_index_page.html"

    class Meta:
        verbose_name = _("科技成果列表页")


class DemandIndexPage(ListingIndexPage):
    """The public list of published technology demands (技术需求)."""

    listing_kind = DEMAND
    filterset_class = DemandFilter
    template = "cms/listing_index_page.html"

    class Meta:
        verbose_name = _("技术需求列表页")


class SubMarketIndexPage(IndexPage):
    """The list of the network's sub-markets (分市场)."""

    subpage_types = ["cms.SubMarketPage"]

    class Meta:
        verbose_name = _("分市场列表页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sub_markets"] = (
            SubMarketPage.objects.child_of(self).live().select_related("market__window")
        )
        return context


class SubMarketPage(CachedPageMixin, Page):
    """One sub-market's page: its one-stop window (一站式合作窗口) and its own listings."""

    page_cache_tags = LISTING_KINDS_TAGS

    # A foreign key, not one-to-one: the Chinese page and its English translation show the
    # same market.
    market = models.ForeignKey(
        "market.Market", verbose_name=_("市场"), on_delete=models.PROTECT, related_name="pages"
    )
    intro = RichTextField(_("简介"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("正文"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("market"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.SubMarketIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("分市场页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        market_ids = self.market.covered_market_ids()
        context["window"] = getattr(self.market, "window", None)
        context["achievements"] = listing_selectors.listing_cards(Achievement).filter(
            market_id__in=market_ids
        )[:10]
        context["demands"] = listing_selectors.listing_cards(Demand).filter(
            market_id__in=market_ids
        )[:10]
        return context


class StandardPage(CachedPageMixin, Page):
    """A page of policies, rules or a service guide (政策法规、办事指南)."""

    intro = models.TextField(_("摘要"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("正文"), blank=True)
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("政策/通用页")


class NewsIndexPage(IndexPage):
    """Notices and event news (通知公告、活动动态), newest first."""

    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("新闻列表页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).live().order_by("-date", "-id")
        context["page_obj"] = Paginator(news, PAGE_SIZE).get_page(request.GET.get("page"))
        return context


class NewsPage(CachedPageMixin, Page):
    """A notice or piece of event news (通知公告、活动动态)."""

    date = models.DateField(_("发布日期"), default=timezone.localdate)
    intro = models.TextField(_("摘要"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("正文"), blank=True)
    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("新闻页")
