"""The full-text side of the embedded index, which differs by database.

SQLite: an FTS5 table over the pre-segmented token columns, kept in step with
search_searchdocument by triggers (tokenize='unicode61' only has to split on spaces).
PostgreSQL: a weighted tsvector column with a GIN index, written by the search services.
"""

from django.db import migrations

SQLITE_UP = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title_tokens, keywords_tokens, body_tokens,
        content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )
    """,
    """
    CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_tokens, keywords_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.keywords_tokens, new.body_tokens);
    END
    """,
    """
    CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, keywords_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.keywords_tokens, old.body_tokens);
    END
    """,
    """
    CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, keywords_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.keywords_tokens, old.body_tokens);
        INSERT INTO search_fts(rowid, title_tokens, keywords_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.keywords_tokens, new.body_tokens);
    END
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_UP = [
    "ALTER TABLE search_searchdocument ADD COLUMN vector tsvector",
    "CREATE INDEX search_doc_vector ON search_searchdocument USING GIN (vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_doc_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
