"""Every user-facing string of the project has a Simplified Chinese translation."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

PO_FILE = settings.PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_catalogue_has_no_missing_or_fuzzy_translations():
    catalog = _catalog(PO_FILE)
    assert len(catalog) > 200
    missing = [
        m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == []
    assert fuzzy == []


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="gettext is not installed; `make test` installs it"
)
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """Extract the strings afresh from a copy of the source and compare them with the committed catalogue."""
    source = tmp_path / "src"
    shutil.copytree(
        settings.PACKAGE_DIR,
        source / "meridian",
        ignore=shutil.ignore_patterns("locale", "__pycache__", "static", "tests"),
    )
    (tmp_path / "extract_settings.py").write_text(
        f"from meridian.settings_test import *  # noqa\nLOCALE_PATHS = [{str(tmp_path / 'locale')!r}]\n",
        encoding="utf-8",
    )
    (tmp_path / "locale").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "extract_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--verbosity",
            "0",
        ],
        cwd=source,
        env=env,
        check=True,
    )
    fresh = _catalog(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    committed = _catalog(PO_FILE)
    # Entries with a translation context (msgctxt) are looked up with it: the same words may mean two things.
    absent = sorted(str(m.id) for m in fresh if m.id and committed.get(m.id, context=m.context) is None)
    assert absent == [], "run `make messages-update` and translate the new strings"


def test_pages_switch_to_chinese(client, people):
    client.force_login(people.officer)
    response = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="zh-hans"' in body
    assert "合作伙伴" in body or "合作方" in body


def test_form_labels_end_with_the_full_width_colon_in_chinese():
    from django import forms
    from django.utils import translation

    class Example(forms.Form):
        name = forms.CharField(label="Name")

    with translation.override("zh-hans"):
        assert "：</label>" in str(Example()["name"].label_tag())
    with translation.override("en"):
        assert ":</label>" in str(Example()["name"].label_tag())
