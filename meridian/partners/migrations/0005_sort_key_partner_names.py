"""Partners' name sort keys (``meridian.core.sorting``): the list sorts by the name it shows, in the reader's
language, Chinese names by pinyin, read from an index on either engine.

The keys of existing partners are computed here with the same code that writes them, in chunks of ``BATCH``
partners walked by primary key. Nothing to do on an empty database.
"""

from django.db import migrations, models

from meridian.core.sorting import localised_sort_keys

BATCH = 2000


def fill(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    db = schema_editor.connection.alias
    partners = Partner.objects.using(db).order_by("pk").only("pk", "name", "name_en", "name_zh")
    last = 0
    while True:
        chunk = list(partners.filter(pk__gt=last)[:BATCH])
        if not chunk:
            return
        last = chunk[-1].pk
        for partner in chunk:
            partner.sort_key_en, partner.sort_key_zh = localised_sort_keys(
                english=partner.name_en or partner.name, chinese=partner.name_zh
            )
        Partner.objects.using(db).bulk_update(chunk, ["sort_key_en", "sort_key_zh"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_refill_search_text_umlaut_spellings"),
    ]

    operations = [
        migrations.AddField(
            model_name="partner",
            name="sort_key_en",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=255, verbose_name="sort key (English)"
            ),
        ),
        migrations.AddField(
            model_name="partner",
            name="sort_key_zh",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=255, verbose_name="sort key (Chinese)"
            ),
        ),
        migrations.AddIndex(
            model_name="partner",
            index=models.Index(fields=["sort_key_en", "id"], name="partner_sort_en_order"),
        ),
        migrations.AddIndex(
            model_name="partner",
            index=models.Index(fields=["sort_key_zh", "id"], name="partner_sort_zh_order"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
