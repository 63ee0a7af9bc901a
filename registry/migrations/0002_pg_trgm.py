"""Trigram similarity for near-duplicate names and fast `contains` search on PostgreSQL.

SQLite has no pg_trgm: the operations do nothing there and the duplicate check falls back to a
simpler comparison (registry/services/duplicates.py)."""

from django.db import migrations

INDEXES = {
    "registry_ent_name_trgm": "UPPER(name) gin_trgm_ops",
    "registry_ent_brand_trgm": "UPPER(brand) gin_trgm_ops",
    "registry_ent_owner_trgm": "UPPER(owner_name) gin_trgm_ops",
    "registry_ent_namekey_trgm": "name_key gin_trgm_ops",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON registry_enterprise USING gin ({expression})"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
