"""The search app's own tables: the embedded index, the queue of index changes Elasticsearch
has not seen yet, and the progress of full reindexes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
