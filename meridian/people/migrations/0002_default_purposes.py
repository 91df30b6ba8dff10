"""Default purposes of processing with their retention periods; administrators change them in the admin."""

from django.db import migrations

# code, English, Chinese, retention in calendar days after the purpose ends
DEFAULTS = [
    ("official_travel", "Official travel abroad", "因公出国（境）", 1095),
    ("visit", "Visit and hosting of guests", "来访接待", 365),
    ("exchange", "Student exchange", "学生交流", 1825),
    ("foreign_expert", "Employment of a foreign expert", "外国专家聘请", 1825),
    ("international_student", "Admission and stay of an international student", "来华留学", 1825),
    ("event", "Conference or event", "会议与活动", 365),
]


def create(apps, schema_editor):
    Purpose = apps.get_model("people", "Purpose")
    for code, name_en, name_zh, days in DEFAULTS:
        Purpose.objects.get_or_create(
            code=code, defaults={"name_en": name_en, "name_zh": name_zh, "retention_days": days}
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
