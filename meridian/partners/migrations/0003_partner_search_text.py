"""The normalised search column of partners, filled for existing rows, and its index.

The index depends on the database: a pg_trgm GIN index on PostgreSQL, an FTS5 trigram table with triggers
on SQLite (see meridian/core/search_index.py); no model state describes it, so SQLite and PostgreSQL share
this one migration.
"""

from django.db import migrations, models

from meridian.core.search_index import drop_search_index, ensure_search_index
from meridian.partners.search_text import partner_search_text

BATCH = 2000


def fill(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    Country = apps.get_model("reference", "Country")
    db = schema_editor.connection.alias
    countries = {c.code: [c.code, c.name_en, c.name_zh] for c in Country.objects.using(db)}
    rows = []
    for partner in Partner.objects.using(db).order_by("pk").iterator(chunk_size=BATCH):
        partner.search_text = partner_search_text(
            partner, country_names=countries.get(partner.country_id, [])
        )
        rows.append(partner)
        if len(rows) >= BATCH:
            Partner.objects.using(db).bulk_update(rows, ["search_text"])
            rows = []
    Partner.objects.using(db).bulk_update(rows, ["search_text"])


def create_index(apps, schema_editor):
    ensure_search_index(schema_editor.connection, "partners_partner")


def drop_index(apps, schema_editor):
    drop_search_index(schema_editor.connection, "partners_partner")


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_contact_portal_role"),
        ("reference", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="partner",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_index, drop_index),
    ]
