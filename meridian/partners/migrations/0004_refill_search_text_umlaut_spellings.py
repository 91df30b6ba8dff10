"""Partners' ``search_text`` rewritten in the current search form (German "ae", "oe", "ue" read as umlauts).

``meridian.core.search_index.search_key`` now drops an "e" after "a", "o" or "u", so that "Muenchen",
"München" and "Munchen" meet; stored texts are recomputed here with the same code that writes them, in
chunks of ``BATCH`` partners walked by primary key, and only changed rows are written (the SQLite FTS
triggers and the PostgreSQL trigram index follow the column). Nothing to do on an empty database.
"""

from django.db import migrations

from meridian.partners.search_text import (
    PARTNER_PRIVATE_FIELDS,
    PARTNER_PUBLIC_FIELDS,
    partner_search_text,
)

BATCH = 2000


def refill(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    Country = apps.get_model("reference", "Country")
    db = schema_editor.connection.alias
    countries = {c.code: [c.code, c.name_en, c.name_zh] for c in Country.objects.using(db)}
    fields = ["pk", "search_text", "country_id", *PARTNER_PUBLIC_FIELDS, *PARTNER_PRIVATE_FIELDS]
    partners = Partner.objects.using(db).order_by("pk").only(*fields)
    last = 0
    while True:
        chunk = list(partners.filter(pk__gt=last)[:BATCH])
        if not chunk:
            return
        last = chunk[-1].pk
        stale = []
        for partner in chunk:
            text = partner_search_text(partner, country_names=countries.get(partner.country_id, []))
            if text != partner.search_text:
                partner.search_text = text
                stale.append(partner)
        Partner.objects.using(db).bulk_update(stale, ["search_text"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_partner_search_text"),
        ("reference", "0001_initial"),
    ]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop, elidable=True)]
