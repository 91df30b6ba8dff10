"""Sort keys of agreement titles for English and Chinese readers (pinyin), filled for existing rows."""

from django.conf import settings
from django.db import migrations, models

from meridian.core.sorting import localised_sort_keys

BATCH = 2000


def fill(apps, schema_editor):
    """Sort keys of the titles of existing agreements (new ones get theirs on save)."""
    Agreement = apps.get_model("agreements", "Agreement")
    db = schema_editor.connection.alias
    rows = []
    for agreement in (
        Agreement.objects.using(db)
        .order_by("pk")
        .only("pk", "title_en", "title_zh")
        .iterator(chunk_size=BATCH)
    ):
        keys = localised_sort_keys(english=agreement.title_en, chinese=agreement.title_zh)
        agreement.title_sort_en, agreement.title_sort_zh = keys
        rows.append(agreement)
        if len(rows) >= BATCH:
            Agreement.objects.using(db).bulk_update(rows, ["title_sort_en", "title_sort_zh"])
            rows = []
    Agreement.objects.using(db).bulk_update(rows, ["title_sort_en", "title_sort_zh"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_move_legacy_api_keys"),
        ("agreements", "0004_refill_search_text_umlaut_spellings"),
        ("partners", "0006_partner_logo"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="title_sort_en",
            field=models.CharField(blank=True, default="", editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name="agreement",
            name="title_sort_zh",
            field=models.CharField(blank=True, default="", editable=False, max_length=255),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(fields=["title_sort_en", "id"], name="agreement_title_sort_en"),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(fields=["title_sort_zh", "id"], name="agreement_title_sort_zh"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
