"""Invitation numbers are unique once given (documents area: ``services.invitations``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visitors", "0001_initial"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="visit",
            constraint=models.UniqueConstraint(
                condition=models.Q(("invitation_number", ""), _negated=True),
                fields=("invitation_number",),
                name="unique_visit_invitation_number",
            ),
        ),
    ]
