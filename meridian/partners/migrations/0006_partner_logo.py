"""Partners' logo, shown on the public partner page (a re-encoded PNG; see meridian/partners/logos.py)."""

from django.db import migrations, models

import meridian.partners.logos


class Migration(migrations.Migration):
    dependencies = [("partners", "0005_sort_key_partner_names")]

    operations = [
        migrations.AddField(
            model_name="partner",
            name="logo",
            field=models.FileField(
                blank=True,
                editable=False,
                max_length=200,
                upload_to=meridian.partners.logos.logo_upload_to,
                verbose_name="logo",
            ),
        ),
        migrations.AddField(
            model_name="historicalpartner",
            name="logo",
            field=models.TextField(blank=True, editable=False, max_length=200, verbose_name="logo"),
        ),
    ]
