"""Reference data arrives with the migrations: countries, ISCED-F fields and EQF levels.

Runs the loader of `meridian load-reference` (idempotent) with the historical models, so that a database
that has only been migrated can be imported into. Undoing the migration leaves the rows in place.
"""

from django.db import migrations


def load(apps, schema_editor):
    from meridian.reference.services import reference_load

    reference_load(
        country_model=apps.get_model("reference", "Country"),
        isced_model=apps.get_model("reference", "IscedField"),
        eqf_model=apps.get_model("reference", "EqfLevel"),
    )


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
