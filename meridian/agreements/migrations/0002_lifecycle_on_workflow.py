"""Agreement moves are logged by the workflow engine: copy the old move log into it, drop the old table."""

from django.db import migrations


def copy_moves(apps, schema_editor):
    AgreementTransition = apps.get_model("agreements", "AgreementTransition")
    TransitionLog = apps.get_model("workflow", "TransitionLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not AgreementTransition.objects.exists():
        return
    content_type, _created = ContentType.objects.get_or_create(app_label="agreements", model="agreement")
    rows = [
        TransitionLog(
            content_type_id=content_type.pk,
            object_id=move.agreement_id,
            case_type="agreement",
            action=move.action,
            from_state=move.from_state,
            to_state=move.to_state,
            actor_id=move.actor_id,
            at=move.at,
            comment=move.comment,
        )
        for move in AgreementTransition.objects.order_by("at", "id").iterator()
    ]
    TransitionLog.objects.bulk_create(rows, batch_size=1000)


def copy_back(apps, schema_editor):
    AgreementTransition = apps.get_model("agreements", "AgreementTransition")
    TransitionLog = apps.get_model("workflow", "TransitionLog")
    moves = TransitionLog.objects.filter(case_type="agreement", step_task__isnull=True).order_by("at", "id")
    AgreementTransition.objects.bulk_create(
        [
            AgreementTransition(
                agreement_id=entry.object_id,
                action=entry.action[:20],
                from_state=entry.from_state[:20],
                to_state=entry.to_state[:20],
                actor_id=entry.actor_id,
                comment=entry.comment,
            )
            for entry in moves.iterator()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0001_initial"),
        ("workflow", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_moves, copy_back),
        migrations.DeleteModel(name="AgreementTransition"),
    ]
