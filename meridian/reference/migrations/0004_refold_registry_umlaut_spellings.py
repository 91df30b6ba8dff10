"""Registry names and tokens in the current search form: German "ae", "oe", "ue" read as umlauts.

``meridian.reference.folding.search_fold`` now drops an "e" after "a", "o" or "u" ("Muenchen" and "München"
are both "munchen"). Each name's ``normalised`` key is recomputed in chunks of ``BATCH`` names walked by
primary key; the tokens of every (institution, source) whose names changed are rebuilt from its names with
the code the registry import uses. Rows already in the current form are left alone, so an empty or freshly
built registry costs one pass over its names.
"""

from collections import defaultdict

from django.db import migrations

BATCH = 2000
CHUNK = 900  # ids per IN (...) list, below SQLite's limit on query parameters
MAX_NAME = 300  # InstitutionName.normalised max_length


def refold(apps, schema_editor):
    from meridian.core.text import fold
    from meridian.reference.folding import search_name
    from meridian.reference.tokens import name_tokens

    name_model = apps.get_model("reference", "InstitutionName")
    token_model = apps.get_model("reference", "InstitutionToken")
    db = schema_editor.connection.alias
    names_table = schema_editor.quote_name(name_model._meta.db_table)
    retoken: set[tuple[int, str]] = set()
    rows = name_model.objects.using(db).order_by("pk")
    last = 0
    while True:
        chunk = list(
            rows.filter(pk__gt=last).values_list("pk", "institution_id", "source", "value", "normalised")[
                :BATCH
            ]
        )
        if not chunk:
            break
        last = chunk[-1][0]
        changed = []
        for pk, inst_id, source, value, normalised in chunk:
            key = search_name(value)
            if key[:MAX_NAME] != normalised:
                changed.append((key[:MAX_NAME], pk))
                retoken.add((inst_id, source))
            elif len(key) > MAX_NAME and any(pair in fold(value) for pair in ("ae", "oe", "ue")):
                # The key's visible part is unchanged, but words past it (tokens) may have changed.
                retoken.add((inst_id, source))
        if changed:
            with schema_editor.connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {names_table} SET normalised = %s WHERE id = %s", changed)  # noqa: S608
    pairs = sorted(retoken)
    for start in range(0, len(pairs), CHUNK):
        pair_chunk = pairs[start : start + CHUNK]
        names: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
        for inst_id, source, kind, value in (
            name_model.objects.using(db)
            .filter(institution_id__in={inst_id for inst_id, _source in pair_chunk})
            .values_list("institution_id", "source", "kind", "value")
        ):
            names[(inst_id, source)].append((kind, value))
        for inst_id, source in pair_chunk:
            token_model.objects.using(db).filter(institution_id=inst_id, source=source).delete()
        token_model.objects.using(db).bulk_create(
            [
                token_model(institution_id=inst_id, token=token, source=source)
                for inst_id, source in pair_chunk
                for token in name_tokens(names[(inst_id, source)])
            ],
            batch_size=BATCH,
        )


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_refold_registry_names")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop, elidable=True)]
