"""Settings for the test suite: fast hashing, in-memory e-mail, a throw-away data folder."""

import tempfile
from pathlib import Path

from meridian.settings import *  # noqa: F403
from meridian.settings import DATABASES

_TMP = Path(tempfile.mkdtemp(prefix="meridian-test-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = _TMP / "media"
PRIVATE_STORAGE_ROOT = _TMP / "private"
STORAGES = {
    "default": {"BACKEND": "meridian.core.storage.MediaFileSystemStorage"},
    "private": {"BACKEND": "meridian.core.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
ALLOWED_HOSTS = ["*"]
AXES_ENABLED = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Background tasks run at once in tests; "after commit" is tested with django_capture_on_commit_callbacks.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# People: a fixed personal-data key, so tests never depend on a key file in the data folder.
PERSONAL_DATA_KEYS = ["test-personal-data-key-0123456789abcdef"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A test database is thrown away: commits need not wait for the disk (transactional tests, migrations).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
