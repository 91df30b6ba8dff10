"""Move the plain API keys of ``rest_framework.authtoken`` into hashed ``ApiToken`` rows.

Each old key (40 hex characters) keeps working: its SHA-512 digest and first 15 characters are stored the
way django-rest-knox stores a new token, with the key's creation time, the name "Key from before hashed
tokens" and an expiry ``API_TOKEN_MAX_DAYS`` days from now. The plain keys are then deleted, so none is left
in the database; the old table itself (``authtoken_token``) stays, empty, and may be dropped. A database that
never had the old table (a new installation) is left as it is. Not reversible: the keys are gone.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.crypto import hash_token

LEGACY_TABLE = "authtoken_token"
LEGACY_NAME = "Key from before hashed tokens"


def _aware(value: object) -> datetime | None:
    """A creation time read with raw SQL (SQLite may give text or a naive datetime), made aware in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime):
        return None
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


def move_legacy_keys(apps, schema_editor) -> int:
    """Copy each legacy key as a hashed token, then delete the plain keys; returns how many were moved."""
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return 0
    api_token = apps.get_model("accounts", "ApiToken")
    user_model = apps.get_model("accounts", "User")
    table = connection.ops.quote_name(LEGACY_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id, created FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    users = set(user_model.objects.filter(pk__in={row[1] for row in rows}).values_list("pk", flat=True))
    keys = [(key, user_id, _aware(created)) for key, user_id, created in rows if key and user_id in users]
    expiry = timezone.now() + timedelta(days=max(1, int(getattr(settings, "API_TOKEN_MAX_DAYS", 365))))
    api_token.objects.bulk_create(
        api_token(
            digest=hash_token(key), token_key=key[:15], user_id=user_id, expiry=expiry, name=LEGACY_NAME
        )
        for key, user_id, _created in keys
    )
    for key, _user_id, created in keys:
        if created is not None:  # auto_now_add set "now" on insert: put the key's own creation time back
            api_token.objects.filter(digest=hash_token(key)).update(created=created)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    return len(keys)


def forwards(apps, schema_editor) -> None:
    move_legacy_keys(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_api_tokens")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
