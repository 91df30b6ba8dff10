"""The normalised search column of agreements (number, titles, partners' names), filled, and its index.

The index depends on the database: a pg_trgm GIN index on PostgreSQL, an FTS5 trigram table with triggers
on SQLite (see meridian/core/search_index.py).
"""

from django.db import migrations, models

from meridian.agreements.search_text import agreement_search_text
from meridian.core.search_index import drop_search_index, ensure_search_index
from meridian.partners.search_text import PARTNER_NAME_FIELDS

BATCH = 2000


def fill(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    AgreementPartner = apps.get_model("agreements", "AgreementPartner")
    db = schema_editor.connection.alias
    names: dict[int, list[str]] = {}
    fields = [f"partner__{name}" for name in PARTNER_NAME_FIELDS]
    parties = AgreementPartner.objects.using(db).order_by("pk").values_list("agreement_id", *fields)
    for agreement_id, *values in parties.iterator(chunk_size=BATCH):
        names.setdefault(agreement_id, []).extend(values)
    rows = []
    for agreement in Agreement.objects.using(db).order_by("pk").iterator(chunk_size=BATCH):
        agreement.search_text = agreement_search_text(agreement, partner_names=names.get(agreement.pk, []))
        rows.append(agreement)
        if len(rows) >= BATCH:
            Agreement.objects.using(db).bulk_update(rows, ["search_text"])
            rows = []
    Agreement.objects.using(db).bulk_update(rows, ["search_text"])


def create_index(apps, schema_editor):
    ensure_search_index(schema_editor.connection, "agreements_agreement")


def drop_index(apps, schema_editor):
    drop_search_index(schema_editor.connection, "agreements_agreement")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_lifecycle_on_workflow"),
        ("partners", "0003_partner_search_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_index, drop_index),
    ]
