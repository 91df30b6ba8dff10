"""Registry names and tokens in search form: punctuation-free, Chinese script variants folded.

Names keep their search key in `normalised` (words joined by single spaces, so "Ludwig-Maximilians-Universität"
equals "ludwig maximilians universitat") and tokens fold Traditional Chinese and Japanese kanji to Simplified
(東京大学 is found as 东京大学). Rows written before are brought to the new form here; imports write it since.
"""

from collections import defaultdict

from django.db import migrations

BATCH = 2000
CHUNK = 900  # ids per IN (...) list, below SQLite's limit on query parameters


def refold(apps, schema_editor):
    from meridian.reference.folding import search_name
    from meridian.reference.tokens import name_tokens

    name_model = apps.get_model("reference", "InstitutionName")
    token_model = apps.get_model("reference", "InstitutionToken")
    changed: list[tuple[str, int]] = []
    retoken: set[tuple[int, str]] = set()
    rows = name_model.objects.order_by().values_list("pk", "institution_id", "source", "value", "normalised")
    for pk, inst_id, source, value, normalised in rows.iterator(chunk_size=BATCH):
        key = search_name(value)[:300]
        if key != normalised:
            changed.append((key, pk))
            if any(ord(ch) >= 0x2E80 for ch in value):
                retoken.add((inst_id, source))
    table = schema_editor.quote_name(name_model._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, len(changed), BATCH):
            cursor.executemany(
                f"UPDATE {table} SET normalised = %s WHERE id = %s",  # noqa: S608
                changed[start : start + BATCH],
            )
    pairs = sorted(retoken)
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start : start + CHUNK]
        names: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
        for inst_id, source, kind, value in name_model.objects.filter(
            institution_id__in={inst_id for inst_id, _source in chunk}
        ).values_list("institution_id", "source", "kind", "value"):
            names[(inst_id, source)].append((kind, value))
        for inst_id, source in chunk:
            token_model.objects.filter(institution_id=inst_id, source=source).delete()
        token_model.objects.bulk_create(
            [
                token_model(institution_id=inst_id, token=token, source=source)
                for inst_id, source in chunk
                for token in name_tokens(names[(inst_id, source)])
            ],
            batch_size=BATCH,
        )


class Migration(migrations.Migration):
    dependencies = [("reference", "0002_load_reference_data")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop, elidable=True)]
