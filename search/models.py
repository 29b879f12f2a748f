"""The search app's own tables: the embedded index, the queue of index changes Elasticsearch
has not seen yet, the progress of full reindexes, and people's saved searches (订阅)."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from search.contract import KIND_LABELS, filter_labels

SAVED_SEARCH_DUPLICATE = _("你已经保存过这个搜索，可在“我的订阅”中查看。")


class SearchDocument(models.Model):
    """One published listing as the embedded search backend (内置检索) sees it: its text
    already cut into jieba tokens, and its facets as plain columns.

    On SQLite an FTS5 table (`search_fts`, made by a migration) mirrors the token columns
    through triggers; on PostgreSQL the `vector` column (also made by a migration) holds the
    weighted tsvector. Rows exist only for published listings."""

    kind = models.CharField(max_length=12)
    listing_id = models.BigIntegerField()
    title = models.CharField(max_length=200)
    excerpt = models.TextField(blank=True, help_text="summary and description, for snippets")
    keywords = models.CharField(max_length=700, blank=True)
    title_tokens = models.TextField()
    keywords_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    field = models.CharField(max_length=30)
    market_id = models.BigIntegerField(null=True)
    region_code = models.CharField(max_length=6, blank=True)
    trl = models.PositiveSmallIntegerField(null=True)
    # Comma-wrapped codes (",transfer,license,"), so one mode is a LIKE '%,code,%' away.
    modes = models.CharField(max_length=120, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    price_negotiable = models.BooleanField(default=False)
    price_band = models.CharField(max_length=12, blank=True)
    holder_kind = models.CharField(max_length=30, blank=True)
    published_at = models.DateTimeField(null=True)
    indexed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")
        constraints = [
            models.UniqueConstraint(fields=["kind", "listing_id"], name="search_doc_unique")
        ]
        indexes = [
            models.Index(fields=["kind", "-published_at"], name="search_doc_newest"),
            models.Index(fields=["kind", "price"], name="search_doc_price"),
            models.Index(fields=["kind", "field"], name="search_doc_field"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.listing_id} {self.title}"


class PendingIndexOp(models.Model):
    """A change Elasticsearch missed because it was unreachable (待同步的索引变更). Replayed in
    order by `manage.py search_replay` and at the start of every reindex; replay reads the
    listing's state at that time, so a queue of stale operations still converges."""

    class Op(models.TextChoices):
        INDEX = "index", _("写入")
        DELETE = "delete", _("删除")

    kind = models.CharField(max_length=12)
    listing_id = models.BigIntegerField()
    op = models.CharField(max_length=10, choices=Op.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("待同步索引变更")
        verbose_name_plural = _("待同步索引变更")
        ordering = ["id"]

    def __str__(self):
        return f"{self.op} {self.kind}:{self.listing_id}"


class ReindexRun(models.Model):
    """One full reindex of a listing kind (重建索引): the new Elasticsearch index it fills and
    the last listing done, so an interrupted run can be resumed into the same index."""

    kind = models.CharField(max_length=12)
    index_name = models.CharField(max_length=200, blank=True)
    # Whether this run rebuilds the embedded index too (an Elasticsearch-only run does not).
    embedded = models.BooleanField(default=True)
    last_pk = models.BigIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("索引重建记录")
        verbose_name_plural = _("索引重建记录")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.kind} {self.index_name or 'embedded'} @ {self.last_pk}"


class SavedSearch(models.Model):
    """A saved search (保存的搜索，订阅): a query a person keeps, so that each new listing
    published later that the search page would show for it brings them a notification.

    `q` and `filters` are stored as `SearchQuery.clean` left them, so re-running the saved
    search and checking a new listing against it read the very same query. `filters_key` is
    the filters in one canonical order: with (user, kind, q) it makes a search saved twice,
    by a double click or otherwise, one row."""

    KIND_CHOICES = [(kind, label) for kind, label in KIND_LABELS.items()]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("信息类型"), max_length=12, choices=KIND_CHOICES)
    q = models.CharField(_("检索词"), max_length=200, blank=True)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    filters_key = models.CharField(max_length=300, blank=True, editable=False)
    # How many words (jieba groups) the query has: a listing must match each of them.
    group_count = models.PositiveSmallIntegerField(default=0, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)
    last_notified_at = models.DateTimeField(_("最近通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("保存的搜索")
        verbose_name_plural = _("保存的搜索")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "q", "filters_key"],
                name="saved_search_unique",
                violation_error_message=SAVED_SEARCH_DUPLICATE,
            )
        ]
        indexes = [models.Index(fields=["kind", "active"], name="saved_search_kind")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        """The search page showing this saved search's results now."""
        return reverse("search:search") + "?" + urlencode(self.params)

    @property
    def params(self) -> dict[str, str]:
        """The search page's query parameters for this search."""
        return {"q": self.q, "type": self.kind, **{k: str(v) for k, v in self.filters.items()}}

    def filter_labels(self) -> list[str]:
        return filter_labels(self.filters)


class SavedSearchTerm(models.Model):
    """One word of a saved search's query, as index tokens (订阅检索词): the inverted index
    that finds, for a new listing, the few saved searches whose every word it contains,
    without reading the others. `group` numbers the query's words; any of a word's tokens
    will do (see search.text.query_groups)."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="terms")
    group = models.PositiveSmallIntegerField()
    token = models.CharField(max_length=200, db_index=True)

    class Meta:
        verbose_name = _("订阅检索词")
        verbose_name_plural = _("订阅检索词")
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "group", "token"], name="saved_search_term_unique"
            )
        ]

    def __str__(self):
        return f"{self.saved_search_id}:{self.group} {self.token}"


class SavedSearchHit(models.Model):
    """A listing a saved search has already notified about (已通知的匹配): one listing
    notifies one saved search once at most, even when it is edited or published again."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="hits")
    listing_id = models.BigIntegerField()
    notified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("已通知的匹配")
        verbose_name_plural = _("已通知的匹配")
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "listing_id"], name="saved_search_hit_unique"
            )
        ]

    def __str__(self):
        return f"{self.saved_search_id} → {self.listing_id}"
