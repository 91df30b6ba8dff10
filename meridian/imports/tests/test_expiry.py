"""Kept uploads nobody imported expire: their files are deleted daily by the scheduler (or the command)."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from meridian.core.registry import registry
from meridian.core.tabular.tests.helpers import csv_bytes
from meridian.imports.models import ImportBatch
from meridian.imports.services import uploads_expire
from meridian.jobs.scheduler import scheduler_tick
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploads(client, people, django_capture_on_commit_callbacks):
    """Three uploads of 20 days ago (checked, refused but kept, refused for its rows) and a checked one of
    today, as ``{name: batch}``."""
    country("AT", "Austria", "奥地利")
    client.force_login(people.officer)
    files = {
        "checked": csv_bytes(["Name", "Country"], [["Universität Wien", "AT"]]),
        "kept": csv_bytes(["Spalte A", "Spalte B"], [["Universität Wien", "AT"]]),
        "rows": csv_bytes(["Name", "Country"], [["Universität Wien", "Atlantis"]]),
        "recent": csv_bytes(["Name", "Country"], [["Universität Graz", "AT"]]),
    }
    batches = {}
    for name, data in files.items():
        client.post(reverse("imports:start"), {"kind": "partners", "file": SimpleUploadedFile(name, data)})
        batches[name] = ImportBatch.objects.get(original_name=name)
    old = timezone.now() - timedelta(days=20)
    ImportBatch.objects.exclude(original_name="recent").update(created_at=old)
    assert [batches[name].status for name in files] == ["checked", "refused", "refused", "checked"]
    assert batches["kept"].stored_path.exists() and not batches["rows"].stored_path.exists()
    return batches


def _status(batch: ImportBatch) -> str:
    batch.refresh_from_db()
    return batch.status


def test_old_kept_uploads_expire_and_their_page_says_so(uploads, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert uploads_expire() == {"expired": 2, "orphans": 0}
    assert [_status(uploads[name]) for name in ("checked", "kept", "rows", "recent")] == [
        "expired",
        "expired",
        "refused",  # its file went when it was refused
        "checked",
    ]
    assert not uploads["checked"].stored_path.exists() and not uploads["kept"].stored_path.exists()
    assert uploads["recent"].stored_path.exists()
    assert uploads["kept"].report["needs_mapping"]  # the report stays

    page = client.get(reverse("imports:batch", args=[uploads["kept"].pk])).content.decode()
    assert "Expired" in page and "so its file was deleted. Upload the file again to import it." in page
    assert reverse("imports:reread", args=[uploads["kept"].pk]) not in page
    page = client.get(reverse("imports:batch", args=[uploads["checked"].pk])).content.decode()
    assert reverse("imports:commit", args=[uploads["checked"].pk]) not in page
    response = client.post(reverse("imports:commit", args=[uploads["checked"].pk]), follow=True)
    assert "cannot be imported" in response.content.decode()

    # A second run finds nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert uploads_expire() == {"expired": 0, "orphans": 0}


def test_the_number_of_days_is_a_setting(uploads, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_KEEP_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        assert uploads_expire() == {"expired": 0, "orphans": 0}
    assert _status(uploads["checked"]) == "checked"


def test_stray_old_files_go_but_not_the_files_of_uploads(uploads, django_capture_on_commit_callbacks):
    folder = Path(settings.PRIVATE_STORAGE_ROOT) / "imports"
    stray, fresh = folder / "0123stray.upload", folder / "4567fresh.upload"
    stray.write_bytes(b"x")
    fresh.write_bytes(b"x")
    old = time.time() - 40 * 86400
    os.utime(stray, (old, old))
    os.utime(
        folder / uploads["recent"].stored_name, (old, old)
    )  # an old file is still kept while its upload waits
    with django_capture_on_commit_callbacks(execute=True):
        assert uploads_expire(days=30) == {"expired": 0, "orphans": 1}
    assert not stray.exists() and fresh.exists() and uploads["recent"].stored_path.exists()
    assert uploads["kept"].stored_path.exists()


def test_the_scheduler_runs_the_expiry_daily(uploads, django_capture_on_commit_callbacks):
    (entry,) = [job for job in registry.scheduled_jobs if job.key == "imports.expire_uploads"]
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler_tick(entries=[entry], now=timezone.now().replace(hour=23)) == [
            "imports.expire_uploads"
        ]
    assert _status(uploads["checked"]) == "expired"


def test_the_command(uploads, capsys, django_capture_on_commit_callbacks):
    with pytest.raises(CommandError, match="--days must be 1 or more"):
        call_command("expire-imports", "--days", "0")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire-imports", "--days", "30")
    assert "Uploads expired: 0; stray files deleted: 0 (kept 30 days)." in capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire-imports")
    assert "Uploads expired: 2;" in capsys.readouterr().out
    assert _status(uploads["kept"]) == "expired"
