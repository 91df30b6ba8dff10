"""Agreements' ``search_text`` rewritten in the current search form (German "ae", "oe", "ue" read as umlauts).

``meridian.core.search_index.search_key`` now drops an "e" after "a", "o" or "u"; stored texts (number,
titles, partners' names) are recomputed with the code that writes them, in chunks of ``BATCH`` agreements
walked by primary key, reading the parties of each chunk in one query; only changed rows are written.
Nothing to do on an empty database.
"""

from django.db import migrations

from meridian.agreements.search_text import AGREEMENT_OWN_FIELDS, agreement_search_text
from meridian.partners.search_text import PARTNER_NAME_FIELDS

BATCH = 2000


def refill(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    AgreementPartner = apps.get_model("agreements", "AgreementPartner")
    db = schema_editor.connection.alias
    fields = [f"partner__{name}" for name in PARTNER_NAME_FIELDS]
    agreements = Agreement.objects.using(db).order_by("pk").only("pk", "search_text", *AGREEMENT_OWN_FIELDS)
    last = 0
    while True:
        chunk = list(agreements.filter(pk__gt=last)[:BATCH])
        if not chunk:
            return
        last = chunk[-1].pk
        names: dict[int, list[str]] = {}
        parties = AgreementPartner.objects.using(db).filter(
            agreement_id__gte=chunk[0].pk, agreement_id__lte=last
        )
        for agreement_id, *values in parties.order_by("pk").values_list("agreement_id", *fields):
            names.setdefault(agreement_id, []).extend(values)
        stale = []
        for agreement in chunk:
            text = agreement_search_text(agreement, partner_names=names.get(agreement.pk, []))
            if text != agreement.search_text:
                agreement.search_text = text
                stale.append(agreement)
        Agreement.objects.using(db).bulk_update(stale, ["search_text"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0003_agreement_search_text"),
        ("partners", "0003_partner_search_text"),
    ]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop, elidable=True)]
