"""Settings of a small stand-alone CAS server (django-mama-cas) the single sign-on tests talk to over HTTP.

It runs in a process of its own with its own SQLite database; `serve.py` starts it. Its users and the
attributes it releases come from the JSON file named by CAS_TEST_USERS_FILE, re-read on every validation.
"""

import os

SECRET_KEY = "cas-test-server-only-0123456789abcdef0123456789"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "mama_cas",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "meridian.sso.tests.cas_server.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["CAS_TEST_DATABASE"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
MAMA_CAS_SERVICES = [
    {
        "SERVICE": r"^http://testserver/",
        "CALLBACKS": ["meridian.sso.tests.cas_server.callbacks.released_attributes"],
        "LOGOUT_ALLOW": True,
    }
]
MAMA_CAS_ENABLE_SINGLE_SIGN_OUT = False
