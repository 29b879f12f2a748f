"""ReindexRun.embedded (an Elasticsearch-only rebuild leaves the embedded index alone), and on
SQLite a covering index of every column a search reads per match.

A document row is wide (excerpt and token text come before the facet columns, so reading a
facet walks the text's overflow pages). Searching joins each FTS match to the document by
rowid; through this index, which starts with the rowid, the join, the filters, the facet
counts and the sort keys never touch the wide row, only the 20 hits of a page do."""

from django.db import migrations, models

COVERING = "search_doc_cover"
SQLITE_UP = (
    f"CREATE INDEX {COVERING} ON search_searchdocument (id, kind, field, market_id, trl, "
    "modes, price_band, holder_kind, published_at, price, listing_id)"
)
SQLITE_DOWN = f"DROP INDEX IF EXISTS {COVERING}"


def _sqlite(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_fulltext"),
    ]

    operations = [
        migrations.AddField(
            model_name="reindexrun",
            name="embedded",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(_sqlite(SQLITE_UP), _sqlite(SQLITE_DOWN)),
    ]
